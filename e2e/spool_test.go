package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/transport/kafkabus"
)

// The reliability tests run the real agent against a broker of their own
// (deploy/dev/kafka, never the shared one) and stop that broker with
// SIGSTOP, resuming it with SIGCONT. kfake keeps its log in memory, so a
// broker killed and started again would lose what it held before; a
// stopped one keeps it, and every result from the first to the last can be
// checked on it. A stopped broker also accepts connections and never
// answers, the harder case for a client: writes hang until they time out.
// Connection refused is covered by the publisher's own tests.

const (
	spoolChecks   = 10
	spoolInterval = time.Second
)

var buildBroker = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(binDir, "kafka")
	cmd := exec.Command("go", "build", "-o", bin, "./deploy/dev/kafka")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build kafka: %v\n%s", err, out)
	}
	return bin, nil
})

// ownBroker is a dev broker process on a free loopback port.
type ownBroker struct {
	addr string
	cmd  *exec.Cmd
}

func startOwnBroker(t *testing.T) *ownBroker {
	t.Helper()
	bin, err := buildBroker()
	if err != nil {
		t.Fatal(err)
	}
	b := &ownBroker{addr: freeAddr(t)}
	b.cmd = exec.Command(bin, "-listen", b.addr)
	out := &syncBuffer{}
	b.cmd.Stdout, b.cmd.Stderr = out, out
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start broker: %v", err)
	}
	t.Cleanup(func() {
		_ = b.cmd.Process.Signal(syscall.SIGCONT)
		_ = b.cmd.Process.Signal(syscall.SIGTERM)
		_ = b.cmd.Wait()
	})
	waitFor(t, 20*time.Second, "the test's broker to listen", func() bool { return strings.Contains(out.String(), "listening") })
	return b
}

func (b *ownBroker) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := b.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal broker %v: %v", sig, err)
	}
}

// spoolRig is a broker, a loopback target, checks on the broker and an
// agent configuration with a spool directory of its own.
type spoolRig struct {
	broker              *ownBroker
	prefix, config, dir string
	agentAddr           string
	agent               *process
}

func newSpoolRig(t *testing.T) *spoolRig {
	t.Helper()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	t.Cleanup(target.Close)
	r := &spoolRig{broker: startOwnBroker(t), prefix: testenv.TopicPrefix(), dir: filepath.Join(t.TempDir(), "spool")}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topics := kafkabus.TopicsWithPrefix(r.prefix)
	if err := kafkabus.EnsureTopics(ctx, []string{r.broker.addr}, topics, resultsPartitions); err != nil {
		t.Fatal(err)
	}
	pub, err := kafkabus.NewCheckPublisher(kafkabus.CheckPublisherOptions{Brokers: []string{r.broker.addr}, Topic: topics.Checks})
	if err != nil {
		t.Fatal(err)
	}
	var checks []catalog.Check
	for i := range spoolChecks {
		c := catalog.Check{ID: fmt.Sprintf("spool-%02d-http", i), ComponentID: fmt.Sprintf("spool-%02d", i), Type: catalog.TypeHTTP,
			Interval: spoolInterval, Timeout: 500 * time.Millisecond, HTTP: &catalog.HTTPSpec{URL: target.URL}, Version: 1}
		c.ApplyDefaults()
		checks = append(checks, c)
	}
	if err := pub.SyncChecks(ctx, checks); err != nil {
		t.Fatal(err)
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	r.config = filepath.Join(t.TempDir(), "statusd.yaml")
	cfg := fmt.Sprintf(`kafka: {brokers: ["%s"], topic_prefix: "%s", results_partitions: %d, linger: 5ms}
agent: {id: e2e-spool-agent, region: e2e, http_addr: "127.0.0.1:0", heartbeat_interval: 1s}
`, r.broker.addr, r.prefix, resultsPartitions)
	if err := os.WriteFile(r.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

// startAgent starts the agent on the rig's spool and waits until it is
// ready.
func (r *spoolRig) startAgent(t *testing.T) {
	t.Helper()
	r.agentAddr = freeAddr(t)
	r.agent = start(t, "agent", []string{"STATUSD_AGENT_HTTP_ADDR=" + r.agentAddr, "STATUSD_AGENT_SPOOL_DIR=" + r.dir},
		"agent", "--config", r.config)
	waitFor(t, 30*time.Second, "the agent to be ready", func() bool { return httpOK("http://" + r.agentAddr + "/readyz") })
}

// metric reads one unlabelled sample from the agent's /metrics; -1 when
// it cannot.
func (r *spoolRig) metric(name string) float64 {
	resp, err := http.Get("http://" + r.agentAddr + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

// skipped is how many ticks the agent says it did not run (its previous
// run unfinished, or it was stalled past them), over every check type; -1
// when it cannot be read.
func (r *spoolRig) skipped() int {
	resp, err := http.Get("http://" + r.agentAddr + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sum := 0.0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "statusd_agent_skipped_runs_total{")
		if !ok {
			continue
		}
		_, v, _ := strings.Cut(line, "} ")
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return -1
		}
		sum += f
	}
	return int(sum)
}

// waitDrained waits until the agent holds nothing: queue and spool empty.
func (r *spoolRig) waitDrained(t *testing.T) time.Duration {
	t.Helper()
	return waitFor(t, 60*time.Second, "the spool to drain", func() bool {
		return r.metric("statusd_agent_spool_records") == 0 && r.metric("statusd_agent_spool_bytes") == 0 &&
			r.metric("statusd_agent_publish_queue_length") == 0
	})
}

// spoolFileBytes is the size of the segment files left in the spool dir.
func (r *spoolRig) spoolFileBytes(t *testing.T) int64 {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(r.dir, "*.seg"))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, s := range segs {
		fi, err := os.Stat(s)
		if err != nil {
			t.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}
