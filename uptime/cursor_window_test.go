package uptime

import (
	"testing"
	"time"
)

// TestWindowCoversTheLast24Hours: a cursor keeps its class changes of the
// last 24 hours, so an outage 20 hours ago still counts in a 24-hour
// window after later changes (the badges' rolling 24h).
func TestWindowCoversTheLast24Hours(t *testing.T) {
	now := time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	var c Cursor
	for _, st := range []struct {
		ago   time.Duration
		class Class
	}{{25 * time.Hour, Operational}, {20 * time.Hour, Major}, {19 * time.Hour, Operational},
		{2 * time.Hour, Partial}, {time.Hour, Operational}} {
		c.Move("a", now.Add(-st.ago), st.class, time.UTC, DefaultWeights())
	}
	impact, available := c.Window(now, 24*time.Hour, DefaultWeights())
	wantImpact := (time.Hour + 3*time.Hour/10).Milliseconds() // 1 h major, 1 h partial × 0.3
	if impact != wantImpact || available != (24*time.Hour).Milliseconds() {
		t.Errorf("last 24 h: impact %d ms, available %d ms; want %d and %d", impact, available,
			wantImpact, (24 * time.Hour).Milliseconds())
	}
}
