package main

import (
	"maps"
	"testing"
)

func TestParseMetrics(t *testing.T) {
	text := `# HELP statusd_aggregator_results_consumed_total Probe results decoded from the source.
# TYPE statusd_aggregator_results_consumed_total counter
statusd_aggregator_results_consumed_total 300000
statusd_aggregator_malformed_messages_total{kind="syntax"} 2
statusd_aggregator_batch_duration_seconds_bucket{le="0.001"} 0
statusd_aggregator_batch_duration_seconds_sum 25.5
statusd_aggregator_batch_duration_seconds_count 60
go_goroutines 42
statusd_aggregator_broken not-a-number
`
	want := map[string]float64{
		"statusd_aggregator_results_consumed_total":                  300000,
		`statusd_aggregator_malformed_messages_total{kind="syntax"}`: 2,
		"statusd_aggregator_batch_duration_seconds_sum":              25.5,
		"statusd_aggregator_batch_duration_seconds_count":            60,
	}
	if got := parseMetrics(text, metricPrefix); !maps.Equal(got, want) {
		t.Errorf("parseMetrics =\n%v\nwant\n%v", got, want)
	}
}
