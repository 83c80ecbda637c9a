package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/wire"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const checksHead = "pages:\n  - id: main\n    name: Main\n    components:\n      - id: api\n        name: API\n        checks:\n"

func TestAgentRejectsInvalidChecksFile(t *testing.T) {
	cfg := writeFile(t, "statusd.yaml", "agent: {id: a1, region: eu-west}\n")
	checks := writeFile(t, "checks.yaml", checksHead+
		"          - id: bad-dns\n            dns: {server: 192.0.2.53, name: example.com, type: AAAAA}\n"+
		"          - id: bad-port\n            tcp: {address: \"db.example:99999\"}\n")
	code, _, stderr := runCmd(t, "agent", "--config", cfg, "--checks", checks)
	want := []string{
		checks + `:9: check "bad-dns": dns.type: is not a DNS record type: "AAAAA"`,
		checks + `:11: check "bad-port": tcp.address: port must be 1-65535, got "99999"`,
	}
	if code != exitUsage {
		t.Fatalf("exit %d, want 2; stderr %q", code, stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
}

// TestAgentRunsLocalChecksFile runs the agent on a checks file against the
// dev Kafka broker and reads its results back: the checks of its region
// and of every region run, the other region's does not.
func TestAgentRunsLocalChecksFile(t *testing.T) {
	broker, prefix := testenv.Kafka(t), testenv.TopicPrefix()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") }))
	t.Cleanup(target.Close)
	cfg := writeFile(t, "statusd.yaml", fmt.Sprintf("kafka: {brokers: [%q], topic_prefix: %q, results_partitions: 1, linger: 1ms}\n"+
		"agent: {id: a1, region: eu-west, http_addr: \"127.0.0.1:0\", heartbeat_interval: 1s}\n", broker, prefix))
	checks := writeFile(t, "checks.yaml", checksHead+fmt.Sprintf(
		"          - {id: mine, interval: 1s, regions: [eu-west], http: {url: %q}}\n"+
			"          - {id: everywhere, interval: 1s, tcp: {address: %q}}\n"+
			"          - {id: theirs, interval: 1s, regions: [us-east], http: {url: %q}}\n",
		target.URL, strings.TrimPrefix(target.URL, "http://"), target.URL))

	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer // the agent logs to it while the test reads it
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"agent", "--config", cfg, "--checks", checks}, &bytes.Buffer{}, &stderr)
	}()
	defer func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("agent exit %d:\n%s", code, stderr.String())
		}
	}()

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{broker}, Topic: prefix + "results", Partition: 0,
		MaxWait: 200 * time.Millisecond})
	t.Cleanup(func() { _ = r.Close() })
	readCtx, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	runs := map[string]int{}
	for runs["mine"] < 2 || runs["everywhere"] < 2 {
		m, err := r.ReadMessage(readCtx)
		if err != nil {
			t.Fatalf("read results (so far %v): %v\nagent log:\n%s", runs, err, stderr.String())
		}
		res, err := wire.DecodeResult(m.Value)
		if err != nil {
			t.Fatalf("decode result: %v", err)
		}
		if !res.Success || res.Region != "eu-west" || res.ComponentID != "api" {
			t.Errorf("result %+v, want a success of component api from eu-west", res)
		}
		runs[res.CheckID]++
	}
	if runs["theirs"] != 0 {
		t.Errorf("the other region's check ran %d times", runs["theirs"])
	}
}

// TestFileLimits: the configuration and the agent's checks file are read
// up to config.MaxFileSize and config.MaxDepth, whichever command reads
// them; /dev/zero ends with an error naming the limit, not out of memory.
func TestFileLimits(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip(err)
	}
	cfg := writeFile(t, "statusd.yaml", "agent: {id: a1, region: eu-west}\n")
	deep := writeFile(t, "deep.yaml", checksHead+"          - "+strings.Repeat("[", 10000)+strings.Repeat("]", 10000)+"\n")
	size := "/dev/zero: the file is larger than the limit of 4 MiB (4194304 bytes)"
	depth := deep + ":8: mappings and lists nest deeper than the limit of 64 levels"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"validate endless", []string{"validate", "/dev/zero"}, size},
		{"validate deep", []string{"validate", deep}, depth},
		{"agent checks endless", []string{"agent", "--config", cfg, "--checks", "/dev/zero"}, size},
		{"agent checks deep", []string{"agent", "--config", cfg, "--checks", deep}, depth},
		{"agent config endless", []string{"agent", "--config", "/dev/zero"}, size},
		{"standalone config endless", []string{"standalone", "--config", "/dev/zero"}, size},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, tt.args...)
			if code != exitUsage || strings.TrimSpace(stderr) != tt.want {
				t.Fatalf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tt.want)
			}
		})
	}
}
