package agent

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/catalog"
)

// checkCollector exports the last run of every scheduled check under
// blackbox_exporter's names where blackbox has one, labelled by check_id and
// component_id:
//
//	all checks   probe_success, probe_duration_seconds,
//	             probe_dns_lookup_time_seconds (resolving the target's name),
//	             statusd_agent_check_degraded
//	HTTP         probe_http_status_code, probe_http_duration_seconds{phase}
//	with a cert  probe_ssl_earliest_cert_expiry (Unix seconds)
//	ICMP         probe_icmp_duration_seconds{phase="resolve"|"rtt"} (rtt is
//	             the average), probe_icmp_rtt_min_seconds,
//	             probe_icmp_rtt_max_seconds, probe_icmp_packet_loss_ratio
//	DNS          probe_dns_query_succeeded, probe_dns_rcode_info{rcode}
//
// The series are built at scrape time from the schedule rather than kept in
// gauge vectors: ten thousand checks make about ninety thousand series,
// which as live gauges cost about 4 KB per check, against under 200 bytes
// this way. A deleted check's series disappear with its schedule entry, so
// the cardinality is bounded by the checks scheduled now.
type checkCollector struct {
	snapshot func() []observation

	success, duration, lookup, degraded *prometheus.Desc
	httpStatus, httpPhases, certExpiry  *prometheus.Desc
	icmpPhases, rttMin, rttMax, loss    *prometheus.Desc
	dnsSucceeded, dnsRcode              *prometheus.Desc
}

func newCheckCollector(snapshot func() []observation) *checkCollector {
	labels := []string{"check_id", "component_id"}
	desc := func(name, help string, extra ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, append(labels[:len(labels):len(labels)], extra...), nil)
	}
	return &checkCollector{
		snapshot: snapshot,
		success:  desc("probe_success", "Whether the last probe of the check succeeded (1) or failed (0)."),
		duration: desc("probe_duration_seconds", "How long the last probe of the check took."),
		lookup:   desc("probe_dns_lookup_time_seconds", "Time the last probe spent resolving the target's name; 0 for an address."),
		degraded: desc("statusd_agent_check_degraded",
			"Whether the last probe succeeded but saw degraded performance, such as a certificate close to expiry (1) or not (0)."),
		httpStatus: desc("probe_http_status_code", "HTTP status code of the last probe, 0 if none was received."),
		httpPhases: desc("probe_http_duration_seconds",
			"Duration of each phase of the last HTTP probe, summed over redirects.", "phase"),
		certExpiry: desc("probe_ssl_earliest_cert_expiry",
			"Unix time at which the earliest certificate the last probe was shown expires."),
		icmpPhases: desc("probe_icmp_duration_seconds",
			"Duration of each phase of the last ICMP probe; rtt is the average round trip of the replies.", "phase"),
		rttMin:       desc("probe_icmp_rtt_min_seconds", "Shortest round trip of the last ICMP probe's replies; 0 with none."),
		rttMax:       desc("probe_icmp_rtt_max_seconds", "Longest round trip of the last ICMP probe's replies; 0 with none."),
		loss:         desc("probe_icmp_packet_loss_ratio", "Fraction of the last ICMP probe's echo requests left without reply."),
		dnsSucceeded: desc("probe_dns_query_succeeded", "Whether the last DNS probe received an answer (1) or not (0)."),
		dnsRcode:     desc("probe_dns_rcode_info", "Response code of the last DNS probe's answer, as the rcode label; absent without one.", "rcode"),
	}
}

// Describe implements prometheus.Collector.
func (c *checkCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.success, c.duration, c.lookup, c.degraded, c.httpStatus, c.httpPhases,
		c.certExpiry, c.icmpPhases, c.rttMin, c.rttMax, c.loss, c.dnsSucceeded, c.dnsRcode} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *checkCollector) Collect(ch chan<- prometheus.Metric) {
	for _, o := range c.snapshot() {
		c.collect(ch, o)
	}
}

func (c *checkCollector) collect(ch chan<- prometheus.Metric, o observation) {
	gauge := func(d *prometheus.Desc, v float64, extra ...string) {
		m, err := prometheus.NewConstMetric(d, prometheus.GaugeValue, v, append([]string{o.checkID, o.componentID}, extra...)...)
		if err != nil {
			m = prometheus.NewInvalidMetric(d, err)
		}
		ch <- m
	}
	gauge(c.success, flag(o.success))
	gauge(c.duration, o.duration.Seconds())
	gauge(c.lookup, o.phases.DNS.Seconds())
	gauge(c.degraded, flag(o.degraded))
	if !o.certExpiry.IsZero() {
		gauge(c.certExpiry, float64(o.certExpiry.Unix()))
	}
	switch o.typ {
	case catalog.TypeHTTP:
		gauge(c.httpStatus, float64(o.statusCode))
		// blackbox_exporter's phase names.
		gauge(c.httpPhases, o.phases.DNS.Seconds(), "resolve")
		gauge(c.httpPhases, o.phases.Connect.Seconds(), "connect")
		gauge(c.httpPhases, o.phases.TLS.Seconds(), "tls")
		gauge(c.httpPhases, o.phases.FirstByte.Seconds(), "processing")
		gauge(c.httpPhases, o.phases.Transfer.Seconds(), "transfer")
	case catalog.TypeICMP:
		gauge(c.icmpPhases, o.phases.DNS.Seconds(), "resolve")
		gauge(c.icmpPhases, o.rttAvg.Seconds(), "rtt")
		gauge(c.rttMin, o.rttMin.Seconds())
		gauge(c.rttMax, o.rttMax.Seconds())
		gauge(c.loss, o.packetLoss)
	case catalog.TypeDNS:
		gauge(c.dnsSucceeded, flag(o.rcode != ""))
		if o.rcode != "" {
			gauge(c.dnsRcode, 1, o.rcode)
		}
	}
}

func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
