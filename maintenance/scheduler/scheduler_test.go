package scheduler

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/maintenance"
	"github.com/statusd/statusd/store/sqlstore"
)

var t0 = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

func minute(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

// clock is a fake clock the test moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// backends opens one database per backend; each open returns another
// handle on it, as a second aggregator would have.
var backends = []struct {
	name string
	dsn  func(t *testing.T) (driver, dsn string)
}{
	{"sqlite", func(t *testing.T) (string, string) { return "sqlite", filepath.Join(t.TempDir(), "statusd.db") }},
	{"postgres", func(t *testing.T) (string, string) { return "postgres", testenv.Postgres(t) }},
}

func openStore(t *testing.T, driver, dsn string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), sqlstore.Options{Driver: driver, DSN: dsn})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

func sqliteStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	return openStore(t, "sqlite", filepath.Join(t.TempDir(), "statusd.db"))
}

func operator(t *testing.T) context.Context {
	return auth.WithPrincipal(t.Context(), auth.Principal{Kind: auth.KindKey, ID: "k1", Scope: auth.ScopeWrite})
}

// seed syncs a page with components api and web and schedules a window
// from start to end (minutes after t0) on api.
func seed(t *testing.T, s *sqlstore.Store, start, end int, autoStart, autoEnd bool) maintenance.Window {
	t.Helper()
	if err := s.SyncCatalog(t.Context(), catalog.Catalog{Pages: []catalog.Page{{ID: "acme", Name: "Acme", TimeZone: "UTC"}},
		Components: []catalog.Component{{ID: "api", Name: "API", PageID: "acme"}, {ID: "web", Name: "Web", PageID: "acme"}}}, t0); err != nil {
		t.Fatalf("sync: %v", err)
	}
	w, err := maintenance.Act(maintenance.Window{}, maintenance.Action{Kind: maintenance.KindSchedule, Title: "Upgrade",
		StartsAt: minute(start), EndsAt: minute(end), ComponentIDs: []string{"api"}, AutoStart: autoStart, AutoEnd: autoEnd},
		maintenance.Env{Now: t0})
	if err != nil {
		t.Fatalf("schedule: %v", err)
	}
	w.PageID = "acme"
	if w, err = s.CreateMaintenance(operator(t), w); err != nil {
		t.Fatalf("create: %v", err)
	}
	return w
}

func newScheduler(t *testing.T, s Store, c *clock, set *Set, reg prometheus.Registerer) *Scheduler {
	t.Helper()
	sch, err := New(Options{Store: s, Clock: c.Now, Set: set, Registerer: reg})
	if err != nil {
		t.Fatalf("new scheduler: %v", err)
	}
	return sch
}

func TestLifecycle(t *testing.T) {
	type point struct {
		at     int
		status maintenance.Status
		in     bool // api under maintenance at that minute
	}
	for _, tc := range []struct {
		name               string
		autoStart, autoEnd bool
		points             []point
	}{
		{"auto start and end", true, true, []point{{59, maintenance.Scheduled, false}, {60, maintenance.InProgress, true},
			{119, maintenance.InProgress, true}, {120, maintenance.Completed, false}, {200, maintenance.Completed, false}}},
		{"auto start only: it runs on past its end", true, false, []point{{60, maintenance.InProgress, true},
			{121, maintenance.InProgress, true}}},
		{"no auto start: the clock does nothing", false, true, []point{{60, maintenance.Scheduled, false},
			{121, maintenance.Scheduled, false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sqliteStore(t)
			w := seed(t, s, 60, 120, tc.autoStart, tc.autoEnd)
			c, set := &clock{now: t0}, NewSet()
			sch := newScheduler(t, s, c, set, nil)
			for _, p := range tc.points {
				c.Set(minute(p.at))
				if _, _, err := sch.Step(t.Context()); err != nil {
					t.Fatalf("step at %d: %v", p.at, err)
				}
				got, err := s.Maintenance(t.Context(), w.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != p.status || set.UnderMaintenance("api", minute(p.at)) != p.in || set.UnderMaintenance("web", minute(p.at)) {
					t.Errorf("minute %d: %s, api in window %v; want %s, %v", p.at, got.Status,
						set.UnderMaintenance("api", minute(p.at)), p.status, p.in)
				}
			}
		})
	}
}

// TestCatchUp: the window started and ended while no scheduler ran; the
// first step records both transitions, in order, at their scheduled
// seconds, and the set places the window where it was.
func TestCatchUp(t *testing.T) {
	s := sqliteStore(t)
	w := seed(t, s, 60, 120, true, true)
	c, set := &clock{now: minute(300)}, NewSet()
	if _, _, err := newScheduler(t, s, c, set, nil).Step(t.Context()); err != nil {
		t.Fatal(err)
	}
	trs, err := s.MaintenanceTransitions(t.Context(), w.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tr := range trs {
		got = append(got, string(tr.Kind)+"@"+tr.At.Format("15:04"))
	}
	if want := []string{"start@10:00", "complete@11:00"}; !slices.Equal(got, want) {
		t.Errorf("transitions %v, want %v", got, want)
	}
	after, err := s.Maintenance(t.Context(), w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Status != maintenance.Completed || !after.StartedAt.Equal(minute(60)) || !after.CompletedAt.Equal(minute(120)) {
		t.Errorf("after catching up: %s, started %v, completed %v", after.Status, after.StartedAt, after.CompletedAt)
	}
	if !set.UnderMaintenance("api", minute(90)) || set.UnderMaintenance("api", minute(120)) || set.UnderMaintenance("api", minute(59)) {
		t.Error("the set does not place the window at 10:00–11:00")
	}
}

// TestTwoSchedulers: two aggregators, each with its store handle and
// scheduler, step at once at the start and at the end: each transition is
// applied once, and the other's attempt is a clean skip.
func TestTwoSchedulers(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			driver, dsn := b.dsn(t)
			stores := []*sqlstore.Store{openStore(t, driver, dsn), openStore(t, driver, dsn)}
			w := seed(t, stores[0], 60, 120, true, true)
			c := &clock{now: t0}
			regs := []*prometheus.Registry{prometheus.NewRegistry(), prometheus.NewRegistry()}
			schs := []*Scheduler{newScheduler(t, stores[0], c, nil, regs[0]), newScheduler(t, stores[1], c, nil, regs[1])}
			for _, at := range []int{60, 120} {
				c.Set(minute(at))
				var wg sync.WaitGroup
				errs := make([]error, 2)
				for i, sch := range schs {
					wg.Add(1)
					go func() { defer wg.Done(); _, _, errs[i] = sch.Step(t.Context()) }()
				}
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						t.Fatalf("step at %d: %v", at, err)
					}
				}
			}
			for _, kind := range []string{"start", "complete"} {
				applied := 0.0
				for _, sch := range schs {
					applied += testutil.ToFloat64(sch.applied.WithLabelValues(kind, "applied"))
				}
				if applied != 1 {
					t.Errorf("%s applied %v times, want once", kind, applied)
				}
			}
			trs, err := stores[0].MaintenanceTransitions(t.Context(), w.ID)
			if err != nil {
				t.Fatal(err)
			}
			got, err := stores[1].Maintenance(t.Context(), w.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(trs) != 2 || len(got.Updates) != 2 || got.Status != maintenance.Completed {
				t.Errorf("%d transitions, %d updates, %s; want 2, 2, completed", len(trs), len(got.Updates), got.Status)
			}
		})
	}
}

// TestRunSleepsToTheNextTransition: Run arms its timer for the time to the
// window's start, not a poll, and applies the start when it fires.
func TestRunSleepsToTheNextTransition(t *testing.T) {
	s := sqliteStore(t)
	w := seed(t, s, 3, 120, true, true)
	c := &clock{now: t0}
	waits := make(chan time.Duration)
	fire := make(chan time.Time)
	sch, err := New(Options{Store: s, Clock: c.Now, Reload: 3 * time.Hour, Timer: func(d time.Duration) (<-chan time.Time, func() bool) {
		waits <- d
		return fire, func() bool { return true }
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- sch.Run(ctx) }()
	if d := <-waits; d != 3*time.Minute {
		t.Errorf("first wait %v, want 3m to the start", d)
	}
	c.Set(minute(3))
	fire <- minute(3)
	if d := <-waits; d != 117*time.Minute {
		t.Errorf("second wait %v, want 1h57m to the end", d)
	}
	got, err := s.Maintenance(t.Context(), w.ID)
	if err != nil || got.Status != maintenance.InProgress || !got.StartedAt.Equal(minute(3)) {
		t.Errorf("after the timer: %+v (err %v), want in progress since %v", got.Status, err, minute(3))
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}
