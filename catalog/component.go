package catalog

import (
	"fmt"
	"time"
)

// Component is a part of a service shown on one or more pages. A
// component with children (IsGroup) shows the worst status of its
// children.
type Component struct {
	ID string
	// PageID and Position are the component's primary page and its place
	// there. Listed for one page, a component carries that page's ID and
	// its position on it instead.
	PageID      string
	GroupID     string // parent group's ID, empty at top level
	IsGroup     bool
	Name        string
	Description string
	Position    int
	// Quorum is how many live regions must fail before the component is in
	// major outage; 0 means a majority of the regions that report.
	Quorum int
	// Pages are every page the component sits on with its position there,
	// the primary page first. Empty means the primary page only.
	Pages []Placement
	// Display options: HideUptime hides the uptime history bars; StartDate,
	// when set, is the first day they show; OnlyShowIfDegraded hides the
	// component while it is operational.
	HideUptime         bool
	StartDate          time.Time // a civil date at midnight UTC; zero for none
	OnlyShowIfDegraded bool
	// Managed is the configuration file that declares the component, which
	// is then read-only through the API; empty when the API owns it.
	Managed string
	// SLO is the component's availability objective; the zero SLO is none.
	SLO SLO
}

// SLO is an availability objective: Target percent of the time that
// counts (not maintenance, not without data) over the last WindowDays
// days of the page's time zone.
type SLO struct {
	Target     float64
	WindowDays int
}

// MaxSLOWindowDays is the longest SLO window: the day buckets serve 12
// months. DefaultSLOWindowDays is the window of an SLO that names none.
const (
	MaxSLOWindowDays     = 365
	DefaultSLOWindowDays = 30
)

// Set reports whether the SLO is declared.
func (s SLO) Set() bool { return s.Target > 0 }

// Placement is a component's place on one page.
type Placement struct {
	PageID   string
	Position int
}

// MaxPlacements is how many pages one component may sit on.
const MaxPlacements = 100

// Placements returns the pages c sits on, the primary page first: Pages,
// or the primary page alone when Pages is empty.
func (c *Component) Placements() []Placement {
	if len(c.Pages) == 0 {
		return []Placement{{PageID: c.PageID, Position: c.Position}}
	}
	return c.Pages
}

// Normalize makes PageID and Position agree with Pages: Pages[0] is the
// primary page; an empty Pages becomes the primary page alone.
func (c *Component) Normalize() {
	if len(c.Pages) == 0 {
		if c.PageID != "" {
			c.Pages = []Placement{{PageID: c.PageID, Position: c.Position}}
		}
		return
	}
	c.PageID, c.Position = c.Pages[0].PageID, c.Pages[0].Position
}

// Validate checks a component on its own and returns every problem
// found; references to pages and groups are checked by the store.
func (c *Component) Validate() []FieldError {
	v := &fields{}
	v.id("id", c.ID)
	v.name("name", c.Name)
	v.text("description", c.Description, MaxTextLen)
	if c.Quorum < 0 {
		v.add("quorum", "must not be negative, got %d", c.Quorum)
	}
	if c.GroupID != "" && !ValidID(c.GroupID) {
		v.add("group_id", "%s", idRule)
	} else if c.GroupID != "" && c.GroupID == c.ID {
		v.add("group_id", "a component cannot be its own group")
	}
	placements := c.Placements()
	if len(placements) > MaxPlacements {
		v.add("pages", "must list at most %d pages, got %d", MaxPlacements, len(placements))
	}
	seen := map[string]bool{}
	for i, p := range placements {
		at := fmt.Sprintf("pages[%d]", i)
		if len(c.Pages) == 0 {
			at = "page_id"
		}
		switch {
		case p.PageID == "":
			v.add(at, "is required")
		case !ValidID(p.PageID):
			v.add(at, "%s", idRule)
		case seen[p.PageID]:
			v.add(at, "page %q is listed twice", p.PageID)
		}
		seen[p.PageID] = true
		if p.Position < 0 {
			v.add(at+".position", "must not be negative, got %d", p.Position)
		}
	}
	if !c.StartDate.IsZero() && !c.StartDate.Equal(c.StartDate.Truncate(24*time.Hour)) {
		v.add("start_date", "must be a date (midnight UTC)")
	}
	if c.SLO != (SLO{}) {
		if !(c.SLO.Target > 0 && c.SLO.Target < 100) {
			v.add("slo.target", "must be a percentage above 0 and below 100, got %g", c.SLO.Target)
		}
		if c.SLO.WindowDays < 1 || c.SLO.WindowDays > MaxSLOWindowDays {
			v.add("slo.window_days", "must be between 1 and %d, got %d", MaxSLOWindowDays, c.SLO.WindowDays)
		}
	}
	return v.errs
}
