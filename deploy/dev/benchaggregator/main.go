// Command benchaggregator measures the statusd aggregator end to end, as
// an OS process observed only from outside: it pre-loads probe results for
// many components × 3 regions onto a fresh results topic, starts the real
// `statusd aggregator` binary against fresh PostgreSQL and ClickHouse
// databases, and times how fast the consumer group's committed offsets
// reach the high watermarks (decode, state, ClickHouse insert, PostgreSQL
// commit, offset commit). It then measures how long a threshold-crossing
// result takes to show in GET /api/v1/components/{id}, and, in the same
// run, two references: bare kafka-go readers over the same messages and
// bare ClickHouse batch inserts of the same rows.
//
// It prints one JSON object per line on stdout (the "aggregator" line
// first), progress and logs on stderr, and removes its databases, topics,
// consumer group and files, and stops the aggregator, also when
// interrupted. Run it with `make bench-aggregator`; see deploy/dev/README.md.
//
// It is a development tool: the statusd binary never imports it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// options are the command-line flags.
type options struct {
	components, ticks, regions, partitions int
	samples, liveConcurrency               int
	timeout, stall, liveTimeout            time.Duration
	statusd, module                        string
	kafka, clickhouse, postgres            string
	aggregatorLog                          string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("benchaggregator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.components, "components", 10_000, "components, one HTTP check each")
	fs.IntVar(&o.ticks, "ticks", 10, "ticks pre-loaded per component and region (results = components × ticks × regions)")
	fs.IntVar(&o.regions, "regions", 3, "regions reporting every check")
	fs.IntVar(&o.partitions, "partitions", 12, "partitions of the results topic")
	fs.IntVar(&o.samples, "samples", 200, "components driven into major_outage to time state visibility (0: skip)")
	fs.IntVar(&o.liveConcurrency, "live-concurrency", 2, "sampled components measured at once")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "longest time from aggregator start until the pre-load is committed")
	fs.DurationVar(&o.stall, "stall", time.Minute, "longest time without a new offset commit once the aggregator is ready")
	fs.DurationVar(&o.liveTimeout, "live-timeout", 15*time.Second, "longest wait for one component's outage to show in the API")
	fs.StringVar(&o.statusd, "statusd", "", "statusd binary to run (default: go build ./cmd/statusd in -module)")
	fs.StringVar(&o.module, "module", ".", "root of the statusd module to build")
	fs.StringVar(&o.aggregatorLog, "aggregator-log", "", "write the aggregator's log to this file and keep it (default: a temporary file)")
	fs.StringVar(&o.kafka, "kafka", os.Getenv("STATUSD_TEST_KAFKA"), "Kafka broker host:port (default $STATUSD_TEST_KAFKA)")
	fs.StringVar(&o.clickhouse, "clickhouse", os.Getenv("STATUSD_TEST_CLICKHOUSE"), "ClickHouse native host:port (default $STATUSD_TEST_CLICKHOUSE)")
	fs.StringVar(&o.postgres, "postgres", os.Getenv("STATUSD_TEST_POSTGRES"), "PostgreSQL URL with CREATE DATABASE rights (default $STATUSD_TEST_POSTGRES)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return o, o.validate()
}

func (o options) validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(o.components >= 2 && o.components <= 99_999, "-components: must be between 2 and 99999, got %d", o.components)
	check(o.ticks >= 1 && o.ticks <= 1000, "-ticks: must be between 1 and 1000, got %d", o.ticks)
	check(o.regions >= 1 && o.regions <= 26, "-regions: must be between 1 and 26, got %d", o.regions)
	check(o.partitions >= 1 && o.partitions <= 1000, "-partitions: must be between 1 and 1000, got %d", o.partitions)
	check(o.samples >= 0, "-samples: must not be negative, got %d", o.samples)
	check(o.liveConcurrency >= 1, "-live-concurrency: must be at least 1, got %d", o.liveConcurrency)
	check(o.timeout > 0 && o.stall > 0 && o.liveTimeout > 0, "-timeout, -stall, -live-timeout: must be positive")
	check(o.kafka != "", "-kafka: required (or STATUSD_TEST_KAFKA; run `make services` and source .dev/services.env)")
	check(o.clickhouse != "", "-clickhouse: required (or STATUSD_TEST_CLICKHOUSE)")
	check(o.postgres != "", "-postgres: required (or STATUSD_TEST_POSTGRES)")
	return errors.Join(errs...)
}

// regionNames returns n region names: the three usual ones first.
func regionNames(n int) []string {
	out := []string{"eu-west", "us-east", "ap-south"}
	for i := len(out); i < n; i++ {
		out = append(out, fmt.Sprintf("region-%c", 'a'+i))
	}
	return out[:n]
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "benchaggregator:", err)
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	b := &bench{opts: opts, log: log, stderr: stderr, cleanups: cleanups{log: log}}
	lines, err := b.run(ctx)
	if cerr := b.cleanups.run(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	enc := json.NewEncoder(stdout)
	for _, l := range lines {
		if eerr := enc.Encode(l); eerr != nil {
			err = errors.Join(err, fmt.Errorf("write result line: %w", eerr))
		}
	}
	switch {
	case ctx.Err() != nil:
		log.Error("interrupted; cleaned up", "err", err)
		return exitInterrupted
	case err != nil:
		log.Error("benchmark failed", "err", err)
		return exitFailed
	}
	return exitOK
}
