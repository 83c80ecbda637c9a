package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/statusd/statusd/internal/dirlock"
)

// asMain makes the test binary run statusd itself, so that tests start
// real statusd processes without building the binary.
const asMain = "STATUSD_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMain) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// statusdProcess is a statusd process started by a test.
type statusdProcess struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
	err    error // of Wait, once done is closed
}

// startStatusd starts statusd with args; the test's end kills it.
func startStatusd(t *testing.T, args ...string) *statusdProcess {
	t.Helper()
	p := &statusdProcess{cmd: exec.Command(os.Args[0], args...), stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), asMain+"=1")
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start statusd %v: %v", args, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		if p.running() {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *statusdProcess) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// wait waits up to timeout for the process to exit and returns its code.
func (p *statusdProcess) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("statusd %v still runs after %v; stderr:\n%s", p.cmd.Args[1:], timeout, p.stderr)
	}
	var exit *exec.ExitError
	switch {
	case p.err == nil:
		return 0
	case errors.As(p.err, &exit):
		return exit.ExitCode()
	}
	t.Fatalf("wait: %v", p.err)
	return -1
}

// eventually polls cond every 20ms for up to timeout.
func eventually(timeout time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// pageURL waits until a standalone process logs the URL of its page, and
// answers on it, and returns it.
func (p *statusdProcess) pageURL(t *testing.T) string {
	t.Helper()
	var url string
	if !eventually(20*time.Second, func() bool {
		_, rest, ok := strings.Cut(p.stderr.String(), " page=")
		url, _, _ = strings.Cut(rest, " ")
		if !ok || !strings.HasSuffix(url, "/") {
			return false
		}
		resp, err := http.Get(url + "healthz")
		if err != nil {
			return false
		}
		return resp.Body.Close() == nil && resp.StatusCode == http.StatusOK
	}) {
		t.Fatalf("standalone does not serve; stderr:\n%s", p.stderr)
	}
	return url
}

// lockHolder reads the lock file of a data directory.
func lockHolder(dir string) (dirlock.Holder, bool) {
	var h dirlock.Holder
	data, err := os.ReadFile(filepath.Join(dir, dirlock.DefaultName))
	return h, err == nil && json.Unmarshal(data, &h) == nil
}

// TestStandaloneOwnsItsDataDir: a second standalone on the data directory
// of a running one refuses to start and names it; the lock goes with the
// first, whether it stops or is killed.
func TestStandaloneOwnsItsDataDir(t *testing.T) {
	dir := t.TempDir()
	first := startStatusd(t, "standalone", "--data-dir", dir, "--http-addr", "127.0.0.1:0")
	var holder dirlock.Holder
	if !eventually(20*time.Second, func() bool {
		var ok bool
		holder, ok = lockHolder(dir)
		return ok && holder.PID == first.cmd.Process.Pid
	}) {
		t.Fatalf("the first standalone does not hold %s (holder %+v); stderr:\n%s", dir, holder, first.stderr)
	}

	second := startStatusd(t, "standalone", "--data-dir", dir, "--http-addr", "127.0.0.1:0")
	if code := second.wait(t, 10*time.Second); code != exitFailed {
		t.Errorf("second standalone: exit %d, want %d", code, exitFailed)
	}
	want := fmt.Sprintf("lock data directory: directory %s is in use by pid %d on host %s since %s",
		dir, holder.PID, holder.Host, holder.Since.Format(time.RFC3339))
	if !strings.Contains(second.stderr.String(), want) {
		t.Errorf("second standalone's stderr lacks %q:\n%s", want, second.stderr)
	}
	if !first.running() {
		t.Fatalf("the first standalone stopped; stderr:\n%s", first.stderr)
	}
	first.pageURL(t) // stopped while it starts, it fails (context canceled)

	if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := first.wait(t, 15*time.Second); code != exitOK {
		t.Errorf("first standalone: exit %d after SIGTERM; stderr:\n%s", code, first.stderr)
	}
	if data, err := os.ReadFile(filepath.Join(dir, dirlock.DefaultName)); err != nil || len(data) != 0 {
		t.Errorf("lock file after a clean stop: %q, %v; want it empty", data, err)
	}

	// A killed holder leaves its record; the kernel dropped its lock.
	killed := startStatusd(t, "standalone", "--data-dir", dir, "--http-addr", "127.0.0.1:0")
	if !eventually(20*time.Second, func() bool { h, ok := lockHolder(dir); return ok && h.PID == killed.cmd.Process.Pid }) {
		t.Fatalf("the third standalone does not hold %s; stderr:\n%s", dir, killed.stderr)
	}
	if err := killed.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed.wait(t, 10*time.Second)
	l, err := dirlock.Acquire(dirlock.Options{Dir: dir})
	if err != nil {
		t.Fatalf("lock after the holder was killed: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
}

// occupied returns the address of a port the test listens on.
func occupied(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return ln.Addr().String()
}

// TestBusyPortFailsFastAndChangesNothing: with its port taken, standalone
// stops before it creates a database, and the aggregator before it opens
// a store (those of the file do not even exist).
func TestBusyPortFailsFastAndChangesNothing(t *testing.T) {
	addr := occupied(t)
	t.Run("standalone", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		start := time.Now()
		code, _, stderr := runCmd(t, "standalone", "--data-dir", dir, "--http-addr", addr)
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("took %v to fail", elapsed)
		}
		if want := "listen on " + addr + ": "; code != exitFailed || !strings.Contains(stderr, want) {
			t.Fatalf("exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if info, err := e.Info(); err != nil || e.Name() != dirlock.DefaultName || info.Size() != 0 {
				t.Errorf("data directory holds %s (%v); want only an empty %s", e.Name(), err, dirlock.DefaultName)
			}
		}
	})
	t.Run("aggregator", func(t *testing.T) {
		cfg := writeFile(t, "statusd.yaml", fmt.Sprintf("http: {addr: %q}\n"+
			"kafka: {brokers: [\"127.0.0.1:1\"]}\nclickhouse: {addr: [\"127.0.0.1:1\"]}\n"+
			"postgres: {dsn: \"postgres://statusd@127.0.0.1:1/statusd?connect_timeout=1\"}\n", addr))
		start := time.Now()
		code, _, stderr := runCmd(t, "aggregator", "--config", cfg)
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("took %v to fail", elapsed)
		}
		if want := "listen on " + addr + ": "; code != exitFailed || !strings.Contains(stderr, want) {
			t.Fatalf("exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
		}
	})
}

// getBody GETs url and returns the body of a 200 answer.
func getBody(url string) (string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return "", err
	}
	body, err := io.ReadAll(resp.Body)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return string(body), err
}

// TestExampleFollowsTheListener: the built-in example on a port other
// than 8080, here one the kernel picks, probes statusd where it listens:
// its own components turn operational (only the retired one fails) and
// the page links to that address.
func TestExampleFollowsTheListener(t *testing.T) {
	p := startStatusd(t, "standalone", "--data-dir", t.TempDir(), "--http-addr", "127.0.0.1:0")
	base := p.pageURL(t)
	successes := func() int {
		metrics, err := getBody(base + "metrics")
		if err != nil {
			return 0
		}
		for line := range strings.Lines(metrics) {
			if rest, ok := strings.CutPrefix(line, `statusd_agent_probes_total{result="success",type="http"} `); ok {
				n, _ := strconv.Atoi(strings.TrimSpace(rest))
				return n
			}
		}
		return 0
	}
	var statuses map[string]string
	// Two runs of each of the four checks of statusd itself, and the
	// retired service in outage after its two failures.
	if !eventually(40*time.Second, func() bool {
		var err error
		statuses, err = componentStatuses(base)
		return err == nil && statuses["legacy-billing"] == "major_outage" && successes() >= 8
	}) {
		t.Fatalf("statuses %v, %d successful probes; stderr:\n%s", statuses, successes(), p.stderr)
	}
	for _, id := range []string{"status-page", "api", "backend", "metrics", "readiness"} {
		if statuses[id] != "operational" {
			t.Errorf("component %s is %q, want operational (all: %v)", id, statuses[id], statuses)
		}
	}
	summary, err := getBody(base + "api/v2/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Page struct {
			URL string `json:"url"`
		} `json:"page"`
	}
	if err := json.Unmarshal([]byte(summary), &page); err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSuffix(base, "/"); page.Page.URL != want { // as Statuspage: no trailing slash
		t.Errorf("page url %q, want %q", page.Page.URL, want)
	}
}

// componentStatuses reads /api/v2/components.json: component ID → status.
func componentStatuses(base string) (map[string]string, error) {
	body, err := getBody(base + "api/v2/components.json")
	if err != nil {
		return nil, err
	}
	var v struct {
		Components []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, c := range v.Components {
		out[c.ID] = c.Status
	}
	return out, nil
}

// TestMigrateDataDirTakesTheLock: `statusd migrate --data-dir` does not
// migrate under a running standalone, and does once it is gone.
func TestMigrateDataDirTakesTheLock(t *testing.T) {
	dir := t.TempDir()
	l, err := dirlock.Acquire(dirlock.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, "migrate", "--data-dir", dir)
	if want := "statusd migrate: lock data directory: directory " + dir + " is in use by pid "; code != exitFailed || !strings.HasPrefix(stderr, want) {
		t.Errorf("migrate of a held directory: exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "statusd.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("migrate of a held directory created the database: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runCmd(t, "migrate", "--data-dir", dir); code != exitOK || !strings.HasPrefix(stdout, "migrated ") {
		t.Errorf("migrate: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
