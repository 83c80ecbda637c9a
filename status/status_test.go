package status

import "testing"

func TestWorstAndSummarize(t *testing.T) {
	tests := []struct {
		name      string
		in        []Status
		worst     Status
		indicator Indicator
	}{
		{"none is operational", nil, Operational, IndicatorNone},
		{"maintenance beats operational", []Status{Operational, UnderMaintenance}, UnderMaintenance, IndicatorMaintenance},
		{"degraded is minor", []Status{DegradedPerformance, UnderMaintenance}, DegradedPerformance, IndicatorMinor},
		{"partial is major", []Status{PartialOutage, DegradedPerformance}, PartialOutage, IndicatorMajor},
		{"major outage is critical", []Status{Operational, MajorOutage, PartialOutage}, MajorOutage, IndicatorCritical},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := Worst(tt.in...)
			if w != tt.worst {
				t.Fatalf("Worst = %q, want %q", w, tt.worst)
			}
			if ind, desc := Summarize(w); ind != tt.indicator || desc == "" {
				t.Fatalf("Summarize(%q) = %q, %q; want %q and a description", w, ind, desc, tt.indicator)
			}
		})
	}
	if Status("down").Valid() || !MajorOutage.Valid() {
		t.Fatal("Valid does not tell known statuses from unknown ones")
	}
}
