package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/fleet"
)

// Fleet is what the API reads of the agents: a *fleet.Registry. The lists
// are sorted (agents by region, then ID; regions by name) and describe the
// fleet at now, the API's clock.
type Fleet interface {
	Agents(now time.Time) []fleet.AgentStatus
	Regions(now time.Time) []fleet.RegionStatus
}

// v1Agent is an agent in the native API.
type v1Agent struct {
	ID      string `json:"id"`
	Region  string `json:"region"`
	Version string `json:"version"`
	// Live: heard (heartbeat or result) within 3 heartbeat intervals.
	Live bool `json:"live"`
	// LastSeenAt is when the aggregator last heard the agent;
	// LastHeartbeatAt its newest heartbeat, null when only results came.
	LastSeenAt          string  `json:"last_seen_at"`
	LastHeartbeatAt     *string `json:"last_heartbeat_at"`
	HeartbeatIntervalMS int64   `json:"heartbeat_interval_ms"`
	ChecksRunning       int     `json:"checks_running"`
	QueueDepth          int     `json:"queue_depth"`
	SpoolDepth          int     `json:"spool_depth"`
	SpoolBytes          int64   `json:"spool_bytes"`
	// ClockOffsetMS is the agent's clock minus the aggregator's; null until
	// a heartbeat was received live.
	ClockOffsetMS *int64 `json:"clock_offset_ms"`
}

// v1Region is a region in the native API.
type v1Region struct {
	ID string `json:"id"`
	// Live: any agent is live; a region that is not live does not vote.
	Live          bool   `json:"live"`
	Agents        int    `json:"agents"`
	LiveAgents    int    `json:"live_agents"`
	ChecksRunning int    `json:"checks_running"` // summed over the live agents
	LastSeenAt    string `json:"last_seen_at"`
}

type v1AgentList struct {
	Data []v1Agent `json:"data"`
	Meta v1Meta    `json:"meta"`
}

type v1RegionList struct {
	Data []v1Region `json:"data"`
	Meta v1Meta     `json:"meta"`
}

func (a *API) v1Agents(c *gin.Context) {
	if !globalOnly(c) { // the fleet is every page's
		return
	}
	page, perPage, fields := parsePaging(c)
	region := c.Query("region")
	if region != "" && !catalog.ValidID(region) {
		fields["region"] = "must be a region ID: 1-63 lower-case letters, digits, '.', '_' or '-'"
	}
	if len(fields) > 0 {
		abortInvalid(c, fields)
		return
	}
	var all []fleet.AgentStatus
	if a.fleet != nil {
		all = a.fleet.Agents(a.clock())
	}
	if region != "" {
		kept := all[:0:0]
		for _, s := range all {
			if s.Region == region {
				kept = append(kept, s)
			}
		}
		all = kept
	}
	items, meta := pageOf(all, page, perPage)
	data := make([]v1Agent, 0, len(items))
	for _, s := range items {
		data = append(data, newV1Agent(s))
	}
	c.JSON(http.StatusOK, v1AgentList{Data: data, Meta: meta})
}

func (a *API) v1Regions(c *gin.Context) {
	if !globalOnly(c) { // the fleet is every page's
		return
	}
	page, perPage, fields := parsePaging(c)
	if len(fields) > 0 {
		abortInvalid(c, fields)
		return
	}
	var all []fleet.RegionStatus
	if a.fleet != nil {
		all = a.fleet.Regions(a.clock())
	}
	items, meta := pageOf(all, page, perPage)
	data := make([]v1Region, 0, len(items))
	for _, s := range items {
		data = append(data, v1Region{ID: s.Region, Live: s.Live, Agents: s.Agents, LiveAgents: s.LiveAgents,
			ChecksRunning: s.ChecksRunning, LastSeenAt: v1Time(s.LastSeen)})
	}
	c.JSON(http.StatusOK, v1RegionList{Data: data, Meta: meta})
}

// pageOf returns one page of all and its meta block.
func pageOf[T any](all []T, page, perPage int) ([]T, v1Meta) {
	data := pageSlice(all, page, perPage)
	return data, v1Meta{listMeta: newListMeta(page, perPage, len(data), len(all)), Total: len(all),
		TotalPages: (len(all) + perPage - 1) / perPage}
}

func newV1Agent(s fleet.AgentStatus) v1Agent {
	out := v1Agent{
		ID: s.ID, Region: s.Region, Version: s.Version, Live: s.Live, LastSeenAt: v1Time(s.LastSeen),
		HeartbeatIntervalMS: s.Interval.Milliseconds(), ChecksRunning: s.ChecksRunning,
		QueueDepth: s.QueueDepth, SpoolDepth: s.SpoolDepth, SpoolBytes: s.SpoolBytes,
	}
	if !s.LastHeartbeat.IsZero() {
		t := v1Time(s.LastHeartbeat)
		out.LastHeartbeatAt = &t
	}
	if s.ClockOffsetKnown {
		ms := s.ClockOffset.Milliseconds()
		out.ClockOffsetMS = &ms
	}
	return out
}

func v1Time(t time.Time) string { return t.UTC().Format(v1TimeLayout) }
