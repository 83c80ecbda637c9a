package wire

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/statusd/statusd/fleet"
)

type heartbeatMsg struct {
	V             int    `json:"v"`
	AgentID       string `json:"agent_id"`
	Region        string `json:"region"`
	Version       string `json:"version"`
	ChecksRunning int    `json:"checks_running"`
	QueueDepth    int    `json:"queue_depth"`
	SpoolDepth    int    `json:"spool_depth"`
	SpoolBytes    int64  `json:"spool_bytes"`
	SentMS        int64  `json:"sent_ms"`
	IntervalMS    int64  `json:"interval_ms"`
}

// EncodeHeartbeat encodes an agent's heartbeat for the heartbeats topic. A
// heartbeat that fleet would reject is not encoded: the error is the
// *fleet.InvalidError.
func EncodeHeartbeat(hb fleet.Heartbeat) ([]byte, error) {
	if err := hb.Validate(); err != nil {
		return nil, fmt.Errorf("encode heartbeat: %w", err)
	}
	return json.Marshal(heartbeatMsg{
		V: Version, AgentID: hb.AgentID, Region: hb.Region, Version: hb.Version,
		ChecksRunning: hb.ChecksRunning, QueueDepth: hb.QueueDepth, SpoolDepth: hb.SpoolDepth, SpoolBytes: hb.SpoolBytes,
		SentMS: hb.Sent.UnixMilli(), IntervalMS: hb.Interval.Milliseconds(),
	})
}

// DecodeHeartbeat decodes a message of the heartbeats topic and validates
// it with fleet's rules. A message that fails is a *DecodeError; for a
// field that is out of range (KindField) it also wraps the
// *fleet.InvalidError, so fleet.ReasonOf names the field.
func DecodeHeartbeat(data []byte) (fleet.Heartbeat, error) {
	var m heartbeatMsg
	if err := unmarshal(data, &m); err != nil {
		return fleet.Heartbeat{}, err
	}
	// Bound the milliseconds before they become a Duration, which would
	// overflow and could wrap into range.
	if m.IntervalMS < 0 || m.IntervalMS > fleet.MaxInterval.Milliseconds() {
		return fleet.Heartbeat{}, &DecodeError{Kind: KindField, Err: &fleet.InvalidError{
			AgentID: m.AgentID, Reason: fleet.ReasonInterval,
			Message: fmt.Sprintf("interval_ms must be between 0 and %d, got %d", fleet.MaxInterval.Milliseconds(), m.IntervalMS)}}
	}
	hb := fleet.Heartbeat{
		AgentID: m.AgentID, Region: m.Region, Version: m.Version,
		ChecksRunning: m.ChecksRunning, QueueDepth: m.QueueDepth, SpoolDepth: m.SpoolDepth, SpoolBytes: m.SpoolBytes,
		Sent: time.UnixMilli(m.SentMS).UTC(), Interval: time.Duration(m.IntervalMS) * time.Millisecond,
	}
	if err := hb.Validate(); err != nil {
		return fleet.Heartbeat{}, &DecodeError{Kind: KindField, Err: err}
	}
	return hb, nil
}
