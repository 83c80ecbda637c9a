package sqlstore

import (
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/store/storetest"
)

// backends opens a fresh, empty store of each kind; migrate says whether
// to run Migrate.
var backends = []struct {
	name string
	opts func(t testing.TB) Options
}{
	{"sqlite", func(t testing.TB) Options {
		return Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "statusd.db")}
	}},
	{"postgres", func(t testing.TB) Options {
		return Options{Driver: "postgres", DSN: testenv.Postgres(t)}
	}},
}

func open(t testing.TB, opts Options, migrate bool) *Store {
	t.Helper()
	s, err := Open(t.Context(), opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if migrate {
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	return s
}

func TestStateSuite(t *testing.T) { onEveryBackend(t, storetest.RunStateSuite) }

func TestIncidentSuite(t *testing.T) { onEveryBackend(t, storetest.RunIncidentSuite) }

func TestBucketSuite(t *testing.T) { onEveryBackend(t, storetest.RunBucketSuite) }

func TestFrozenSuite(t *testing.T) { onEveryBackend(t, storetest.RunFrozenSuite) }

func TestSeriesSuite(t *testing.T) { onEveryBackend(t, storetest.RunSeriesSuite) }

func TestHistorySuite(t *testing.T) { onEveryBackend(t, storetest.RunHistorySuite) }

// onEveryBackend runs a store suite on every backend, each test on a
// fresh, migrated store.
func onEveryBackend[S any](t *testing.T, run func(*testing.T, func(*testing.T) S)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			run(t, func(t *testing.T) S { return any(open(t, b.opts(t), true)).(S) })
		})
	}
}

func TestResultSuite(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			storetest.RunResultSuite(t, func(t *testing.T) storetest.ResultStore { return open(t, b.opts(t), true) }, true)
		})
	}
}

// TestMigrate runs Migrate from several stores at once on the same
// database, then again: every migration is applied exactly once.
func TestMigrate(t *testing.T) {
	all, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			opts := b.opts(t)
			stores := make([]*Store, 4)
			for i := range stores {
				stores[i] = open(t, opts, false)
			}
			var wg sync.WaitGroup
			errs := make([]error, len(stores))
			for i, s := range stores {
				wg.Go(func() { errs[i] = s.Migrate(t.Context()) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("concurrent migrate %d: %v", i, err)
				}
			}
			if err := stores[0].Migrate(t.Context()); err != nil {
				t.Fatalf("migrate again: %v", err)
			}
			var n, maxVersion int64
			if err := stores[0].db.QueryRowContext(t.Context(),
				`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &maxVersion); err != nil {
				t.Fatal(err)
			}
			if n != int64(len(all)) || maxVersion != all[len(all)-1].version {
				t.Errorf("schema_migrations: %d rows, max version %d; want %d and %d", n, maxVersion, len(all), all[len(all)-1].version)
			}
		})
	}
}

// TestSyncCatalogConcurrent syncs a different definition of one check from
// each of several stores at once: the syncs serialize, so each one is a
// change and the version ends at 1 + the number of syncs.
func TestSyncCatalogConcurrent(t *testing.T) {
	cat := func(timeout time.Duration) catalog.Catalog {
		return catalog.Catalog{
			Pages:      []catalog.Page{{ID: "p", Name: "P", TimeZone: "Etc/UTC"}},
			Components: []catalog.Component{{ID: "api", PageID: "p", Name: "API"}},
			Checks: []catalog.Check{{ID: "api-http", ComponentID: "api", Type: catalog.TypeHTTP, Interval: time.Minute,
				Timeout: timeout, FailureThreshold: 3, SuccessThreshold: 2,
				HTTP: &catalog.HTTPSpec{URL: "https://a.test/", Method: "GET"}}},
		}
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			opts := b.opts(t)
			stores := make([]*Store, 6)
			for i := range stores {
				stores[i] = open(t, opts, i == 0)
			}
			if err := stores[0].SyncCatalog(t.Context(), cat(time.Second), storetest.T0); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make([]error, len(stores))
			for i, s := range stores {
				wg.Go(func() {
					errs[i] = s.SyncCatalog(t.Context(), cat(time.Duration(i+2)*time.Second), storetest.T0.Add(time.Minute))
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("concurrent sync %d: %v", i, err)
				}
			}
			checks, err := stores[0].Checks(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if want := int64(1 + len(stores)); len(checks) != 1 || checks[0].Version != want {
				t.Errorf("checks after concurrent syncs = %+v; want api-http at version %d", checks, want)
			}
		})
	}
}

func TestComponentTimes(t *testing.T) {
	t0 := storetest.T0
	cat := catalog.Catalog{
		Pages:      []catalog.Page{{ID: "p", Name: "P", TimeZone: "Etc/UTC"}},
		Components: []catalog.Component{{ID: "api", PageID: "p", Name: "API"}, {ID: "web", PageID: "p", Name: "Web"}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := open(t, b.opts(t), true)
			ctx := t.Context()
			if err := s.SyncCatalog(ctx, cat, t0); err != nil {
				t.Fatal(err)
			}
			if err := s.ApplyChanges(ctx, health.Changes{Components: []health.ComponentState{
				{ComponentID: "web", Status: status.MajorOutage, Since: t0.Add(time.Minute), UpdatedAt: t0.Add(time.Minute)}}}, nil); err != nil {
				t.Fatal(err)
			}
			cat.Components[0].Name = "Public API"
			if err := s.SyncCatalog(ctx, cat, t0.Add(2*time.Minute)); err != nil {
				t.Fatal(err)
			}
			if err := s.SyncCatalog(ctx, cat, t0.Add(3*time.Minute)); err != nil { // unchanged
				t.Fatal(err)
			}
			got, err := s.ComponentTimes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]Times{
				"api": {Created: t0, Updated: t0.Add(2 * time.Minute)},
				"web": {Created: t0, Updated: t0.Add(time.Minute)},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("component times:\n got %+v\nwant %+v", got, want)
			}
			cat.Components[0].Name = "API"
		})
	}
}

// TestResultColumns checks that every field of a result lands in its
// column.
func TestResultColumns(t *testing.T) {
	r := storetest.MakeResults("col-", 8, storetest.T0)[7] // a failure: every field set
	want := []any{r.ID, r.CheckID, r.ComponentID, r.AgentID, r.Region, r.CheckVersion,
		r.Scheduled.UnixMilli(), r.Started.UnixMilli(), r.Duration.Microseconds(), r.Phases.DNS.Microseconds(),
		r.Phases.Connect.Microseconds(), r.Phases.TLS.Microseconds(), r.Phases.FirstByte.Microseconds(),
		r.Phases.Transfer.Microseconds(), r.Success, int64(r.StatusCode), string(r.ErrorClass), r.Message,
		r.RCode, r.PacketLoss, r.RTTMin.Microseconds(), r.RTTAvg.Microseconds(), r.RTTMax.Microseconds(),
		r.CertExpiry.UnixMilli(), int64(r.CertDaysLeft), r.Degraded}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := open(t, b.opts(t), true)
			if _, err := s.WriteResults(t.Context(), storetest.MakeResults("col-", 8, storetest.T0)); err != nil {
				t.Fatal(err)
			}
			var (
				id, check, comp, agent   string
				region, class, msg       string
				ver, sched, start, dur   int64
				dns, conn, tls, fb, xfer int64
				code                     int64
				success                  bool
				rcode                    string
				loss                     float64
				rttMin, rttAvg, rttMax   int64
				expiry, days             int64
				degraded                 bool
			)
			if err := s.db.QueryRowContext(t.Context(), s.d.rebind(`SELECT `+resultColumns+` FROM results WHERE result_id = ?`), r.ID).
				Scan(&id, &check, &comp, &agent, &region, &ver, &sched, &start, &dur, &dns, &conn, &tls, &fb, &xfer,
					&success, &code, &class, &msg, &rcode, &loss, &rttMin, &rttAvg, &rttMax, &expiry, &days, &degraded); err != nil {
				t.Fatal(err)
			}
			got := []any{id, check, comp, agent, region, ver, sched, start, dur, dns, conn, tls, fb, xfer,
				success, code, class, msg, rcode, loss, rttMin, rttAvg, rttMax, expiry, days, degraded}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("columns:\n got %v\nwant %v", got, want)
			}
		})
	}
}

func TestSQLitePragmas(t *testing.T) {
	s := open(t, backends[0].opts(t), true)
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000"} {
		var got string
		if err := s.db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  Options
		field string
	}{
		{"unknown driver", Options{Driver: "mysql", DSN: "x"}, "driver"},
		{"empty dsn", Options{Driver: "sqlite"}, "dsn"},
		{"sqlite dsn with a query", Options{Driver: "sqlite", DSN: "a.db?mode=ro"}, "dsn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(t.Context(), tc.opts)
			if err == nil {
				t.Errorf("open %+v: no error", tc.opts)
				if err := s.Close(); err != nil {
					t.Error(err)
				}
				return
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %q does not name %s", err, tc.field)
			}
		})
	}
}

func TestRebind(t *testing.T) {
	q := `INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a) DO UPDATE SET b = ?`
	if got, want := postgres.rebind(q), `INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET b = $3`; got != want {
		t.Errorf("postgres rebind = %q, want %q", got, want)
	}
	if got := sqlite.rebind(q); got != q {
		t.Errorf("sqlite rebind = %q, want it unchanged", got)
	}
}

func BenchmarkWriteResults(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			storetest.RunWriteBenchmark(b, open(b, be.opts(b), true), 1000)
		})
	}
}

func TestEntitySuite(t *testing.T) { onEveryBackend(t, storetest.RunEntitySuite) }

func TestAuthSuite(t *testing.T) { onEveryBackend(t, storetest.RunAuthSuite) }

func TestScopeSuite(t *testing.T) { onEveryBackend(t, storetest.RunScopeSuite) }

func TestDomainSuite(t *testing.T) { onEveryBackend(t, storetest.RunDomainSuite) }
