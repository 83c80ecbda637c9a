package agent

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
)

// metrics are the agent's own series, statusd_agent_*. The per-check probe_*
// series come from checkCollector.
type metrics struct {
	checks        *prometheus.GaugeVec   // type
	probes        *prometheus.CounterVec // type, result
	skipped       *prometheus.CounterVec // type
	publishErrors prometheus.Counter
	inflight      *prometheus.GaugeVec   // type
	heartbeats    *prometheus.CounterVec // result: sent, failed
}

func newMetrics(reg prometheus.Registerer, checks *checkCollector) (*metrics, error) {
	m := &metrics{
		checks: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "statusd_agent_checks", Help: "Checks scheduled in this agent's region.",
		}, []string{"type"}),
		probes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "statusd_agent_probes_total", Help: "Probe runs finished, by outcome.",
		}, []string{"type", "result"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "statusd_agent_skipped_runs_total",
			Help: "Ticks skipped because the previous run of the same check had not finished.",
		}, []string{"type"}),
		publishErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "statusd_agent_publish_errors_total", Help: "Results the publisher dropped.",
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
	for _, c := range []prometheus.Collector{checks, m.checks, m.probes, m.skipped, m.publishErrors, m.inflight, m.heartbeats} {
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
	success              bool
	duration             time.Duration
	statusCode           int
	phases               result.Phases
}

func observe(c catalog.Check, r result.Result) observation {
	return observation{checkID: c.ID, componentID: c.ComponentID, typ: c.Type, success: r.Success,
		duration: r.Duration, statusCode: r.StatusCode, phases: r.Phases}
}

// checkCollector exports the last run of every scheduled check under
// blackbox_exporter's names: probe_success, probe_duration_seconds and, for
// HTTP checks, probe_http_status_code and probe_http_duration_seconds{phase}.
//
// The series are built at scrape time from the schedule rather than kept in
// gauge vectors: ten thousand checks make eighty thousand series, which as
// live gauges cost about 4 KB per check, against under 100 bytes this way.
// A deleted check's series disappear with its schedule entry.
type checkCollector struct {
	snapshot                          func() []observation
	success, duration, status, phases *prometheus.Desc
}

func newCheckCollector(snapshot func() []observation) *checkCollector {
	labels := []string{"check_id", "component_id"}
	return &checkCollector{
		snapshot: snapshot,
		success: prometheus.NewDesc("probe_success",
			"Whether the last probe of the check succeeded (1) or failed (0).", labels, nil),
		duration: prometheus.NewDesc("probe_duration_seconds",
			"How long the last probe of the check took.", labels, nil),
		status: prometheus.NewDesc("probe_http_status_code",
			"HTTP status code of the last probe, 0 if none was received.", labels, nil),
		phases: prometheus.NewDesc("probe_http_duration_seconds",
			"Duration of each phase of the last HTTP probe, summed over redirects.", append(labels, "phase"), nil),
	}
}

// Describe implements prometheus.Collector.
func (c *checkCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.success
	ch <- c.duration
	ch <- c.status
	ch <- c.phases
}

// Collect implements prometheus.Collector.
func (c *checkCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		m, err := prometheus.NewConstMetric(d, prometheus.GaugeValue, v, labels...)
		if err != nil {
			m = prometheus.NewInvalidMetric(d, err)
		}
		ch <- m
	}
	for _, o := range c.snapshot() {
		ok := 0.0
		if o.success {
			ok = 1
		}
		gauge(c.success, ok, o.checkID, o.componentID)
		gauge(c.duration, o.duration.Seconds(), o.checkID, o.componentID)
		if o.typ != catalog.TypeHTTP {
			continue
		}
		gauge(c.status, float64(o.statusCode), o.checkID, o.componentID)
		// blackbox_exporter's phase names.
		gauge(c.phases, o.phases.DNS.Seconds(), o.checkID, o.componentID, "resolve")
		gauge(c.phases, o.phases.Connect.Seconds(), o.checkID, o.componentID, "connect")
		gauge(c.phases, o.phases.TLS.Seconds(), o.checkID, o.componentID, "tls")
		gauge(c.phases, o.phases.FirstByte.Seconds(), o.checkID, o.componentID, "processing")
		gauge(c.phases, o.phases.Transfer.Seconds(), o.checkID, o.componentID, "transfer")
	}
}
