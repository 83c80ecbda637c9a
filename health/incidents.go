package health

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// incident moves the component's automatic incident along with its status
// change from prev to next at tick at. The texts are public: they name
// regions and error classes, never the raw probe message, which can name
// internal hosts.
func (p *pass) incident(next *ComponentState, prev ComponentState, at time.Time) {
	id := next.ComponentID
	warrants := next.Status == status.MajorOutage || (next.Status == status.PartialOutage && p.e.incidentOnPartial(id))
	act := IncidentAction{ComponentID: id, PageID: p.e.components[id].PageID, At: at}
	switch {
	case !next.IncidentOpen && warrants:
		next.IncidentOpen, next.IncidentWorst = true, next.Status
		act.Name, act.Impact = p.e.title(id, next.Status)
		act.Update = incident.Update{Status: incident.Investigating, CreatedAt: at}
		if !next.IncidentResolvedAt.IsZero() && at.Sub(next.IncidentResolvedAt) <= p.e.cooldown {
			act.Kind = ActionReopen
			act.Update.Body = fmt.Sprintf("%s is failing again, %s after it recovered. %s",
				p.e.name(id), at.Sub(next.IncidentResolvedAt).Round(time.Second), where(*next))
		} else {
			act.Kind = ActionOpen
			act.Update.Body = fmt.Sprintf("Automated checks detected a %s of %s. %s We are investigating.",
				words(next.Status), p.e.name(id), where(*next))
		}
	case next.IncidentOpen && next.Status.IsOutage() && next.Status != prev.Status:
		if next.Status.Worse(next.IncidentWorst) {
			next.IncidentWorst = next.Status
		}
		act.Kind = ActionUpdate
		act.Name, act.Impact = p.e.title(id, next.IncidentWorst)
		act.Update = incident.Update{Status: incident.Investigating, CreatedAt: at,
			Body: fmt.Sprintf("The outage of %s is now a %s. %s", p.e.name(id), words(next.Status), where(*next))}
	case next.IncidentOpen && !next.Status.IsOutage():
		next.IncidentOpen, next.IncidentResolvedAt = false, at
		act.Kind = ActionResolve
		act.Update = incident.Update{Status: incident.Resolved, CreatedAt: at,
			Body: fmt.Sprintf("Automated checks show %s %s again from every region since %s.",
				p.e.name(id), strings.ReplaceAll(string(next.Status), "_", " "), clock(at))}
	default:
		return
	}
	p.ch.Incidents = append(p.ch.Incidents, act)
}

// incidentOnPartial reports whether a check of the component asks for an
// incident on a partial outage.
func (e *Evaluator) incidentOnPartial(id string) bool {
	return slices.ContainsFunc(e.byComp[id], func(checkID string) bool {
		return e.checks[checkID].IncidentOn == catalog.IncidentOnPartial
	})
}

// title is an automatic incident's name and impact for the worst status it
// reached.
func (e *Evaluator) title(id string, worst status.Status) (string, incident.Impact) {
	impact := incident.ImpactMajor
	if worst == status.MajorOutage {
		impact = incident.ImpactCritical
	}
	return fmt.Sprintf("%s: %s", e.name(id), words(worst)), impact
}

func (e *Evaluator) name(id string) string {
	if c, ok := e.components[id]; ok && c.Name != "" {
		return c.Name
	}
	return id
}

func words(s status.Status) string {
	if s == status.MajorOutage {
		return "major outage"
	}
	return "partial outage"
}

// where says which regions fail and since when, with the error classes.
func where(s ComponentState) string {
	var parts []string
	var since time.Time
	for _, v := range s.Regions {
		if !v.Failing {
			continue
		}
		part := v.Region
		if v.ErrorClass != "" {
			part += " (" + string(v.ErrorClass) + ")"
		}
		parts = append(parts, part)
		if since.IsZero() || v.Since.Before(since) {
			since = v.Since
		}
	}
	return fmt.Sprintf("Failing from %s since %s.", strings.Join(parts, ", "), clock(since))
}

func clock(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }
