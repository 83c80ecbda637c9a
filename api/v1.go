package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/api/rollup"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/status"
)

// Pagination of native list endpoints.
const (
	defaultPerPage = 25
	maxPerPage     = 100
)

// v1TimeLayout is how native timestamps are written, always in UTC.
const v1TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// v1Component is a component in the native API.
type v1Component struct {
	ID          string  `json:"id"`
	PageID      string  `json:"page_id"`
	GroupID     *string `json:"group_id"`
	IsGroup     bool    `json:"is_group"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Position    int     `json:"position"`
	// Status is null while the component has no data yet.
	Status *status.Status `json:"status"`
	// Data is "live", "stale" (no live region reports: Status is the last
	// one known) or "no_data" (no check has reached a verdict yet).
	Data      string `json:"data"`
	DataStale bool   `json:"data_stale"`
	// StatusSince is when Status began; null when no state says.
	StatusSince *string `json:"status_since"`
	// StatusSource says who decides Status: "probe", or a person's
	// "override", "incident" or "maintenance" (StatusRef names the last
	// two); ProbeStatus is what the probes alone say, null without data.
	StatusSource   string         `json:"status_source"`
	StatusRef      *int64         `json:"status_ref"`
	ProbeStatus    *status.Status `json:"probe_status"`
	UpdatedAt      string         `json:"updated_at"`
	FailingRegions []string       `json:"failing_regions"`
	// The definition's other fields, as a write gives them.
	Pages              []placementJSON `json:"pages"`
	Quorum             int             `json:"quorum"`
	ShowUptime         bool            `json:"show_uptime"`
	StartDate          *string         `json:"start_date"`
	OnlyShowIfDegraded bool            `json:"only_show_if_degraded"`
	SLO                *sloJSON        `json:"slo"`
	// Managed is the configuration file that manages the component; null
	// when the API owns it.
	Managed *string `json:"managed"`
	// MetricsSummary is the uptime of the last 30 days, in lists; null
	// where the store keeps no metrics.
	MetricsSummary *metricsSummary `json:"metrics_summary"`
}

// v1ComponentDetail is a component with its per-region view, as GET
// /api/v1/components/{id} shows it.
type v1ComponentDetail struct {
	v1Component
	Regions []v1RegionView `json:"regions"`
}

// v1RegionView is how one region sees a component.
type v1RegionView struct {
	Region     string  `json:"region"`
	Voting     bool    `json:"voting"`
	Failing    bool    `json:"failing"`
	Degraded   bool    `json:"degraded"`
	Since      *string `json:"since"`
	ErrorClass string  `json:"error_class,omitempty"`
	// LastError is the raw probe message: for operators, never on a page.
	LastError string `json:"last_error,omitempty"`
}

// v1Meta describes a page of a list: listMeta's fields, and the total and
// number of pages as the first native lists gave them.
type v1Meta struct {
	listMeta
	Total      int `json:"total"`
	TotalPages int `json:"total_pages"`
}

type v1List struct {
	Data []v1Component `json:"data"`
	Meta v1Meta        `json:"meta"`
}

type v1Item struct {
	Data v1ComponentDetail `json:"data"`
}

func (a *API) v1Components(c *gin.Context) {
	page, perPage, fields := parsePaging(c)
	pageID := c.Query("page_id")
	if pageID != "" && !catalog.ValidID(pageID) {
		fields["page_id"] = "must be a page ID: 1-63 lower-case letters, digits, '.', '_' or '-'"
	}
	if len(fields) > 0 {
		abortInvalid(c, fields)
		return
	}
	if p := principalOf(c); p.PageID != "" && pageID == "" {
		pageID = p.PageID // a page key lists its page
	}
	if !mayPages(c, pageID) {
		return
	}
	key := fmt.Sprintf("components\x00%s\x00%d\x00%d", pageID, page, perPage)
	a.answerRead(c, key, func(ctx context.Context, snap *readmodel.Snapshot) (int, any, error) {
		all := a.pageComponents(snap, pageID)
		data := []v1Component{}
		for _, rc := range pageSlice(all, page, perPage) {
			data = append(data, newV1Component(rc))
		}
		if err := a.summaries(ctx, snap, data); err != nil {
			return 0, nil, err
		}
		meta := v1Meta{listMeta: newListMeta(page, perPage, len(data), len(all)), Total: len(all),
			TotalPages: (len(all) + perPage - 1) / perPage}
		return http.StatusOK, v1List{Data: data, Meta: meta}, nil
	})
}

func (a *API) v1Component(c *gin.Context) {
	a.answerComponent(c, http.StatusOK, c.Param("id"))
}

// componentAnswer is the component as GET /components/:id shows it, with
// code, or a 404.
func (a *API) componentAnswer(snap *readmodel.Snapshot, code int, id string, p auth.Principal) (int, any, error) {
	for _, rc := range a.subtree(snap, id) {
		if rc.ID == id {
			if p.PageID != "" && !slices.Contains(pageIDs(rc.Component), p.PageID) {
				return http.StatusForbidden, errorBody{Error: errorDetail{Code: codeForbidden,
					Message: fmt.Sprintf("this key is limited to page %q", catalog.Truncate(p.PageID))}}, nil
			}
			return code, v1Item{Data: newV1ComponentDetail(rc)}, nil
		}
	}
	return componentNotFound(id)
}

func newV1ComponentDetail(rc rollup.Component) v1ComponentDetail {
	out := v1ComponentDetail{v1Component: newV1Component(rc), Regions: []v1RegionView{}}
	for _, v := range rc.Regions {
		out.Regions = append(out.Regions, v1RegionView{Region: v.Region, Voting: v.Voting, Failing: v.Failing,
			Degraded: v.Degraded, Since: v1TimePtr(v.Since), ErrorClass: string(v.ErrorClass), LastError: v.LastError})
	}
	return out
}

// subtree rolls up one component and, for a group, its members: only
// their states, not those of every component; none when there is no such
// component.
func (a *API) subtree(snap *readmodel.Snapshot, id string) []rollup.Component {
	comp, ok := snap.Component(id)
	switch {
	case !ok:
		return nil
	case !comp.IsGroup:
		return rollup.Components([]catalog.Component{comp}, snap.ComponentStatesOf([]string{id}), snap.Shown(), a.origin)
	}
	comps := snap.Components("")
	in := map[string]bool{id: true}
	for grew := true; grew; { // add members until no new one: groups nest
		grew = false
		for _, co := range comps {
			if !in[co.ID] && in[co.GroupID] {
				in[co.ID], grew = true, true
			}
		}
	}
	var sub []catalog.Component
	var ids []string
	for _, co := range comps {
		if in[co.ID] {
			sub, ids = append(sub, co), append(ids, co.ID)
		}
	}
	return rollup.Components(sub, snap.ComponentStatesOf(ids), snap.Shown(), a.origin)
}

// pageComponents rolls up the components of a page, or of every page for
// "", with only their states.
func (a *API) pageComponents(snap *readmodel.Snapshot, pageID string) []rollup.Component {
	comps := snap.Components(pageID)
	if pageID == "" {
		return rollup.Components(comps, snap.ComponentStates(), snap.Shown(), a.origin)
	}
	ids := make([]string, 0, len(comps))
	for _, co := range comps {
		ids = append(ids, co.ID)
	}
	return rollup.Components(comps, snap.ComponentStatesOf(ids), snap.Shown(), a.origin)
}

// parsePaging reads ?page and ?per_page; absent or empty means the default.
// fields names each invalid one.
func parsePaging(c *gin.Context) (page, perPage int, fields map[string]string) {
	fields = map[string]string{}
	page, perPage = 1, defaultPerPage
	if s := c.Query("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			fields["page"] = "must be a positive integer"
		}
		page = n
	}
	if s := c.Query("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPerPage {
			fields["per_page"] = fmt.Sprintf("must be an integer between 1 and %d", maxPerPage)
		}
		perPage = n
	}
	return page, perPage, fields
}

func newV1Component(rc rollup.Component) v1Component {
	out := v1Component{
		ID: rc.ID, PageID: rc.PageID, IsGroup: rc.IsGroup, Name: rc.Name,
		Description: rc.Description, Position: rc.Position, Data: "live", DataStale: rc.Stale,
		UpdatedAt: rc.UpdatedAt.UTC().Format(v1TimeLayout), FailingRegions: rc.FailingRegions,
	}
	def := newComponentJSON(rc.Component)
	out.Pages, out.Quorum, out.ShowUptime, out.StartDate, out.OnlyShowIfDegraded =
		def.Pages, def.Quorum, def.ShowUptime, def.StartDate, def.OnlyShowIfDegraded
	out.SLO = def.SLO
	if rc.Managed != "" {
		out.Managed = &rc.Managed
	}
	switch {
	case rc.NoData:
		out.Data = "no_data"
	case rc.Stale:
		out.Data = "stale"
	}
	if !rc.NoData {
		st := rc.Status
		out.Status = &st
		out.StatusSince = v1TimePtr(rc.Since)
	}
	out.StatusSource = string(rc.Source)
	if rc.RefID != 0 {
		ref := rc.RefID
		out.StatusRef = &ref
	}
	if rc.Probe != "" {
		probe := rc.Probe
		out.ProbeStatus = &probe
	}
	if rc.GroupID != "" {
		out.GroupID = &rc.GroupID
	}
	return out
}

// v1TimePtr formats a time for the native API; nil for the zero time.
func v1TimePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(v1TimeLayout)
	return &s
}
