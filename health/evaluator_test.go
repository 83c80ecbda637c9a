package health

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/status"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func testCatalog(quorum int) catalog.Catalog {
	return catalog.Catalog{
		Components: []catalog.Component{{ID: "api", PageID: "main", Name: "API", Quorum: quorum}},
		Checks: []catalog.Check{{ID: "api-http", ComponentID: "api", Type: catalog.TypeHTTP, Interval: 10 * time.Second,
			FailureThreshold: 3, SuccessThreshold: 2, DegradedLatency: time.Second}},
	}
}

// run is one probe result in a scenario: tick number, region, outcome.
type run struct {
	tick   int
	region string
	ok     bool
	slow   bool
}

func (r run) result() result.Result {
	res := result.Result{
		ID: fmt.Sprintf("%s-%d", r.region, r.tick), CheckID: "api-http", ComponentID: "api", Region: r.region,
		Scheduled: t0.Add(time.Duration(r.tick) * 10 * time.Second), Success: r.ok, Duration: 100 * time.Millisecond,
	}
	if r.slow {
		res.Duration = 2 * time.Second
	}
	if !r.ok {
		res.Message = "connect: connection refused"
	}
	return res
}

func TestEvaluatorScenarios(t *testing.T) {
	tests := []struct {
		name       string
		quorum     int
		runs       []run
		want       status.Status
		opened     int
		resolved   int
		regions    string
		wantInBody string
	}{
		{name: "two failures stay operational", runs: []run{{1, "eu", false, false}, {2, "eu", false, false}}, want: status.Operational},
		{name: "three failures open a major outage", runs: []run{{1, "eu", false, false}, {2, "eu", false, false}, {3, "eu", false, false}},
			want: status.MajorOutage, opened: 1, regions: "eu", wantInBody: "eu (api-http: connect: connection refused)"},
		{name: "a success resets the failure count", runs: []run{{1, "eu", false, false}, {2, "eu", false, false}, {3, "eu", true, false}, {4, "eu", false, false}, {5, "eu", false, false}},
			want: status.Operational},
		{name: "one success does not recover", runs: []run{{1, "eu", false, false}, {2, "eu", false, false}, {3, "eu", false, false}, {4, "eu", true, false}},
			want: status.MajorOutage, opened: 1, regions: "eu"},
		{name: "two successes recover and resolve", runs: []run{{1, "eu", false, false}, {2, "eu", false, false}, {3, "eu", false, false}, {4, "eu", true, false}, {5, "eu", true, false}},
			want: status.Operational, opened: 1, resolved: 1},
		{name: "re-delivered ticks are ignored", runs: []run{{1, "eu", false, false}, {1, "eu", false, false}, {1, "eu", false, false}, {2, "eu", false, false}},
			want: status.Operational},
		{name: "one of two regions failing is partial", runs: []run{
			{1, "eu", false, false}, {1, "us", true, false}, {2, "eu", false, false}, {2, "us", true, false}, {3, "eu", false, false}, {3, "us", true, false}},
			want: status.PartialOutage, opened: 1, regions: "eu", wantInBody: "partial outage"},
		{name: "both regions failing is major", runs: []run{
			{1, "eu", false, false}, {1, "us", false, false}, {2, "eu", false, false}, {2, "us", false, false}, {3, "eu", false, false}, {3, "us", false, false}},
			want: status.MajorOutage, opened: 1, regions: "eu,us"},
		{name: "quorum one makes one region major", quorum: 1, runs: []run{
			{1, "eu", false, false}, {1, "us", true, false}, {2, "eu", false, false}, {2, "us", true, false}, {3, "eu", false, false}, {3, "us", true, false}},
			want: status.MajorOutage, opened: 1, regions: "eu"},
		{name: "a silent region does not vote", runs: []run{
			{1, "us", true, false}, {10, "eu", false, false}, {11, "eu", false, false}, {12, "eu", false, false}},
			want: status.MajorOutage, opened: 1, regions: "eu"},
		{name: "slow success is degraded without incident", runs: []run{{1, "eu", true, true}},
			want: status.DegradedPerformance},
		{name: "partial to major keeps one incident", runs: []run{
			{1, "eu", false, false}, {1, "us", true, false}, {2, "eu", false, false}, {2, "us", false, false}, {3, "eu", false, false}, {3, "us", false, false}, {4, "eu", false, false}, {4, "us", false, false}},
			want: status.MajorOutage, opened: 1, regions: "eu,us"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEvaluator(testCatalog(tt.quorum), nil, nil)
			var opened, resolved int
			var body string
			for _, r := range tt.runs {
				ch, _ := e.Evaluate([]result.Result{r.result()})
				opened += len(ch.Open)
				resolved += len(ch.Resolve)
				for _, inc := range ch.Open {
					body = inc.Updates[0].Body
				}
				e.Commit(ch)
			}
			got := e.comps["api"]
			if got.Status != tt.want && !(tt.want == status.Operational && got.Status == "") {
				t.Errorf("status = %q, want %q", got.Status, tt.want)
			}
			if opened != tt.opened || resolved != tt.resolved {
				t.Errorf("opened %d, resolved %d incidents; want %d, %d", opened, resolved, tt.opened, tt.resolved)
			}
			if r := strings.Join(got.FailingRegions, ","); r != tt.regions {
				t.Errorf("failing regions = %q, want %q", r, tt.regions)
			}
			if !strings.Contains(body, tt.wantInBody) {
				t.Errorf("incident body %q does not contain %q", body, tt.wantInBody)
			}
		})
	}
}

func TestEvaluateChangesNothingUntilCommit(t *testing.T) {
	e := NewEvaluator(testCatalog(0), nil, nil)
	batch := []result.Result{run{1, "eu", false, false}.result(), run{2, "eu", false, false}.result(), run{3, "eu", false, false}.result()}
	first, _ := e.Evaluate(batch)
	again, _ := e.Evaluate(batch)
	if len(first.Open) != 1 || len(again.Open) != 1 {
		t.Fatalf("uncommitted evaluation changed the evaluator: opened %d then %d", len(first.Open), len(again.Open))
	}
	e.Commit(first)
	if ch, ignored := e.Evaluate(batch); !ch.Empty() || ignored != 3 {
		t.Fatalf("after commit the same batch changed %+v, ignored %d; want nothing changed, 3 ignored", ch, ignored)
	}
}

func TestEvaluatorResumesFromStoredState(t *testing.T) {
	e := NewEvaluator(testCatalog(0), nil, nil)
	var all Changes
	for i := 1; i <= 3; i++ {
		ch, _ := e.Evaluate([]result.Result{run{i, "eu", false, false}.result()})
		e.Commit(ch)
		all.Checks = ch.Checks
		all.Components = append(all.Components, ch.Components...)
	}
	resumed := NewEvaluator(testCatalog(0), all.Checks, all.Components)
	ch, _ := resumed.Evaluate([]result.Result{run{4, "eu", true, false}.result(), run{5, "eu", true, false}.result()})
	if len(ch.Resolve) != 1 || len(ch.Open) != 0 {
		t.Fatalf("resumed evaluator: %d resolved, %d opened; want 1, 0", len(ch.Resolve), len(ch.Open))
	}
}

func TestEvaluatorIgnoresUnknownChecks(t *testing.T) {
	e := NewEvaluator(testCatalog(0), nil, nil)
	r := run{1, "eu", false, false}.result()
	r.CheckID = "gone"
	other := run{1, "eu", false, false}.result()
	other.ComponentID = "elsewhere"
	if ch, ignored := e.Evaluate([]result.Result{r, other}); !ch.Empty() || ignored != 2 {
		t.Fatalf("unknown check changed %+v, ignored %d", ch, ignored)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	// 1,000 components with 5 checks each, reported from 3 regions: a batch
	// holds one tick of every check in every region.
	var cat catalog.Catalog
	for c := range 1000 {
		id := fmt.Sprintf("c%d", c)
		cat.Components = append(cat.Components, catalog.Component{ID: id})
		for k := range 5 {
			cat.Checks = append(cat.Checks, catalog.Check{ID: fmt.Sprintf("%s-k%d", id, k), ComponentID: id,
				Interval: 10 * time.Second, FailureThreshold: 3, SuccessThreshold: 2})
		}
	}
	e := NewEvaluator(cat, nil, nil)
	batch := func(tick int) []result.Result {
		var rs []result.Result
		for _, c := range cat.Checks {
			for _, region := range []string{"eu", "us", "ap"} {
				rs = append(rs, result.Result{CheckID: c.ID, ComponentID: c.ComponentID, Region: region,
					Scheduled: t0.Add(time.Duration(tick) * 10 * time.Second), Success: tick%7 != 0})
			}
		}
		return rs
	}
	b.ReportAllocs()
	tick := 0
	for b.Loop() {
		tick++
		ch, _ := e.Evaluate(batch(tick))
		e.Commit(ch)
	}
	b.ReportMetric(float64(len(cat.Checks)*3), "results/op")
}
