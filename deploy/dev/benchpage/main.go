// Command benchpage measures how statusd serves its public status page
// under a spike, beside nginx serving the same bytes as static files. It
// builds statusd and the load process (deploy/dev/loadgen), starts
// `statusd standalone` on a temporary SQLite with a page of 20
// components and one failing check, waits for the incident statusd opens
// for it, fetches /api/v2/summary.json and / and writes them to a
// directory that Debian's nginx (/usr/sbin/nginx, its own configuration,
// port, pid and temp paths; `make bench-page` installs it when missing)
// serves. Then, for each target (summary.json, html) and server (statusd,
// nginx), a separate loadgen process loads it at -concurrency for
// -duration, without Accept-Encoding, so both send the identical bytes.
//
// It prints one JSON object per target and server on stdout, progress on
// stderr, and removes its files and stops both servers, also when
// interrupted. Run it with `make bench-page`; see deploy/dev/README.md.
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
	"os/exec"
	"os/signal"
	"path/filepath"
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

// options are the command-line flags.
type options struct {
	duration, warmup time.Duration
	concurrency      int
	statusd, module  string
	nginx            string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("benchpage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "load time of each target and server")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before each")
	fs.IntVar(&o.concurrency, "concurrency", 256, "connections, one request in flight each")
	fs.StringVar(&o.statusd, "statusd", "", "statusd binary to run (default: build ./cmd/statusd of -module)")
	fs.StringVar(&o.module, "module", ".", "module directory to build statusd and loadgen from")
	fs.StringVar(&o.nginx, "nginx", "/usr/sbin/nginx", "nginx binary")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.duration <= 0:
		return o, errors.New("-duration: must be positive")
	case o.warmup < 0:
		return o, errors.New("-warmup: must not be negative")
	case o.concurrency < 1:
		return o, errors.New("-concurrency: must be at least 1")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "benchpage: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if err := bench(ctx, o, stdout, log); err != nil {
		fmt.Fprintf(stderr, "benchpage: %v\n", err)
		return 1
	}
	return 0
}

// line is one result: the JSON object printed per target and server.
type line struct {
	Bench       string  `json:"bench"`
	Target      string  `json:"target"`
	Server      string  `json:"server"`
	Path        string  `json:"path"`
	Concurrency int     `json:"concurrency"`
	DurationS   float64 `json:"duration_s"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	Bytes       int     `json:"bytes"` // of one answer's body
	RPS         float64 `json:"rps"`
	P50MS       float64 `json:"p50_ms"`
	P90MS       float64 `json:"p90_ms"`
	P99MS       float64 `json:"p99_ms"`
	MaxMS       float64 `json:"max_ms"`
	// ServerCPU is the CPU time statusd spent in the run; nginx's is not
	// measured (its workers are other processes).
	ServerCPU  float64 `json:"server_cpu_s,omitempty"`
	Revision   string  `json:"rev,omitempty"`
	FirstError string  `json:"first_error,omitempty"`
}

// targets are what is measured: path and the file nginx serves it from.
var targets = []struct{ name, path, file string }{
	{"summary.json", "/api/v2/summary.json", "api/v2/summary.json"},
	{"html", "/", "index.html"},
}

func bench(ctx context.Context, o options, stdout io.Writer, log *slog.Logger) (err error) {
	if _, err := os.Stat(o.nginx); err != nil {
		return fmt.Errorf("nginx: %w (make bench-page installs Debian's)", err)
	}
	dir, err := os.MkdirTemp("", "benchpage-")
	if err != nil {
		return fmt.Errorf("create work directory: %w", err)
	}
	defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
	// nginx's workers run as another user when the bench runs as root.
	if err := os.Chmod(dir, 0o755); err != nil {
		return fmt.Errorf("open work directory to nginx: %w", err)
	}
	bin, loadgen := o.statusd, filepath.Join(dir, "loadgen")
	log.Info("building loadgen and statusd", "module", o.module)
	if err := goBuild(ctx, o.module, "./deploy/dev/loadgen", loadgen); err != nil {
		return err
	}
	if bin == "" {
		bin = filepath.Join(dir, "statusd")
		if err := benchproc.BuildStatusd(ctx, o.module, bin); err != nil {
			return err
		}
	}
	rev := benchproc.BinaryRevision(bin)
	sd, err := startStatusd(ctx, bin, filepath.Join(dir, "standalone"), log)
	if err != nil {
		return err
	}
	defer func() {
		if _, serr := sd.proc.Stop(); serr != nil {
			err = errors.Join(err, serr, fmt.Errorf("statusd log tail:\n%s", sd.proc.Tail(20)))
		}
	}()
	www := filepath.Join(dir, "www")
	sizes := map[string]int{}
	for _, t := range targets {
		body, err := fetch(ctx, sd.base+t.path)
		if err != nil {
			return err
		}
		sizes[t.name] = len(body)
		if err := writeFile(filepath.Join(www, t.file), body); err != nil {
			return err
		}
	}
	ng, err := startNginx(ctx, o.nginx, filepath.Join(dir, "nginx"), www, log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, ng.stop()) }()
	for _, t := range targets {
		for _, srv := range []struct {
			name, base string
			cpu        func() (float64, error)
		}{{"statusd", sd.base, sd.proc.CPUSeconds}, {"nginx", ng.base, nil}} {
			l, err := measure(ctx, loadgen, o, srv.base+t.path, srv.cpu)
			if err != nil {
				return fmt.Errorf("%s %s: %w", t.name, srv.name, err)
			}
			l.Target, l.Server, l.Path, l.Bytes, l.Revision = t.name, srv.name, t.path, sizes[t.name], rev
			if l.Requests > 0 && l.Bytes > 0 {
				if per := int(l.bodyBytes / l.Requests); per != l.Bytes {
					return fmt.Errorf("%s %s: answers of %d bytes, but the document is %d", t.name, srv.name, per, l.Bytes)
				}
			}
			if l.Requests == 0 {
				return fmt.Errorf("%s %s: no answer was a 200 (first error: %s)", t.name, srv.name, l.FirstError)
			}
			log.Info("measured", "target", t.name, "server", srv.name, "rps", l.RPS, "p50_ms", l.P50MS, "p99_ms", l.P99MS, "errors", l.Errors)
			if err := json.NewEncoder(stdout).Encode(l.line); err != nil {
				return fmt.Errorf("write result: %w", err)
			}
		}
	}
	return nil
}

// loadResult is what loadgen prints (deploy/dev/loadgen Output).
type loadResult struct {
	DurationS  float64 `json:"duration_s"`
	Requests   int64   `json:"requests"`
	Errors     int64   `json:"errors"`
	BodyBytes  int64   `json:"body_bytes"`
	RPS        float64 `json:"rps"`
	P50MS      float64 `json:"p50_ms"`
	P90MS      float64 `json:"p90_ms"`
	P99MS      float64 `json:"p99_ms"`
	MaxMS      float64 `json:"max_ms"`
	FirstError string  `json:"first_error"`
}

// measured is a line with the body bytes loadgen counted.
type measured struct {
	line
	bodyBytes int64
}

// measure runs one loadgen process against url and reads its result;
// cpu, when set, reads the server's CPU time before and after.
func measure(ctx context.Context, loadgen string, o options, url string, cpu func() (float64, error)) (*measured, error) {
	var cpu0 float64
	if cpu != nil {
		var err error
		if cpu0, err = cpu(); err != nil {
			return nil, err
		}
	}
	cmd := exec.CommandContext(ctx, loadgen, "-url", url, "-concurrency", fmt.Sprint(o.concurrency),
		"-duration", o.duration.String(), "-warmup", o.warmup.String())
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	var r loadResult
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("read loadgen's result %q: %w", out, err)
	}
	m := &measured{line: line{Bench: "page", Concurrency: o.concurrency, DurationS: r.DurationS,
		Requests: r.Requests, Errors: r.Errors, RPS: r.RPS, P50MS: r.P50MS, P90MS: r.P90MS, P99MS: r.P99MS,
		MaxMS: r.MaxMS, FirstError: r.FirstError}, bodyBytes: r.BodyBytes}
	if cpu != nil {
		cpu1, err := cpu()
		if err != nil {
			return nil, err
		}
		m.ServerCPU = float64(int64((cpu1-cpu0)*100+0.5)) / 100
	}
	return m, nil
}

// goBuild builds pkg of the module in dir to out.
func goBuild(ctx context.Context, dir, pkg, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

func writeFile(path string, body []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create directory: %w", err)
	}
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
