package maintenance

import (
	"errors"
	"testing"
	"time"
)

// FuzzParseRecurrence checks that any rule text either parses into a
// series whose starts go forward, at least MinInterval apart, or is
// refused with a FieldError for "recurrence"; never a panic.
func FuzzParseRecurrence(f *testing.F) {
	for _, s := range []string{"FREQ=DAILY", "RRULE:FREQ=WEEKLY;BYDAY=MO,FR;INTERVAL=2", "FREQ=MONTHLY;BYDAY=-1SU;COUNT=5",
		"FREQ=DAILY;UNTIL=20270101T000000Z", "0 2 * * 0", "*/5 * * * *", "TZ=", "CRON_TZ=X 1", "0 0 30 2 *", "@every 1s"} {
		f.Add(s, int64(1774573200), int64(60), uint8(0))
	}
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"}
	f.Fuzz(func(t *testing.T, text string, startUnix, durMin int64, zi uint8) {
		loc, err := time.LoadLocation(zones[int(zi)%len(zones)])
		if err != nil {
			t.Skip(err)
		}
		start := time.Unix(startUnix%(4e9), 0)
		dur := time.Duration(durMin%(31*24*60)) * time.Minute
		r, err := ParseRecurrence(text, start, dur, loc)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "recurrence" || fe.Message == "" {
				t.Fatalf("error %v is not a recurrence FieldError", err)
			}
			return
		}
		var seq []time.Time
		for s := range r.seq(r.Start, r.Start.Add(Horizon)) {
			if seq = append(seq, s); len(seq) == 6 {
				break
			}
		}
		prev := r.Start
		for i := range 5 {
			next, ok := r.After(prev)
			if !ok {
				if len(seq) != i+1 {
					t.Fatalf("%q: After ends after %d starts, seq has %v", text, i+1, seq)
				}
				return
			}
			if next.Sub(prev) < MinInterval {
				t.Fatalf("%q: %v after %v", text, next, prev)
			}
			if len(seq) <= i+1 || !seq[i+1].Equal(next) {
				t.Fatalf("%q: After gives %v as start %d, seq %v", text, next, i+2, seq)
			}
			prev = next
		}
	})
}
