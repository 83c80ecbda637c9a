package statuspage

import (
	"strconv"
	"time"

	"github.com/statusd/statusd/maintenance"
)

// ImpactMaintenance is the impact Statuspage gives every scheduled
// maintenance.
const ImpactMaintenance = "maintenance"

// Maintenance is a scheduled maintenance as Statuspage writes it: an
// incident with scheduled_for and scheduled_until. monitoring_at is when it
// first moved to verifying, resolved_at when it completed, started_at when
// it began (its creation while it has not).
type Maintenance struct {
	ID              string              `json:"id"`
	Name            string              `json:"name"`
	Status          maintenance.Status  `json:"status"`
	CreatedAt       string              `json:"created_at"`
	UpdatedAt       string              `json:"updated_at"`
	MonitoringAt    *string             `json:"monitoring_at"`
	ResolvedAt      *string             `json:"resolved_at"`
	Impact          string              `json:"impact"`
	Shortlink       string              `json:"shortlink"`
	StartedAt       string              `json:"started_at"`
	PageID          string              `json:"page_id"`
	IncidentUpdates []MaintenanceUpdate `json:"incident_updates"`
	Components      []Component         `json:"components"`
	ScheduledFor    string              `json:"scheduled_for"`
	ScheduledUntil  string              `json:"scheduled_until"`
}

// MaintenanceUpdate is one public message posted to a maintenance.
// deliver_notifications is the window's choice; custom_tweet is the
// window's, on its first update; no tweet is ever sent, so tweet_id is null.
type MaintenanceUpdate struct {
	ID         string             `json:"id"`
	Status     maintenance.Status `json:"status"`
	Body       string             `json:"body"`
	IncidentID string             `json:"incident_id"`
	CreatedAt  string             `json:"created_at"`
	UpdatedAt  string             `json:"updated_at"`
	DisplayAt  string             `json:"display_at"`
	// AffectedComponents is always null: statusd does not record which
	// component transitions an update announced.
	AffectedComponents   []AffectedComponent `json:"affected_components"`
	DeliverNotifications bool                `json:"deliver_notifications"`
	CustomTweet          *string             `json:"custom_tweet"`
	TweetID              *string             `json:"tweet_id"`
}

// MaintenancesDoc is scheduled-maintenances.json and its upcoming.json and
// active.json.
type MaintenancesDoc struct {
	Page                  Page          `json:"page"`
	ScheduledMaintenances []Maintenance `json:"scheduled_maintenances"`
}

// Maintenances returns scheduled-maintenances.json (or upcoming.json or
// active.json) listing list.
func (v *View) Maintenances(list []maintenance.Window) MaintenancesDoc {
	return MaintenancesDoc{Page: v.page, ScheduledMaintenances: v.MaintenanceList(list)}
}

// MaintenanceList shows the public windows of list, in order: private and
// cancelled windows, and private updates, are left out.
func (v *View) MaintenanceList(list []maintenance.Window) []Maintenance {
	out := make([]Maintenance, 0, len(list))
	for _, w := range list {
		if w.Private || w.Status == maintenance.Cancelled || !w.Status.Valid() {
			continue
		}
		out = append(out, v.maintenance(w))
	}
	return out
}

func (v *View) maintenance(w maintenance.Window) Maintenance {
	id := strconv.FormatInt(w.ID, 10)
	started := w.StartedAt
	if started.IsZero() {
		started = w.CreatedAt
	}
	out := Maintenance{
		ID: id, Name: w.Title, Status: w.Status,
		CreatedAt: stamp(w.CreatedAt, v.loc), UpdatedAt: stamp(w.UpdatedAt, v.loc),
		ResolvedAt: optionalTime(w.CompletedAt, v.loc), Impact: ImpactMaintenance,
		StartedAt: stamp(started, v.loc), PageID: w.PageID,
		IncidentUpdates: []MaintenanceUpdate{}, Components: []Component{},
		ScheduledFor: stamp(w.StartsAt, v.loc), ScheduledUntil: stamp(w.EndsAt, v.loc),
	}
	// The HTML page lists windows under #maintenance; it has no page per
	// window, and /incidents/{id} is an incident's.
	out.Shortlink = v.link("/#maintenance")
	var monitoring time.Time
	for i, u := range w.Updates {
		if u.Status == maintenance.Verifying && (monitoring.IsZero() || u.CreatedAt.Before(monitoring)) {
			monitoring = u.CreatedAt
		}
		if u.Private {
			continue
		}
		mu := MaintenanceUpdate{
			ID: strconv.FormatInt(u.ID, 10), Status: u.Status, Body: u.Body, IncidentID: id,
			CreatedAt: stamp(u.CreatedAt, v.loc), UpdatedAt: stamp(u.CreatedAt, v.loc), DisplayAt: stamp(u.Display(), v.loc),
			DeliverNotifications: w.Notify.Deliver,
		}
		if i == len(w.Updates)-1 { // the first update announced the window
			mu.CustomTweet = optional(w.Notify.CustomTweet)
		}
		out.IncidentUpdates = append(out.IncidentUpdates, mu)
	}
	out.MonitoringAt = optionalTime(monitoring, v.loc)
	for _, cid := range w.ComponentIDs {
		if i, ok := v.byID[cid]; ok {
			out.Components = append(out.Components, v.components[i])
		}
	}
	return out
}
