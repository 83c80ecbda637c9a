// Command benchagent measures the statusd agent as an OS process observed
// from outside: for each N it serves a local HTTP target on loopback,
// publishes N HTTP checks at one interval to the checks topic of a fresh
// topic prefix, starts the real `statusd agent` binary, waits until every
// check has run once, then measures a steady state (60 s by default): the
// agent's CPU time and peak RSS from /proc, and, from the results it writes
// to the results topic, how many scheduled ticks ran and how late each run
// started after its tick (jitter). In the same run, after the agent has
// stopped, a floor: a bare Go net/http client in a child process of its own
// (this binary with -floor) makes the same number of fresh-connection GETs
// to the same server at the same rate; its CPU time is the child's user and
// system time as its exit status reports it.
//
// It prints one JSON object per line on stdout, progress and logs on
// stderr, and removes its topics and files and stops the agent, also when
// interrupted. Run it with `make bench-agent`; see deploy/dev/README.md.
//
// ICMP checks are not measured yet: the agent cannot schedule them until
// the catalog has an ICMP check type.
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
	"strconv"
	"strings"
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
	checks           []int
	interval, steady time.Duration
	onlineTimeout    time.Duration
	partitions, conc int
	statusd, module  string
	kafka, agentLog  string
	floor            bool   // child mode: run the floor client and exit
	floorKind        string // "http" or "icmp"
	floorURL         string
	floorRate        float64
	floorCount       int
	icmpChecks       int // ICMP checks of the ICMP run; 0 skips it
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("benchagent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	checks := fs.String("checks", "1000,10000", "comma-separated numbers of HTTP checks, one agent run each")
	fs.DurationVar(&o.interval, "interval", 10*time.Second, "interval of every check")
	fs.DurationVar(&o.steady, "steady", 60*time.Second, "steady state measured after every check is online")
	fs.DurationVar(&o.onlineTimeout, "online-timeout", 60*time.Second, "longest wait for every check to run once")
	fs.IntVar(&o.partitions, "partitions", 12, "partitions of the results topic")
	fs.IntVar(&o.conc, "concurrency", 64, "the agent's probes in flight at most, and the floor client's")
	fs.StringVar(&o.statusd, "statusd", "", "statusd binary to run (default: go build ./cmd/statusd in -module)")
	fs.StringVar(&o.module, "module", ".", "root of the statusd module to build")
	fs.StringVar(&o.agentLog, "agent-log", "", "write the agent's log to this file and keep it (default: a temporary file)")
	fs.StringVar(&o.kafka, "kafka", os.Getenv("STATUSD_TEST_KAFKA"), "Kafka broker host:port (default $STATUSD_TEST_KAFKA)")
	fs.BoolVar(&o.floor, "floor", false, "internal: run as the floor client")
	fs.IntVar(&o.icmpChecks, "icmp-checks", 1000, "ICMP checks to 127.0.0.1 of the ICMP run, after the HTTP runs; 0 skips it")
	fs.StringVar(&o.floorKind, "floor-kind", "http", "internal: the floor client's probe, http or icmp")
	fs.StringVar(&o.floorURL, "floor-url", "", "internal: the floor client's target")
	fs.Float64Var(&o.floorRate, "floor-rate", 0, "internal: the floor client's requests per second")
	fs.IntVar(&o.floorCount, "floor-count", 0, "internal: the floor client's requests")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if o.checks, err = parseCounts(*checks); err != nil {
		return o, err
	}
	return o, o.validate()
}

// parseCounts parses the -checks list.
func parseCounts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 100_000 {
			return nil, fmt.Errorf("-checks: %q is not a number of checks between 1 and 100000", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func (o options) validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	if o.floor {
		check(o.floorKind == "http" || o.floorKind == "icmp", "-floor-kind: must be http or icmp, got %q", o.floorKind)
		check(o.floorURL != "", "-floor-url: required with -floor")
		check(o.floorRate > 0, "-floor-rate: must be positive, got %v", o.floorRate)
		check(o.floorCount > 0, "-floor-count: must be positive, got %d", o.floorCount)
		check(o.conc >= 1, "-concurrency: must be at least 1, got %d", o.conc)
		return errors.Join(errs...)
	}
	check(o.interval >= time.Second && o.interval <= time.Hour, "-interval: must be between 1s and 1h, got %s", o.interval)
	check(o.steady >= o.interval && o.steady%o.interval == 0, "-steady: must be a positive multiple of -interval, got %s", o.steady)
	check(o.onlineTimeout > 0, "-online-timeout: must be positive")
	check(o.icmpChecks >= 0 && o.icmpChecks <= 100_000, "-icmp-checks: must be between 0 and 100000, got %d", o.icmpChecks)
	check(o.partitions >= 1 && o.partitions <= 1000, "-partitions: must be between 1 and 1000, got %d", o.partitions)
	check(o.conc >= 1 && o.conc <= 10_000, "-concurrency: must be between 1 and 10000, got %d", o.conc)
	check(o.kafka != "", "-kafka: required (or STATUSD_TEST_KAFKA; run `make services` and source .dev/services.env)")
	return errors.Join(errs...)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "benchagent:", err)
		return exitUsage
	}
	if opts.floor {
		if err := runFloorChild(ctx, opts, stdout); err != nil {
			fmt.Fprintln(stderr, "benchagent -floor:", err)
			return exitFailed
		}
		return exitOK
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	b := &bench{opts: opts, log: log}
	enc := json.NewEncoder(stdout)
	err = b.run(ctx, func(l line) error {
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("write result line: %w", err)
		}
		return nil
	})
	if cerr := b.cleanup(); cerr != nil {
		err = errors.Join(err, cerr)
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
