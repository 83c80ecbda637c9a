package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/config"
)

// TestAPICheckRunsWithinFiveSeconds runs standalone with a stand-in key
// check, creates a TCP check through the API and waits for its first
// verdict on the page: the check publisher and the evaluator are poked by
// the write, not left to their 30 s and 10 s timers.
func TestAPICheckRunsWithinFiveSeconds(t *testing.T) {
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = target.Close() }()
	go func() {
		for {
			c, err := target.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	addr := freeAddr(t)
	cfg, err := config.Parse("test.yaml", []byte(fmt.Sprintf(`
http: {addr: %q}
pages:
  - id: main
    name: Main
    components:
      - {id: api, name: API}
`, addr)), nil)
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	key := cliKey(t, dataDir, "write")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- standalone(ctx, cfg, dataDir, slog.New(slog.DiscardHandler)) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("standalone: %v", err)
		}
	}()
	base := "http://" + addr
	waitUntil(t, 10*time.Second, "standalone ready", func() bool { return get(base+"/readyz") == http.StatusOK })

	body := fmt.Sprintf(`{"id":"api-tcp","component_id":"api","interval":"1s","timeout":"1s",
		"failure_threshold":1,"success_threshold":1,"tcp":{"address":%q}}`, target.Addr().String())
	created := time.Now()
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/checks", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if err := resp.Body.Close(); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create check: %d %s %v", resp.StatusCode, b, err)
	}
	took := waitUntil(t, 5*time.Second, "first verdict of the API's check", func() bool {
		var out struct {
			Data struct {
				Data   string  `json:"data"`
				Status *string `json:"status"`
			} `json:"data"`
		}
		req, err := http.NewRequest(http.MethodGet, base+"/api/v1/components/api", nil)
		if err != nil {
			return false
		}
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer func() { _ = resp.Body.Close() }()
		if json.NewDecoder(resp.Body).Decode(&out) != nil {
			return false
		}
		return out.Data.Data == "live" && out.Data.Status != nil && *out.Data.Status == "operational"
	})
	t.Logf("an API-created check reached the page %v after the write (%v after the request began)", took, time.Since(created))
}

// cliKey creates an admin and a key of scope in dataDir's store with the
// host's command line, as an operator does, and returns the key.
func cliKey(t *testing.T, dataDir, scope string) string {
	t.Helper()
	var out, errOut strings.Builder
	if code := run(t.Context(), []string{"admin", "create", "--data-dir", dataDir, "--email", "ops@example.com", "--name", "Ops"}, &out, &errOut); code != 0 {
		t.Fatalf("statusd admin create: exit %d: %s", code, errOut.String())
	}
	out.Reset()
	if code := run(t.Context(), []string{"key", "create", "--data-dir", dataDir, "--admin", "ops@example.com", "--scope", scope}, &out, &errOut); code != 0 {
		t.Fatalf("statusd key create: exit %d: %s", code, errOut.String())
	}
	return strings.TrimSpace(out.String())
}

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

func get(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// waitUntil polls cond every 50 ms until it holds, failing the test after
// timeout; it returns how long it took.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start)
}
