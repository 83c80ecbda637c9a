package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/statusd/statusd/audit"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// IncidentStore is what RunIncidentSuite exercises: incidents run by
// people beside the automatic ones.
type IncidentStore interface {
	StateStore
	ActOnIncident(ctx context.Context, pageID string, id int64, a incident.Action, now time.Time) (incident.Incident, error)
	Incident(ctx context.Context, id int64) (incident.Incident, error)
	ListIncidents(ctx context.Context, f incident.Filter) ([]incident.Incident, int, error)
	SetIncidentStatuses(ctx context.Context, pageID string, v incident.Vocabulary, now time.Time) error
	AuditLog(ctx context.Context, f audit.Filter) ([]audit.Entry, int, error)
	StoredVersion(ctx context.Context) (int64, error)
}

type incidentCase struct {
	name string
	run  func(t *testing.T, s IncidentStore)
}

// RunIncidentSuite runs the manual-incident cases, each against a fresh,
// migrated store holding the fixture catalog.
func RunIncidentSuite(t *testing.T, open func(t *testing.T) IncidentStore) {
	for _, tc := range manualCases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			must(t, "sync", s.SyncCatalog(t.Context(), fixture(), at(0)))
			tc.run(t, s)
		})
	}
}

// actOn applies a as the operator at now and fails the test on an error.
func actOn(t *testing.T, s IncidentStore, id int64, a incident.Action, now time.Time) incident.Incident {
	t.Helper()
	in, err := s.ActOnIncident(asOperator(t), "", id, a, now)
	must(t, "act "+string(a.Kind), err)
	return in
}

// openManual opens the suite's incident on acme at minute 1.
func openManual(t *testing.T, s IncidentStore, private bool) incident.Incident {
	t.Helper()
	in, err := s.ActOnIncident(asOperator(t), "acme", 0, incident.Action{Kind: incident.KindOpen, Title: "Slow API",
		Body: "Looking.", Impact: incident.ImpactMinor, Private: private,
		Components: []incident.ComponentStatus{{ComponentID: "api", Status: status.DegradedPerformance}}}, at(1))
	must(t, "open", err)
	return in
}

// rejected expects a *incident.FieldError on field and an unchanged store.
func rejected(t *testing.T, s IncidentStore, id int64, a incident.Action, now time.Time, field string) {
	t.Helper()
	v0, err := s.StoredVersion(t.Context())
	must(t, "stored version", err)
	var before incident.Incident
	if id != 0 {
		before, err = s.Incident(t.Context(), id)
		must(t, "read incident", err)
	}
	_, err = s.ActOnIncident(asOperator(t), "acme", id, a, now)
	var fe *incident.FieldError
	if !errors.As(err, &fe) || fe.Field != field {
		t.Fatalf("%s: err = %v; want a field error on %q", a.Kind, err, field)
	}
	v1, err := s.StoredVersion(t.Context())
	must(t, "stored version", err)
	equal(t, "stored version after a rejected "+string(a.Kind), v1, v0)
	if id != 0 {
		after, err := s.Incident(t.Context(), id)
		must(t, "read incident", err)
		equal(t, "incident after a rejected "+string(a.Kind), after, before)
	}
}

// withoutIDs clears the IDs the store assigns, to compare with Apply.
func withoutIDs(in incident.Incident) incident.Incident {
	in.ID = 0
	in.Updates = append([]incident.Update(nil), in.Updates...)
	for i := range in.Updates {
		in.Updates[i].ID = 0
	}
	return in
}

var manualCases = []incidentCase{
	{"every field round-trips", func(t *testing.T, s IncidentStore) {
		must(t, "vocabulary", s.SetIncidentStatuses(asOperator(t), "acme",
			incident.Vocabulary{Custom: []incident.CustomStatus{{Name: "Fix deployed", Standard: incident.Monitoring}}}, at(0)))
		vocab := incident.Vocabulary{Custom: []incident.CustomStatus{{Name: "Fix deployed", Standard: incident.Monitoring}}}
		notify := incident.Notify{Deliver: true, Tweet: true, CustomTweet: "API slow"}
		steps := []struct {
			a   incident.Action
			now time.Time
		}{
			{incident.Action{Kind: incident.KindOpen, Title: "Slow API", Body: "Looking.", Impact: incident.ImpactMajor,
				Status: "identified", Private: true, StartedAt: at(-30), At: at(-5), Notify: notify,
				Components: []incident.ComponentStatus{{ComponentID: "web", Status: status.PartialOutage},
					{ComponentID: "api", Status: status.DegradedPerformance}}}, at(1)},
			{incident.Action{Kind: incident.KindUpdate, Body: "Deployed.", Status: "fix deployed", Private: true,
				Notify: notify, Components: []incident.ComponentStatus{{ComponentID: "api", Status: status.Operational}}}, at(2)},
			{incident.Action{Kind: incident.KindEditUpdate, UpdateID: -1, Changes: &incident.Changes{DisplayAt: ptr(at(0))}}, at(3)},
			{incident.Action{Kind: incident.KindResolve, Body: "Fixed."}, at(4)},
			{incident.Action{Kind: incident.KindPostmortem, Body: "What happened."}, at(5)},
		}
		var stored, want incident.Incident
		for _, st := range steps {
			a := st.a
			a.Person = true
			if a.UpdateID == -1 {
				a.UpdateID = stored.Updates[0].ID
			}
			var err error
			var got incident.Incident
			got, err = s.ActOnIncident(asOperator(t), "acme", stored.ID, a, st.now)
			must(t, string(a.Kind), err)
			want, _, err = incident.Apply(stored, a, incident.Env{Now: st.now, Vocabulary: vocab})
			must(t, "apply "+string(a.Kind), err)
			want.PageID = "acme"
			equal(t, "stored after "+string(a.Kind), withoutIDs(got), withoutIDs(want))
			read, err := s.Incident(t.Context(), got.ID)
			must(t, "read", err)
			equal(t, "read after "+string(a.Kind), read, got)
			stored = got
		}
		equal(t, "custom status posted", stored.Updates[len(stored.Updates)-2].CustomStatus, "Fix deployed")
		list, total, err := s.ListIncidents(t.Context(), incident.Filter{Private: true})
		must(t, "list", err)
		equal(t, "listed", list, []incident.Incident{stored})
		equal(t, "total", total, 1)
	}},
	{"lifecycle and impossible transitions", func(t *testing.T, s IncidentStore) {
		in := openManual(t, s, false)
		for _, st := range []struct {
			name  string
			a     incident.Action
			now   int
			field string // "" when it must succeed
			want  incident.Status
		}{
			{"identified", incident.Action{Kind: incident.KindUpdate, Body: "Found it.", Status: "identified"}, 2, "", incident.Identified},
			{"postmortem while open", incident.Action{Kind: incident.KindPostmortem, Body: "x"}, 3, "status", ""},
			{"update in the future", incident.Action{Kind: incident.KindUpdate, Body: "x", At: at(60)}, 3, "at", ""},
			{"unknown component", incident.Action{Kind: incident.KindUpdate, Body: "x",
				Components: []incident.ComponentStatus{{ComponentID: "docs", Status: status.MajorOutage}}}, 3, "components[0].component_id", ""},
			{"resolve", incident.Action{Kind: incident.KindResolve, Body: "Fixed."}, 4, "", incident.Resolved},
			{"resolve again", incident.Action{Kind: incident.KindResolve, Body: "Fixed."}, 5, "status", ""},
			{"end before start", incident.Action{Kind: incident.KindEdit, Changes: &incident.Changes{ResolvedAt: ptr(at(-10))}}, 5, "resolved_at", ""},
			{"reopen", incident.Action{Kind: incident.KindReopen, Body: "Back."}, 6, "", incident.Investigating},
			{"resolve once more", incident.Action{Kind: incident.KindResolve, Body: "Fixed."}, 7, "", incident.Resolved},
			{"postmortem", incident.Action{Kind: incident.KindPostmortem, Body: "Why."}, 8, "", incident.Postmortem},
			{"delete", incident.Action{Kind: incident.KindDelete}, 9, "", incident.Postmortem},
			{"update after delete", incident.Action{Kind: incident.KindUpdate, Body: "x"}, 10, "incident", ""},
		} {
			if st.field != "" {
				rejected(t, s, in.ID, st.a, at(st.now), st.field)
				continue
			}
			got := actOn(t, s, in.ID, st.a, at(st.now))
			equal(t, st.name+": status", got.Status, st.want)
			equal(t, st.name+": updated_at", got.UpdatedAt, at(st.now))
		}
		list, _, err := s.ListIncidents(t.Context(), incident.Filter{Private: true})
		must(t, "list", err)
		equal(t, "a deleted incident is not listed", len(list), 0)
		rejected(t, s, 0, incident.Action{Kind: incident.KindOpen, Title: "x", Backfilled: true,
			StartedAt: at(5), ResolvedAt: at(4)}, at(6), "resolved_at")
		rejected(t, s, 0, incident.Action{Kind: incident.KindOpen, Title: ""}, at(6), "title")
	}},
	{"backfilled past incident", func(t *testing.T, s IncidentStore) {
		in, err := s.ActOnIncident(asOperator(t), "acme", 0, incident.Action{Kind: incident.KindOpen, Title: "Last week",
			Body: "It was down.", Backfilled: true, StartedAt: at(-600), ResolvedAt: at(-500)}, at(0))
		must(t, "backfill", err)
		equal(t, "status", in.Status, incident.Resolved)
		equal(t, "resolved_at", in.ResolvedAt, at(-500))
		un, _, err := s.ListIncidents(t.Context(), incident.Filter{UnresolvedOnly: true})
		must(t, "list", err)
		equal(t, "unresolved", len(un), 0)
	}},
	{"private never public", func(t *testing.T, s IncidentStore) {
		priv := openManual(t, s, true)
		pub := openManual(t, s, false)
		actOn(t, s, pub.ID, incident.Action{Kind: incident.KindUpdate, Body: "Internal note.", Private: true}, at(2))
		actOn(t, s, pub.ID, incident.Action{Kind: incident.KindUpdate, Body: "Public note."}, at(3))
		public, err := s.Incidents(t.Context(), "acme", false, 0)
		must(t, "public list", err)
		if len(public) != 1 || public[0].ID != pub.ID {
			t.Fatalf("public incidents = %+v; want only %d", public, pub.ID)
		}
		for _, u := range public[0].Updates {
			if u.Private {
				t.Errorf("public list holds private update %+v", u)
			}
		}
		equal(t, "public updates", len(public[0].Updates), 2)
		all, total, err := s.ListIncidents(t.Context(), incident.Filter{Private: true, PageID: "acme"})
		must(t, "private list", err)
		equal(t, "with private", total, 2)
		equal(t, "newest private first", all[1].ID, priv.ID)
		equal(t, "private updates shown to keys", len(all[0].Updates), 3)
	}},
	{"taken over automatic incident is not resolved by the probes", func(t *testing.T, s IncidentStore) {
		apply(t, s, act(health.ActionOpen, "api", at(1)), act(health.ActionOpen, "web", at(1)))
		open, err := s.Incidents(t.Context(), "acme", true, 0)
		must(t, "list", err)
		equal(t, "open automatic incidents", len(open), 2)
		api := open[0]
		if api.ComponentIDs[0] != "api" {
			api = open[1]
		}
		actOn(t, s, api.ID, incident.Action{Kind: incident.KindUpdate, Body: "We are on it.", Status: "identified"}, at(2))
		apply(t, s, act(health.ActionResolve, "api", at(3)), act(health.ActionResolve, "web", at(3)))
		got, err := s.Incident(t.Context(), api.ID)
		must(t, "read", err)
		equal(t, "status of the taken-over incident", got.Status, incident.Identified)
		equal(t, "taken over", got.TakenOver, true)
		equal(t, "newest update is the probes' note", got.Updates[0].Body,
			"api is operational again. A person is handling this incident, so it stays open until they resolve it.")
		equal(t, "note in the person's status", got.Updates[0].Status, incident.Identified)
		un, err := s.Incidents(t.Context(), "acme", true, 0)
		must(t, "list", err)
		equal(t, "only the taken-over incident is open", len(un), 1)
		apply(t, s, act(health.ActionReopen, "api", at(4)))
		un, err = s.Incidents(t.Context(), "acme", true, 0)
		must(t, "list", err)
		equal(t, "a reopen does not add a second incident", len(un), 1)
		actOn(t, s, api.ID, incident.Action{Kind: incident.KindResolve, Body: "Done."}, at(5))
	}},
	{"update edits and deletes are audited", func(t *testing.T, s IncidentStore) {
		in := openManual(t, s, false)
		in = actOn(t, s, in.ID, incident.Action{Kind: incident.KindUpdate, Body: "Typo."}, at(2))
		uid := in.Updates[0].ID
		in = actOn(t, s, in.ID, incident.Action{Kind: incident.KindEditUpdate, UpdateID: uid,
			Changes: &incident.Changes{Body: ptr("Fixed typo.")}}, at(3))
		equal(t, "edited body", in.Updates[0].Body, "Fixed typo.")
		equal(t, "edited at", in.Updates[0].UpdatedAt, at(3))
		in = actOn(t, s, in.ID, incident.Action{Kind: incident.KindDeleteUpdate, UpdateID: uid}, at(4))
		equal(t, "updates left", len(in.Updates), 1)
		entries := auditOf(t, s, audit.Filter{Kind: "incident_update"})
		if len(entries) != 2 || entries[0].Action != "delete_update" || entries[1].Action != "edit_update" ||
			string(entries[0].After) != "null" || entries[0].Principal != operator.String() {
			t.Fatalf("audit of updates = %+v", entries)
		}
		equal(t, "incident audit entries", len(auditOf(t, s, audit.Filter{Kind: "incident"})), 2)
	}},
	{"page scope and principal", func(t *testing.T, s IncidentStore) {
		in := openManual(t, s, false)
		_, err := s.ActOnIncident(asOperator(t), "beta", in.ID, incident.Action{Kind: incident.KindUpdate, Body: "x"}, at(2))
		wantErr[*catalog.NotFoundError](t, "act on another page's incident", err)
		_, err = s.ActOnIncident(t.Context(), "acme", in.ID, incident.Action{Kind: incident.KindUpdate, Body: "x"}, at(2))
		if err == nil {
			t.Fatal("act without a principal: no error")
		}
		_, err = s.ActOnIncident(asOperator(t), "ghost", 0, incident.Action{Kind: incident.KindOpen, Title: "x"}, at(2))
		var fe *incident.FieldError
		if !errors.As(err, &fe) || fe.Field != "page_id" {
			t.Fatalf("open on an unknown page: %v", err)
		}
	}},
}

func ptr[T any](v T) *T { return &v }
