package aggregator

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/store/sqlstore"
	"github.com/statusd/statusd/uptime"
	"github.com/statusd/statusd/wire"
)

// The exactness scenario: 90 days of 10-minute ticks from 1 September in
// Berlin (so the October change to winter time falls inside), three
// regions, and per component random outages (every region fails), partial
// outages (one region fails) and silences (no region reports).
const (
	exactDays     = 90
	exactInterval = 10 * time.Minute
	exactComps    = 3
)

var exactStart = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

func exactCatalog() catalog.Catalog {
	cat := catalog.Catalog{Pages: []catalog.Page{{ID: "main", Name: "Main", TimeZone: "Europe/Berlin"}}}
	for i := range exactComps {
		id := fmt.Sprintf("c%d", i)
		cat.Components = append(cat.Components, catalog.Component{ID: id, PageID: "main", Name: id, Position: i})
		if i == 0 {
			cat.Components[i].SLO = exactSLO
		}
		cat.Checks = append(cat.Checks, catalog.Check{ID: "k-" + id, ComponentID: id, Type: catalog.TypeHTTP,
			Interval: exactInterval, Timeout: time.Second, FailureThreshold: 3, SuccessThreshold: 2,
			HTTP: &catalog.HTTPSpec{URL: "http://127.0.0.1:1/", Method: "GET"}, IncidentOn: catalog.IncidentOnMajor})
	}
	return cat
}

// exactLog generates the scenario of a seed into a memLog.
func exactLog(t *testing.T, seed uint64) *memLog {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 90))
	l := &memLog{}
	ticks := int(exactDays * 24 * time.Hour / exactInterval)
	type event struct{ kind, from, to, region int }
	events := make([][]event, exactComps)
	for i := range exactComps {
		for range 40 + rng.IntN(40) {
			from := rng.IntN(ticks)
			events[i] = append(events[i], event{kind: rng.IntN(3), from: from, to: from + 1 + rng.IntN(30), region: rng.IntN(3)})
		}
	}
	for n := range ticks {
		at := exactStart.Add(time.Duration(n) * exactInterval)
		for i := range exactComps {
			comp := fmt.Sprintf("c%d", i)
			silent := false
			fails := [3]bool{}
			for _, e := range events[i] {
				if n < e.from || n >= e.to {
					continue
				}
				switch e.kind {
				case 0: // outage
					fails = [3]bool{true, true, true}
				case 1: // partial outage
					fails[e.region] = true
				case 2: // silence
					silent = true
				}
			}
			if silent {
				continue
			}
			for k, region := range regions {
				r := result.Result{ID: fmt.Sprintf("%s-%s-%d", comp, region, n), CheckID: "k-" + comp, ComponentID: comp,
					AgentID: "agent-" + region, Region: region, Scheduled: at, Started: at.Add(time.Millisecond),
					Duration: 20 * time.Millisecond, Success: !fails[k]}
				if !r.Success {
					r.ErrorClass = result.ErrTimeout
				}
				v, err := wire.EncodeResult(r)
				if err != nil {
					t.Fatal(err)
				}
				l.parts[i%partitions] = append(l.parts[i%partitions], v)
			}
		}
	}
	return l
}

// exactEnd is the aggregator's clock in the scenario: just after the last
// tick, fixed, so that every region is heard (nothing goes silent by the
// clock) and the figures depend on the results alone.
var exactEnd = exactStart.Add(exactDays*24*time.Hour + time.Minute)

// row is a raw result as stored.
type row struct {
	comp, region string
	at           time.Time
	ok           bool
}

// bruteForce recomputes the day totals of each component from its raw
// rows, independently of health and uptime: the rules of the threshold
// state machine (3 failures, 2 successes, counters reset after a gap of
// more than 3 intervals), a majority quorum of the regions with a
// verdict, no data while none has one, and the time between decisions
// added second by second into the days of Berlin up to now.
func bruteForce(rows []row, loc *time.Location, now time.Time) map[string]map[uptime.Day]uptime.Totals {
	out := map[string]map[uptime.Day]uptime.Totals{}
	byComp := map[string][]row{}
	for _, r := range rows {
		byComp[r.comp] = append(byComp[r.comp], r)
	}
	for comp, rs := range byComp {
		type region struct {
			verdict    int // 0 none, 1 up, 2 down
			fails, oks int
			last       time.Time
		}
		regs := map[string]*region{}
		days := map[uptime.Day]uptime.Totals{}
		const noData, operational, partial, major = 0, 1, 2, 3
		class, since, started, inOutage := -1, time.Time{}, false, false
		add := func(from, to time.Time, c int) {
			for t := from; t.Before(to); t = t.Add(time.Second) {
				d := uptime.DayOf(t, loc)
				tot := days[d]
				tot.Observed += 1000
				switch c {
				case noData:
					tot.NoData += 1000
				case partial:
					tot.Partial += 1000
				case major:
					tot.Major += 1000
				}
				days[d] = tot
			}
		}
		for i := 0; i < len(rs); {
			tick := rs[i].at
			for ; i < len(rs) && rs[i].at.Equal(tick); i++ {
				g := regs[rs[i].region]
				if g == nil {
					g = &region{}
					regs[rs[i].region] = g
				}
				if !g.last.IsZero() && tick.Sub(g.last) > 3*exactInterval {
					*g = region{}
				}
				g.last = tick
				if rs[i].ok {
					g.oks, g.fails = g.oks+1, 0
					if g.oks >= 2 {
						g.verdict = 1
					}
				} else {
					g.fails, g.oks = g.fails+1, 0
					if g.fails >= 3 {
						g.verdict = 2
					}
				}
			}
			voters, failing := 0, 0
			for _, g := range regs {
				if g.verdict != 0 {
					voters++
					if g.verdict == 2 {
						failing++
					}
				}
			}
			next := noData
			switch {
			case voters == 0:
			case failing >= voters/2+1:
				next = major
			case failing > 0:
				next = partial
			default:
				next = operational
			}
			if !started {
				class, since, started = next, tick, true
			} else if next != class {
				add(since, tick, class)
				class, since = next, tick
			} else {
				continue
			}
			switch {
			case (next == partial || next == major) && !inOutage:
				inOutage = true
				d := uptime.DayOf(tick, loc)
				tot := days[d]
				tot.Outages++
				days[d] = tot
			case next == operational:
				inOutage = false
			}
		}
		add(since, now, class)
		for d, tot := range days {
			tot.Impact = tot.Major + tot.Partial*3/10
			days[d] = tot
		}
		out[comp] = days
	}
	return out
}

// exactStores are the stores of one backend under the exactness test.
type exactStores struct {
	entities *sqlstore.Store
	results  ResultWriter
	rows     func(t *testing.T) []row
}

func TestExactness(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	backends := []struct {
		name string
		open func(t *testing.T) exactStores
	}{
		{"postgres+clickhouse", openExactServices},
		{"sqlite", openExactSQLite},
	}
	for _, seed := range []uint64{1, 2} {
		l := exactLog(t, seed)
		for _, b := range backends {
			t.Run(fmt.Sprintf("seed %d/%s", seed, b.name), func(t *testing.T) {
				// In parallel: each run has its own databases and only reads
				// the seed's log; SQLite under -race is CPU-bound, the
				// services' runs mostly wait.
				t.Parallel()
				st := b.open(t)
				runExact(t, st, l)
				want := bruteForce(st.rows(t), loc, exactEnd)
				states, err := st.entities.ComponentStates(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				outages, noData := 0, int64(0)
				for _, s := range states {
					from, to := uptime.DayOf(exactStart, loc), uptime.DayOf(exactEnd, loc)
					bs, err := st.entities.DayBuckets(t.Context(), []string{s.ComponentID}, from.AddDays(-1), to)
					if err != nil {
						t.Fatal(err)
					}
					// The stored buckets, the current day carried to now as
					// the API does.
					got := map[uptime.Day]uptime.Totals{}
					for d := from.AddDays(-1); d <= to; d = d.Next() {
						sum := uptime.Sum(bs, s.Uptime, d, d, exactEnd, loc, uptime.DefaultWeights())
						if sum.Observed > 0 {
							got[d] = sum.Totals
						}
					}
					for d, tot := range want[s.ComponentID] {
						if g := got[d]; !reflect.DeepEqual(g, tot) {
							t.Errorf("%s on %s:\n got %+v\nwant %+v (brute force from the raw rows)", s.ComponentID, d, g, tot)
						}
						outages += tot.Outages
						noData += tot.NoData
					}
					if len(got) != len(want[s.ComponentID]) {
						t.Errorf("%s: %d days with data, brute force %d", s.ComponentID, len(got), len(want[s.ComponentID]))
					}
					whole := uptime.Compute(uptime.Sum(bs, s.Uptime, from, to, exactEnd, loc, uptime.DefaultWeights()))
					var brute uptime.Totals
					for _, tot := range want[s.ComponentID] {
						brute.Add(tot)
					}
					bf := uptime.Compute(uptime.Summary{Totals: brute, Total: exactEnd.Sub(from.Start(loc)).Milliseconds(),
						Untracked: exactEnd.Sub(from.Start(loc)).Milliseconds() - brute.Observed})
					if !reflect.DeepEqual(whole, bf) {
						t.Errorf("%s over 90 days: %s, brute force %s", s.ComponentID, figureText(whole), figureText(bf))
					}
				}
				if len(states) != exactComps || outages == 0 || noData == 0 {
					t.Fatalf("%d component states, %d outages, %d ms without data: the scenario tests too little",
						len(states), outages, noData)
				}
				checkServed(t, st, want, loc)
			})
		}
	}
}

func figureText(f uptime.Figures) string {
	v := func(p *int64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	return fmt.Sprintf("uptime %v MTTR %v MTBF %v available %d", v(f.UptimeMilli), v(f.MTTR), v(f.MTBF), f.Available)
}

// runExact runs the pipeline over the log with the fixed clock.
func runExact(t *testing.T, st exactStores, l *memLog) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Second) // four runs share two cores under -race
	defer cancel()
	settled := func() bool {
		for p := range partitions {
			cp, _, err := st.entities.LoadPartition(context.Background(), "results", p)
			if err != nil || cp.Applied != int64(len(l.parts[p])-1) {
				return false
			}
		}
		return true
	}
	a, err := New(Options{
		Source: &logSource{log: l, idle: cancel, settled: settled}, Results: st.results, State: st.entities,
		Lock: func(ctx context.Context, topic string, ps []int) (Lock, error) {
			return st.entities.LockPartitions(ctx, topic, ps)
		},
		Catalog:   func(context.Context) (catalog.Catalog, error) { return exactCatalog(), nil },
		Health:    health.Options{MaxAge: 400 * 24 * time.Hour},
		BatchSize: 20_000, SnapshotInterval: DefaultSnapshotInterval,
		Clock:      func() time.Time { return exactEnd },
		Registerer: prometheus.NewRegistry(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if !settled() {
		t.Fatal("the aggregator did not store the whole log in time")
	}
}

func openExactServices(t *testing.T) exactStores {
	st := newStores(t)
	if err := st.entities.SyncCatalog(t.Context(), exactCatalog(), exactStart); err != nil {
		t.Fatal(err)
	}
	db := st.chDB
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{st.chAddr}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := conn.Close(); err != nil {
			t.Error(err)
		}
	})
	return exactStores{entities: st.entities, results: st.series, rows: func(t *testing.T) []row {
		rs, err := conn.Query(t.Context(), "SELECT component_id, region, scheduled_ms, success FROM `"+db+
			"`.results ORDER BY component_id, scheduled_ms, region")
		if err != nil {
			t.Fatal(err)
		}
		var out []row
		for rs.Next() {
			var r row
			var ms int64
			var ok uint8
			if err := rs.Scan(&r.comp, &r.region, &ms, &ok); err != nil {
				t.Fatal(err)
			}
			r.at, r.ok = time.UnixMilli(ms).UTC(), ok == 1
			out = append(out, r)
		}
		if err := rs.Close(); err != nil {
			t.Fatal(err)
		}
		return out
	}}
}

// openExactSQLite is standalone's store: entities, states, buckets and
// results in one SQLite file.
func openExactSQLite(t *testing.T) exactStores {
	path := filepath.Join(t.TempDir(), "statusd.db")
	s, err := sqlstore.Open(t.Context(), sqlstore.Options{Driver: "sqlite", DSN: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.SyncCatalog(t.Context(), exactCatalog(), exactStart); err != nil {
		t.Fatal(err)
	}
	return exactStores{entities: s, results: s, rows: func(t *testing.T) []row {
		db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := db.Close(); err != nil {
				t.Error(err)
			}
		}()
		rs, err := db.QueryContext(t.Context(), `SELECT component_id, region, scheduled, success FROM results
			ORDER BY component_id, scheduled, region`)
		if err != nil {
			t.Fatal(err)
		}
		var out []row
		for rs.Next() {
			var r row
			var ms int64
			if err := rs.Scan(&r.comp, &r.region, &ms, &r.ok); err != nil {
				t.Fatal(err)
			}
			r.at = time.UnixMilli(ms).UTC()
			out = append(out, r)
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		if err := rs.Close(); err != nil {
			t.Fatal(err)
		}
		return out
	}}
}
