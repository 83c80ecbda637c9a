package componentstatus

import (
	"testing"
	"time"

	"github.com/statusd/statusd/status"
)

func TestResolve(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	inc := func(id int64, s status.Status, min int) Claim {
		return Claim{Source: SourceIncident, RefID: id, Status: s, Since: t0.Add(time.Duration(min) * time.Minute)}
	}
	mnt := Claim{Source: SourceMaintenance, RefID: 9, Status: status.UnderMaintenance, Since: t0}
	tests := []struct {
		name   string
		in     Inputs
		status status.Status
		source Source
		ref    int64
	}{
		{"no data", Inputs{}, "", SourceProbe, 0},
		{"probe", Inputs{Probe: status.MajorOutage}, status.MajorOutage, SourceProbe, 0},
		{"maintenance over probe", Inputs{Probe: status.MajorOutage, Claims: []Claim{mnt}}, status.UnderMaintenance, SourceMaintenance, 9},
		{"incident over maintenance", Inputs{Probe: status.MajorOutage, Claims: []Claim{mnt, inc(1, status.PartialOutage, 5)}},
			status.PartialOutage, SourceIncident, 1},
		{"incident operational over failing probe", Inputs{Probe: status.MajorOutage, Claims: []Claim{inc(1, status.Operational, 0)}},
			status.Operational, SourceIncident, 1},
		{"worst incident", Inputs{Probe: status.Operational, Claims: []Claim{inc(1, status.DegradedPerformance, 9), inc(2, status.MajorOutage, 1)}},
			status.MajorOutage, SourceIncident, 2},
		{"same status, latest", Inputs{Claims: []Claim{inc(1, status.PartialOutage, 9), inc(2, status.PartialOutage, 1)}},
			status.PartialOutage, SourceIncident, 1},
		{"override over all", Inputs{Probe: status.MajorOutage, Override: &Override{Status: status.Operational, Since: t0},
			Claims: []Claim{mnt, inc(1, status.MajorOutage, 0)}}, status.Operational, SourceOverride, 0},
		{"private ignored publicly", Inputs{Probe: status.Operational, Claims: []Claim{{Source: SourceIncident, RefID: 3,
			Status: status.MajorOutage, Private: true}}}, status.Operational, SourceProbe, 0},
		{"private with key", Inputs{Probe: status.Operational, IncludePrivate: true, Claims: []Claim{{Source: SourceIncident, RefID: 3,
			Status: status.MajorOutage, Private: true}}}, status.MajorOutage, SourceIncident, 3},
		{"invalid claim ignored", Inputs{Probe: status.Operational, Claims: []Claim{inc(1, "down", 0)}}, status.Operational, SourceProbe, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Resolve(tc.in)
			if got.Status != tc.status || got.Source != tc.source || got.RefID != tc.ref || got.Probe != tc.in.Probe {
				t.Errorf("Resolve = %+v, want %s from %s %d", got, tc.status, tc.source, tc.ref)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	prev := Effective{Status: status.MajorOutage, Source: SourceProbe}
	next := Effective{Status: status.UnderMaintenance, Source: SourceMaintenance, RefID: 4}
	c, ok := Diff(prev, next, at)
	if !ok || c != (Change{From: status.MajorOutage, To: status.UnderMaintenance, Source: SourceMaintenance, RefID: 4, At: at}) {
		t.Errorf("Diff = %+v, %v", c, ok)
	}
	if _, ok := Diff(next, next, at); ok {
		t.Error("Diff reports a change for the same status")
	}
}

func TestOverrideValidate(t *testing.T) {
	if err := (Override{Status: status.PartialOutage}).Validate(); err != nil {
		t.Errorf("valid override: %v", err)
	}
	err := (Override{Status: "down"}).Validate()
	if fe, ok := err.(*FieldError); !ok || fe.FieldName() != "status" {
		t.Errorf("invalid override: %v", err)
	}
}
