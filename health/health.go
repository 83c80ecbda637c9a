// Package health owns how probe results become the truth shown on a page:
// the failure-threshold state machine of each check in each region, the
// region quorum that turns those into a component status, and the automatic
// incidents that follow the status. It is pure: results, the aggregator's
// clock ("now") and the set of live regions are passed in, so every rule is
// tested without sleeping.
//
// The rules, in brief (docs/architecture.md has the long form):
//   - Results are applied per check and region in tick order; a component is
//     re-evaluated after every tick of a batch, so an outage that starts and
//     ends inside one batch is seen.
//   - A check in a region has a verdict (up or down) once it reached its
//     success or failure threshold on consecutive results; after a gap of
//     more than 3 intervals between two results its counters restart and it
//     has no verdict until it reaches a threshold again.
//   - A check in a region votes while it has a verdict, its region is live
//     (heartbeats, by the aggregator's clock) and it applied a result within
//     the last 3 intervals by that clock. A result more than 2 intervals in
//     the future or older than the maximum age is dropped.
//   - Among the voting regions, failing ≥ quorum (configured, default a
//     majority) is a major outage, fewer a partial outage; no voter at all
//     keeps the last status, marked stale, and stale data opens or resolves
//     no incident.
package health

import (
	"errors"
	"time"

	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/result"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/uptime"
)

// Verdict is what the thresholds concluded about a check in a region.
type Verdict int8

// The verdicts.
const (
	Unknown Verdict = iota // no threshold reached since the start or the last gap
	Up
	Down
)

func (v Verdict) String() string {
	switch v {
	case Up:
		return "up"
	case Down:
		return "down"
	default:
		return "unknown"
	}
}

// CheckState is the threshold state of one check in one region.
type CheckState struct {
	CheckID              string    `json:"check"`
	Region               string    `json:"region"`
	Verdict              Verdict   `json:"verdict"`
	Since                time.Time `json:"since"` // tick at which the verdict began
	Degraded             bool      `json:"degraded,omitempty"`
	ConsecutiveFailures  int       `json:"failures,omitempty"`
	ConsecutiveSuccesses int       `json:"successes,omitempty"`
	// LastTick is the newest tick applied; results for older or equal ticks
	// are re-deliveries, a second agent of the region, or stragglers.
	LastTick time.Time `json:"last_tick"`
	// Received is when, by the aggregator's clock, LastTick was applied.
	Received   time.Time         `json:"received"`
	ErrorClass result.ErrorClass `json:"error_class,omitempty"` // of the last failure
	Message    string            `json:"message,omitempty"`     // of the last failure; operators only
}

// RegionView is how one region sees a component, for operators.
type RegionView struct {
	Region     string            `json:"region"`
	Voting     bool              `json:"voting"`
	Failing    bool              `json:"failing"`
	Degraded   bool              `json:"degraded,omitempty"`
	Since      time.Time         `json:"since"` // when its verdict began
	ErrorClass result.ErrorClass `json:"error_class,omitempty"`
	LastError  string            `json:"last_error,omitempty"` // raw probe message: never public
	behind     bool              // voting, but has not reported the tick being decided
}

// ComponentState is the status the aggregator derived for a component.
type ComponentState struct {
	ComponentID string
	Status      status.Status
	// NoData is true until a check of the component reached a verdict; Status
	// is then meaningless.
	NoData bool
	// Stale is true while no region votes: Status is the last one known.
	Stale          bool
	Since          time.Time // when Status began
	UpdatedAt      time.Time
	FailingRegions []string // sorted
	Regions        []RegionView
	// The component's automatic incident, as the evaluator tracks it.
	IncidentOpen       bool
	IncidentWorst      status.Status // worst status reached while it was open
	IncidentResolvedAt time.Time     // when the last one was resolved, for the flap cool-down
	// Partition and Seq order the writes of a component's state: Seq is the
	// source offset of the last result applied, and a stored state with a
	// higher Seq is newer than a write with a lower one. Set by the
	// aggregator, not by the evaluator.
	Partition int
	Seq       int64
	// Uptime is where the component's day buckets stand: its current
	// class of time and the totals of its current day.
	Uptime uptime.Cursor
}

// DayBucket is a day bucket to store, with the partition and seq of the
// component state written with it: a stored bucket with a higher seq wins,
// as for component states.
type DayBucket struct {
	uptime.Bucket
	Partition int
	Seq       int64
}

// Transition is one change of a component's status.
type Transition struct {
	ComponentID string
	From, To    status.Status
	At          time.Time
}

// ActionKind says what an IncidentAction does to a component's automatic
// incident.
type ActionKind string

// The incident actions.
const (
	ActionOpen    ActionKind = "open"    // open a new incident
	ActionUpdate  ActionKind = "update"  // post an update to the open one, maybe retitled
	ActionResolve ActionKind = "resolve" // resolve the open one
	ActionReopen  ActionKind = "reopen"  // reopen the one resolved within the cool-down
)

// IncidentAction is one step of a component's automatic incident. The store
// finds the incident by component: the unresolved automatic one (update,
// resolve) or the most recently resolved automatic one (reopen).
type IncidentAction struct {
	Kind        ActionKind
	ComponentID string
	PageID      string
	At          time.Time
	// Name and Impact are the incident's title and impact after the action;
	// empty on resolve.
	Name   string
	Impact incident.Impact
	Update incident.Update
}

// Outcome says what became of one result given to Evaluate.
type Outcome int8

// The outcomes. Only Applied results are stored as time series.
const (
	Applied        Outcome = iota
	UnknownCheck           // no such check in the catalog
	WrongComponent         // the check belongs to another component
	Duplicate              // its tick was applied already (re-delivery, second agent, straggler)
	Future                 // more than 2 intervals ahead of the aggregator's clock
	TooOld                 // older than the maximum age
)

var outcomeNames = [...]string{"applied", "unknown_check", "wrong_component", "duplicate", "future", "too_old"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "unknown"
}

// Changes is everything one evaluation changed; a store persists it
// atomically.
type Changes struct {
	// Checks are the new states of the checks the results moved, in no
	// particular order.
	Checks []CheckState
	// Components are the final states of the components that changed.
	Components  []ComponentState
	Transitions []Transition
	Incidents   []IncidentAction
	// Buckets are the day buckets the changes moved, with their absolute
	// totals, one per component and day.
	Buckets []DayBucket
	pending map[string]waiting // ticks waiting for a region, or decided (zero)
}

// Empty reports whether c changes nothing.
func (c Changes) Empty() bool {
	return len(c.Checks) == 0 && len(c.Components) == 0 && len(c.Incidents) == 0 && len(c.pending) == 0 &&
		len(c.Buckets) == 0
}

// Checkpoint is what a store keeps of one partition of the results source.
type Checkpoint struct {
	Topic     string
	Partition int
	// Applied is the offset of the last message whose results, component
	// states and incidents are stored; -1 when none is.
	Applied int64
	// SnapshotOffset is the offset Checks are as of (at most Applied); -1
	// when no snapshot is stored.
	SnapshotOffset int64
	Checks         []CheckState
	// At is when Applied was stored, by the clock of the aggregator that
	// stored it; zero when none is.
	At time.Time
}

// Mark moves a partition's watermark from Prev to Applied, in the same
// transaction as the changes of the batch that ends at Applied.
type Mark struct {
	Topic     string
	Partition int
	Prev      int64 // the watermark as the writer last saw it; -1 for none
	Applied   int64
	// Snapshot, when not nil, is the partition's check states as of Applied.
	Snapshot []CheckState
	At       time.Time
}

// ErrFenced is returned by a store when a watermark was not where the
// writer left it: another writer moved it, and this one must stop.
var ErrFenced = errors.New("watermark moved by another writer")
