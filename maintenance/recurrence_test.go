package maintenance

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// starts returns the first n starts of the series, as RFC 3339 in loc.
func starts(t *testing.T, r *Recurrence, n int, loc *time.Location) []string {
	t.Helper()
	out := []string{r.Start.In(loc).Format(time.RFC3339)}
	at := r.Start
	for len(out) < n {
		next, ok := r.After(at)
		if !ok {
			break
		}
		out = append(out, next.In(loc).Format(time.RFC3339))
		at = next
	}
	return out
}

func TestRecurrenceAcrossClockChanges(t *testing.T) {
	berlin, ny := zone(t, "Europe/Berlin"), zone(t, "America/New_York")
	tests := []struct {
		name  string
		rule  string
		start time.Time
		dur   time.Duration
		loc   *time.Location
		want  []string
	}{
		{"rrule daily into Berlin summer time: 02:30 does not exist on the 29th", "RRULE:FREQ=DAILY",
			time.Date(2026, 3, 27, 2, 30, 0, 0, berlin), time.Hour, berlin,
			[]string{"2026-03-27T02:30:00+01:00", "2026-03-28T02:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"}},
		{"rrule daily out of Berlin summer time: 02:30 twice on the 25th, first one", "FREQ=DAILY",
			time.Date(2026, 10, 24, 2, 30, 0, 0, berlin), time.Hour, berlin,
			[]string{"2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"}},
		{"cron daily into Berlin summer time", "30 2 * * *",
			time.Date(2026, 3, 28, 2, 30, 0, 0, berlin), time.Hour, berlin,
			[]string{"2026-03-28T02:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"}},
		{"cron half-hourly through the repeated Berlin hour", "*/30 1-3 * * *",
			time.Date(2026, 10, 25, 1, 0, 0, 0, berlin), 10 * time.Minute, berlin,
			[]string{"2026-10-25T01:00:00+02:00", "2026-10-25T01:30:00+02:00", "2026-10-25T02:00:00+02:00",
				"2026-10-25T02:30:00+02:00", "2026-10-25T03:00:00+01:00", "2026-10-25T03:30:00+01:00", "2026-10-26T01:00:00+01:00"}},
		{"weekly Sunday 09:00 keeps the New York wall clock", "FREQ=WEEKLY;BYDAY=SU",
			time.Date(2026, 3, 1, 9, 0, 0, 0, ny), 2 * time.Hour, ny,
			[]string{"2026-03-01T09:00:00-05:00", "2026-03-08T09:00:00-04:00", "2026-03-15T09:00:00-04:00"}},
		{"cron 02:00 in the New York spring gap", "0 2 * * *",
			time.Date(2026, 3, 7, 2, 0, 0, 0, ny), time.Hour, ny,
			[]string{"2026-03-07T02:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00"}},
		{"cron 01:30 in the New York autumn repeat, first one", "30 1 * * *",
			time.Date(2026, 10, 31, 1, 30, 0, 0, ny), time.Hour, ny,
			[]string{"2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"}},
		{"monthly first Monday, interval 2, count 3", "FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO;COUNT=3",
			time.Date(2026, 1, 5, 22, 0, 0, 0, berlin), time.Hour, berlin,
			[]string{"2026-01-05T22:00:00+01:00", "2026-03-02T22:00:00+01:00", "2026-05-04T22:00:00+02:00"}},
		{"monthly last Friday until June", "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20260601",
			time.Date(2026, 3, 27, 20, 0, 0, 0, ny), time.Hour, ny,
			[]string{"2026-03-27T20:00:00-04:00", "2026-04-24T20:00:00-04:00", "2026-05-29T20:00:00-04:00"}},
		{"monthly on the 31st skips short months", "FREQ=MONTHLY",
			time.Date(2026, 1, 31, 3, 0, 0, 0, time.UTC), time.Hour, time.UTC,
			[]string{"2026-01-31T03:00:00Z", "2026-03-31T03:00:00Z", "2026-05-31T03:00:00Z"}},
		{"weekdays only", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
			time.Date(2026, 3, 6, 6, 0, 0, 0, time.UTC), time.Hour, time.UTC,
			[]string{"2026-03-06T06:00:00Z", "2026-03-09T06:00:00Z", "2026-03-10T06:00:00Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRecurrence(tc.rule, tc.start, tc.dur, tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			got := starts(t, r, len(tc.want)+1, tc.loc)
			if strings.Contains(tc.rule, "COUNT") || strings.Contains(tc.rule, "UNTIL") {
				if len(got) != len(tc.want) {
					t.Errorf("the series goes on past its end: %v", got)
				}
			}
			got = got[:min(len(got), len(tc.want))]
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("starts\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestRecurrenceRejected(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	start := time.Date(2026, 3, 2, 2, 30, 0, 0, berlin)
	tests := []struct {
		name string
		rule string
		dur  time.Duration
		msg  string
	}{
		{"empty", " ", time.Hour, "is empty"},
		{"count zero", "FREQ=DAILY;COUNT=0", time.Hour, "COUNT=0"},
		{"count one", "FREQ=DAILY;COUNT=1", time.Hour, "never fires after the first window"},
		{"until before start", "FREQ=DAILY;UNTIL=20200101", time.Hour, "never fires"},
		{"count and until", "FREQ=DAILY;COUNT=2;UNTIL=20300101", time.Hour, "exclude each other"},
		{"no freq", "INTERVAL=2", time.Hour, "FREQ is required"},
		{"yearly", "FREQ=YEARLY", time.Hour, "FREQ=YEARLY"},
		{"unsupported key", "FREQ=DAILY;BYHOUR=3", time.Hour, "BYHOUR is not supported"},
		{"key twice", "FREQ=DAILY;FREQ=WEEKLY", time.Hour, "given twice"},
		{"bad weekday", "FREQ=WEEKLY;BYDAY=XX", time.Hour, "BYDAY=XX"},
		{"ordinal weekly", "FREQ=WEEKLY;BYDAY=1MO", time.Hour, "needs FREQ=MONTHLY"},
		{"bad interval", "FREQ=DAILY;INTERVAL=0", time.Hour, "INTERVAL=0"},
		{"bad until", "FREQ=DAILY;UNTIL=tomorrow", time.Hour, "UNTIL=TOMORROW"},
		{"every minute", "* * * * *", time.Minute, "at most once every 5m0s"},
		{"every second minute", "*/2 * * * *", time.Minute, "at most once every 5m0s"},
		{"february 30th", "0 0 30 2 *", time.Hour, "never fires"},
		{"four fields", "0 2 * *", time.Hour, "not 5"},
		{"time zone in spec", "TZ=Asia/Tokyo 0 2 * * *", time.Hour, "the time zone is the page's"},
		{"descriptor", "@daily", time.Hour, "not 5 cron fields"},
		{"cron out of range", "61 2 * * *", time.Hour, "61"},
		{"daily window longer than a day", "FREQ=DAILY", 25 * time.Hour, "overlaps the next"},
		{"weekly two days, window of 36h", "FREQ=WEEKLY;BYDAY=MO,TU", 36 * time.Hour, "overlaps the next"},
		{"daily 23.5h window overlaps on the short day", "FREQ=DAILY", 23*time.Hour + 30*time.Minute, "overlaps the next"},
		{"cron hourly, window of 2h", "0 * * * *", 2 * time.Hour, "overlaps the next"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRecurrence(tc.rule, start, tc.dur, berlin)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "recurrence" || !strings.Contains(fe.Message, tc.msg) {
				t.Errorf("err = %v, want recurrence: …%s…", err, tc.msg)
			}
		})
	}
}
