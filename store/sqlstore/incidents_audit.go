package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/incident"
)

// The audit entity kinds of incidents.
const (
	kindIncident       = "incident"
	kindIncidentUpdate = "incident_update"
)

// incidentAudit is what the audit log keeps of an incident: its own
// fields, not its updates (an edited or deleted update has its own entry).
type incidentAudit struct {
	PageID         string                     `json:"page_id"`
	Name           string                     `json:"name"`
	Status         incident.Status            `json:"status"`
	CustomStatus   string                     `json:"custom_status,omitempty"`
	Impact         incident.Impact            `json:"impact"`
	Body           string                     `json:"body,omitempty"`
	Private        bool                       `json:"private"`
	Automatic      bool                       `json:"automatic"`
	TakenOver      bool                       `json:"taken_over"`
	Backfilled     bool                       `json:"backfilled"`
	Components     []incident.ComponentStatus `json:"components"`
	StartedAt      time.Time                  `json:"started_at"`
	ResolvedAt     *time.Time                 `json:"resolved_at"`
	PostmortemBody string                     `json:"postmortem_body,omitempty"`
	Notify         incident.Notify            `json:"notify"`
	Updates        int                        `json:"updates"`
	DeletedAt      *time.Time                 `json:"deleted_at,omitempty"`
}

func newIncidentAudit(in incident.Incident) incidentAudit {
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	return incidentAudit{PageID: in.PageID, Name: in.Name, Status: in.Status, CustomStatus: in.CustomStatus,
		Impact: in.Impact, Body: in.Body, Private: in.Private, Automatic: in.Automatic, TakenOver: in.TakenOver,
		Backfilled: in.Backfilled, Components: in.Components, StartedAt: in.Started(), ResolvedAt: opt(in.ResolvedAt),
		PostmortemBody: in.PostmortemBody, Notify: in.Notify, Updates: len(in.Updates), DeletedAt: opt(in.DeletedAt)}
}

// updateAudit is what the audit log keeps of an update.
type updateAudit struct {
	IncidentID int64           `json:"incident_id"`
	Status     incident.Status `json:"status"`
	Body       string          `json:"body"`
	DisplayAt  time.Time       `json:"display_at"`
	Private    bool            `json:"private"`
}

func newUpdateAudit(incidentID int64, u *incident.Update) any {
	if u == nil {
		return nil
	}
	return updateAudit{IncidentID: incidentID, Status: u.Status, Body: u.Body, DisplayAt: u.Display(), Private: u.Private}
}

// auditIncident records a person's action on an incident: the incident
// before and after, and the revision of an edited or deleted update.
func (s *Store) auditIncident(ctx context.Context, tx *sql.Tx, p auth.Principal, kind incident.Kind,
	before, after incident.Incident, rev *incident.Revision, now time.Time) error {
	id := strconv.FormatInt(after.ID, 10)
	if rev != nil {
		return s.appendAudit(ctx, tx, p, string(kind), kindIncidentUpdate, strconv.FormatInt(rev.UpdateID, 10),
			newUpdateAudit(after.ID, &rev.Before), newUpdateAudit(after.ID, rev.After), now)
	}
	var prev any
	if kind != incident.KindOpen {
		prev = newIncidentAudit(before)
	}
	if err := s.appendAudit(ctx, tx, p, string(kind), kindIncident, id, prev, newIncidentAudit(after), now); err != nil {
		return fmt.Errorf("audit incident %s: %w", id, err)
	}
	return nil
}
