package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/internal/testenv"
)

// resultsPartitions is the partition count of every test's results topic.
const resultsPartitions = 12

// stack is one deployment's shared services: a topic prefix on the broker
// and a ClickHouse and a PostgreSQL database of its own.
type stack struct {
	kafka, prefix string
	chAddr, chDB  string
	pg            string
}

// newStack returns a fresh topic prefix and fresh databases.
func newStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{kafka: testenv.Kafka(t), prefix: testenv.TopicPrefix(), pg: testenv.Postgres(t)}
	s.chAddr, s.chDB = testenv.ClickHouse(t)
	return s
}

// freshStores returns a stack on the same topics with fresh databases: a
// second, independent deployment over the same messages.
func (s *stack) freshStores(t *testing.T) *stack {
	t.Helper()
	out := &stack{kafka: s.kafka, prefix: s.prefix, pg: testenv.Postgres(t)}
	out.chAddr, out.chDB = testenv.ClickHouse(t)
	return out
}

func (s *stack) resultsTopic() string { return s.prefix + "results" }

// componentSpec is one declared component with one HTTP check.
type componentSpec struct {
	id               string
	url              string
	regions          []string // nil: every region
	failureThreshold int
	successThreshold int
}

func (c componentSpec) checkID() string { return c.id + "-http" }

// numberedComponents returns n components named prefix-000 … checked by
// the given regions with the package's thresholds; url is never fetched
// when results come from simulated agents.
func numberedComponents(prefix string, n int, url string, regions []string) []componentSpec {
	out := make([]componentSpec, n)
	for i := range out {
		out[i] = componentSpec{id: fmt.Sprintf("%s-%03d", prefix, i), url: url, regions: regions,
			failureThreshold: failureThreshold, successThreshold: successThreshold}
	}
	return out
}

// componentIDs returns the IDs of comps in order.
func componentIDs(comps []componentSpec) []string {
	ids := make([]string, len(comps))
	for i, c := range comps {
		ids[i] = c.id
	}
	return ids
}

// configYAML renders a configuration for the stack with one page holding
// comps. Each process overrides http.addr, agent.http_addr and the group
// from its environment (see aggregatorEnv). The tests poll /api/v1 with one
// key up to 20 times a second, over its default rate limit of 10.
func (s *stack) configYAML(comps []componentSpec) string {
	var b strings.Builder
	fmt.Fprintf(&b, `http: {addr: "127.0.0.1:0"}
api: {rate_limit: 1000, rate_burst: 1000}
kafka: {brokers: ["%s"], topic_prefix: "%s", results_partitions: %d, linger: 5ms}
clickhouse: {addr: ["%s"], database: "%s"}
postgres: {dsn: "%s"}
agent: {id: e2e-agent, region: e2e, http_addr: "127.0.0.1:0"}
aggregator: {group_id: "%saggregator", batch_wait: 200ms}
pages:
  - id: e2e
    name: End to end
    components:`, s.kafka, s.prefix, resultsPartitions, s.chAddr, s.chDB, s.pg, s.prefix)
	for _, c := range comps {
		fmt.Fprintf(&b, `
      - id: %s
        name: Component %s
        checks:
          - id: %s
            type: http
            interval: %s
            timeout: 500ms
            failure_threshold: %d
            success_threshold: %d`, c.id, c.id, c.checkID(), interval, c.failureThreshold, c.successThreshold)
		if len(c.regions) > 0 {
			fmt.Fprintf(&b, "\n            regions: [%s]", strings.Join(c.regions, ", "))
		}
		fmt.Fprintf(&b, "\n            http: {url: %q}", c.url)
	}
	b.WriteString("\n")
	return b.String()
}

// writeConfig writes the stack's configuration for comps to a file.
func (s *stack) writeConfig(t *testing.T, comps []componentSpec) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "statusd.yaml")
	if err := os.WriteFile(path, []byte(s.configYAML(comps)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// aggregatorProc is an aggregator process and what it needs to restart
// as the same member of the same deployment.
type aggregatorProc struct {
	*process
	name, config, group, addr string
	starts                    int
}

// startAggregator starts an aggregator with the configuration on a free
// port in the given consumer group and waits until it is ready.
func startAggregator(t *testing.T, name, config, group string) *aggregatorProc {
	t.Helper()
	a := spawnAggregator(t, name, config, group)
	a.waitReady(t)
	return a
}

// spawnAggregator starts an aggregator without waiting for it.
func spawnAggregator(t *testing.T, name, config, group string) *aggregatorProc {
	t.Helper()
	a := &aggregatorProc{name: name, config: config, group: group, addr: freeAddr(t)}
	a.spawn(t)
	return a
}

func (a *aggregatorProc) spawn(t *testing.T) {
	t.Helper()
	a.starts++
	env := []string{"STATUSD_HTTP_ADDR=" + a.addr, "STATUSD_AGGREGATOR_GROUP_ID=" + a.group}
	a.process = start(t, fmt.Sprintf("%s (start %d)", a.name, a.starts), env, "aggregator", "--config", a.config)
}

// restart starts the aggregator again on its address and group, without
// waiting for it; the previous process must have exited.
func (a *aggregatorProc) restart(t *testing.T) {
	t.Helper()
	if a.running() {
		t.Fatalf("restart %s: it is still running", a.name)
	}
	a.spawn(t)
}

func (a *aggregatorProc) base() string { return "http://" + a.addr }

func (a *aggregatorProc) ready() bool { return httpOK(a.base() + "/readyz") }

func (a *aggregatorProc) waitReady(t *testing.T) {
	t.Helper()
	waitFor(t, 60*time.Second, a.name+" /readyz", func() bool {
		if !a.running() {
			t.Fatalf("%s exited before it was ready", a.name)
		}
		return a.ready()
	})
}
