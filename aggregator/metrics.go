package aggregator

import (
	"fmt"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/wire"
)

type metrics struct {
	consumed, written, replayed, skipped prometheus.Counter
	dropped, malformed, transitions      *prometheus.CounterVec
	storeErrors                          *prometheus.CounterVec
	frozenMonths, frozenMismatches       prometheus.Counter
	batchSeconds                         prometheus.Histogram
	lastBatch, ownedPartitions, stale    prometheus.Gauge
	regionFailing                        *prometheus.GaugeVec
	staleIDs                             map[string]bool
	shown                                map[string][]string // component → regions in regionFailing
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: "statusd_aggregator_" + name, Help: help})
	}
	gauge := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Name: "statusd_aggregator_" + name, Help: help})
	}
	m := &metrics{
		consumed: counter("results_consumed_total", "Probe results decoded from the source, replays excluded."),
		written:  counter("results_written_total", "Probe results written to the time-series store."),
		replayed: counter("results_replayed_total", "Probe results replayed into check states after a restart or rebalance."),
		skipped:  counter("results_already_stored_total", "Probe results not written again: the time-series store held them already."),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "statusd_aggregator_results_dropped_total",
			Help: "Probe results not applied or not stored, by reason."}, []string{"reason"}),
		malformed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "statusd_aggregator_malformed_messages_total",
			Help: "Result messages skipped because they could not be decoded, by kind."}, []string{"kind"}),
		frozenMonths: counter("frozen_months_total", "Closed months of components whose figures were frozen."),
		frozenMismatches: counter("frozen_month_mismatches_total",
			"Frozen months that a later recomputation disagreed with (each counted once); they are served as frozen."),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "statusd_aggregator_store_errors_total",
			Help: "Failed store writes, by store and kind (transient: retried; fenced: another writer owns the partition)."},
			[]string{"store", "kind"}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "statusd_aggregator_component_transitions_total",
			Help: "Component status changes, by new status."}, []string{"status"}),
		batchSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "statusd_aggregator_batch_duration_seconds",
			Help: "Time to process one batch: decode, state, results, commit.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
		lastBatch:       gauge("last_batch_timestamp_seconds", "When the last batch was stored, as a Unix time."),
		ownedPartitions: gauge("owned_partitions", "Results-topic partitions this aggregator owns."),
		stale:           gauge("stale_components", "Owned components that no live region reports on."),
		regionFailing: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "statusd_component_region_failing",
			Help: "1 when a voting region sees the component failing, 0 when it sees it up; absent when the region does not vote."},
			[]string{"component_id", "region"}),
		staleIDs: map[string]bool{},
		shown:    map[string][]string{},
	}
	for _, c := range []prometheus.Collector{m.frozenMonths, m.frozenMismatches, m.consumed, m.written, m.replayed, m.skipped, m.dropped, m.malformed,
		m.storeErrors, m.transitions, m.batchSeconds, m.lastBatch, m.ownedPartitions, m.stale, m.regionFailing} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register aggregator metrics: %w", err)
		}
	}
	for _, k := range []wire.Kind{wire.KindSyntax, wire.KindVersion, wire.KindField} {
		m.malformed.WithLabelValues(string(k))
	}
	for _, o := range []health.Outcome{health.UnknownCheck, health.WrongComponent, health.Duplicate, health.Future, health.TooOld} {
		m.dropped.WithLabelValues(o.String())
	}
	m.dropped.WithLabelValues("rejected")
	for _, s := range status.All {
		m.transitions.WithLabelValues(string(s))
	}
	return m, nil
}

// observe updates the per-region and staleness metrics of a component.
// It deletes series by their exact labels: a partial-match delete scans
// every series, and at 10,000 components that was most of the pipeline's
// time.
func (m *metrics) observe(c health.ComponentState) {
	var regions []string
	for _, v := range c.Regions {
		if !v.Voting {
			continue
		}
		val := 0.0
		if v.Failing {
			val = 1
		}
		m.regionFailing.WithLabelValues(c.ComponentID, v.Region).Set(val)
		regions = append(regions, v.Region)
	}
	for _, r := range m.shown[c.ComponentID] {
		if !slices.Contains(regions, r) {
			m.regionFailing.DeleteLabelValues(c.ComponentID, r)
		}
	}
	if len(regions) > 0 {
		m.shown[c.ComponentID] = regions
	} else {
		delete(m.shown, c.ComponentID)
	}
	if c.Stale {
		m.staleIDs[c.ComponentID] = true
	} else {
		delete(m.staleIDs, c.ComponentID)
	}
	m.stale.Set(float64(len(m.staleIDs)))
}

// forget drops the metrics of components no longer owned.
func (m *metrics) forget(comps map[string]int) {
	for id := range comps {
		for _, r := range m.shown[id] {
			m.regionFailing.DeleteLabelValues(id, r)
		}
		delete(m.shown, id)
		delete(m.staleIDs, id)
	}
	m.stale.Set(float64(len(m.staleIDs)))
}
