package maintenance

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// catchUp applies what Due returns until nothing is due, as the aggregator
// does (there each under its guard), and returns the windows and the
// transitions applied.
func catchUp(t *testing.T, ws []Window, now time.Time) ([]Window, []Transition) {
	t.Helper()
	ws = slices.Clone(ws)
	var applied []Transition
	nextID := int64(len(ws) + 1)
	for range 100 {
		due := Due(ws, now)
		if len(due) == 0 {
			return ws, applied
		}
		for _, tr := range due {
			i := slices.IndexFunc(ws, func(w Window) bool { return w.ID == tr.WindowID })
			w, spawned, err := Apply(ws[i], tr, now)
			if err != nil {
				t.Fatalf("apply %s: %v", tr.Key(), err)
			}
			ws[i] = w
			if spawned != nil {
				spawned.ID, nextID = nextID, nextID+1
				ws = append(ws, *spawned)
			}
			applied = append(applied, tr)
		}
	}
	t.Fatal("Due never ran dry")
	return nil, nil
}

func TestCatchUpAfterThreeDayOutage(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	down := time.Date(2026, 3, 26, 12, 0, 0, 0, berlin) // last pass before the outage
	now := down.Add(72 * time.Hour)
	first, err := Act(Window{}, Action{Kind: KindSchedule, Title: "Nightly reindex", Recurrence: "FREQ=DAILY",
		StartsAt: time.Date(2026, 3, 27, 2, 0, 0, 0, berlin), EndsAt: time.Date(2026, 3, 27, 3, 0, 0, 0, berlin),
		ComponentIDs: []string{"search"}, AutoStart: true, AutoEnd: true,
		Reminders: Reminders{DayBefore: true, HourBefore: true, AtStart: true, AtCompletion: true}}, Env{Now: down.Add(-48 * time.Hour), Loc: berlin})
	if err != nil {
		t.Fatal(err)
	}
	first.ID, first.Sent = 1, []Reminder{DayBefore}
	if due := Due([]Window{first}, down); len(due) != 0 {
		t.Fatalf("due before the outage: %v", due)
	}

	ws, applied := catchUp(t, []Window{first}, now)

	var got []string
	for _, w := range ws {
		got = append(got, fmt.Sprintf("%d %s %s–%s started %s completed %s sent %v", w.Occurrence, w.Status,
			w.StartsAt.In(berlin).Format("01-02 15:04Z07"), w.EndsAt.In(berlin).Format("15:04"),
			clock(w.StartedAt, berlin), clock(w.CompletedAt, berlin), w.Sent))
	}
	want := []string{
		"1 completed 03-27 02:00+01–03:00 started 03-27 02:00 completed 03-27 03:00 sent [day_before hour_before at_start at_completion]",
		"2 completed 03-28 02:00+01–03:00 started 03-28 02:00 completed 03-28 03:00 sent [day_before hour_before at_start at_completion]",
		"3 completed 03-29 03:00+02–04:00 started 03-29 03:00 completed 03-29 04:00 sent [day_before hour_before at_start at_completion]",
		"4 scheduled 03-30 02:00+02–03:00 started - completed - sent [day_before]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("windows\n got %q\nwant %q", got, want)
	}
	counts := map[string]int{}
	var sent []string
	for _, tr := range applied {
		counts[tr.Key()]++
		if tr.Kind == TransitionRemind && !tr.Missed {
			sent = append(sent, fmt.Sprintf("%d:%s", tr.WindowID, tr.Reminder))
		}
	}
	for k, n := range counts {
		if n != 1 {
			t.Errorf("%s applied %d times", k, n)
		}
	}
	// Only the latest reminder of each window goes out; the rest are passed over.
	if want := []string{"1:at_completion", "2:at_completion", "3:at_completion", "4:day_before"}; !slices.Equal(sent, want) {
		t.Errorf("reminders sent %v, want %v", sent, want)
	}
	if due := Due(ws, now); len(due) != 0 {
		t.Errorf("still due after catching up: %v", due)
	}
	// A second aggregator replaying a transition is refused.
	if _, _, err := Apply(ws[0], Transition{WindowID: 1, Kind: TransitionStart, At: ws[0].StartsAt}, now); !isField(err, "status") {
		t.Errorf("replayed start: %v", err)
	}
	if next, ok := Next(ws, now); !ok || !next.Equal(ws[3].StartsAt.Add(-time.Hour)) {
		t.Errorf("Next = %v, %v; want the hour-before reminder of %v", next, ok, ws[3].StartsAt)
	}
}

func clock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format("01-02 15:04")
}

func isField(err error, field string) bool {
	var fe *FieldError
	return errors.As(err, &fe) && fe.Field == field
}

func TestDue(t *testing.T) {
	const start, end = 48 * 60, 49 * 60 // minutes after t0
	w := Window{ID: 1, Status: Scheduled, StartsAt: at(start), EndsAt: at(end), AutoStart: true, AutoEnd: true,
		Reminders: Reminders{DayBefore: true, HourBefore: true, AtStart: true, AtCompletion: true}}
	manual := w
	manual.AutoStart, manual.AutoEnd = false, false
	running := manual
	running.Status, running.StartedAt = InProgress, at(start-10)
	tests := []struct {
		name string
		w    Window
		now  int
		want []string // in the order to apply
	}{
		{"nothing yet", w, 0, nil},
		{"day before", w, start - 24*60, []string{"remind:day_before"}},
		{"hour before", w, start - 60, []string{"remind:day_before(missed)", "remind:hour_before"}},
		{"at the second", w, start, []string{"remind:day_before(missed)", "remind:hour_before(missed)", "start", "remind:at_start"}},
		{"after the end", w, end + 5, []string{"remind:day_before(missed)", "remind:hour_before(missed)", "start",
			"remind:at_start(missed)", "complete", "remind:at_completion"}},
		{"manual start waits for a person", manual, start + 5, []string{"remind:day_before(missed)", "remind:hour_before"}},
		{"manual window started by a person", running, start + 5,
			[]string{"remind:day_before(missed)", "remind:hour_before(missed)", "remind:at_start"}},
		{"cancelled", Window{ID: 1, Status: Cancelled, StartsAt: at(start), EndsAt: at(end), AutoStart: true, Reminders: w.Reminders}, end, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, tr := range Due([]Window{tc.w}, at(tc.now)) {
				s := string(tr.Kind)
				if tr.Kind == TransitionRemind {
					s += ":" + string(tr.Reminder)
				}
				if tr.Missed {
					s += "(missed)"
				}
				got = append(got, s)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Due\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestNext(t *testing.T) {
	w := Window{ID: 1, Status: Scheduled, StartsAt: at(120), EndsAt: at(180), AutoStart: true, AutoEnd: true,
		Reminders: Reminders{HourBefore: true}}
	tests := []struct {
		name  string
		w     Window
		after int
		want  int // -1: none
	}{
		{"reminder first", w, 0, 60},
		{"then the start", w, 60, 120},
		{"then the end", w, 120, 180},
		{"nothing after", w, 180, -1},
		{"running", Window{Status: InProgress, EndsAt: at(180), AutoEnd: true}, 130, 180},
		{"manual", Window{Status: Scheduled, StartsAt: at(120), EndsAt: at(180)}, 0, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Next([]Window{tc.w}, at(tc.after))
			if tc.want < 0 && ok || tc.want >= 0 && (!ok || !got.Equal(at(tc.want))) {
				t.Errorf("Next = %v, %v; want minute %d", got, ok, tc.want)
			}
		})
	}
}

func TestSeriesEnds(t *testing.T) {
	w, err := Act(Window{}, Action{Kind: KindSchedule, Title: "x", StartsAt: at(10), EndsAt: at(20), AutoStart: true, AutoEnd: true,
		Recurrence: "FREQ=DAILY;COUNT=2"}, env(0))
	if err != nil {
		t.Fatal(err)
	}
	w.ID = 1
	ws, _ := catchUp(t, []Window{w}, at(10*24*60))
	if len(ws) != 2 || ws[1].Status != Completed || !ws[1].Spawned || ws[1].SeriesID != 1 {
		t.Errorf("series of COUNT=2 made %d windows: %+v", len(ws), ws)
	}
	cancelled, err := Act(w, Action{Kind: KindCancel, Series: true}, env(1))
	if err != nil {
		t.Fatal(err)
	}
	if due := Due([]Window{cancelled}, at(100)); len(due) != 0 {
		t.Errorf("a cancelled series still spawns: %v", due)
	}
}

func TestClaims(t *testing.T) {
	w := Window{ID: 3, Status: InProgress, ComponentIDs: []string{"a", "b"}, StartedAt: t0}
	if c := w.Claims(); len(c) != 2 || c[1].ComponentID != "b" || c[1].Status != "under_maintenance" || !w.Covers("a") {
		t.Errorf("claims = %+v", c)
	}
	w.Status = Completed
	if w.Claims() != nil || w.Covers("a") {
		t.Error("a completed window still claims its components")
	}
}
