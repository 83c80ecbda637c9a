package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binDir holds the binary under test; TestMain creates and removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "statusd-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	if err := os.RemoveAll(dir); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: remove binary:", err)
	}
	os.Exit(code)
}

// buildOnce builds the binary under test once per test binary run.
var buildOnce = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(binDir, "statusd")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/statusd")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func statusdBinary(t *testing.T) string {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// freeAddr returns a loopback address with a port that was free just now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// process is a statusd subcommand running as its own OS process.
type process struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{} // closed once Wait returned
}

// syncBuffer collects a process's output; exec copies into it from its
// own goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start runs the statusd binary with args as a process named name for the
// test's logs; env adds NAME=value overrides to the test's environment.
// The process is stopped with SIGTERM when the test ends, and its last
// output is logged if the test failed.
func start(t *testing.T, name string, env []string, args ...string) *process {
	t.Helper()
	p := &process{t: t, name: name, out: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(statusdBinary(t), args...)
	if len(args) > 0 && args[0] == "agent" && !slices.ContainsFunc(env, func(kv string) bool {
		return strings.HasPrefix(kv, "STATUSD_AGENT_SPOOL_DIR=")
	}) { // a spool of its own: an earlier test's leftovers stay out of this one
		env = append(env, "STATUSD_AGENT_SPOOL_DIR="+t.TempDir())
	}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		_ = p.cmd.Wait() // a signalled process exits non-zero; the output says why
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.stop(syscall.SIGTERM)
		if t.Failed() {
			t.Logf("--- %s output ---\n%s", name, lastLines(p.out.String(), 40))
		}
	})
	return p
}

// running reports whether the process has not exited yet.
func (p *process) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// stop signals the process and waits for it; it is a no-op once stopped.
func (p *process) stop(sig syscall.Signal) {
	if !p.running() {
		return
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		<-p.exited // it exited on its own meanwhile
		return
	}
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		p.t.Errorf("%s did not stop within 20s after %v", p.name, sig)
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitFor polls cond every 50 ms until it holds or the timeout passes, and
// returns how long it took.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < timeout {
		if cond() {
			return time.Since(start)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
	return 0
}

// pollUntil polls cond every 100 ms until it holds or the timeout passes,
// and reports whether it held.
func pollUntil(timeout time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(timeout); ; time.Sleep(100 * time.Millisecond) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

func httpOK(url string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// componentStatuses reads /api/v2/components.json: component ID → status.
func componentStatuses(base string) (map[string]string, error) {
	resp, err := http.Get(base + "/api/v2/components.json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("components.json: status %d", resp.StatusCode)
	}
	var body struct {
		Components []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"components"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, c := range body.Components {
		out[c.ID] = c.Status
	}
	return out, nil
}

// operatorKey creates an admin and a read key in the PostgreSQL of the
// configuration with the host's command line (statusd admin create,
// statusd key create --config), as an operator does, and returns the key:
// every /api/v1 route but openapi.json needs one. Once per deployment: the
// admin's email is unique.
func operatorKey(t *testing.T, config string) string {
	t.Helper()
	const email = "ops@e2e.test"
	cli := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(statusdBinary(t), args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("statusd %s: %v\n%s", strings.Join(args[:2], " "), err, stderr.String())
		}
		return strings.TrimSpace(stdout.String())
	}
	cli("admin", "create", "--config", config, "--email", email, "--name", "E2E operator")
	key := cli("key", "create", "--config", config, "--admin", email, "--scope", "read", "--name", "e2e")
	if key == "" {
		t.Fatal("statusd key create printed no key")
	}
	return key
}

// v1States reads /api/v1/components (one page of up to 100) with key:
// component ID → status, status_since and updated_at in Unix ms (since 0
// when null).
func v1States(ctx context.Context, base, key string) (map[string]apiState, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/components?per_page=100", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /api/v1/components: status %d", resp.StatusCode)
	}
	var body struct {
		Data []struct {
			ID          string  `json:"id"`
			Status      string  `json:"status"`
			StatusSince *string `json:"status_since"`
			UpdatedAt   string  `json:"updated_at"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("decode /api/v1/components: %w", err)
	}
	out := make(map[string]apiState, len(body.Data))
	for _, c := range body.Data {
		s := apiState{status: c.Status}
		updated, err := time.Parse(time.RFC3339Nano, c.UpdatedAt)
		if err != nil {
			return nil, fmt.Errorf("component %s: updated_at: %w", c.ID, err)
		}
		s.updated = updated.UnixMilli()
		if c.StatusSince != nil {
			since, err := time.Parse(time.RFC3339Nano, *c.StatusSince)
			if err != nil {
				return nil, fmt.Errorf("component %s: status_since: %w", c.ID, err)
			}
			s.since = since.UnixMilli()
		}
		out[c.ID] = s
	}
	return out, nil
}

// getJSON decodes the 200 answer of GET url into v.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	getJSONWith(t, "", url, v)
}

// getJSONWith is getJSON sending key as Authorization: Bearer; none for "".
func getJSONWith(t *testing.T, key, url string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", url, err)
	}
}
