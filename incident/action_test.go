package incident

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/statusd/statusd/status"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func env(min int) Env {
	return Env{Now: at(min), Vocabulary: Vocabulary{Custom: []CustomStatus{{Name: "Fix deployed", Standard: Monitoring}}},
		Current: map[string]status.Status{"api": status.Operational}}
}

func opened(t *testing.T) Incident {
	t.Helper()
	in, _, err := Apply(Incident{}, Action{Kind: KindOpen, Person: true, Title: "API down", Body: "Looking.",
		Impact: ImpactMajor, Components: []ComponentStatus{{"api", status.MajorOutage}}}, env(0))
	if err != nil {
		t.Fatal(err)
	}
	in.ID, in.Updates[0].ID = 7, 70
	return in
}

func with(in Incident, f func(*Incident)) Incident {
	in = clone(in)
	f(&in)
	return in
}

func ptr[T any](v T) *T { return &v }

func TestApply(t *testing.T) {
	open := opened(t)
	resolved := with(open, func(in *Incident) { in.Status, in.ResolvedAt = Resolved, at(5) })
	postmortem := with(resolved, func(in *Incident) { in.Status = Postmortem })
	deleted := with(open, func(in *Incident) { in.DeletedAt = at(3) })
	auto := with(open, func(in *Incident) { in.Automatic, in.Components = true, nil })
	taken := with(auto, func(in *Incident) { in.TakenOver = true })
	twoUpdates := with(open, func(in *Incident) {
		in.Updates = append([]Update{{ID: 71, Status: Identified, Body: "Found.", CreatedAt: at(2)}}, in.Updates...)
	})
	tests := []struct {
		name   string
		in     Incident
		act    Action
		now    int
		want   Status
		field  string // "" when the action is accepted
		verify func(*testing.T, Incident, *Revision)
	}{
		{name: "open investigating", act: Action{Kind: KindOpen, Person: true, Title: "x"}, want: Investigating},
		{name: "open custom status", act: Action{Kind: KindOpen, Person: true, Title: "x", Status: "fix DEPLOYED"}, want: Monitoring,
			verify: func(t *testing.T, in Incident, _ *Revision) {
				if in.CustomStatus != "Fix deployed" || in.Updates[0].CustomStatus != "Fix deployed" {
					t.Errorf("custom = %q", in.CustomStatus)
				}
			}},
		{name: "open without title", act: Action{Kind: KindOpen, Person: true}, field: "title"},
		{name: "open bad impact", act: Action{Kind: KindOpen, Person: true, Title: "x", Impact: "huge"}, field: "impact"},
		{name: "open resolved", act: Action{Kind: KindOpen, Person: true, Title: "x", Status: "resolved"}, field: "status"},
		{name: "open unknown status", act: Action{Kind: KindOpen, Person: true, Title: "x", Status: "panicking"}, field: "status"},
		{name: "open in future", act: Action{Kind: KindOpen, Person: true, Title: "x", StartedAt: at(10)}, field: "started_at"},
		{name: "open with end", act: Action{Kind: KindOpen, Person: true, Title: "x", ResolvedAt: at(-1)}, field: "resolved_at"},
		{name: "open duplicate component", act: Action{Kind: KindOpen, Person: true, Title: "x",
			Components: []ComponentStatus{{"a", status.MajorOutage}, {"a", status.Operational}}}, field: "components[1].component_id"},
		{name: "open bad component status", act: Action{Kind: KindOpen, Person: true, Title: "x",
			Components: []ComponentStatus{{"a", "down"}}}, field: "components[0].status"},
		{name: "backfill", act: Action{Kind: KindOpen, Person: true, Title: "x", Backfilled: true, StartedAt: at(-120), ResolvedAt: at(-60)},
			want: Resolved, verify: func(t *testing.T, in Incident, _ *Revision) {
				if !in.ResolvedAt.Equal(at(-60)) || !in.Started().Equal(at(-120)) || !in.Updates[0].Display().Equal(at(-60)) {
					t.Errorf("times = %v %v %v", in.Started(), in.ResolvedAt, in.Updates[0].Display())
				}
			}},
		{name: "backfill in the future", act: Action{Kind: KindOpen, Person: true, Title: "x", Backfilled: true, StartedAt: at(-1), ResolvedAt: at(30)}, field: "resolved_at"},
		{name: "backfill end before start", act: Action{Kind: KindOpen, Person: true, Title: "x", Backfilled: true, StartedAt: at(-1), ResolvedAt: at(-2)}, field: "resolved_at"},
		{name: "backfill without start", act: Action{Kind: KindOpen, Person: true, Title: "x", Backfilled: true, ResolvedAt: at(-2)}, field: "started_at"},
		{name: "backfill open status", act: Action{Kind: KindOpen, Person: true, Title: "x", Backfilled: true, Status: "monitoring",
			StartedAt: at(-2), ResolvedAt: at(-1)}, field: "status"},

		{name: "identified", in: open, act: Action{Kind: KindUpdate, Person: true, Body: "Found.", Status: "identified"}, now: 1, want: Identified},
		{name: "monitoring", in: open, act: Action{Kind: KindUpdate, Person: true, Body: "Fixed?", Status: "monitoring"}, now: 1, want: Monitoring},
		{name: "back to investigating", in: with(open, func(in *Incident) { in.Status = Monitoring }),
			act: Action{Kind: KindUpdate, Person: true, Body: "Again.", Status: "investigating"}, now: 1, want: Investigating},
		{name: "update keeps status", in: open, act: Action{Kind: KindUpdate, Person: true, Body: "Still."}, now: 1, want: Investigating},
		{name: "update without body", in: open, act: Action{Kind: KindUpdate, Person: true}, now: 1, field: "body"},
		{name: "update resolves", in: open, act: Action{Kind: KindUpdate, Person: true, Body: "Done.", Status: "resolved"}, now: 4, want: Resolved,
			verify: func(t *testing.T, in Incident, _ *Revision) {
				if !in.ResolvedAt.Equal(at(4)) || len(in.Claims()) != 0 {
					t.Errorf("resolved at %v, claims %v", in.ResolvedAt, in.Claims())
				}
			}},
		{name: "update to postmortem", in: resolved, act: Action{Kind: KindUpdate, Person: true, Body: "x", Status: "postmortem"}, now: 6, field: "status"},
		{name: "open status on resolved", in: resolved, act: Action{Kind: KindUpdate, Person: true, Body: "x", Status: "identified"}, now: 6, field: "status"},
		{name: "note on resolved", in: resolved, act: Action{Kind: KindUpdate, Person: true, Body: "Cause found."}, now: 6, want: Resolved},
		{name: "update on deleted", in: deleted, act: Action{Kind: KindUpdate, Person: true, Body: "x"}, now: 4, field: "incident"},
		{name: "update in future", in: open, act: Action{Kind: KindUpdate, Person: true, Body: "x", At: at(9)}, now: 1, field: "at"},
		{name: "update before start", in: open, act: Action{Kind: KindUpdate, Person: true, Body: "x", At: at(-9)}, now: 1, field: "at"},
		{name: "update components", in: open, act: Action{Kind: KindUpdate, Person: true, Body: "Better.",
			Components: []ComponentStatus{{"api", status.PartialOutage}, {"web", status.DegradedPerformance}}}, now: 2, want: Investigating,
			verify: func(t *testing.T, in Incident, _ *Revision) {
				got := in.Updates[0].Components
				want := []ComponentChange{{"api", status.MajorOutage, status.PartialOutage}, {"web", status.Operational, status.DegradedPerformance}}
				if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
					t.Errorf("changes = %v", got)
				}
				if len(in.ComponentIDs) != 2 || len(in.Claims()) != 2 {
					t.Errorf("ids %v claims %v", in.ComponentIDs, in.Claims())
				}
			}},

		{name: "resolve", in: open, act: Action{Kind: KindResolve, Person: true}, now: 5, want: Resolved},
		{name: "resolve resolved", in: resolved, act: Action{Kind: KindResolve, Person: true}, now: 6, field: "status"},
		{name: "resolve deleted", in: deleted, act: Action{Kind: KindResolve, Person: true}, now: 6, field: "incident"},
		{name: "reopen", in: resolved, act: Action{Kind: KindReopen, Person: true, Body: "Back."}, now: 6, want: Investigating,
			verify: func(t *testing.T, in Incident, _ *Revision) {
				if !in.ResolvedAt.IsZero() {
					t.Errorf("resolved at %v", in.ResolvedAt)
				}
			}},
		{name: "reopen as monitoring", in: postmortem, act: Action{Kind: KindReopen, Person: true, Status: "monitoring"}, now: 6, want: Monitoring},
		{name: "reopen open", in: open, act: Action{Kind: KindReopen, Person: true}, now: 6, field: "status"},
		{name: "reopen as resolved", in: resolved, act: Action{Kind: KindReopen, Person: true, Status: "resolved"}, now: 6, field: "status"},
		{name: "postmortem", in: resolved, act: Action{Kind: KindPostmortem, Person: true, Body: "What happened."}, now: 60, want: Postmortem,
			verify: func(t *testing.T, in Incident, _ *Revision) {
				if in.PostmortemBody != "What happened." || !in.PostmortemAt.Equal(at(60)) {
					t.Errorf("postmortem %q at %v", in.PostmortemBody, in.PostmortemAt)
				}
			}},
		{name: "postmortem again", in: postmortem, act: Action{Kind: KindPostmortem, Person: true, Body: "v2"}, now: 60, want: Postmortem},
		{name: "postmortem open", in: open, act: Action{Kind: KindPostmortem, Person: true, Body: "x"}, now: 60, field: "status"},
		{name: "postmortem empty", in: resolved, act: Action{Kind: KindPostmortem, Person: true}, now: 60, field: "body"},

		{name: "edit", in: open, act: Action{Kind: KindEdit, Person: true, Changes: &Changes{Title: ptr("API slow"),
			Impact: ptr(ImpactMinor), Private: ptr(true), Components: &[]ComponentStatus{}}}, now: 2, want: Investigating,
			verify: func(t *testing.T, in Incident, _ *Revision) {
				if in.Name != "API slow" || in.Impact != ImpactMinor || !in.Private || len(in.Claims()) != 0 {
					t.Errorf("edited %+v", in)
				}
			}},
		{name: "edit empty title", in: open, act: Action{Kind: KindEdit, Person: true, Changes: &Changes{Title: ptr("")}}, now: 2, field: "title"},
		{name: "edit without changes", in: open, act: Action{Kind: KindEdit, Person: true}, now: 2, field: "changes"},
		{name: "edit end before start", in: resolved, act: Action{Kind: KindEdit, Person: true, Changes: &Changes{ResolvedAt: ptr(at(-5))}}, now: 9, field: "resolved_at"},
		{name: "edit start after end", in: resolved, act: Action{Kind: KindEdit, Person: true, Changes: &Changes{StartedAt: ptr(at(6))}}, now: 9, field: "started_at"},
		{name: "edit end of open", in: open, act: Action{Kind: KindEdit, Person: true, Changes: &Changes{ResolvedAt: ptr(at(1))}}, now: 9, field: "resolved_at"},
		{name: "edit start in future", in: open, act: Action{Kind: KindEdit, Person: true, Changes: &Changes{StartedAt: ptr(at(60))}}, now: 9, field: "started_at"},
		{name: "edit start earlier", in: open, act: Action{Kind: KindEdit, Person: true, Changes: &Changes{StartedAt: ptr(at(-30))}}, now: 9, want: Investigating},

		{name: "edit update", in: twoUpdates, act: Action{Kind: KindEditUpdate, Person: true, UpdateID: 70,
			Changes: &Changes{Body: ptr("Looking hard."), DisplayAt: ptr(at(3))}}, now: 4, want: Investigating,
			verify: func(t *testing.T, in Incident, rev *Revision) {
				if rev == nil || rev.Before.Body != "Looking." || rev.After.Body != "Looking hard." || in.Updates[0].ID != 70 {
					t.Errorf("rev %+v, first %+v", rev, in.Updates[0])
				}
			}},
		{name: "edit missing update", in: open, act: Action{Kind: KindEditUpdate, Person: true, UpdateID: 99, Changes: &Changes{Body: ptr("x")}}, now: 4, field: "update_id"},
		{name: "edit update empty body", in: open, act: Action{Kind: KindEditUpdate, Person: true, UpdateID: 70, Changes: &Changes{Body: ptr("")}}, now: 4, field: "body"},
		{name: "edit update future", in: open, act: Action{Kind: KindEditUpdate, Person: true, UpdateID: 70, Changes: &Changes{DisplayAt: ptr(at(30))}}, now: 4, field: "display_at"},
		{name: "delete update", in: twoUpdates, act: Action{Kind: KindDeleteUpdate, Person: true, UpdateID: 71}, now: 4, want: Investigating,
			verify: func(t *testing.T, in Incident, rev *Revision) {
				if rev == nil || rev.After != nil || rev.Before.ID != 71 || len(in.Updates) != 1 {
					t.Errorf("rev %+v, updates %v", rev, in.Updates)
				}
			}},
		{name: "delete only update", in: open, act: Action{Kind: KindDeleteUpdate, Person: true, UpdateID: 70}, now: 4, field: "update_id"},
		{name: "delete update of deleted", in: deleted, act: Action{Kind: KindDeleteUpdate, Person: true, UpdateID: 70}, now: 4, field: "incident"},
		{name: "delete", in: open, act: Action{Kind: KindDelete, Person: true}, now: 4, want: Investigating,
			verify: func(t *testing.T, in Incident, _ *Revision) {
				if !in.DeletedAt.Equal(at(4)) || in.Claims() != nil {
					t.Errorf("deleted at %v", in.DeletedAt)
				}
			}},
		{name: "delete deleted", in: deleted, act: Action{Kind: KindDelete, Person: true}, now: 4, field: "incident"},
		{name: "unknown action", in: open, act: Action{Kind: "explode"}, now: 4, field: "action"},

		{name: "person takes over automatic", in: auto, act: Action{Kind: KindUpdate, Person: true, Body: "On it.", Status: "identified"}, now: 2, want: Identified,
			verify: func(t *testing.T, in Incident, _ *Revision) {
				if !in.TakenOver {
					t.Error("not taken over")
				}
			}},
		{name: "probe resolves its own", in: auto, act: Action{Kind: KindResolve, Body: "Recovered."}, now: 2, want: Resolved},
		{name: "probe resolves taken over", in: taken, act: Action{Kind: KindResolve, Body: "Recovered."}, now: 2, field: "status"},
		{name: "probe resolves taken over by update", in: taken, act: Action{Kind: KindUpdate, Body: "Recovered.", Status: "resolved"}, now: 2, field: "status"},
		{name: "probe moves taken over", in: taken, act: Action{Kind: KindUpdate, Body: "Worse.", Status: "investigating"},
			now: 2, want: Investigating}, // same status: allowed
		{name: "probe notes on taken over", in: with(taken, func(in *Incident) { in.Status = Identified }), act: NoteAction("Automated checks see recovery."),
			now: 2, want: Identified},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := clone(tc.in)
			got, rev, err := Apply(tc.in, tc.act, env(tc.now))
			if tc.field != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != tc.field {
					t.Fatalf("err = %v, want a FieldError for %q", err, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got.Status != tc.want {
				t.Errorf("status = %s, want %s", got.Status, tc.want)
			}
			if !got.UpdatedAt.Equal(at(tc.now)) {
				t.Errorf("updated at %v", got.UpdatedAt)
			}
			if !reflect.DeepEqual(tc.in, before) {
				t.Error("the input incident was modified")
			}
			if tc.verify != nil {
				tc.verify(t, got, rev)
			}
		})
	}
}

func TestUpdatesStayNewestFirst(t *testing.T) {
	in := opened(t)
	var err error
	for i, min := range []int{5, 3, 8} { // a backdated update goes where its time says
		if in, _, err = Apply(in, Action{Kind: KindUpdate, Person: true, Body: "u", At: at(min)}, env(10+i)); err != nil {
			t.Fatal(err)
		}
	}
	var got []time.Time
	for _, u := range in.Updates {
		got = append(got, u.Display())
	}
	want := []time.Time{at(8), at(5), at(3), at(0)}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Fatalf("display times = %v, want %v", got, want)
		}
	}
}

func TestOnProbe(t *testing.T) {
	auto := Incident{Automatic: true, Status: Investigating}
	tests := []struct {
		name string
		in   Incident
		ev   ProbeEvent
		want Decision
	}{
		{"manual", Incident{Status: Investigating}, ProbeRecovered, DecideIgnore},
		{"own recovered", auto, ProbeRecovered, DecideFollow},
		{"own worse", auto, ProbeWorse, DecideFollow},
		{"taken over recovered", Incident{Automatic: true, TakenOver: true, Status: Monitoring}, ProbeRecovered, DecideNote},
		{"taken over worse", Incident{Automatic: true, TakenOver: true, Status: Identified}, ProbeWorse, DecideNote},
		{"resolved", Incident{Automatic: true, Status: Resolved}, ProbeRecovered, DecideIgnore},
		{"deleted", Incident{Automatic: true, Status: Investigating, DeletedAt: t0}, ProbeWorse, DecideIgnore},
		{"unknown event", auto, "sideways", DecideIgnore},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := OnProbe(tc.in, tc.ev); got != tc.want {
				t.Errorf("OnProbe = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestVocabularyValidate(t *testing.T) {
	tests := []struct {
		name  string
		v     Vocabulary
		field string
	}{
		{"none", Vocabulary{}, ""},
		{"good", Vocabulary{Custom: []CustomStatus{{"Degraded", Identified}, {"Fix deployed", Monitoring}}}, ""},
		{"unnamed", Vocabulary{Custom: []CustomStatus{{" ", Identified}}}, "custom_statuses[0].name"},
		{"twice", Vocabulary{Custom: []CustomStatus{{"A", Identified}, {"a", Monitoring}}}, "custom_statuses[1].name"},
		{"shadows", Vocabulary{Custom: []CustomStatus{{"Resolved", Monitoring}}}, "custom_statuses[0].name"},
		{"unmapped", Vocabulary{Custom: []CustomStatus{{"A", "fine"}}}, "custom_statuses[0].standard"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.v.Validate()
			var fe *FieldError
			if tc.field == "" && err != nil || tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field) {
				t.Errorf("Validate = %v, want field %q", err, tc.field)
			}
		})
	}
}

// TestOpenAnnouncesWhatThePageShowed: the opening update's component
// change goes from the status the page showed before the incident to the
// one the incident sets.
func TestOpenAnnouncesWhatThePageShowed(t *testing.T) {
	got := opened(t).Updates[0].Components
	want := []ComponentChange{{ComponentID: "api", Old: status.Operational, New: status.MajorOutage}}
	if !slices.Equal(got, want) {
		t.Errorf("opening update's changes = %+v, want %+v", got, want)
	}
}
