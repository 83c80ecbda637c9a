package maintenance

import (
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func env(min int) Env { return Env{Now: at(min), Loc: time.UTC} }

func ptr[T any](v T) *T { return &v }

func scheduled(t *testing.T) Window {
	t.Helper()
	w, err := Act(Window{}, Action{Kind: KindSchedule, Title: "DB upgrade", StartsAt: at(60), EndsAt: at(120),
		ComponentIDs: []string{"db"}, AutoStart: true, AutoEnd: true}, env(0))
	if err != nil {
		t.Fatal(err)
	}
	w.ID = 4
	return w
}

func TestAct(t *testing.T) {
	sched := scheduled(t)
	inProgress := sched
	inProgress.Status, inProgress.StartedAt = InProgress, at(60)
	verifying := inProgress
	verifying.Status = Verifying
	completed := inProgress
	completed.Status = Completed
	cancelled := sched
	cancelled.Status = Cancelled
	tests := []struct {
		name  string
		in    Window
		act   Action
		now   int
		want  Status
		field string
	}{
		{name: "schedule", act: Action{Kind: KindSchedule, Title: "x", StartsAt: at(10), EndsAt: at(20)}, want: Scheduled},
		{name: "schedule recurring", act: Action{Kind: KindSchedule, Title: "x", StartsAt: at(10), EndsAt: at(20), Recurrence: "FREQ=WEEKLY"}, want: Scheduled},
		{name: "schedule without title", act: Action{Kind: KindSchedule, StartsAt: at(10), EndsAt: at(20)}, field: "title"},
		{name: "schedule without start", act: Action{Kind: KindSchedule, Title: "x", EndsAt: at(20)}, field: "starts_at"},
		{name: "schedule end before start", act: Action{Kind: KindSchedule, Title: "x", StartsAt: at(20), EndsAt: at(10)}, field: "ends_at"},
		{name: "schedule in the past", act: Action{Kind: KindSchedule, Title: "x", StartsAt: at(-20), EndsAt: at(-10)}, field: "ends_at"},
		{name: "schedule too long", act: Action{Kind: KindSchedule, Title: "x", StartsAt: at(10), EndsAt: at(10).Add(32 * 24 * time.Hour)}, field: "ends_at"},
		{name: "schedule bad rule", act: Action{Kind: KindSchedule, Title: "x", StartsAt: at(10), EndsAt: at(20), Recurrence: "* * * * *"}, field: "recurrence"},
		{name: "schedule duplicate component", act: Action{Kind: KindSchedule, Title: "x", StartsAt: at(10), EndsAt: at(20),
			ComponentIDs: []string{"a", "a"}}, field: "component_ids[1]"},

		{name: "start", in: sched, act: Action{Kind: KindStart}, now: 50, want: InProgress},
		{name: "verify", in: inProgress, act: Action{Kind: KindVerify}, now: 70, want: Verifying},
		{name: "back to in progress", in: verifying, act: Action{Kind: KindUpdate, Status: InProgress, Body: "One more."}, now: 70, want: InProgress},
		{name: "complete from in progress", in: inProgress, act: Action{Kind: KindComplete}, now: 70, want: Completed},
		{name: "complete from verifying", in: verifying, act: Action{Kind: KindComplete}, now: 70, want: Completed},
		{name: "cancel", in: sched, act: Action{Kind: KindCancel, Body: "Not needed."}, now: 10, want: Cancelled},
		{name: "update", in: inProgress, act: Action{Kind: KindUpdate, Body: "Half done."}, now: 70, want: InProgress},
		{name: "update without body", in: inProgress, act: Action{Kind: KindUpdate}, now: 70, field: "body"},
		{name: "update bad status", in: inProgress, act: Action{Kind: KindUpdate, Status: "paused", Body: "x"}, now: 70, field: "status"},
		{name: "complete scheduled", in: sched, act: Action{Kind: KindComplete}, now: 10, field: "status"},
		{name: "verify scheduled", in: sched, act: Action{Kind: KindVerify}, now: 10, field: "status"},
		{name: "start completed", in: completed, act: Action{Kind: KindStart}, now: 130, field: "status"},
		{name: "start cancelled", in: cancelled, act: Action{Kind: KindStart}, now: 130, field: "status"},
		{name: "cancel in progress", in: inProgress, act: Action{Kind: KindCancel}, now: 70, field: "status"},
		{name: "update cancelled", in: cancelled, act: Action{Kind: KindUpdate, Body: "x"}, now: 70, field: "status"},
		{name: "back to scheduled", in: inProgress, act: Action{Kind: KindUpdate, Status: Scheduled, Body: "x"}, now: 70, field: "status"},
		{name: "unknown action", in: sched, act: Action{Kind: "pause"}, now: 10, field: "action"},

		{name: "reschedule", in: sched, act: Action{Kind: KindEdit, Changes: &Changes{StartsAt: ptr(at(90)), EndsAt: ptr(at(150))}}, now: 10, want: Scheduled},
		{name: "edit without changes", in: sched, act: Action{Kind: KindEdit}, now: 10, field: "changes"},
		{name: "reschedule end before start", in: sched, act: Action{Kind: KindEdit, Changes: &Changes{EndsAt: ptr(at(30))}}, now: 10, field: "ends_at"},
		{name: "move start of a running window", in: inProgress, act: Action{Kind: KindEdit, Changes: &Changes{StartsAt: ptr(at(61))}}, now: 70, field: "starts_at"},
		{name: "extend a running window", in: inProgress, act: Action{Kind: KindEdit, Changes: &Changes{EndsAt: ptr(at(180))}}, now: 70, want: InProgress},
		{name: "end a running window before it started", in: inProgress, act: Action{Kind: KindEdit, Changes: &Changes{EndsAt: ptr(at(59))}}, now: 70, field: "ends_at"},
		{name: "move a completed window", in: completed, act: Action{Kind: KindEdit, Changes: &Changes{EndsAt: ptr(at(200))}}, now: 130, field: "status"},
		{name: "retitle a completed window", in: completed, act: Action{Kind: KindEdit, Changes: &Changes{Title: ptr("DB upgrade (done)")}}, now: 130, want: Completed},
		{name: "edit empty title", in: sched, act: Action{Kind: KindEdit, Changes: &Changes{Title: ptr("")}}, now: 10, field: "title"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Act(tc.in, tc.act, env(tc.now))
			if tc.field != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != tc.field {
					t.Fatalf("err = %v, want a FieldError for %q", err, tc.field)
				}
				if got.Status != tc.in.Status || len(got.Updates) != len(tc.in.Updates) {
					t.Error("a rejected action changed the window")
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got.Status != tc.want {
				t.Errorf("status = %s, want %s", got.Status, tc.want)
			}
			if tc.want != tc.in.Status && tc.in.Status != "" && (len(got.Updates) == 0 || got.Updates[0].Status != tc.want) {
				t.Errorf("no update posted for the move to %s", tc.want)
			}
		})
	}
}

func TestRescheduleResendsReminders(t *testing.T) {
	w := scheduled(t)
	w.Reminders = Reminders{DayBefore: true, HourBefore: true}
	w.Sent = []Reminder{DayBefore}
	got, err := Act(w, Action{Kind: KindEdit, Changes: &Changes{StartsAt: ptr(at(24 * 60)), EndsAt: ptr(at(25 * 60))}}, env(10))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Sent) != 0 || len(w.Sent) != 1 {
		t.Errorf("sent = %v (input %v), want the day-before reminder due again", got.Sent, w.Sent)
	}
}
