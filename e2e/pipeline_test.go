package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/statusd/statusd/wire"
)

const (
	interval         = time.Second
	failureThreshold = 3
	successThreshold = 2
	loadComponents   = 20 // steady stream of results for the SIGKILL phase
)

type pipeline struct {
	*stack
	agentAddr  string
	configPath string
	targetUp   atomic.Bool
	target     *httptest.Server
	aggregator *aggregatorProc
	agentRun   *process
}

func newPipeline(t *testing.T) *pipeline {
	p := &pipeline{stack: newStack(t), agentAddr: freeAddr(t)}
	p.targetUp.Store(true)
	p.target = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" && !p.targetUp.Load() {
			http.Error(w, "down for the test", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(p.target.Close)
	comps := append([]componentSpec{{id: "target", url: p.target.URL + "/health",
		failureThreshold: failureThreshold, successThreshold: successThreshold}},
		numberedComponents("load", loadComponents, p.target.URL+"/ok", nil)...)
	p.configPath = p.writeConfig(t, comps)
	return p
}

func (p *pipeline) startAggregator(t *testing.T) {
	p.aggregator = startAggregator(t, "aggregator", p.configPath, p.prefix+"aggregator")
}

func (p *pipeline) status(t *testing.T, id string) string {
	t.Helper()
	st, err := componentStatuses(p.aggregator.base())
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
	p.agentRun = start(t, "agent", []string{"STATUSD_AGENT_HTTP_ADDR=" + p.agentAddr}, "agent", "--config", p.configPath)
	waitFor(t, 30*time.Second, "agent /readyz", func() bool { return httpOK("http://" + p.agentAddr + "/readyz") })
	ch := openSeries(t, p.stack)
	waitFor(t, 30*time.Second, "first results in ClickHouse", func() bool { rows, _ := ch.counts(t); return rows > 0 })
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
	getJSON(t, p.aggregator.base()+"/api/v2/incidents/unresolved.json", &unresolved)
	if len(unresolved.Incidents) != 1 || unresolved.Incidents[0].Status != "investigating" {
		t.Fatalf("unresolved incidents = %+v, want one automatic incident investigating", unresolved.Incidents)
	}

	// Recovery: target up → operational within interval × threshold + 2 s.
	p.targetUp.Store(true)
	limit = interval*successThreshold + 2*time.Second
	took = waitFor(t, limit, "target operational", func() bool { return p.status(t, "target") == "operational" })
	t.Logf("MEASURED recovery detection: %s (bound %s)", took.Round(time.Millisecond), limit)
	getJSON(t, p.aggregator.base()+"/api/v2/incidents/unresolved.json", &unresolved)
	if len(unresolved.Incidents) != 0 {
		t.Fatalf("after recovery unresolved incidents = %+v, want none", unresolved.Incidents)
	}

	// Malformed messages on the results topic are counted and skipped.
	p.produceJunk(t)
	waitFor(t, 10*time.Second, "malformed messages counted", func() bool {
		m := metrics(p.aggregator.base() + "/metrics")
		return strings.Contains(m, `statusd_aggregator_malformed_messages_total{kind="syntax"} 1`) &&
			strings.Contains(m, `statusd_aggregator_malformed_messages_total{kind="version"} 1`)
	})

	// Exactly once: SIGKILL the aggregator mid-stream, restart it, and
	// compare every result on the topic with ClickHouse.
	beforeKill, _ := ch.counts(t)
	p.aggregator.stop(syscall.SIGKILL)
	time.Sleep(2 * time.Second) // the agent keeps producing meanwhile
	p.startAggregator(t)
	time.Sleep(3 * time.Second)
	p.agentRun.stop(syscall.SIGTERM) // flushes its queue
	onTopic, messages := p.topicResultIDs(t)
	var rows, distinct uint64
	waitFor(t, 60*time.Second, "ClickHouse to hold every result on the topic", func() bool {
		rows, distinct = ch.counts(t)
		return distinct >= uint64(len(onTopic))
	})
	time.Sleep(2 * time.Second) // let any late duplicate land before counting
	rows, distinct = ch.counts(t)
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
	w := newResultWriter(t, p.kafka, p.resultsTopic())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := w.WriteMessages(ctx, kafka.Message{Key: []byte("target"), Value: []byte("not json")},
		kafka.Message{Key: []byte("target"), Value: []byte(`{"v":99,"id":"x"}`)})
	if err != nil {
		t.Fatalf("produce malformed messages: %v", err)
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

// topicResultIDs reads the results topic to its end and returns the
// distinct result IDs and the number of messages; the two malformed
// messages the test wrote are the only undecodable ones.
func (p *pipeline) topicResultIDs(t *testing.T) (map[string]bool, int) {
	t.Helper()
	msgs := readTopic(t, p.kafka, p.resultsTopic())
	ids, malformed := map[string]bool{}, 0
	for _, m := range msgs {
		if r, err := wire.DecodeResult(m.value); err == nil {
			ids[r.ID] = true
		} else {
			malformed++
		}
	}
	if malformed != 2 {
		t.Fatalf("found %d undecodable messages on the topic, want the 2 the test wrote", malformed)
	}
	return ids, len(msgs)
}
