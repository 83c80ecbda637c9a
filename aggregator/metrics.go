package aggregator

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/wire"
)

type metrics struct {
	consumed, written, duplicates, ignored, storeErrors prometheus.Counter
	malformed, transitions                              *prometheus.CounterVec
	batchSeconds                                        prometheus.Histogram
	lastBatch                                           prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: "statusd_aggregator_" + name, Help: help})
	}
	m := &metrics{
		consumed:    counter("results_consumed_total", "Probe results decoded from the source."),
		written:     counter("results_written_total", "Probe results newly written to the time-series store."),
		duplicates:  counter("results_duplicate_total", "Probe results already stored (re-deliveries), not written again."),
		ignored:     counter("results_ignored_total", "Probe results that changed no state: unknown checks or ticks already applied."),
		storeErrors: counter("store_errors_total", "Batches whose storing failed and was retried."),
		malformed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "statusd_aggregator_malformed_messages_total",
			Help: "Result messages skipped because they could not be decoded, by kind."}, []string{"kind"}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "statusd_aggregator_component_transitions_total",
			Help: "Component status changes, by new status."}, []string{"status"}),
		batchSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "statusd_aggregator_batch_duration_seconds",
			Help: "Time to store one batch: results, state and incidents.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
		lastBatch: prometheus.NewGauge(prometheus.GaugeOpts{Name: "statusd_aggregator_last_batch_timestamp_seconds",
			Help: "When the last batch was stored, as a Unix time."}),
	}
	for _, c := range []prometheus.Collector{m.consumed, m.written, m.duplicates, m.ignored, m.storeErrors,
		m.malformed, m.transitions, m.batchSeconds, m.lastBatch} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register aggregator metrics: %w", err)
		}
	}
	for _, k := range []wire.Kind{wire.KindSyntax, wire.KindVersion, wire.KindField} {
		m.malformed.WithLabelValues(string(k))
	}
	for _, s := range status.All {
		m.transitions.WithLabelValues(string(s))
	}
	return m, nil
}
