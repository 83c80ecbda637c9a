package domains

import (
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	res := func(st Status, min int) Result {
		return Result{Domain: "status.acme.test", Expected: "pages.example.net", Status: st, Reason: string(st),
			CheckedAt: t0.Add(time.Duration(min) * time.Minute)}
	}
	verified := Next(State{}, "acme", res(Verified, 0))
	mismatch := Next(State{}, "acme", res(Mismatch, 0))
	tests := []struct {
		name       string
		prev       State
		r          Result
		status     Status
		verifiedAt time.Time
	}{
		{"first check verified", State{}, res(Verified, 0), Verified, t0},
		{"first check indeterminate", State{}, res(Indeterminate, 0), Indeterminate, time.Time{}},
		{"verified stays through a timeout", verified, res(Indeterminate, 1), Verified, t0},
		{"mismatch stays through a timeout", mismatch, res(Indeterminate, 1), Mismatch, time.Time{}},
		{"verified → mismatch at once", verified, res(Mismatch, 1), Mismatch, t0},
		{"mismatch → verified at once", mismatch, res(Verified, 1), Verified, t0.Add(time.Minute)},
		{"verified → not found", verified, res(NotFound, 1), NotFound, t0},
		{"another domain starts afresh", verified,
			Result{Domain: "other.acme.test", Expected: "pages.example.net", Status: Indeterminate, CheckedAt: t0},
			Indeterminate, time.Time{}},
		{"another target starts afresh", verified,
			Result{Domain: "status.acme.test", Expected: "new.example.net", Status: Indeterminate, CheckedAt: t0},
			Indeterminate, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Next(tc.prev, "acme", tc.r)
			if got.Status != tc.status || !got.VerifiedAt.Equal(tc.verifiedAt) {
				t.Errorf("status %s verified at %s, want %s at %s", got.Status, got.VerifiedAt, tc.status, tc.verifiedAt)
			}
			if got.LastResult != tc.r.Status || got.Reason != tc.r.Reason || !got.CheckedAt.Equal(tc.r.CheckedAt) {
				t.Errorf("the attempt is not recorded: last %s %q at %s", got.LastResult, got.Reason, got.CheckedAt)
			}
		})
	}
}
