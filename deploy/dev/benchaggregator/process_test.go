package main

import (
	"maps"
	"os"
	"testing"
)

func TestParseProcStat(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    float64
		wantErr bool
	}{
		{"plain", "4242 (statusd) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 130 0 0 20 0 9 0 1000 0", 3.8, false},
		{"name with spaces and parentheses", "7 (a b) c)) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 0", 0.03, false},
		{"no command name", "4242 statusd S 1", 0, true},
		{"cut short", "4242 (statusd) S 1 4242", 0, true},
		{"not a number", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 u s 0 0 20 0 1 0 5 0", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseProcStat(tc.line)
			if (err != nil) != tc.wantErr {
				t.Fatalf("parseProcStat error = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && got != tc.want {
				t.Errorf("parseProcStat = %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := procCPUSeconds(os.Getpid()); err != nil {
		t.Errorf("CPU time of this process: %v", err)
	}
}

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
