// Package status owns the vocabulary of component status and the page-level
// indicator derived from it, in the words of Atlassian Statuspage's public API.
package status

// Status is the state of a component as shown on a status page.
type Status string

// The component statuses, from best to worst.
const (
	Operational         Status = "operational"
	UnderMaintenance    Status = "under_maintenance"
	DegradedPerformance Status = "degraded_performance"
	PartialOutage       Status = "partial_outage"
	MajorOutage         Status = "major_outage"
)

// All lists every status, best first.
var All = []Status{Operational, UnderMaintenance, DegradedPerformance, PartialOutage, MajorOutage}

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool { return s.severity() >= 0 }

// IsOutage reports whether s is a partial or major outage.
func (s Status) IsOutage() bool { return s == PartialOutage || s == MajorOutage }

func (s Status) severity() int {
	for i, v := range All {
		if v == s {
			return i
		}
	}
	return -1
}

// Worse reports whether s is worse than other.
func (s Status) Worse(other Status) bool { return s.severity() > other.severity() }

// Worst returns the worst of the given statuses, or Operational for none.
func Worst(statuses ...Status) Status {
	w := Operational
	for _, s := range statuses {
		if s.Worse(w) {
			w = s
		}
	}
	return w
}

// Indicator is the page-wide summary of Statuspage's status.json.
type Indicator string

// The page indicators.
const (
	IndicatorNone     Indicator = "none"
	IndicatorMinor    Indicator = "minor"
	IndicatorMajor    Indicator = "major"
	IndicatorCritical Indicator = "critical"
	// IndicatorMaintenance is a page whose worst component is under
	// maintenance, as Statuspage reports a maintenance in progress.
	IndicatorMaintenance Indicator = "maintenance"
)

// Summarize returns the page indicator and its human description for the
// worst component status on a page.
func Summarize(worst Status) (Indicator, string) {
	switch worst {
	case MajorOutage:
		return IndicatorCritical, "Major System Outage"
	case PartialOutage:
		return IndicatorMajor, "Partial System Outage"
	case DegradedPerformance:
		return IndicatorMinor, "Minor Service Outage"
	case UnderMaintenance:
		return IndicatorMaintenance, "Service Under Maintenance"
	default:
		return IndicatorNone, "All Systems Operational"
	}
}
