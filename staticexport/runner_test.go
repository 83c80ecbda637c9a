package staticexport_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/staticexport"
)

// fakeClock moves its time by each wait at once and runs the step due at
// that wait, so that a Runner's schedule is followed without sleeping.
type fakeClock struct {
	t     time.Time
	waits []time.Duration
	steps map[int]func() // by the number of the wait, from 1
	stop  int            // the wait at which the run ends
	end   context.CancelFunc
}

func (c *fakeClock) Now() time.Time { return c.t }

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.waits = append(c.waits, d)
	c.t = c.t.Add(d)
	if f := c.steps[len(c.waits)]; f != nil {
		f()
	}
	if len(c.waits) >= c.stop {
		c.end()
		return nil // never fires: the run sees its context end
	}
	ch := make(chan time.Time, 1)
	ch <- c.t
	return ch
}

func TestRunnerExportsOnChangeDebounced(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	id := strconv.FormatInt(s.ids[evilTitle], 10)
	update := func(body string) {
		s.act(evilTitle, incident.Action{Kind: incident.KindUpdate, Status: "identified", Body: body})
	}
	clock := &fakeClock{t: now, stop: 9, end: cancel, steps: map[int]func(){
		// A change 2 s after the first export waits until 5 s have
		// passed; another one meanwhile goes in the same export.
		2: func() { update("first change") },
		3: func() { update("second change") },
		// The output is broken: the export fails, is counted, and is
		// tried again 5 s later, once it is mended.
		5: func() {
			update("third change")
			if err := os.Rename(filepath.Join(dir, "acme"), filepath.Join(dir, "moved")); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "acme"), []byte("in the way"), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		7: func() {
			if err := os.Remove(filepath.Join(dir, "acme")); err != nil {
				t.Fatal(err)
			}
		},
	}}
	reg := prometheus.NewRegistry()
	r, err := staticexport.NewRunner(staticexport.RunnerOptions{Exporter: s.exporter(), Dir: dir,
		MinInterval: 5 * time.Second, Poll: time.Second, Now: clock.Now, After: clock.After, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// t=0 export; polls at 1, 2 (first change): wait 3 s to t=5 (second
	// change), export; polls 6, 7 (third change, output broken): wait 3 s
	// to t=10, export fails; 11 (mended): wait 4 s to t=15, export; 16 ends.
	want := []time.Duration{1, 1, 3, 1, 1, 3, 1, 4, 1}
	for i := range want {
		want[i] *= time.Second
	}
	if !equalDurations(clock.waits, want) {
		t.Errorf("waits %v, want %v", clock.waits, want)
	}
	if got := metric(t, reg, "statusd_export_runs_total"); got != 4 {
		t.Errorf("exports = %v, want 4", got)
	}
	if got := metric(t, reg, "statusd_export_failures_total"); got != 1 {
		t.Errorf("failures = %v, want 1", got)
	}
	if got := metric(t, reg, "statusd_export_last_success_timestamp_seconds"); got != float64(now.Add(15*time.Second).Unix()) {
		t.Errorf("last success = %v, want t=15 s", got)
	}
	for _, tc := range []struct{ dir, want string }{{"moved", "second change"}, {"moved", "first change"}, {"acme", "third change"}} {
		b, err := os.ReadFile(filepath.Join(dir, tc.dir, "incidents", id, "index.md"))
		if err != nil || !bytes.Contains(b, []byte(tc.want)) {
			t.Errorf("%s misses %q (%v):\n%s", tc.dir, tc.want, err, b)
		}
	}
}

// metric is the value of the registry's metric name (one series).
func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
