package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/segmentio/kafka-go"

	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/wire"
)

const (
	interval         = time.Second
	failureThreshold = 3
	successThreshold = 2
	loadComponents   = 20 // steady stream of results for the SIGKILL phase
)

type pipeline struct {
	kafka, prefix        string
	chAddr, chDB         string
	aggAddr, agentAddr   string
	configPath           string
	targetUp             atomic.Bool
	target               *httptest.Server
	aggregator, agentRun *process
}

func newPipeline(t *testing.T) *pipeline {
	p := &pipeline{kafka: testenv.Kafka(t), prefix: testenv.TopicPrefix()}
	p.chAddr, p.chDB = testenv.ClickHouse(t)
	pg := testenv.Postgres(t)
	p.targetUp.Store(true)
	p.target = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" && !p.targetUp.Load() {
			http.Error(w, "down for the test", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(p.target.Close)
	p.aggAddr, p.agentAddr = freeAddr(t), freeAddr(t)
	var comps strings.Builder
	for i := range loadComponents {
		fmt.Fprintf(&comps, `
      - id: load-%02d
        name: Load %02d
        checks:
          - id: load-%02d-http
            type: http
            interval: 1s
            timeout: 500ms
            http: {url: "%s/ok"}`, i, i, i, p.target.URL)
	}
	cfg := fmt.Sprintf(`http: {addr: "%s"}
kafka: {brokers: ["%s"], topic_prefix: "%s", results_partitions: 12, linger: 5ms}
clickhouse: {addr: ["%s"], database: "%s"}
postgres: {dsn: "%s"}
agent: {id: e2e-agent, region: e2e, http_addr: "%s"}
aggregator: {group_id: "%saggregator", batch_wait: 200ms}
pages:
  - id: e2e
    name: End to end
    components:
      - id: target
        name: Target
        checks:
          - id: target-http
            type: http
            interval: 1s
            timeout: 500ms
            failure_threshold: %d
            success_threshold: %d
            http: {url: "%s/health"}%s
`, p.aggAddr, p.kafka, p.prefix, p.chAddr, p.chDB, pg, p.agentAddr, p.prefix,
		failureThreshold, successThreshold, p.target.URL, comps.String())
	p.configPath = filepath.Join(t.TempDir(), "statusd.yaml")
	if err := os.WriteFile(p.configPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *pipeline) startAggregator(t *testing.T) {
	p.aggregator = start(t, "aggregator", "aggregator", "--config", p.configPath)
	waitFor(t, 60*time.Second, "aggregator /readyz", func() bool { return httpOK("http://" + p.aggAddr + "/readyz") })
}

func (p *pipeline) status(t *testing.T, id string) string {
	t.Helper()
	st, err := componentStatuses("http://" + p.aggAddr)
	if err != nil {
		return "unavailable: " + err.Error()
	}
	return st[id]
}

// TestPipeline runs agent and aggregator as separate processes against the
// real services: detection and recovery times, then exactly-once storage
// across an aggregator SIGKILL.
func TestPipeline(t *testing.T) {
	p := newPipeline(t)
	p.startAggregator(t)
	p.agentRun = start(t, "agent", "agent", "--config", p.configPath)
	waitFor(t, 30*time.Second, "agent /readyz", func() bool { return httpOK("http://" + p.agentAddr + "/readyz") })
	ch := openClickHouse(t, p.chAddr)
	waitFor(t, 30*time.Second, "first results in ClickHouse", func() bool { rows, _ := p.count(t, ch); return rows > 0 })
	if got := p.status(t, "target"); got != "operational" {
		t.Fatalf("target starts %q, want operational", got)
	}

	// Detection: target down → major_outage within interval × threshold + 2 s.
	p.targetUp.Store(false)
	limit := interval*failureThreshold + 2*time.Second
	took := waitFor(t, limit, "target major_outage", func() bool { return p.status(t, "target") == "major_outage" })
	t.Logf("MEASURED down detection: %s (bound %s)", took.Round(time.Millisecond), limit)
	var unresolved struct {
		Incidents []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"incidents"`
	}
	getJSON(t, "http://"+p.aggAddr+"/api/v2/incidents/unresolved.json", &unresolved)
	if len(unresolved.Incidents) != 1 || unresolved.Incidents[0].Status != "investigating" {
		t.Fatalf("unresolved incidents = %+v, want one automatic incident investigating", unresolved.Incidents)
	}

	// Recovery: target up → operational within interval × threshold + 2 s.
	p.targetUp.Store(true)
	limit = interval*successThreshold + 2*time.Second
	took = waitFor(t, limit, "target operational", func() bool { return p.status(t, "target") == "operational" })
	t.Logf("MEASURED recovery detection: %s (bound %s)", took.Round(time.Millisecond), limit)
	getJSON(t, "http://"+p.aggAddr+"/api/v2/incidents/unresolved.json", &unresolved)
	if len(unresolved.Incidents) != 0 {
		t.Fatalf("after recovery unresolved incidents = %+v, want none", unresolved.Incidents)
	}

	// Malformed messages on the results topic are counted and skipped.
	p.produceJunk(t)
	waitFor(t, 10*time.Second, "malformed messages counted", func() bool {
		m := metrics("http://" + p.aggAddr + "/metrics")
		return strings.Contains(m, `statusd_aggregator_malformed_messages_total{kind="syntax"} 1`) &&
			strings.Contains(m, `statusd_aggregator_malformed_messages_total{kind="version"} 1`)
	})

	// Exactly once: SIGKILL the aggregator mid-stream, restart it, and
	// compare every result on the topic with ClickHouse.
	beforeKill, _ := p.count(t, ch)
	p.aggregator.stop(syscall.SIGKILL)
	time.Sleep(2 * time.Second) // the agent keeps producing meanwhile
	p.startAggregator(t)
	time.Sleep(3 * time.Second)
	p.agentRun.stop(syscall.SIGTERM) // flushes its queue
	onTopic, messages := p.topicResultIDs(t)
	var rows, distinct uint64
	waitFor(t, 60*time.Second, "ClickHouse to hold every result on the topic", func() bool {
		rows, distinct = p.count(t, ch)
		return distinct >= uint64(len(onTopic))
	})
	time.Sleep(2 * time.Second) // let any late duplicate land before counting
	rows, distinct = p.count(t, ch)
	t.Logf("MEASURED rows: topic messages %d, distinct result ids on topic %d, ClickHouse rows %d, distinct in ClickHouse %d (rows before kill %d)",
		messages, len(onTopic), rows, distinct, beforeKill)
	if rows != distinct || distinct != uint64(len(onTopic)) {
		t.Fatalf("ClickHouse holds %d rows with %d distinct ids; the topic has %d distinct results: want all equal",
			rows, distinct, len(onTopic))
	}
	if beforeKill == 0 || uint64(len(onTopic)) <= beforeKill {
		t.Fatalf("the kill was not mid-stream: %d rows before it, %d results in all", beforeKill, len(onTopic))
	}
}

// produceJunk writes one unparseable and one future-version message to
// the results topic.
func (p *pipeline) produceJunk(t *testing.T) {
	t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(p.kafka), Topic: p.prefix + "results", RequiredAcks: kafka.RequireAll, BatchTimeout: 5 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := w.WriteMessages(ctx, kafka.Message{Key: []byte("target"), Value: []byte("not json")},
		kafka.Message{Key: []byte("target"), Value: []byte(`{"v":99,"id":"x"}`)})
	if err != nil {
		t.Fatalf("produce malformed messages: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func metrics(url string) string {
	resp, err := http.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return ""
	}
	return string(b)
}

func openClickHouse(t *testing.T, addr string) clickhouse.Conn {
	t.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := conn.Close(); err != nil {
			t.Error(err)
		}
	})
	return conn
}

// count returns the rows and distinct result IDs in ClickHouse.
func (p *pipeline) count(t *testing.T, conn clickhouse.Conn) (rows, distinct uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := conn.QueryRow(ctx, "SELECT count(), uniqExact(result_id) FROM "+p.chDB+".results").Scan(&rows, &distinct)
	if err != nil && !strings.Contains(err.Error(), "doesn't exist") {
		t.Fatalf("count results in clickhouse: %v", err)
	}
	return rows, distinct
}

// topicResultIDs reads every partition of the results topic to its end and
// returns the distinct result IDs and the number of messages; the two
// malformed messages the test wrote are the only undecodable ones.
func (p *pipeline) topicResultIDs(t *testing.T) (map[string]bool, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topic := p.prefix + "results"
	client := &kafka.Client{Addr: kafka.TCP(p.kafka)}
	var reqs []kafka.OffsetRequest
	for part := range 12 {
		reqs = append(reqs, kafka.LastOffsetOf(part))
	}
	resp, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		t.Fatalf("list offsets: %v", err)
	}
	ids, messages, malformed := map[string]bool{}, 0, 0
	for _, po := range resp.Topics[topic] {
		if po.Error != nil {
			t.Fatalf("list offsets of partition %d: %v", po.Partition, po.Error)
		}
		if po.LastOffset == 0 {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{p.kafka}, Topic: topic, Partition: po.Partition, MaxWait: 200 * time.Millisecond})
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatalf("read partition %d: %v", po.Partition, err)
			}
			messages++
			if r, err := wire.DecodeResult(m.Value); err == nil {
				ids[r.ID] = true
			} else {
				malformed++
			}
			if m.Offset >= po.LastOffset-1 {
				break
			}
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if malformed != 2 {
		t.Fatalf("found %d undecodable messages on the topic, want the 2 the test wrote", malformed)
	}
	return ids, messages
}
