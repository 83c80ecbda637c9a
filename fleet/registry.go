package fleet

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/statusd/statusd/catalog"
)

// Defaults of a Registry.
const (
	// DefaultForget is how long an agent may stay silent before the
	// registry forgets it.
	DefaultForget = 24 * time.Hour
	// DefaultMaxAgents bounds the agents a registry tracks.
	DefaultMaxAgents = 10_000
)

// pruneEvery is how often, by the received times, forgotten agents are
// dropped.
const pruneEvery = time.Minute

// Options configure a Registry.
type Options struct {
	// Forget is how long an agent may stay silent before it is dropped;
	// 0 means DefaultForget. It must be longer than MissedBeats×MaxInterval.
	Forget time.Duration
	// MaxAgents bounds the agents tracked at once; 0 means
	// DefaultMaxAgents. A heartbeat from one more agent is rejected with
	// ReasonAgentsLimit.
	MaxAgents int
}

// Registry is the live set of agents and regions. It is safe for
// concurrent use. Every time it takes is the aggregator's: when a
// heartbeat or a result was received, and "now" for the questions; it
// never reads a clock itself. An agent is identified by its region and ID
// together, so an agent moved to another region leaves its old entry to
// fall silent.
type Registry struct {
	forget    time.Duration
	maxAgents int

	mu        sync.RWMutex
	regions   map[string]map[string]*agentState // region → agent ID → state
	count     int                               // agents in regions
	lastPrune time.Time
}

// agentState is what the registry holds of one agent.
type agentState struct {
	hb       Heartbeat // the newest heartbeat; zero before the first
	interval time.Duration
	// heard is the newest time the agent was heard, by heartbeat or result;
	// beat the newest time of a heartbeat, zero before the first.
	heard, beat time.Time
	// offset is the agent's clock minus the aggregator's, known once a
	// heartbeat was received live.
	offset      time.Duration
	offsetKnown bool
}

// NewRegistry returns an empty registry.
func NewRegistry(opts Options) (*Registry, error) {
	switch {
	case opts.Forget < 0:
		return nil, fmt.Errorf("new registry: Options.Forget must not be negative, got %s", opts.Forget)
	case opts.Forget > 0 && opts.Forget <= MissedBeats*MaxInterval:
		return nil, fmt.Errorf("new registry: Options.Forget must be longer than %s, got %s", MissedBeats*MaxInterval, opts.Forget)
	case opts.MaxAgents < 0:
		return nil, fmt.Errorf("new registry: Options.MaxAgents must not be negative, got %d", opts.MaxAgents)
	}
	r := &Registry{forget: opts.Forget, maxAgents: opts.MaxAgents, regions: map[string]map[string]*agentState{}}
	if r.forget == 0 {
		r.forget = DefaultForget
	}
	if r.maxAgents == 0 {
		r.maxAgents = DefaultMaxAgents
	}
	return r, nil
}

// Observe records a heartbeat received at received, by the aggregator's
// clock. A heartbeat that makes no sense is rejected with an
// *InvalidError (see ReasonOf) and changes nothing.
func (r *Registry) Observe(hb Heartbeat, received time.Time) error {
	return r.heartbeat(hb, received, true)
}

// Recall records a heartbeat read back from before this process started,
// such as one re-read from the heartbeats topic at start-up, heard at
// heard (the broker's time of the message, at most now). It proves the
// agent was alive then, but says nothing of its clock: the clock offset
// stays unknown until a heartbeat is observed live.
func (r *Registry) Recall(hb Heartbeat, heard time.Time) error {
	return r.heartbeat(hb, heard, false)
}

func (r *Registry) heartbeat(hb Heartbeat, received time.Time, live bool) error {
	if err := hb.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	a, err := r.agent(hb.Region, hb.AgentID, received)
	if err != nil {
		return err
	}
	if !received.Before(a.beat) { // an older heartbeat never replaces a newer one
		a.hb, a.interval, a.beat = hb, hb.interval(), received
		if live {
			a.offset, a.offsetKnown = hb.Sent.Sub(received), true
		}
	}
	a.hear(received)
	return nil
}

// ObserveResults records that results from agentID in region were
// received at received: a probe result is proof of life as good as a
// heartbeat. The aggregator calls it once per region and agent of each
// batch. Results carrying an invalid region or agent ID are validated and
// counted where they are decoded; here they are ignored, as is a new agent
// beyond MaxAgents.
func (r *Registry) ObserveResults(region, agentID string, received time.Time) {
	if !catalog.ValidID(region) || !ValidAgentID(agentID) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if a, err := r.agent(region, agentID, received); err == nil {
		a.hear(received)
	}
}

func (a *agentState) hear(t time.Time) {
	if t.After(a.heard) {
		a.heard = t
	}
}

// agent returns the state of an agent, creating it if there is room. The
// caller holds r.mu for writing.
func (r *Registry) agent(region, id string, now time.Time) (*agentState, error) {
	if a := r.regions[region][id]; a != nil {
		return a, nil
	}
	r.prune(now, false)
	if r.count >= r.maxAgents {
		r.prune(now, true)
		if r.count >= r.maxAgents {
			return nil, &InvalidError{AgentID: id, Reason: ReasonAgentsLimit,
				Message: fmt.Sprintf("the registry already tracks %d agents", r.maxAgents)}
		}
	}
	agents := r.regions[region]
	if agents == nil {
		agents = map[string]*agentState{}
		r.regions[region] = agents
	}
	a := &agentState{interval: DefaultInterval}
	agents[id] = a
	r.count++
	return a, nil
}

// prune drops the agents silent for longer than Forget, at most once per
// pruneEvery unless forced. The caller holds r.mu for writing.
func (r *Registry) prune(now time.Time, force bool) {
	if !force && now.Sub(r.lastPrune) < pruneEvery {
		return
	}
	r.lastPrune = now
	for region, agents := range r.regions {
		for id, a := range agents {
			if r.forgotten(a, now) {
				delete(agents, id)
				r.count--
			}
		}
		if len(agents) == 0 {
			delete(r.regions, region)
		}
	}
}

func (r *Registry) forgotten(a *agentState, now time.Time) bool { return now.Sub(a.heard) > r.forget }

// live reports whether a was heard within MissedBeats of its intervals
// before now.
func (a *agentState) live(now time.Time) bool { return now.Sub(a.heard) < MissedBeats*a.interval }

// RegionLive reports whether any agent of region was heard within
// MissedBeats of its heartbeat intervals before now.
func (r *Registry) RegionLive(region string, now time.Time) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, a := range r.regions[region] {
		if a.live(now) {
			return true
		}
	}
	return false
}

// LiveRegions returns every region the registry knows, true for the live
// ones.
func (r *Registry) LiveRegions(now time.Time) map[string]bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make(map[string]bool, len(r.regions))
	for region, agents := range r.regions {
		live, known := false, false
		for _, a := range agents {
			if r.forgotten(a, now) {
				continue
			}
			known = true
			live = live || a.live(now)
		}
		if known {
			out[region] = live
		}
	}
	return out
}

// AgentStatus is what the registry knows of one agent at a time.
type AgentStatus struct {
	ID, Region string
	// Version, ChecksRunning, the depths and Interval are from the newest
	// heartbeat; zero (and DefaultInterval) before the first.
	Version       string
	ChecksRunning int
	QueueDepth    int
	SpoolDepth    int
	SpoolBytes    int64
	Interval      time.Duration
	// LastSeen is when the agent was last heard, by heartbeat or result;
	// LastHeartbeat when its newest heartbeat came, zero if none did.
	LastSeen      time.Time
	LastHeartbeat time.Time
	Live          bool
	// ClockOffset is the agent's clock minus the aggregator's as of its
	// newest live heartbeat (transit time included), valid when
	// ClockOffsetKnown; positive when the agent's clock is ahead.
	ClockOffset      time.Duration
	ClockOffsetKnown bool
}

// Agents returns the status of every agent heard within Forget of now,
// sorted by region, then ID.
func (r *Registry) Agents(now time.Time) []AgentStatus {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]AgentStatus, 0, r.count)
	for region, agents := range r.regions {
		for id, a := range agents {
			if r.forgotten(a, now) {
				continue
			}
			out = append(out, AgentStatus{
				ID: id, Region: region, Version: a.hb.Version, ChecksRunning: a.hb.ChecksRunning,
				QueueDepth: a.hb.QueueDepth, SpoolDepth: a.hb.SpoolDepth, SpoolBytes: a.hb.SpoolBytes,
				Interval: a.interval, LastSeen: a.heard, LastHeartbeat: a.beat, Live: a.live(now),
				ClockOffset: a.offset, ClockOffsetKnown: a.offsetKnown,
			})
		}
	}
	slices.SortFunc(out, func(a, b AgentStatus) int {
		return cmp.Or(strings.Compare(a.Region, b.Region), strings.Compare(a.ID, b.ID))
	})
	return out
}

// RegionStatus is what the registry knows of one region at a time.
type RegionStatus struct {
	Region     string
	Agents     int // agents heard within Forget
	LiveAgents int
	Live       bool      // any agent is live
	LastSeen   time.Time // newest LastSeen of its agents
	// ChecksRunning sums the checks of the live agents; each agent of a
	// region runs all of the region's checks.
	ChecksRunning int
}

// Regions returns the status of every region with an agent heard within
// Forget of now, sorted by region.
func (r *Registry) Regions(now time.Time) []RegionStatus {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]RegionStatus, 0, len(r.regions))
	for region, agents := range r.regions {
		rs := RegionStatus{Region: region}
		for _, a := range agents {
			if r.forgotten(a, now) {
				continue
			}
			rs.Agents++
			if a.heard.After(rs.LastSeen) {
				rs.LastSeen = a.heard
			}
			if a.live(now) {
				rs.LiveAgents++
				rs.ChecksRunning += a.hb.ChecksRunning
			}
		}
		if rs.Agents > 0 {
			rs.Live = rs.LiveAgents > 0
			out = append(out, rs)
		}
	}
	slices.SortFunc(out, func(a, b RegionStatus) int { return strings.Compare(a.Region, b.Region) })
	return out
}
