// Command benchapi measures statusd's operators' API from a separate load
// process: it builds and starts the real statusd binary on each store
// (standalone on SQLite; the aggregator on a throwaway PostgreSQL
// database, with the dev Kafka and ClickHouse it also needs), makes an
// admin and an admin key with `statusd admin create` and `statusd key
// create`, creates through the API a page with 500 components, one TCP
// check each (four on the first) and so an audit log of a thousand
// entries, and then, at concurrency 64 for 20 s each, lists the page's
// components, gets one component, lists its checks and lists the audit
// log. The configuration sets api.rate_limit and rate_burst to the highest
// allowed, 100000, so the one key is never limited.
//
// It prints one JSON object per endpoint and store on stdout, progress on
// stderr, and removes its files, databases and topics and stops statusd,
// also when interrupted. Run it with `make bench-api`; see
// deploy/dev/README.md.
//
// It is a development tool: the statusd binary never imports it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/statusd/statusd/deploy/dev/benchproc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// options are the command-line flags.
type options struct {
	stores          []string
	duration        time.Duration
	warmup          time.Duration
	concurrency     int
	components      int
	statusd, module string
}

var knownStores = []string{"sqlite", "postgres"}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("benchapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stores := fs.String("stores", "sqlite,postgres", "comma-separated stores to measure: sqlite, postgres")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "load time of each endpoint")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before each endpoint")
	fs.IntVar(&o.concurrency, "concurrency", 64, "requests in flight")
	fs.IntVar(&o.components, "components", 500, "components of the page")
	fs.StringVar(&o.statusd, "statusd", "", "statusd binary to run (default: build ./cmd/statusd of -module)")
	fs.StringVar(&o.module, "module", ".", "module directory to build statusd from")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	for s := range strings.SplitSeq(*stores, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(knownStores, s) {
			return o, fmt.Errorf("-stores: unknown store %q (known: %s)", s, strings.Join(knownStores, ", "))
		}
		if !slices.Contains(o.stores, s) {
			o.stores = append(o.stores, s)
		}
	}
	switch {
	case o.duration <= 0:
		return o, errors.New("-duration: must be positive")
	case o.warmup < 0:
		return o, errors.New("-warmup: must not be negative")
	case o.concurrency < 1:
		return o, errors.New("-concurrency: must be at least 1")
	case o.components < 1:
		return o, errors.New("-components: must be at least 1")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "benchapi: %v\n", err)
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if err := bench(ctx, o, stdout, log); err != nil {
		fmt.Fprintf(stderr, "benchapi: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func bench(ctx context.Context, o options, stdout io.Writer, log *slog.Logger) (err error) {
	dir, err := os.MkdirTemp("", "benchapi-")
	if err != nil {
		return fmt.Errorf("create work directory: %w", err)
	}
	defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
	bin := o.statusd
	if bin == "" {
		bin = filepath.Join(dir, "statusd")
		log.Info("building statusd", "module", o.module)
		if err := benchproc.BuildStatusd(ctx, o.module, bin); err != nil {
			return err
		}
	}
	rev := benchproc.BinaryRevision(bin)
	for _, store := range o.stores {
		lines, err := benchStore(ctx, o, bin, filepath.Join(dir, store), store, log)
		if err != nil {
			return fmt.Errorf("%s: %w", store, err)
		}
		for _, l := range lines {
			l.Revision = rev
			if err := l.write(stdout); err != nil {
				return err
			}
		}
	}
	return nil
}

// benchStore starts statusd on store, seeds it and loads each endpoint.
func benchStore(ctx context.Context, o options, bin, dir, store string, log *slog.Logger) (lines []line, err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create directory: %w", err)
	}
	addr, err := benchproc.FreeAddr()
	if err != nil {
		return nil, err
	}
	t := target{store: store, config: filepath.Join(dir, "statusd.yaml")}
	extra := ""
	switch store {
	case "sqlite":
		data := filepath.Join(dir, "data")
		t.sub, t.cliArgs, t.runArgs = "standalone", []string{"--data-dir", data}, []string{"--data-dir", data}
	case "postgres":
		svc, err := servicesFromEnv(os.Getenv)
		if err != nil {
			return nil, err
		}
		tw, err := svc.create(ctx)
		if err != nil {
			return nil, err
		}
		defer func() { err = errors.Join(err, tw.drop()) }()
		t.sub, t.cliArgs, extra = "aggregator", []string{"--config", t.config}, tw.config()
	}
	if err := writeConfig(t.config, addr, extra); err != nil {
		return nil, err
	}
	in, err := start(ctx, bin, dir, t, addr, serverEnv(os.Environ()), log)
	if err != nil {
		return nil, err
	}
	defer func() {
		if _, serr := in.proc.Stop(); serr != nil {
			err = errors.Join(err, serr, fmt.Errorf("log tail:\n%s", in.proc.Tail(20)))
		}
	}()
	client := newClient(o.concurrency)
	began := time.Now()
	audit, err := seed(ctx, client, in.base, in.key, o.components)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	log.Info("seeded", "store", store, "components", o.components, "audit_entries", audit, "took", time.Since(began).Round(time.Millisecond))
	for _, ep := range endpoints(in.key) {
		if o.warmup > 0 {
			load(ctx, client, in.base, ep, o.concurrency, o.warmup)
		}
		cpu0, err := in.proc.CPUSeconds()
		if err != nil {
			return nil, err
		}
		s := load(ctx, client, in.base, ep, o.concurrency, o.duration)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		cpu1, err := in.proc.CPUSeconds()
		if err != nil {
			return nil, err
		}
		l := newLine(ep, store, o.concurrency, s)
		l.Components, l.AuditTotal, l.StatusdCPU = o.components, audit, roundTo(cpu1-cpu0, 2)
		log.Info("measured", "store", store, "endpoint", ep.name, "rps", l.RPS, "p50_ms", l.P50MS, "p99_ms", l.P99MS, "errors", l.Errors)
		lines = append(lines, l)
	}
	return lines, nil
}

// endpoints are the requests measured, each sent with key: every /api/v1
// route but openapi.json needs one.
func endpoints(key string) []endpoint {
	return []endpoint{
		{name: "list_components", path: "/api/v1/components?page_id=" + benchPage + "&per_page=100", key: key},
		{name: "get_component", path: "/api/v1/components/" + benchTarget, key: key},
		{name: "component_checks", path: "/api/v1/checks?component_id=" + benchTarget, key: key},
		{name: "list_audit", path: "/api/v1/audit", key: key},
	}
}

func roundTo(v float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}
