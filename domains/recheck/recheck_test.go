package recheck

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/domains"
	"github.com/statusd/statusd/domains/cnamecheck"
	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/store/sqlstore"
)

const target = "pages.cname.test" // deploy/dev/dns/cname.test.zone's

// env is a runner over a fresh SQLite store, checking against the dev knot
// (testenv.DNS), or a black hole while down is set; its clock is moved by hand.
type env struct {
	r     *Runner
	store *sqlstore.Store
	now   atomic.Pointer[time.Time]
	down  atomic.Bool
	reg   *prometheus.Registry
}

func newEnv(t *testing.T, pages ...catalog.Page) *env {
	t.Helper()
	knot := testenv.DNS(t)
	if r := cnamecheckProbe(t, knot); r.Status != domains.Verified {
		t.Fatalf("the DNS server at %s does not serve cname.test (%s: %s): run `make services`, "+
			"which restarts knot when deploy/dev/dns/knot.conf.in changes", knot, r.Status, r.Reason)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0") // reads, never answers
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for buf := make([]byte, 2048); ; {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { _ = pc.Close() })
	e := &env{reg: prometheus.NewRegistry()}
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	e.now.Store(&t0)
	clock := func() time.Time { return *e.now.Load() }
	up, err := cnamecheck.New(cnamecheck.Options{Roots: []string{knot}, Timeout: 200 * time.Millisecond, Clock: clock,
		ServerAddr: func(netip.Addr) string { return knot }})
	if err != nil {
		t.Fatal(err)
	}
	down, err := cnamecheck.New(cnamecheck.Options{Roots: []string{pc.LocalAddr().String()}, Timeout: 200 * time.Millisecond,
		Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	checker := switchable{e: e, up: up, down: down}
	if e.store, err = sqlstore.Open(t.Context(), sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "s.db")}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.store.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := e.store.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SyncCatalog(t.Context(), catalog.Catalog{Pages: pages}, t0); err != nil {
		t.Fatal(err)
	}
	if e.r, err = New(Options{Store: e.store, Checker: checker, Target: target, Clock: clock, Registerer: e.reg}); err != nil {
		t.Fatal(err)
	}
	return e
}

// cnamecheckProbe checks direct.cname.test straight at knot.
func cnamecheckProbe(t *testing.T, knot string) domains.Result {
	t.Helper()
	c, err := cnamecheck.New(cnamecheck.Options{Roots: []string{knot}, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c.Check(t.Context(), "direct.cname.test", target)
}

// switchable is the real checker of the knot, or, while down, one whose
// root server never answers.
type switchable struct {
	e        *env
	up, down Checker
}

func (s switchable) Check(ctx context.Context, domain, expected string) domains.Result {
	if s.e.down.Load() {
		return s.down.Check(ctx, domain, expected)
	}
	return s.up.Check(ctx, domain, expected)
}

func (e *env) advance(d time.Duration) {
	t := e.now.Load().Add(d)
	e.now.Store(&t)
}

func (e *env) state(t *testing.T, page string) domains.State {
	t.Helper()
	rep, err := e.r.Report(t.Context(), page)
	if err != nil {
		t.Fatal(err)
	}
	return rep.State
}

func page(id, domain string) catalog.Page {
	return catalog.Page{ID: id, Name: id, TimeZone: "Etc/UTC", CustomDomain: domain}
}

// TestSweep: verified domains are checked every 10 minutes, others every
// minute; a check that times out keeps a verified domain verified, and is
// in the history with its own result.
func TestSweep(t *testing.T) {
	e := newEnv(t, page("acme", "direct.cname.test"), page("beta", "wrong.cname.test"), page("none", ""))
	ctx := t.Context()
	steps := []struct {
		name     string
		advance  time.Duration
		down     bool
		wait     time.Duration // what Sweep returns
		acme     domains.Status
		acmeLast domains.Status
		checks   int // acme's history
		beta     domains.Status
	}{
		{"first sweep checks both", 0, false, time.Minute, domains.Verified, domains.Verified, 1, domains.Mismatch},
		{"a minute on: only the mismatch again", time.Minute, false, time.Minute, domains.Verified, domains.Verified, 1, domains.Mismatch},
		{"ten minutes on, DNS down: verified stays", 9 * time.Minute, true, time.Minute, domains.Verified, domains.Indeterminate, 2, domains.Mismatch},
		{"DNS back, next minute", time.Minute, false, time.Minute, domains.Verified, domains.Indeterminate, 2, domains.Mismatch},
	}
	for _, s := range steps {
		e.advance(s.advance)
		e.down.Store(s.down)
		if got := e.r.Sweep(ctx); got != s.wait {
			t.Errorf("%s: Sweep waits %s, want %s", s.name, got, s.wait)
		}
		acme, beta := e.state(t, "acme"), e.state(t, "beta")
		rep, err := e.r.Report(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if acme.Status != s.acme || acme.LastResult != s.acmeLast || len(rep.History) != s.checks || beta.Status != s.beta {
			t.Errorf("%s: acme %s (last %s, %d checks), beta %s; want %s (last %s, %d checks), %s", s.name,
				acme.Status, acme.LastResult, len(rep.History), beta.Status, s.acme, s.acmeLast, s.checks, s.beta)
		}
	}
	if got := testutil.ToFloat64(e.r.checks.WithLabelValues("indeterminate")); got != 2 {
		t.Errorf("indeterminate checks counted: %v, want 2 (acme and beta while down)", got)
	}
	if got := testutil.ToFloat64(e.r.checks.WithLabelValues("mismatch")); got != 3 {
		t.Errorf("mismatch checks counted: %v, want 3", got)
	}
	rep, err := e.r.Report(ctx, "none")
	if err != nil || rep.Domain != "" || rep.State.Status != domains.Pending {
		t.Errorf("page without a domain: %+v, %v", rep, err)
	}
}

// TestCheckNow checks at once, and names why it cannot.
func TestCheckNow(t *testing.T) {
	e := newEnv(t, page("acme", "via.cname.test"), page("none", ""))
	rep, err := e.r.CheckNow(t.Context(), "acme")
	if err != nil || rep.State.Status != domains.Verified || len(rep.State.Chain) != 3 || len(rep.History) != 1 {
		t.Errorf("check now: %+v, %v; want verified through 3 names", rep, err)
	}
	var cf *catalog.ConflictError
	if _, err := e.r.CheckNow(t.Context(), "none"); !errors.As(err, &cf) || cf.Field != "custom_domain" {
		t.Errorf("page without a domain: %v, want a conflict on custom_domain", err)
	}
	var nf *catalog.NotFoundError
	if _, err := e.r.CheckNow(t.Context(), "nope"); !errors.As(err, &nf) {
		t.Errorf("unknown page: %v, want not found", err)
	}
}

// TestRunWaitsAsSweepSays: Run sweeps, then waits what Sweep said on its
// After, and stops with its context.
func TestRunWaitsAsSweepSays(t *testing.T) {
	e := newEnv(t, page("acme", "direct.cname.test"))
	waits := make(chan time.Duration)
	tick := make(chan time.Time)
	e.r.after = func(d time.Duration) <-chan time.Time { waits <- d; return tick }
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.r.Run(ctx) }()
	if d := <-waits; d != time.Minute {
		t.Errorf("first wait %s, want 1m", d)
	}
	e.advance(10 * time.Minute)
	tick <- e.now.Load().UTC()
	if d := <-waits; d != time.Minute {
		t.Errorf("second wait %s, want 1m", d)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if rep, err := e.r.Report(t.Context(), "acme"); err != nil || len(rep.History) != 2 {
		t.Errorf("after two sweeps ten minutes apart: %d checks, %v; want 2", len(rep.History), err)
	}
}
