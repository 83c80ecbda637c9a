// Command loadgen is the load process of the development benchmarks: it
// sends GETs to one URL over -concurrency keep-alive HTTP/1.1 connections
// for -duration (after an unmeasured -warmup) and prints one JSON object:
// requests, errors, body bytes, requests per second and latency
// percentiles from a histogram (package deploy/dev/benchload). Running
// it as its own process keeps the load's memory and scheduling apart from
// the program that orchestrates the benchmark (deploy/dev/benchpage).
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
	"math"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/statusd/statusd/deploy/dev/benchload"
)

// Output is the JSON object loadgen prints.
type Output struct {
	URL         string  `json:"url"`
	Concurrency int     `json:"concurrency"`
	DurationS   float64 `json:"duration_s"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	BodyBytes   int64   `json:"body_bytes"`
	RPS         float64 `json:"rps"`
	P50MS       float64 `json:"p50_ms"`
	P90MS       float64 `json:"p90_ms"`
	P99MS       float64 `json:"p99_ms"`
	MaxMS       float64 `json:"max_ms"`
	FirstError  string  `json:"first_error,omitempty"`
}

// headers is a repeatable -header flag.
type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o benchload.Options
	var warmup time.Duration
	var hs headers
	fs.StringVar(&o.URL, "url", "", "http URL to GET (required)")
	fs.StringVar(&o.Host, "host", "", "Host header (default: the URL's)")
	fs.Var(&hs, "header", "more request header, 'Name: value'; repeatable")
	fs.IntVar(&o.Concurrency, "concurrency", 256, "connections, one request in flight each")
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "measured load time")
	fs.DurationVar(&warmup, "warmup", 2*time.Second, "unmeasured load before")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	o.Headers = hs
	if o.URL == "" {
		fmt.Fprintln(stderr, "loadgen: -url is required")
		return 2
	}
	if warmup > 0 {
		w := o
		w.Duration = warmup
		if _, err := benchload.Run(ctx, w); err != nil {
			fmt.Fprintf(stderr, "loadgen: %v\n", err)
			return 2
		}
	}
	r, err := benchload.Run(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return 2
	}
	out := Output{URL: o.URL, Concurrency: o.Concurrency, DurationS: round(r.Elapsed.Seconds(), 2),
		Requests: r.Requests, Errors: r.Errors, BodyBytes: r.Bytes, RPS: round(r.RPS(), 1),
		P50MS: benchload.Millis(r.Latency.Percentile(50)), P90MS: benchload.Millis(r.Latency.Percentile(90)),
		P99MS: benchload.Millis(r.Latency.Percentile(99)), MaxMS: benchload.Millis(r.Latency.Max()), FirstError: r.FirstErr}
	b, err := json.Marshal(out)
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: encode result: %v\n", err)
		return 1
	}
	if _, err := fmt.Fprintf(stdout, "%s\n", b); err != nil {
		return 1
	}
	return 0
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
