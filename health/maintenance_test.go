package health

import (
	"slices"
	"testing"
	"time"

	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/uptime"
)

// window is a fake Maintenance: component api is in a window from tick
// from until tick to.
type window struct{ from, to int }

func (w window) UnderMaintenance(id string, at time.Time) bool {
	return id == "api" && !at.Before(tick(w.from)) && at.Before(tick(w.to))
}

func TestMaintenanceWindow(t *testing.T) {
	// Every region fails from tick 10 to tick 30; the window is ticks 5 to 25.
	outage := func(n int) bool { return n < 10 || n > 30 }
	var rs []res
	for n := 1; n <= 40; n++ {
		for _, region := range []string{"eu", "us"} {
			rs = append(rs, res{n, region, outage(n)})
		}
	}
	for _, tc := range []struct {
		name        string
		maint       Maintenance
		transitions []string
		actions     []string
		maintMS     int64
	}{
		{"no window: the outage opens and resolves an incident", nil,
			[]string{"operational@2", "major_outage@12", "operational@32"}, []string{"open@12", "resolve@32"}, 0},
		{"in the window: under maintenance, no incident, maintenance time", window{5, 25},
			// The outage outlives the window: at tick 25 the probes' view
			// shows, and only then is an incident opened.
			[]string{"operational@2", "under_maintenance@5", "major_outage@25", "operational@32"},
			[]string{"open@25", "resolve@32"}, 20 * 10_000},
		{"the window covers the whole outage: no incident at all", window{5, 35},
			[]string{"operational@2", "under_maintenance@5", "operational@35"}, nil, 30 * 10_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEvaluator(Options{Catalog: testCatalog(0, ""), Maintenance: tc.maint})
			p := played{e: e, outcomes: map[Outcome]int{}}
			buckets := map[uptime.Day]uptime.Totals{}
			for n := 1; n <= 40; n++ { // one tick per batch, as they come
				var batch []res
				for _, r := range rs {
					if r.tick == n {
						batch = append(batch, r)
					}
				}
				b := at(n, batch...)
				ch, _ := e.Evaluate(b.rs, b.now, all)
				p.record(ch)
				lastBuckets(buckets, ch)
				e.Commit(ch)
			}
			if !slices.Equal(p.transitions, tc.transitions) {
				t.Errorf("transitions %v, want %v", p.transitions, tc.transitions)
			}
			if !slices.Equal(p.actions, tc.actions) {
				t.Errorf("incident actions %v, want %v", p.actions, tc.actions)
			}
			var maint int64
			for _, b := range buckets {
				maint += b.Maintenance
			}
			if maint != tc.maintMS {
				t.Errorf("maintenance time %d ms, want %d", maint, tc.maintMS)
			}
		})
	}
}

// TestMaintenanceSweep: with no result at the window's edges, the sweep
// moves the component under maintenance and back.
func TestMaintenanceSweep(t *testing.T) {
	e := NewEvaluator(Options{Catalog: testCatalog(0, ""), Maintenance: window{5, 8}})
	b := at(2, res{1, "eu", true}, res{2, "eu", true})
	ch, _ := e.Evaluate(b.rs, b.now, all)
	e.Commit(ch)
	for _, step := range []struct {
		tick int
		want status.Status
	}{{3, status.Operational}, {5, status.UnderMaintenance}, {7, status.UnderMaintenance}, {8, status.Operational}} {
		ch := e.Sweep(tick(step.tick), func(string) bool { return true }, 0)
		e.Commit(ch)
		if s, _ := e.Component("api"); s.Status != step.want {
			t.Errorf("sweep at tick %d: %s, want %s", step.tick, s.Status, step.want)
		}
	}
}
