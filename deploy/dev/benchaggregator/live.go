package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"github.com/statusd/statusd/wire"
)

// majorOutage is the status the live phase waits for.
const majorOutage = "major_outage"

// visibility measures how long a threshold-crossing result takes from the
// broker to the API: for each sampled component it sends failureThreshold
// ticks of failures from every region, tickGap apart, at the current time,
// then polls GET /api/v1/components/{id} every poll until the status is
// major_outage. The clock starts when the broker acknowledged the last tick
// (RequireAll) and stops when the answer that shows the outage arrived.
type visibility struct {
	writer      *kafka.Writer
	scenario    scenario
	baseURL     string
	key         string // a read key: /api/v1 needs one
	http        *http.Client
	concurrency int
	tickGap     time.Duration
	poll        time.Duration
	timeout     time.Duration // per component; longer counts as never seen
	log         *slog.Logger

	polls, pollErrors atomic.Int64
	mu                sync.Mutex
	pollMS            []float64 // duration of every poll
}

// sample picks n components spread over all of them, none of those the
// failure script touched, so each starts operational.
func (s scenario) sample(n int) []int {
	n = min(n, s.components/2)
	out := make([]int, 0, n)
	stride := s.components / max(n, 1)
	for j := range n {
		c := j*stride + stride/2
		if c%failEvery == 0 {
			c++
		}
		out = append(out, c)
	}
	return out
}

// run measures every component of comps, concurrency at a time, and
// returns the latencies in milliseconds; +Inf marks a timeout.
func (v *visibility) run(ctx context.Context, comps []int) ([]float64, error) {
	out := make([]float64, len(comps))
	errs := make([]error, len(comps))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, v.concurrency) {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = v.one(ctx, comps[i])
			}
		})
	}
	start := time.Now()
feed:
	for i := range comps {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
		if i > 0 && i%50 == 0 {
			v.log.Info("state visibility", "measured", i, "of", len(comps), "elapsed", time.Since(start).Round(time.Millisecond))
		}
	}
	close(next)
	wg.Wait()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("state visibility: %w", ctx.Err())
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// one drives component c into a major outage and times its visibility.
func (v *visibility) one(ctx context.Context, c int) (float64, error) {
	id := v.scenario.componentID(c)
	if st, err := v.status(ctx, id); err != nil {
		return 0, err
	} else if st == majorOutage {
		return 0, fmt.Errorf("state visibility: component %s is in %s before its failures were sent", id, st)
	}
	for k := range failureThreshold {
		if k > 0 && !sleep(ctx, v.tickGap) {
			return 0, ctx.Err()
		}
		if err := v.sendFailures(ctx, c); err != nil {
			return 0, err
		}
	}
	acked := time.Now()
	for {
		polled := time.Now()
		st, err := v.status(ctx, id)
		if err == nil && st == majorOutage {
			return float64(time.Since(acked)) / float64(time.Millisecond), nil
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if time.Since(acked) > v.timeout {
			v.log.Warn("state never visible", "component", id, "status", st, "err", err, "waited", v.timeout)
			return math.Inf(1), nil
		}
		sleep(ctx, v.poll-time.Since(polled))
	}
}

// sendFailures writes one failing tick of component c from every region,
// scheduled now, and returns once the broker acknowledged it.
func (v *visibility) sendFailures(ctx context.Context, c int) error {
	now := time.Now()
	msgs := make([]kafka.Message, len(v.scenario.regions))
	for r, region := range v.scenario.regions {
		id, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("state visibility: result id: %w", err)
		}
		res := probeResult(id.String(), v.scenario.checkID(c), v.scenario.componentID(c), region, now, now,
			3*time.Millisecond, false)
		value, err := wire.EncodeResult(res)
		if err != nil {
			return fmt.Errorf("state visibility: encode result: %w", err)
		}
		msgs[r] = kafka.Message{Key: []byte(res.ComponentID), Value: value}
	}
	if err := v.writer.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("state visibility: produce failures of %s: %w", v.scenario.componentID(c), err)
	}
	return nil
}

// status reads a component's status from the native API.
func (v *visibility) status(ctx context.Context, id string) (string, error) {
	v.polls.Add(1)
	start := time.Now()
	body, err := httpGet(ctx, v.http, v.baseURL+"/api/v1/components/"+id, v.key)
	v.mu.Lock()
	v.pollMS = append(v.pollMS, float64(time.Since(start))/float64(time.Millisecond))
	v.mu.Unlock()
	if err != nil {
		v.pollErrors.Add(1)
		return "", err
	}
	var item struct {
		Data struct {
			Status string `json:"status"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &item); err != nil {
		return "", fmt.Errorf("decode component %s: %w", id, err)
	}
	return item.Data.Status, nil
}

// idleGets times n sequential reads of component c before any live
// traffic: what one poll costs on an otherwise idle aggregator.
func (v *visibility) idleGets(ctx context.Context, c, n int) ([]float64, error) {
	out := make([]float64, n)
	for i := range out {
		start := time.Now()
		if _, err := httpGet(ctx, v.http, v.baseURL+"/api/v1/components/"+v.scenario.componentID(c), v.key); err != nil {
			return nil, fmt.Errorf("state visibility: idle read: %w", err)
		}
		out[i] = float64(time.Since(start)) / float64(time.Millisecond)
	}
	return out, nil
}

// sleep waits d or until ctx ends; it reports whether the full wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
