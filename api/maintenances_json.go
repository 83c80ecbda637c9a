package api

import (
	"strconv"
	"time"

	"github.com/statusd/statusd/maintenance"
)

// maintenanceJSON is a maintenance window as /api/v1 shows it.
type maintenanceJSON struct {
	ID            int64                   `json:"id"`
	PageID        string                  `json:"page_id"`
	Title         string                  `json:"title"`
	Body          string                  `json:"body"`
	Status        maintenance.Status      `json:"status"`
	StartsAt      string                  `json:"starts_at"`
	EndsAt        string                  `json:"ends_at"`
	StartedAt     *string                 `json:"started_at"`
	CompletedAt   *string                 `json:"completed_at"`
	CancelledAt   *string                 `json:"cancelled_at"`
	ComponentIDs  []string                `json:"component_ids"`
	AutoStart     bool                    `json:"auto_start"`
	AutoEnd       bool                    `json:"auto_end"`
	Private       bool                    `json:"private"`
	Recurrence    *string                 `json:"recurrence"`
	SeriesID      *int64                  `json:"series_id"`
	Occurrence    int                     `json:"occurrence"`
	Reminders     []maintenance.Reminder  `json:"reminders"`
	RemindersSent []maintenance.Reminder  `json:"reminders_sent"`
	Notify        notifyJSON              `json:"notify"`
	Updates       []maintenanceUpdateJSON `json:"updates"`
	CreatedAt     string                  `json:"created_at"`
	UpdatedAt     string                  `json:"updated_at"`
}

type maintenanceUpdateJSON struct {
	ID        int64              `json:"id"`
	Status    maintenance.Status `json:"status"`
	Body      string             `json:"body"`
	Private   bool               `json:"private"`
	ByPerson  bool               `json:"by_person"`
	CreatedAt string             `json:"created_at"`
	DisplayAt string             `json:"display_at"`
}

// maintenanceBody is the body of POST /maintenances. Times are RFC 3339;
// auto_start and auto_end default to true.
type maintenanceBody struct {
	PageID       string      `json:"page_id"`
	Title        string      `json:"title"`
	Body         string      `json:"body"`
	StartsAt     string      `json:"starts_at"`
	EndsAt       string      `json:"ends_at"`
	ComponentIDs []string    `json:"component_ids"`
	AutoStart    *bool       `json:"auto_start"`
	AutoEnd      *bool       `json:"auto_end"`
	Private      bool        `json:"private"`
	Recurrence   string      `json:"recurrence"`
	Reminders    []string    `json:"reminders"`
	Notify       *notifyJSON `json:"notify"`
}

// maintenancePatch is the body of PATCH /maintenances/{id}: the fields
// sent change, the others stay.
type maintenancePatch struct {
	Title        *string     `json:"title"`
	Body         *string     `json:"body"`
	StartsAt     *string     `json:"starts_at"`
	EndsAt       *string     `json:"ends_at"`
	ComponentIDs *[]string   `json:"component_ids"`
	AutoStart    *bool       `json:"auto_start"`
	AutoEnd      *bool       `json:"auto_end"`
	Private      *bool       `json:"private"`
	Reminders    *[]string   `json:"reminders"`
	Notify       *notifyJSON `json:"notify"`
}

// updateBody is the body of POST /maintenances/{id}/updates.
type updateBody struct {
	Status  maintenance.Status `json:"status"`
	Body    string             `json:"body"`
	Private bool               `json:"private"`
}

// stepBody is the optional body of start and complete.
type stepBody struct {
	Body string `json:"body"`
}

// cancelBody is the optional body of cancel; series also ends a recurring
// series.
type cancelBody struct {
	Body   string `json:"body"`
	Series bool   `json:"series"`
}

// action reads b as the schedule action; fields names what does not parse.
func (b maintenanceBody) action() (maintenance.Action, map[string]string) {
	fields := map[string]string{}
	a := maintenance.Action{Kind: maintenance.KindSchedule, Title: b.Title, Body: b.Body,
		ComponentIDs: b.ComponentIDs, AutoStart: true, AutoEnd: true, Private: b.Private, Recurrence: b.Recurrence}
	a.StartsAt = parseTimeField(fields, "starts_at", b.StartsAt)
	a.EndsAt = parseTimeField(fields, "ends_at", b.EndsAt)
	if b.AutoStart != nil {
		a.AutoStart = *b.AutoStart
	}
	if b.AutoEnd != nil {
		a.AutoEnd = *b.AutoEnd
	}
	a.Reminders = parseReminders(fields, b.Reminders)
	if b.Notify != nil {
		a.Notify = maintenance.Notify(*b.Notify)
	}
	return a, fields
}

// changes reads p as an edit's changes; fields names what does not parse.
func (p maintenancePatch) changes() (*maintenance.Changes, map[string]string) {
	fields := map[string]string{}
	c := &maintenance.Changes{Title: p.Title, Body: p.Body, ComponentIDs: p.ComponentIDs,
		AutoStart: p.AutoStart, AutoEnd: p.AutoEnd, Private: p.Private}
	for _, f := range []struct {
		name string
		in   *string
		out  **time.Time
	}{{"starts_at", p.StartsAt, &c.StartsAt}, {"ends_at", p.EndsAt, &c.EndsAt}} {
		if f.in != nil {
			t := parseTimeField(fields, f.name, *f.in)
			*f.out = &t
		}
	}
	if p.Reminders != nil {
		r := parseReminders(fields, *p.Reminders)
		c.Reminders = &r
	}
	if p.Notify != nil {
		n := maintenance.Notify(*p.Notify)
		c.Notify = &n
	}
	return c, fields
}

func parseTimeField(fields map[string]string, name, v string) time.Time {
	if v == "" {
		return time.Time{} // the domain says it is required
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		fields[name] = "must be a time as RFC 3339, e.g. 2026-12-01T22:00:00Z"
	}
	return t
}

func parseReminders(fields map[string]string, names []string) maintenance.Reminders {
	var r maintenance.Reminders
	for i, n := range names {
		if !r.Set(maintenance.Reminder(n)) {
			fields["reminders["+strconv.Itoa(i)+"]"] = "must be one of day_before, hour_before, at_start, at_completion"
		}
	}
	return r
}

func v1OptionalTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := v1Time(t)
	return &s
}

func newMaintenanceJSON(w maintenance.Window) maintenanceJSON {
	out := maintenanceJSON{
		ID: w.ID, PageID: w.PageID, Title: w.Title, Body: w.Body, Status: w.Status,
		StartsAt: v1Time(w.StartsAt), EndsAt: v1Time(w.EndsAt), StartedAt: v1OptionalTime(w.StartedAt),
		CompletedAt: v1OptionalTime(w.CompletedAt), CancelledAt: v1OptionalTime(w.CancelledAt),
		ComponentIDs: append([]string{}, w.ComponentIDs...), AutoStart: w.AutoStart, AutoEnd: w.AutoEnd,
		Private: w.Private, Occurrence: w.Occurrence, Reminders: w.Reminders.Names(),
		RemindersSent: append([]maintenance.Reminder{}, w.Sent...), Notify: notifyJSON(w.Notify),
		Updates:   make([]maintenanceUpdateJSON, 0, len(w.Updates)),
		CreatedAt: v1Time(w.CreatedAt), UpdatedAt: v1Time(w.UpdatedAt),
	}
	if w.Recurrence != nil {
		rec := w.Recurrence.Text
		out.Recurrence = &rec
	}
	if w.SeriesID != 0 {
		id := w.SeriesID
		out.SeriesID = &id
	}
	for _, u := range w.Updates {
		out.Updates = append(out.Updates, maintenanceUpdateJSON{ID: u.ID, Status: u.Status, Body: u.Body,
			Private: u.Private, ByPerson: u.ByPerson, CreatedAt: v1Time(u.CreatedAt), DisplayAt: v1Time(u.Display())})
	}
	return out
}
