package storetest

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/statusd/statusd/audit"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/maintenance"
)

// MaintenanceStore is what RunMaintenanceSuite exercises.
type MaintenanceStore interface {
	SyncCatalog(ctx context.Context, c catalog.Catalog, now time.Time) error
	CreateMaintenance(ctx context.Context, w maintenance.Window) (maintenance.Window, error)
	ChangeMaintenance(ctx context.Context, id int64, action string,
		change func(maintenance.Window) (maintenance.Window, error)) (maintenance.Window, error)
	DeleteMaintenance(ctx context.Context, id int64, now time.Time) error
	Maintenance(ctx context.Context, id int64) (maintenance.Window, error)
	Maintenances(ctx context.Context, f maintenance.Filter) ([]maintenance.Window, int, error)
	OpenMaintenances(ctx context.Context, since time.Time) ([]maintenance.Window, error)
	ApplyMaintenanceTransition(ctx context.Context, t maintenance.Transition, now time.Time) (bool, error)
	MaintenanceTransitions(ctx context.Context, id int64) ([]maintenance.Transition, error)
	DueReminders(ctx context.Context) ([]maintenance.Transition, error)
	AuditLog(ctx context.Context, f audit.Filter) ([]audit.Entry, int, error)
	StoredVersion(ctx context.Context) (int64, error)
}

// RunMaintenanceSuite runs the maintenance cases, each against a fresh,
// empty, migrated store from open.
func RunMaintenanceSuite(t *testing.T, open func(t *testing.T) MaintenanceStore) {
	for _, tc := range maintenanceCases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			must(t, "sync catalog", s.SyncCatalog(t.Context(), catalog.Catalog{
				Pages: []catalog.Page{{ID: "acme", Name: "Acme", TimeZone: "Europe/Paris"}, {ID: "other", Name: "Other", TimeZone: "UTC"}},
				Components: []catalog.Component{{ID: "api", Name: "API", PageID: "acme"}, {ID: "web", Name: "Web", PageID: "acme", Position: 1},
					{ID: "elsewhere", Name: "Elsewhere", PageID: "other"}}}, at(0)))
			tc.run(t, s)
		})
	}
}

// fullWindow is a recurring window with every field set, scheduled at
// at(0) for at(60)..at(120).
func fullWindow(t *testing.T) maintenance.Window {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	must(t, "load zone", err)
	w, err := maintenance.Act(maintenance.Window{}, maintenance.Action{Kind: maintenance.KindSchedule,
		Title: "DB upgrade", Body: "Postgres 17", StartsAt: at(60), EndsAt: at(120), ComponentIDs: []string{"web", "api"},
		AutoStart: true, AutoEnd: true, Private: true,
		Reminders:  maintenance.Reminders{DayBefore: true, HourBefore: true, AtStart: true, AtCompletion: true},
		Notify:     maintenance.Notify{Deliver: true, Tweet: true, CustomTweet: "brb"},
		Recurrence: "FREQ=WEEKLY;BYDAY=SA"}, maintenance.Env{Now: at(0), Loc: paris})
	must(t, "schedule", err)
	w.PageID = "acme"
	w.Updates = []maintenance.Update{{Status: maintenance.Scheduled, Body: "Planned", CreatedAt: at(0), ByPerson: true}}
	return w
}

var maintenanceCases = []struct {
	name string
	run  func(t *testing.T, s MaintenanceStore)
}{
	{"a window keeps every field, and its creation is audited", func(t *testing.T, s MaintenanceStore) {
		ctx := asOperator(t)
		v0, err := s.StoredVersion(ctx)
		must(t, "version", err)
		w, err := s.CreateMaintenance(ctx, fullWindow(t))
		must(t, "create", err)
		got, err := s.Maintenance(ctx, w.ID)
		must(t, "read", err)
		if got.Recurrence == nil || w.Recurrence == nil || got.Recurrence.Text != w.Recurrence.Text ||
			!got.Recurrence.Start.Equal(w.Recurrence.Start) || got.Recurrence.Duration != w.Recurrence.Duration {
			t.Fatalf("recurrence %+v, want %+v", got.Recurrence, w.Recurrence)
		}
		if n1, n2 := nextStart(got), nextStart(w); !n1.Equal(n2) {
			t.Errorf("next start read back %v, want %v", n1, n2)
		}
		got.Recurrence, w.Recurrence = nil, nil
		if !reflect.DeepEqual(got, w) {
			t.Errorf("read back\n%+v\nwant\n%+v", got, w)
		}
		entries, _, err := s.AuditLog(ctx, audit.Filter{Kind: "maintenance"})
		must(t, "audit", err)
		if len(entries) != 1 || entries[0].Action != "create" || entries[0].Principal != operator.String() {
			t.Errorf("audit %+v, want one create by %s", entries, operator)
		}
		if v1, _ := s.StoredVersion(ctx); v1 <= v0 {
			t.Errorf("stored version %d after the create, was %d", v1, v0)
		}
	}},
	{"a listing filters by page, status and privacy, pages, and counts", func(t *testing.T, s MaintenanceStore) {
		ctx := asOperator(t)
		ids := map[string]int64{}
		for _, w := range []struct {
			name, page string
			start      int
			private    bool
		}{{"public-early", "acme", 60, false}, {"private", "acme", 120, true}, {"public-late", "acme", 180, false},
			{"other-page", "other", 240, false}} {
			win := fullWindow(t)
			win.Title, win.PageID, win.Private, win.Recurrence = w.name, w.page, w.private, nil
			win.StartsAt, win.EndsAt, win.ComponentIDs = at(w.start), at(w.start+30), nil
			got, err := s.CreateMaintenance(ctx, win)
			must(t, "create "+w.name, err)
			ids[w.name] = got.ID
		}
		_, err := s.ChangeMaintenance(ctx, ids["public-late"], "start", func(w maintenance.Window) (maintenance.Window, error) {
			return maintenance.Act(w, maintenance.Action{Kind: maintenance.KindStart}, maintenance.Env{Now: at(10), Loc: time.UTC})
		})
		must(t, "start", err)
		for _, tc := range []struct {
			name  string
			f     maintenance.Filter
			want  []string
			total int
		}{
			{"every window, latest start first", maintenance.Filter{}, []string{"other-page", "public-late", "private", "public-early"}, 4},
			{"one page", maintenance.Filter{PageID: "acme"}, []string{"public-late", "private", "public-early"}, 3},
			{"public only", maintenance.Filter{PageID: "acme", Public: true}, []string{"public-late", "public-early"}, 2},
			{"by status", maintenance.Filter{Statuses: []maintenance.Status{maintenance.InProgress, maintenance.Verifying}}, []string{"public-late"}, 1},
			{"a page of two", maintenance.Filter{Limit: 2, Offset: 1}, []string{"public-late", "private"}, 4},
			{"past the end", maintenance.Filter{Limit: 2, Offset: 9}, []string{}, 4},
		} {
			ws, total, err := s.Maintenances(ctx, tc.f)
			must(t, tc.name, err)
			got := []string{}
			for _, w := range ws {
				got = append(got, w.Title)
			}
			if !reflect.DeepEqual(got, tc.want) || total != tc.total {
				t.Errorf("%s: %v of %d, want %v of %d", tc.name, got, total, tc.want, tc.total)
			}
		}
	}},
	{"a component off the page is refused and nothing is written", func(t *testing.T, s MaintenanceStore) {
		ctx := asOperator(t)
		for _, comps := range [][]string{{"api", "elsewhere"}, {"nope"}} {
			w := fullWindow(t)
			w.ComponentIDs = comps
			_, err := s.CreateMaintenance(ctx, w)
			inv := wantErr[*catalog.InvalidError](t, "create", err)
			if len(inv.Fields) != 1 || inv.Fields[0].Field != "component_ids["+itoa(len(comps)-1)+"]" {
				t.Errorf("%v: fields %+v", comps, inv.Fields)
			}
		}
		if open, err := s.OpenMaintenances(ctx, at(0)); err != nil || len(open) != 0 {
			t.Errorf("open maintenances %v (err %v), want none", open, err)
		}
	}},
	{"a refused change writes nothing", func(t *testing.T, s MaintenanceStore) {
		ctx := asOperator(t)
		w, err := s.CreateMaintenance(ctx, fullWindow(t))
		must(t, "create", err)
		_, err = s.ChangeMaintenance(ctx, w.ID, "complete", func(w maintenance.Window) (maintenance.Window, error) {
			return maintenance.Act(w, maintenance.Action{Kind: maintenance.KindComplete}, maintenance.Env{Now: at(1)})
		})
		var fe *maintenance.FieldError
		if !errors.As(err, &fe) || fe.Field != "status" {
			t.Fatalf("complete a scheduled window: %v, want a status field error", err)
		}
		got, err := s.Maintenance(ctx, w.ID)
		must(t, "read", err)
		if got.Status != maintenance.Scheduled || len(got.Updates) != 1 {
			t.Errorf("after a refused change: %s with %d updates", got.Status, len(got.Updates))
		}
		started, err := s.ChangeMaintenance(ctx, w.ID, "start", func(w maintenance.Window) (maintenance.Window, error) {
			return maintenance.Act(w, maintenance.Action{Kind: maintenance.KindStart, Body: "Now"}, maintenance.Env{Now: at(2)})
		})
		must(t, "start", err)
		got, err = s.Maintenance(ctx, w.ID)
		must(t, "read", err)
		if got.Status != maintenance.InProgress || len(got.Updates) != 2 || got.Updates[0].ID != started.Updates[0].ID ||
			got.Updates[0].Body != "Now" || !got.StartedAt.Equal(at(2)) {
			t.Errorf("after start: %+v", got)
		}
	}},
	{"a transition is applied exactly once, even by racing writers", func(t *testing.T, s MaintenanceStore) {
		ctx := asOperator(t)
		w, err := s.CreateMaintenance(ctx, fullWindow(t))
		must(t, "create", err)
		ws, err := s.OpenMaintenances(ctx, at(0))
		must(t, "open", err)
		due := maintenance.Due(ws, at(60))
		var start maintenance.Transition
		for _, tr := range due {
			if tr.Kind == maintenance.TransitionStart {
				start = tr
			}
		}
		if start.Kind == "" {
			t.Fatalf("due at the start: %+v, want a start", due)
		}
		const racers = 4
		var (
			wg   sync.WaitGroup
			wins = make([]bool, racers)
			errs = make([]error, racers)
		)
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				wins[i], errs[i] = s.ApplyMaintenanceTransition(ctx, start, at(60))
			}()
		}
		wg.Wait()
		n := 0
		for i := range racers {
			must(t, "apply", errs[i])
			if wins[i] {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d writers applied the start, want 1", n)
		}
		got, err := s.Maintenance(ctx, w.ID)
		must(t, "read", err)
		if got.Status != maintenance.InProgress || len(got.Updates) != 2 {
			t.Errorf("after the start: %s with %d updates, want in_progress with 2", got.Status, len(got.Updates))
		}
		if again, err := s.ApplyMaintenanceTransition(ctx, start, at(61)); err != nil || again {
			t.Errorf("the start again: %v, %v; want false, nil", again, err)
		}
		trs, err := s.MaintenanceTransitions(ctx, w.ID)
		must(t, "transitions", err)
		if len(trs) != 1 || trs[0].Kind != maintenance.TransitionStart || !trs[0].At.Equal(at(60)) {
			t.Errorf("transitions %+v, want one start at %v", trs, at(60))
		}
	}},
	{"reminders are recorded and a spawn makes the next window", func(t *testing.T, s MaintenanceStore) {
		ctx := asOperator(t)
		w, err := s.CreateMaintenance(ctx, fullWindow(t))
		must(t, "create", err)
		applyAll(t, s, at(130))
		got, err := s.Maintenance(ctx, w.ID)
		must(t, "read", err)
		if got.Status != maintenance.Completed || !got.Spawned || !got.CompletedAt.Equal(at(120)) {
			t.Errorf("after catching up: %+v", got)
		}
		rem, err := s.DueReminders(ctx)
		must(t, "reminders", err)
		sent := 0
		for _, r := range rem {
			if !r.Missed {
				sent++
			}
		}
		if len(rem) != 4 || sent != 1 {
			t.Errorf("reminders %+v, want 4 of which 1 to send", rem)
		}
		open, err := s.OpenMaintenances(ctx, at(200))
		must(t, "open", err)
		if len(open) != 1 || open[0].SeriesID != w.ID || open[0].Occurrence != 2 || open[0].Status != maintenance.Scheduled {
			t.Errorf("open after the first occurrence: %+v, want its next occurrence", open)
		}
	}},
	{"a deleted window is gone, with an audit entry", func(t *testing.T, s MaintenanceStore) {
		ctx := asOperator(t)
		w, err := s.CreateMaintenance(ctx, fullWindow(t))
		must(t, "create", err)
		must(t, "delete", s.DeleteMaintenance(ctx, w.ID, at(3)))
		_, err = s.Maintenance(ctx, w.ID)
		wantErr[*catalog.NotFoundError](t, "read deleted", err)
		if err := s.DeleteMaintenance(ctx, w.ID, at(4)); !errors.As(err, new(*catalog.NotFoundError)) {
			t.Errorf("delete again: %v, want not found", err)
		}
		entries, _, err := s.AuditLog(ctx, audit.Filter{Kind: "maintenance"})
		must(t, "audit", err)
		if len(entries) != 2 || entries[0].Action != "delete" {
			t.Errorf("audit %+v, want create and delete", entries)
		}
	}},
}

// applyAll applies every transition due at now, as a scheduler would.
func applyAll(t *testing.T, s MaintenanceStore, now time.Time) {
	t.Helper()
	for range 10 {
		ws, err := s.OpenMaintenances(t.Context(), now.Add(-time.Hour))
		must(t, "open", err)
		due := maintenance.Due(ws, now)
		if len(due) == 0 {
			return
		}
		for _, tr := range due {
			if _, err := s.ApplyMaintenanceTransition(t.Context(), tr, now); err != nil {
				t.Fatalf("apply %s: %v", tr.Key(), err)
			}
		}
	}
	t.Fatal("transitions still due after 10 rounds")
}

func nextStart(w maintenance.Window) time.Time {
	n, _ := w.Recurrence.After(w.StartsAt)
	return n
}

func itoa(i int) string { return strconv.Itoa(i) }
