package api

import (
	"time"

	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
)

// Request bodies of the incident routes. Times are RFC 3339 strings,
// parsed here so that a bad one is a 422 naming its field.

type componentStatusBody struct {
	ComponentID string        `json:"component_id"`
	Status      status.Status `json:"status"`
}

type notifyBody struct {
	Deliver     bool   `json:"deliver"`
	Tweet       bool   `json:"tweet"`
	CustomTweet string `json:"custom_tweet"`
}

func (n *notifyBody) notify() incident.Notify {
	if n == nil {
		return incident.Notify{}
	}
	return incident.Notify{Deliver: n.Deliver, Tweet: n.Tweet, CustomTweet: n.CustomTweet}
}

// openBody is POST /incidents.
type openBody struct {
	PageID     string                `json:"page_id"`
	Title      string                `json:"title"`
	Body       string                `json:"body"`
	Status     string                `json:"status"`
	Impact     incident.Impact       `json:"impact"`
	Private    bool                  `json:"private"`
	Components []componentStatusBody `json:"components"`
	At         *string               `json:"at"`
	StartedAt  *string               `json:"started_at"`
	ResolvedAt *string               `json:"resolved_at"`
	Backfilled bool                  `json:"backfilled"`
	Notify     *notifyBody           `json:"notify"`
}

// postBody is POST /incidents/{id}/updates, /resolve, /reopen and
// /postmortem; each uses the fields its action reads.
type postBody struct {
	Body       string                `json:"body"`
	Status     string                `json:"status"`
	Private    bool                  `json:"private"`
	Components []componentStatusBody `json:"components"`
	At         *string               `json:"at"`
	Notify     *notifyBody           `json:"notify"`
}

// editBody is PATCH /incidents/{id}.
type editBody struct {
	Title      *string                `json:"title"`
	Body       *string                `json:"body"`
	Impact     *incident.Impact       `json:"impact"`
	Private    *bool                  `json:"private"`
	Components *[]componentStatusBody `json:"components"`
	StartedAt  *string                `json:"started_at"`
	ResolvedAt *string                `json:"resolved_at"`
	Notify     *notifyBody            `json:"notify"`
}

// editUpdateBody is PATCH /incidents/{id}/updates/{update_id}.
type editUpdateBody struct {
	Body      *string `json:"body"`
	Private   *bool   `json:"private"`
	DisplayAt *string `json:"display_at"`
}

// times parses the RFC 3339 times of a body, collecting field errors.
type times map[string]string

func (ts times) parse(field string, s *string) time.Time {
	if s == nil || *s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		ts[field] = `must be an RFC 3339 time such as "2026-01-02T15:04:05Z"`
		return time.Time{}
	}
	return t
}

func (ts times) parsePtr(field string, s *string) *time.Time {
	if s == nil {
		return nil
	}
	t := ts.parse(field, s)
	return &t
}

func componentStatuses(cs []componentStatusBody) []incident.ComponentStatus {
	out := make([]incident.ComponentStatus, 0, len(cs))
	for _, c := range cs {
		out = append(out, incident.ComponentStatus{ComponentID: c.ComponentID, Status: c.Status})
	}
	return out
}

func (b openBody) action(ts times) incident.Action {
	return incident.Action{Kind: incident.KindOpen, Title: b.Title, Body: b.Body, Status: b.Status, Impact: b.Impact,
		Private: b.Private, Components: componentStatuses(b.Components), At: ts.parse("at", b.At),
		StartedAt: ts.parse("started_at", b.StartedAt), ResolvedAt: ts.parse("resolved_at", b.ResolvedAt),
		Backfilled: b.Backfilled, Notify: b.Notify.notify()}
}

func (b postBody) action(kind incident.Kind, ts times) incident.Action {
	return incident.Action{Kind: kind, Body: b.Body, Status: b.Status, Private: b.Private,
		Components: componentStatuses(b.Components), At: ts.parse("at", b.At), Notify: b.Notify.notify()}
}

func (b editBody) action(ts times) incident.Action {
	c := &incident.Changes{Title: b.Title, Body: b.Body, Impact: b.Impact, Private: b.Private,
		StartedAt: ts.parsePtr("started_at", b.StartedAt), ResolvedAt: ts.parsePtr("resolved_at", b.ResolvedAt)}
	if b.Components != nil {
		cs := componentStatuses(*b.Components)
		c.Components = &cs
	}
	if b.Notify != nil {
		n := b.Notify.notify()
		c.Notify = &n
	}
	return incident.Action{Kind: incident.KindEdit, Changes: c}
}

func (b editUpdateBody) action(id int64, ts times) incident.Action {
	return incident.Action{Kind: incident.KindEditUpdate, UpdateID: id, Changes: &incident.Changes{
		Body: b.Body, Private: b.Private, DisplayAt: ts.parsePtr("display_at", b.DisplayAt)}}
}
