package api

import (
	"time"

	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// incidentJSON is an incident in the native API, private fields included.
type incidentJSON struct {
	ID           int64                   `json:"id"`
	PageID       string                  `json:"page_id"`
	Name         string                  `json:"name"`
	Status       incident.Status         `json:"status"`
	CustomStatus *string                 `json:"custom_status"`
	Impact       incident.Impact         `json:"impact"`
	Body         string                  `json:"body"`
	Automatic    bool                    `json:"automatic"`
	TakenOver    bool                    `json:"taken_over"`
	Private      bool                    `json:"private"`
	Backfilled   bool                    `json:"backfilled"`
	ComponentIDs []string                `json:"component_ids"`
	Components   []incidentComponentJSON `json:"components"`
	CreatedAt    string                  `json:"created_at"`
	UpdatedAt    string                  `json:"updated_at"`
	StartedAt    string                  `json:"started_at"`
	MonitoringAt *string                 `json:"monitoring_at"`
	ResolvedAt   *string                 `json:"resolved_at"`
	Postmortem   *postmortemJSON         `json:"postmortem"`
	Notify       notifyJSON              `json:"notify"`
	Updates      []incidentUpdateJSON    `json:"updates"`
}

type incidentComponentJSON struct {
	ComponentID string        `json:"component_id"`
	Status      status.Status `json:"status"`
}

type postmortemJSON struct {
	Body        string `json:"body"`
	PublishedAt string `json:"published_at"`
}

type notifyJSON struct {
	Deliver     bool   `json:"deliver"`
	Tweet       bool   `json:"tweet"`
	CustomTweet string `json:"custom_tweet"`
}

type incidentUpdateJSON struct {
	ID           int64                 `json:"id"`
	Status       incident.Status       `json:"status"`
	CustomStatus *string               `json:"custom_status"`
	Body         string                `json:"body"`
	CreatedAt    string                `json:"created_at"`
	DisplayAt    string                `json:"display_at"`
	UpdatedAt    *string               `json:"updated_at"`
	Private      bool                  `json:"private"`
	ByPerson     bool                  `json:"by_person"`
	Affected     []componentChangeJSON `json:"affected_components"`
	Notify       notifyJSON            `json:"notify"`
}

type componentChangeJSON struct {
	ComponentID string        `json:"component_id"`
	OldStatus   status.Status `json:"old_status"`
	NewStatus   status.Status `json:"new_status"`
}

func v1OptTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := v1Time(t)
	return &s
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func newNotifyJSON(n incident.Notify) notifyJSON {
	return notifyJSON{Deliver: n.Deliver, Tweet: n.Tweet, CustomTweet: n.CustomTweet}
}

func newIncidentJSON(in incident.Incident) incidentJSON {
	out := incidentJSON{
		ID: in.ID, PageID: in.PageID, Name: in.Name, Status: in.Status, CustomStatus: optString(in.CustomStatus),
		Impact: in.Impact, Body: in.Body, Automatic: in.Automatic, TakenOver: in.TakenOver, Private: in.Private,
		Backfilled: in.Backfilled, ComponentIDs: append([]string{}, in.ComponentIDs...),
		Components: make([]incidentComponentJSON, 0, len(in.Components)),
		CreatedAt:  v1Time(in.CreatedAt), UpdatedAt: v1Time(in.UpdatedAt), StartedAt: v1Time(in.Started()),
		MonitoringAt: v1OptTime(in.MonitoringAt()), ResolvedAt: v1OptTime(in.ResolvedAt),
		Notify: newNotifyJSON(in.Notify), Updates: make([]incidentUpdateJSON, 0, len(in.Updates)),
	}
	for _, c := range in.Components {
		out.Components = append(out.Components, incidentComponentJSON{ComponentID: c.ComponentID, Status: c.Status})
	}
	if !in.PostmortemAt.IsZero() {
		out.Postmortem = &postmortemJSON{Body: in.PostmortemBody, PublishedAt: v1Time(in.PostmortemAt)}
	}
	for _, u := range in.Updates {
		ju := incidentUpdateJSON{ID: u.ID, Status: u.Status, CustomStatus: optString(u.CustomStatus), Body: u.Body,
			CreatedAt: v1Time(u.CreatedAt), DisplayAt: v1Time(u.Display()), UpdatedAt: v1OptTime(u.UpdatedAt),
			Private: u.Private, ByPerson: u.ByPerson, Affected: make([]componentChangeJSON, 0, len(u.Components)),
			Notify: newNotifyJSON(u.Notify)}
		for _, c := range u.Components {
			ju.Affected = append(ju.Affected, componentChangeJSON{ComponentID: c.ComponentID, OldStatus: c.Old, NewStatus: c.New})
		}
		out.Updates = append(out.Updates, ju)
	}
	return out
}
