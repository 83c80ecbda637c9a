package main

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/statusd/statusd/result"
)

// failEvery makes every failEvery-th component fail failTicks ticks in a
// row in one region: 1 % of the components go partial_outage and recover
// during the pre-load, so the state machines and incidents do real work.
const (
	failEvery = 100
	failTicks = 3
)

// scenario is the pre-loaded traffic: ticks × components × regions
// results, each region's run of a check offset by a deterministic phase
// within the interval, as agents schedule them, and ordered by their tick
// as the agents would have published them over ticks × interval. Result i
// is always the same result, so the ClickHouse reference inserts exactly
// the rows the aggregator got.
type scenario struct {
	components int
	ticks      int
	regions    []string
	interval   time.Duration
	end        time.Time // no tick is later than this
	seed       maphash.Seed
	order      []int32 // component × regions + region, by phase, the largest (earliest) first
}

func newScenario(components, ticks int, regions []string, interval time.Duration, end time.Time) scenario {
	s := scenario{components: components, ticks: ticks, regions: regions, interval: interval,
		end: end.Truncate(time.Millisecond), seed: maphash.MakeSeed()}
	s.order = make([]int32, components*len(regions))
	for i := range s.order {
		s.order[i] = int32(i)
	}
	n := len(regions)
	slices.SortFunc(s.order, func(a, b int32) int {
		return cmp.Compare(s.phase(int(b)/n, int(b)%n), s.phase(int(a)/n, int(a)%n))
	})
	return s
}

// total is the number of pre-loaded results.
func (s scenario) total() int { return s.ticks * s.components * len(s.regions) }

// componentID names component c; check IDs add "-http".
func (s scenario) componentID(c int) string { return fmt.Sprintf("comp-%05d", c) }

func (s scenario) checkID(c int) string { return s.componentID(c) + "-http" }

// agentID is the one agent of a region.
func agentID(region string) string { return "bench-agent-" + region }

// failStart is the first failing tick of a failing component: the failures
// sit in the middle of the ticks, so that most runs also see the recovery.
func (s scenario) failStart() int { return max(0, (s.ticks-failTicks)/2) }

// failing reports whether component c fails in region r at tick k.
func (s scenario) failing(c, r, k int) bool {
	if c%failEvery != 0 || r != (c/failEvery)%len(s.regions) {
		return false
	}
	return k >= s.failStart() && k < s.failStart()+failTicks
}

// failingComponents is how many components the failure script touches.
func (s scenario) failingComponents() int { return (s.components + failEvery - 1) / failEvery }

// hash is a deterministic 64-bit value for (i, salt).
func (s scenario) hash(i, salt int) uint64 {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(i))
	binary.LittleEndian.PutUint64(b[8:], uint64(salt))
	return maphash.Bytes(s.seed, b[:])
}

// phase is the offset of region r's runs of component c's check within the
// interval, like the agent's hash(check, region) mod interval.
func (s scenario) phase(c, r int) time.Duration {
	ms := uint64(s.interval / time.Millisecond)
	return time.Duration(s.hash(c, r+1)%ms) * time.Millisecond
}

// scheduled is the tick of region r's run of component c at tick k.
func (s scenario) scheduled(c, r, k int) time.Time {
	return s.end.Add(-time.Duration(s.ticks-1-k)*s.interval - s.phase(c, r))
}

// result returns pre-loaded result i, in the order of their ticks: all
// components and regions of tick 0 by phase, then of tick 1, and so on.
func (s scenario) result(i int) result.Result {
	perTick := s.components * len(s.regions)
	k, slot := i/perTick, int(s.order[i%perTick])
	c, r := slot/len(s.regions), slot%len(s.regions)
	h := s.hash(i, 0)
	sched := s.scheduled(c, r, k)
	started := sched.Add(time.Duration(h%5) * time.Millisecond)
	return probeResult(s.resultID(i, started), s.checkID(c), s.componentID(c), s.regions[r], started, sched,
		20*time.Millisecond+time.Duration(h>>8%60_000)*time.Microsecond, !s.failing(c, r, k))
}

// resultID is a UUIDv7 like the agent's, with the start time as its
// timestamp and random bits derived from i, so it is the same every time.
func (s scenario) resultID(i int, started time.Time) string {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[0:8], uint64(started.UnixMilli())<<16|s.hash(i, -1)&0x0fff)
	binary.BigEndian.PutUint64(u[8:16], s.hash(i, -2))
	u[6] = u[6]&0x0f | 0x70 // version 7
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

// probeResult is what an HTTP probe reports: 200 on success, a refused
// connection on failure.
func probeResult(id, checkID, componentID, region string, started, sched time.Time, d time.Duration, ok bool) result.Result {
	r := result.Result{
		ID: id, CheckID: checkID, ComponentID: componentID, AgentID: agentID(region), Region: region,
		CheckVersion: 1, Scheduled: sched, Started: started, Duration: d,
		Phases:  result.Phases{DNS: d / 20, Connect: d / 5, FirstByte: d / 2, Transfer: d - d/20 - d/5 - d/2},
		Success: ok, StatusCode: 200,
	}
	if !ok {
		r.Phases = result.Phases{DNS: d / 20, Connect: d - d/20}
		r.StatusCode, r.ErrorClass = 0, result.ErrRefused
		r.Message = "dial tcp 127.0.0.1:9: connect: connection refused"
	}
	return r
}
