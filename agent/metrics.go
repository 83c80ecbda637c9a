package agent

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
)

// metrics are the agent's own series, statusd_agent_*. The per-check probe_*
// series come from checkCollector. The publisher registers its own series
// (results published, spooled and dropped by reason, Kafka write latency,
// spool bytes and age) on the same registry.
type metrics struct {
	checks        *prometheus.GaugeVec   // type
	probes        *prometheus.CounterVec // type, result
	skipped       *prometheus.CounterVec // type
	publishErrors prometheus.Counter
	inflight      *prometheus.GaugeVec   // type
	heartbeats    *prometheus.CounterVec // result: sent, failed
}

func newMetrics(reg prometheus.Registerer, collectors ...prometheus.Collector) (*metrics, error) {
	m := &metrics{
		checks: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "statusd_agent_checks", Help: "Checks scheduled in this agent's region.",
		}, []string{"type"}),
		probes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "statusd_agent_probes_total", Help: "Probe runs finished, by outcome.",
		}, []string{"type", "result"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "statusd_agent_skipped_runs_total",
			Help: "Ticks not run: the previous run of the same check had not finished, or the agent was stalled past them.",
		}, []string{"type"}),
		publishErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "statusd_agent_publish_errors_total", Help: "Results the publisher refused, so dropped.",
		}),
		inflight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "statusd_agent_inflight_probes", Help: "Probes running now.",
		}, []string{"type"}),
		heartbeats: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "statusd_agent_heartbeats_total", Help: "Heartbeats sent, or that could not be sent.",
		}, []string{"result"}),
	}
	m.heartbeats.WithLabelValues("sent")
	m.heartbeats.WithLabelValues("failed")
	if reg == nil {
		return m, nil
	}
	all := append([]prometheus.Collector{m.checks, m.probes, m.skipped, m.publishErrors, m.inflight, m.heartbeats}, collectors...)
	for _, c := range all {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register agent metrics: %w", err)
		}
	}
	return m, nil
}

// outcome is the result label of statusd_agent_probes_total.
func outcome(r result.Result) string {
	if r.Success {
		return "success"
	}
	return "failure"
}

// observation is what the per-check series show of a check's last run.
type observation struct {
	checkID, componentID string
	typ                  catalog.Type
	success, degraded    bool
	duration             time.Duration
	statusCode           int
	phases               result.Phases
	rcode                string
	packetLoss           float64
	rttMin, rttAvg       time.Duration
	rttMax               time.Duration
	certExpiry           time.Time
}

func observe(c catalog.Check, r result.Result) observation {
	return observation{checkID: c.ID, componentID: c.ComponentID, typ: c.Type,
		success: r.Success, degraded: r.Degraded, duration: r.Duration,
		statusCode: r.StatusCode, phases: r.Phases, rcode: r.RCode, packetLoss: r.PacketLoss,
		rttMin: r.RTTMin, rttAvg: r.RTTAvg, rttMax: r.RTTMax, certExpiry: r.CertExpiry}
}

// queueDepths reports, by check type, the runs queued and not yet started.
type queueDepths func() map[catalog.Type]int

// queueCollector exports statusd_agent_queue_depth{type} at scrape time.
type queueCollector struct {
	depths queueDepths
	desc   *prometheus.Desc
}

func newQueueCollector(depths queueDepths) *queueCollector {
	return &queueCollector{depths: depths, desc: prometheus.NewDesc("statusd_agent_queue_depth",
		"Probe runs due and waiting for a free worker.", []string{"type"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	for t, n := range c.depths() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), string(t))
	}
}
