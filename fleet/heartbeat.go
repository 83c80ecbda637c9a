// Package fleet owns what the aggregator knows of the agents: the heartbeat
// each agent sends, and the live set built from heartbeats and results as
// the aggregator's own clock times them. A region is live while any of its
// agents was heard within MissedBeats of its heartbeat intervals; several
// agents in one region are one region. A region that is not live does not
// vote on component status: it cannot tell "target down" from "region
// unreachable".
package fleet

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/statusd/statusd/catalog"
)

// Heartbeat intervals. An agent announces its interval in every heartbeat;
// zero means DefaultInterval.
const (
	DefaultInterval = 10 * time.Second
	MinInterval     = time.Second
	MaxInterval     = 5 * time.Minute
)

// MissedBeats is how many heartbeat intervals an agent may stay silent
// before it stops counting as live.
const MissedBeats = 3

// maxVersionLen bounds the agent's version string.
const maxVersionLen = 128

// Heartbeat is what an agent says of itself every interval.
type Heartbeat struct {
	AgentID string
	Region  string
	Version string // the agent's build version; may be empty
	// ChecksRunning is how many checks the agent has scheduled.
	ChecksRunning int
	// QueueDepth is how many results wait in memory to be shipped;
	// SpoolDepth and SpoolBytes what waits on disk.
	QueueDepth int
	SpoolDepth int
	SpoolBytes int64
	// Sent is when the agent sent the heartbeat, by the agent's clock.
	Sent time.Time
	// Interval is how often the agent sends heartbeats; zero means
	// DefaultInterval.
	Interval time.Duration
}

// Reasons why a heartbeat is rejected: the name of the offending field, or
// ReasonAgentsLimit. They are short and fixed, fit for a metric label.
const (
	ReasonAgentID       = "agent_id"
	ReasonRegion        = "region"
	ReasonVersion       = "version"
	ReasonChecksRunning = "checks_running"
	ReasonQueueDepth    = "queue_depth"
	ReasonSpoolDepth    = "spool_depth"
	ReasonSpoolBytes    = "spool_bytes"
	ReasonSent          = "sent"
	ReasonInterval      = "interval"
	// ReasonAgentsLimit: the registry tracks as many agents as it may.
	ReasonAgentsLimit = "agents_limit"
)

// Reasons lists every reason Validate and Registry.Observe may give, for
// metrics that show every series from the start.
func Reasons() []string {
	return []string{ReasonAgentID, ReasonRegion, ReasonVersion, ReasonChecksRunning, ReasonQueueDepth,
		ReasonSpoolDepth, ReasonSpoolBytes, ReasonSent, ReasonInterval, ReasonAgentsLimit}
}

// InvalidError is a rejected heartbeat; Reason names the field at fault.
type InvalidError struct {
	AgentID string // as received; empty when that is what is wrong
	Reason  string
	Message string
}

func (e *InvalidError) Error() string {
	who := "heartbeat"
	if e.Reason != ReasonAgentID && e.AgentID != "" {
		who = "heartbeat of agent " + e.AgentID
	}
	return fmt.Sprintf("%s: %s: %s", who, e.Reason, e.Message)
}

// ReasonOf returns the reason of a rejected heartbeat, or "" when err is
// not an *InvalidError.
func ReasonOf(err error) string {
	var ie *InvalidError
	if errors.As(err, &ie) {
		return ie.Reason
	}
	return ""
}

// ValidAgentID reports whether id is a valid agent ID: 1-255 printable
// characters without spaces. Agent IDs default to the host name, so they
// are not held to the stricter rule of catalog IDs.
func ValidAgentID(id string) bool {
	return id != "" && len(id) <= 255 && utf8.ValidString(id) &&
		strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) < 0
}

// Validate returns an *InvalidError naming the first field that is wrong,
// or nil.
func (hb Heartbeat) Validate() error {
	bad := func(reason, format string, args ...any) error {
		return &InvalidError{AgentID: hb.AgentID, Reason: reason, Message: fmt.Sprintf(format, args...)}
	}
	switch {
	case !ValidAgentID(hb.AgentID):
		return bad(ReasonAgentID, "must be 1-255 printable characters without spaces, got %q", truncate(hb.AgentID))
	case !catalog.ValidID(hb.Region):
		return bad(ReasonRegion, "must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit; got %q", truncate(hb.Region))
	case len(hb.Version) > maxVersionLen || !utf8.ValidString(hb.Version) ||
		strings.IndexFunc(hb.Version, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return bad(ReasonVersion, "must be at most %d printable characters, got %q", maxVersionLen, truncate(hb.Version))
	case hb.ChecksRunning < 0:
		return bad(ReasonChecksRunning, "must not be negative, got %d", hb.ChecksRunning)
	case hb.QueueDepth < 0:
		return bad(ReasonQueueDepth, "must not be negative, got %d", hb.QueueDepth)
	case hb.SpoolDepth < 0:
		return bad(ReasonSpoolDepth, "must not be negative, got %d", hb.SpoolDepth)
	case hb.SpoolBytes < 0:
		return bad(ReasonSpoolBytes, "must not be negative, got %d", hb.SpoolBytes)
	case hb.Sent.UnixMilli() <= 0:
		return bad(ReasonSent, "must be after the Unix epoch, got %s", hb.Sent.UTC().Format(time.RFC3339Nano))
	case hb.Interval != 0 && (hb.Interval < MinInterval || hb.Interval > MaxInterval):
		return bad(ReasonInterval, "must be between %s and %s (or 0 for %s), got %s", MinInterval, MaxInterval, DefaultInterval, hb.Interval)
	}
	return nil
}

// truncate shortens a rejected value for an error message.
func truncate(s string) string {
	const limit = 80
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "…"
}

// interval returns the announced interval, or the default.
func (hb Heartbeat) interval() time.Duration {
	if hb.Interval == 0 {
		return DefaultInterval
	}
	return hb.Interval
}
