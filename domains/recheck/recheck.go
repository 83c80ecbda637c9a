// Package recheck checks the pages' custom domains again and again:
// verified ones every Interval, the others every UnverifiedInterval, and
// one at once when asked (CheckNow). Each check's result moves the
// domain's state by domains.Next and is kept in the store's history.
//
// Several aggregators may each run one: every check is a full walk of
// DNS, and two stores of the same verdict agree, so the only cost is the
// extra queries and history entries.
package recheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/domains"
)

// Defaults of Options.
const (
	DefaultInterval           = 10 * time.Minute
	DefaultUnverifiedInterval = time.Minute
	DefaultKeep               = 100
	// HistoryShown is how many checks Report returns.
	HistoryShown = 20
)

// Store keeps the domains' states and checks.
type Store interface {
	Pages(ctx context.Context) ([]catalog.Page, error)
	DomainState(ctx context.Context, pageID string) (domains.State, bool, error)
	DomainStates(ctx context.Context) ([]domains.State, error)
	RecordDomainCheck(ctx context.Context, st domains.State, r domains.Result, keep int) error
	DomainChecks(ctx context.Context, pageID string, limit int) ([]domains.Result, error)
}

// Checker checks one domain (cnamecheck.Checker).
type Checker interface {
	Check(ctx context.Context, domain, expected string) domains.Result
}

// Options configure a Runner.
type Options struct {
	Store   Store   // required
	Checker Checker // required
	// Target is the host name every custom domain must be a CNAME to;
	// empty checks nothing (Run waits, CheckNow answers a conflict).
	Target string
	// Interval is how often a verified domain is checked again,
	// UnverifiedInterval any other; DefaultInterval and
	// DefaultUnverifiedInterval when zero.
	Interval           time.Duration
	UnverifiedInterval time.Duration
	// Keep is how many checks the store keeps per page; DefaultKeep when zero.
	Keep int
	// Clock tells the time, After waits; nil means time.Now and time.After.
	Clock func() time.Time
	After func(time.Duration) <-chan time.Time
	// Registerer receives the checks' metrics. Required.
	Registerer prometheus.Registerer
	// Logger receives failures of the store; nil discards them.
	Logger *slog.Logger
}

// Runner runs the checks.
type Runner struct {
	store      Store
	checker    Checker
	target     string
	interval   time.Duration
	unverified time.Duration
	keep       int
	clock      func() time.Time
	after      func(time.Duration) <-chan time.Time
	log        *slog.Logger
	checks     *prometheus.CounterVec
	duration   prometheus.Histogram
	mu         sync.Mutex // one check at a time: each reads the state the last one wrote
}

// New returns a Runner.
func New(opts Options) (*Runner, error) {
	if opts.Store == nil || opts.Checker == nil || opts.Registerer == nil {
		return nil, errors.New("new domain recheck: Store, Checker and Registerer are required")
	}
	r := &Runner{store: opts.Store, checker: opts.Checker, target: strings.ToLower(opts.Target),
		interval: cmp.Or(opts.Interval, DefaultInterval), unverified: cmp.Or(opts.UnverifiedInterval, DefaultUnverifiedInterval),
		keep: cmp.Or(opts.Keep, DefaultKeep), clock: opts.Clock, after: opts.After, log: opts.Logger}
	if r.interval < 0 || r.unverified < 0 || r.keep < 0 {
		return nil, errors.New("new domain recheck: Interval, UnverifiedInterval and Keep must not be negative")
	}
	if r.clock == nil {
		r.clock = time.Now
	}
	if r.after == nil {
		r.after = time.After
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	r.checks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "statusd_domain_checks_total",
		Help: "Checks of pages' custom domains, by result."}, []string{"result"})
	r.duration = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "statusd_domain_check_duration_seconds",
		Help: "How long a check of a custom domain took.", Buckets: prometheus.ExponentialBuckets(0.005, 4, 8)})
	for _, c := range []prometheus.Collector{r.checks, r.duration} {
		if err := opts.Registerer.Register(c); err != nil {
			return nil, fmt.Errorf("new domain recheck: register metrics: %w", err)
		}
	}
	return r, nil
}

// Run checks the domains as they fall due until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	if r.target == "" {
		r.log.InfoContext(ctx, "custom domains are not checked: domains.cname_target is not set")
		<-ctx.Done()
		return nil
	}
	for {
		wait := r.Sweep(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-r.after(wait):
		}
	}
}

// Sweep checks every custom domain that is due and returns how long until
// the next one is: at most UnverifiedInterval, so a new domain waits no
// longer than that.
func (r *Runner) Sweep(ctx context.Context) time.Duration {
	pages, err := r.store.Pages(ctx)
	if err != nil {
		r.log.ErrorContext(ctx, "list pages for their custom domains", "err", err)
		return r.unverified
	}
	states, err := r.store.DomainStates(ctx)
	if err != nil {
		r.log.ErrorContext(ctx, "read custom domain states", "err", err)
		return r.unverified
	}
	byPage := make(map[string]domains.State, len(states))
	for _, st := range states {
		byPage[st.PageID] = st
	}
	next := r.unverified
	for _, p := range pages {
		if p.CustomDomain == "" || ctx.Err() != nil {
			continue
		}
		st, known := byPage[p.ID]
		due := r.dueAt(p, st, known)
		if now := r.clock(); !due.After(now) {
			if st, err = r.check(ctx, p); err != nil {
				r.log.ErrorContext(ctx, "record custom domain check", "page", p.ID, "err", err)
				continue
			}
			due = r.dueAt(p, st, true)
		}
		next = min(next, max(due.Sub(r.clock()), time.Second))
	}
	return next
}

// dueAt is when page p's domain is next to be checked.
func (r *Runner) dueAt(p catalog.Page, st domains.State, known bool) time.Time {
	if !known || !r.current(p, st) {
		return time.Time{}
	}
	if st.Status == domains.Verified {
		return st.CheckedAt.Add(r.interval)
	}
	return st.CheckedAt.Add(r.unverified)
}

// current reports whether st is of p's domain against the target.
func (r *Runner) current(p catalog.Page, st domains.State) bool {
	return strings.EqualFold(st.Domain, p.CustomDomain) && strings.EqualFold(st.Expected, r.target)
}

// check checks p's domain and records the result.
func (r *Runner) check(ctx context.Context, p catalog.Page) (domains.State, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	prev, _, err := r.store.DomainState(ctx, p.ID)
	if err != nil {
		return domains.State{}, err
	}
	start := r.clock()
	res := r.checker.Check(ctx, p.CustomDomain, r.target)
	r.duration.Observe(r.clock().Sub(start).Seconds())
	r.checks.WithLabelValues(string(res.Status)).Inc()
	st := domains.Next(prev, p.ID, res)
	if err := r.store.RecordDomainCheck(ctx, st, res, r.keep); err != nil {
		return domains.State{}, err
	}
	return st, nil
}

// CheckNow checks page pageID's domain at once and returns its report. An
// unknown page is a *catalog.NotFoundError; a page without a custom
// domain, or no target configured, a *catalog.ConflictError.
func (r *Runner) CheckNow(ctx context.Context, pageID string) (domains.Report, error) {
	p, err := r.page(ctx, pageID)
	switch {
	case err != nil:
		return domains.Report{}, err
	case p.CustomDomain == "":
		return domains.Report{}, &catalog.ConflictError{Kind: "page", ID: pageID, Field: "custom_domain",
			Message: "is not set: there is no domain to check"}
	case r.target == "":
		return domains.Report{}, &catalog.ConflictError{Kind: "page", ID: pageID,
			Message: "no CNAME target is configured (domains.cname_target), so domains are not checked"}
	}
	if _, err := r.check(ctx, p); err != nil {
		return domains.Report{}, fmt.Errorf("check domain of page %s: %w", pageID, err)
	}
	return r.report(ctx, p)
}

// Report returns what is known of page pageID's domain. An unknown page is
// a *catalog.NotFoundError.
func (r *Runner) Report(ctx context.Context, pageID string) (domains.Report, error) {
	p, err := r.page(ctx, pageID)
	if err != nil {
		return domains.Report{}, err
	}
	return r.report(ctx, p)
}

func (r *Runner) report(ctx context.Context, p catalog.Page) (domains.Report, error) {
	rep := domains.Report{PageID: p.ID, Domain: p.CustomDomain, Expected: r.target,
		State: domains.State{PageID: p.ID, Domain: p.CustomDomain, Expected: r.target, Status: domains.Pending}}
	st, ok, err := r.store.DomainState(ctx, p.ID)
	if err != nil {
		return domains.Report{}, fmt.Errorf("report domain of page %s: %w", p.ID, err)
	}
	if ok && p.CustomDomain != "" && r.current(p, st) {
		rep.State = st
	}
	if rep.History, err = r.store.DomainChecks(ctx, p.ID, HistoryShown); err != nil {
		return domains.Report{}, fmt.Errorf("report domain of page %s: %w", p.ID, err)
	}
	return rep, nil
}

func (r *Runner) page(ctx context.Context, id string) (catalog.Page, error) {
	pages, err := r.store.Pages(ctx)
	if err != nil {
		return catalog.Page{}, fmt.Errorf("find page %s: %w", id, err)
	}
	for _, p := range pages {
		if p.ID == id {
			return p, nil
		}
	}
	return catalog.Page{}, &catalog.NotFoundError{Kind: "page", ID: id}
}
