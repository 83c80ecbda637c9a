// Package storetest owns the behaviour every statusd store backend must
// share, as test suites each backend runs against a real database: the
// state suite for relational stores (catalog, states, incidents) and the
// result suite for time-series stores (idempotent result writes).
package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/health"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/result"
)

// StateStore is what RunStateSuite exercises.
type StateStore interface {
	SyncCatalog(ctx context.Context, c catalog.Catalog, now time.Time) error
	Checks(ctx context.Context) ([]catalog.Check, error)
	Pages(ctx context.Context) ([]catalog.Page, error)
	Components(ctx context.Context, pageID string) ([]catalog.Component, error)
	LoadPartition(ctx context.Context, topic string, partition int) (health.Checkpoint, []health.ComponentState, error)
	ApplyChanges(ctx context.Context, ch health.Changes, marks []health.Mark) error
	ComponentStates(ctx context.Context) ([]health.ComponentState, error)
	ComponentStatesOf(ctx context.Context, ids []string) ([]health.ComponentState, error)
	Incidents(ctx context.Context, pageID string, unresolvedOnly bool, limit int) ([]incident.Incident, error)
	CreateIncident(ctx context.Context, inc incident.Incident) (int64, error)
}

// ResultStore is what RunResultSuite exercises.
type ResultStore interface {
	WriteResults(ctx context.Context, rs []result.Result) (int, error)
	CountResults(ctx context.Context) (rows int64, distinctIDs int64, err error)
}

// T0 is the base time of the suites' data, a whole millisecond.
var T0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// at is T0 plus n minutes.
func at(n int) time.Time { return T0.Add(time.Duration(n) * time.Minute) }

// MakeResults returns n results with distinct IDs (prefix plus a number)
// and every field set, spread over three components, two regions and, one
// per minute from start, as many days as n needs; times are whole
// milliseconds and durations whole microseconds, so they survive every
// backend's encoding.
func MakeResults(prefix string, n int, start time.Time) []result.Result {
	comps := []string{"api", "web", "db"}
	regions := []string{"eu-west", "us-east"}
	rs := make([]result.Result, n)
	for i := range rs {
		comp := comps[i%len(comps)]
		ok := i%7 != 0
		r := result.Result{
			ID:           fmt.Sprintf("%s%06d", prefix, i),
			CheckID:      comp + "-http",
			ComponentID:  comp,
			AgentID:      "agent-" + regions[i%2],
			Region:       regions[i%2],
			CheckVersion: int64(1 + i%3),
			Scheduled:    start.Add(time.Duration(i) * 7 * time.Minute),
			Duration:     time.Duration(100+i%50) * time.Millisecond,
			Phases: result.Phases{DNS: time.Duration(i%10+1) * time.Microsecond * 100, Connect: 3 * time.Millisecond,
				TLS: 7 * time.Millisecond, FirstByte: 40 * time.Millisecond, Transfer: 1500 * time.Microsecond},
			Success:    ok,
			StatusCode: 200,
		}
		r.Started = r.Scheduled.Add(time.Duration(i%900) * time.Millisecond)
		r.RCode, r.PacketLoss, r.Degraded = "NOERROR", float64(i%5)/4, i%4 == 1
		r.RTTMin, r.RTTAvg, r.RTTMax = time.Duration(i%7+1)*time.Microsecond, 2*time.Millisecond, 3*time.Millisecond
		r.CertExpiry, r.CertDaysLeft = start.Add(time.Duration(30+i%60)*24*time.Hour).Truncate(time.Millisecond), 30+i%60
		if !ok {
			r.StatusCode, r.ErrorClass, r.Message = 503, result.ErrHTTPStatus, "status 503, want 2xx or 3xx"
		}
		rs[i] = r
	}
	return rs
}

// equal fails the test when got and want differ.
func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got: %+v\nwant: %+v", what, got, want)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// RunWriteBenchmark measures writing batches of batch new results and
// reports results per second. Each batch models one aggregator batch: its
// results started within one second (so one day partition), over three
// components and two regions.
func RunWriteBenchmark(b *testing.B, s ResultStore, batch int) {
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tick := T0.Add(time.Duration(i) * time.Second)
		rs := MakeResults(fmt.Sprintf("bench%d-", i), batch, tick)
		for j := range rs {
			rs[j].Scheduled = tick
			rs[j].Started = tick.Add(time.Duration(j) * time.Second / time.Duration(batch+1))
		}
		b.StartTimer()
		n, err := s.WriteResults(ctx, rs)
		if err != nil {
			b.Fatalf("write results: %v", err)
		}
		if n != batch {
			b.Fatalf("wrote %d results, want %d", n, batch)
		}
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "results/s")
}
