package staticexport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of RunnerOptions.
const (
	DefaultMinInterval = 5 * time.Second
	DefaultPoll        = time.Second
)

// RunnerOptions configure a Runner.
type RunnerOptions struct {
	// Exporter does the exports; Dir is where. Required.
	Exporter *Exporter
	Dir      string
	// MinInterval is the least time between two exports' starts: changes
	// within it are exported together at its end. Zero means
	// DefaultMinInterval.
	MinInterval time.Duration
	// Poll is how often the pages are asked whether they changed; zero
	// means DefaultPoll.
	Poll time.Duration
	// Now and After tell the time and wait (time.Now and time.After when
	// nil): tests pass a clock of their own.
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
	// Registerer receives the export metrics; nil registers none.
	Registerer prometheus.Registerer
	// Logger receives failures; nil discards them.
	Logger *slog.Logger
}

// Runner exports the pages at start and again whenever what they show
// changes: every Poll it asks the handler, as a client would, for the
// ETags of each public page's Markdown home page and history (which carry
// no render time, so they move only with the status, alert, components,
// uptime, incidents or maintenance) and for the list of pages; a change
// is exported at once, or at the end of MinInterval after the last export.
// The answers come from the same per-snapshot memo as the visitors', so
// polling costs a lookup and never holds up serving. A failed export is
// logged and counted, and tried again after MinInterval.
type Runner struct {
	o                 RunnerOptions
	exports, failures prometheus.Counter
	lastSuccess       prometheus.Gauge
	duration          prometheus.Histogram
}

// NewRunner returns a Runner over o.
func NewRunner(o RunnerOptions) (*Runner, error) {
	if o.Exporter == nil || o.Dir == "" {
		return nil, errors.New("new export runner: Exporter and Dir are required")
	}
	if o.MinInterval <= 0 {
		o.MinInterval = DefaultMinInterval
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.After == nil {
		o.After = time.After
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Runner{o: o,
		exports: prometheus.NewCounter(prometheus.CounterOpts{Name: "statusd_export_runs_total",
			Help: "Exports of the public pages as static files, failed ones included."}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "statusd_export_failures_total",
			Help: "Exports of the public pages that failed (a page, a file or the change check)."}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "statusd_export_last_success_timestamp_seconds",
			Help: "When the last export that fully succeeded started, as a Unix time."}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "statusd_export_duration_seconds",
			Help: "How long one export of every public page took.", Buckets: prometheus.ExponentialBuckets(0.01, 3, 8)}),
	}
	if o.Registerer != nil {
		for _, c := range []prometheus.Collector{r.exports, r.failures, r.lastSuccess, r.duration} {
			if err := o.Registerer.Register(c); err != nil {
				return nil, fmt.Errorf("register export metrics: %w", err)
			}
		}
	}
	return r, nil
}

// Run exports until ctx ends; it returns nil then. Failures are logged,
// never returned: the pages stay served whatever the export does.
func (r *Runner) Run(ctx context.Context) error {
	var exported string // the signature the last good export saw
	var last time.Time  // when the last export started
	for {
		sig, err := r.o.Exporter.Signature(ctx)
		if err != nil && ctx.Err() == nil {
			r.failures.Inc()
			r.o.Logger.Warn("check the pages for changes to export", "err", err)
		}
		if err == nil && sig != exported {
			if wait := last.Add(r.o.MinInterval).Sub(r.o.Now()); !last.IsZero() && wait > 0 {
				if !r.sleep(ctx, wait) {
					return nil
				}
				continue // what changed meanwhile goes in the same export
			}
			last = r.o.Now()
			if r.export(ctx, last) {
				exported = sig
			}
		}
		if !r.sleep(ctx, r.o.Poll) {
			return nil
		}
	}
}

// export exports every page once and reports whether all went well.
func (r *Runner) export(ctx context.Context, start time.Time) bool {
	r.exports.Inc()
	res, err := r.o.Exporter.Export(ctx, r.o.Dir, "")
	r.duration.Observe(r.o.Now().Sub(start).Seconds())
	if err != nil {
		if ctx.Err() == nil {
			r.failures.Inc()
			r.o.Logger.Error("export the public pages", "dir", r.o.Dir, "err", err)
		}
		return false
	}
	r.lastSuccess.Set(float64(start.UnixNano()) / 1e9)
	written := 0
	for _, p := range res.Pages {
		written += p.Written
	}
	r.o.Logger.Debug("exported the public pages", "dir", r.o.Dir, "pages", len(res.Pages), "written", written)
	return true
}

func (r *Runner) sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-r.o.After(d):
		return true
	}
}

// Signature is a digest of what the pages show: which pages there are
// (ID, host, public and enabled or not) and, for each exported one, the
// ETags of its Markdown home page and history. It moves when an export
// would write something new, the render time aside.
func (e *Exporter) Signature(ctx context.Context) (string, error) {
	pages, err := e.o.Pages.Pages(ctx)
	if err != nil {
		return "", fmt.Errorf("list pages: %w", err)
	}
	h := sha256.New()
	for _, p := range pages {
		host := e.host(p)
		fmt.Fprintf(h, "%q %q %t\n", p.ID, host, Exportable(p))
		if !Exportable(p) {
			continue
		}
		for _, path := range []string{"/", "/history"} {
			etag, err := e.etag(ctx, host, path)
			if err != nil {
				return "", fmt.Errorf("page %q: %w", p.ID, err)
			}
			fmt.Fprintf(h, "%s %s\n", path, etag)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// etag asks HEAD path in Markdown on host and returns its ETag.
func (e *Exporter) etag(ctx context.Context, host, path string) (string, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodHead, "http://export.invalid"+path, nil)
	if err != nil {
		return "", fmt.Errorf("HEAD %s: %w", path, err)
	}
	r.Host, r.RemoteAddr, r.RequestURI = host, exportAddr, path
	r.Header.Set("Accept", "text/markdown")
	w := &recorder{header: http.Header{}}
	e.o.Handler.ServeHTTP(w, r)
	if w.code != http.StatusOK {
		return "", fmt.Errorf("HEAD %s on host %q: HTTP %d", path, host, w.code)
	}
	return w.header.Get("ETag"), nil
}
