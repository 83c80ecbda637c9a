package api

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/maintenance"
	"github.com/statusd/statusd/web/htmlpage"
)

// The maintenance windows of the HTML page: the home page's upcoming and
// active ones, each window's own page and the history's completed ones.

// maintenances lists the page's public upcoming and in-progress windows,
// and when they last changed.
func (v *pageView) maintenances(ctx context.Context) ([]htmlpage.Maintenance, time.Time, error) {
	if v.a.maint == nil {
		return nil, time.Time{}, nil
	}
	list, _, err := v.a.maint.Maintenances(ctx, maintenance.Filter{PageID: v.page.ID, Statuses: v2SummaryStatuses,
		Public: true, Limit: maintenancesLimit})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("list maintenances: %w", err)
	}
	var changed time.Time
	names := v.componentNames()
	var out []htmlpage.Maintenance
	for _, w := range list {
		if w.Private {
			continue
		}
		changed = lastChange(changed, w.UpdatedAt)
		out = append(out, v.maintenanceCard(w, names, false))
	}
	return out, changed, nil
}

// componentNames maps the page's component IDs to their names.
func (v *pageView) componentNames() map[string]string {
	comps := v.snap.Components(v.page.ID)
	names := make(map[string]string, len(comps))
	for _, c := range comps {
		names[c.ID] = c.Name
	}
	return names
}

// maintenanceCard is a window with the names of its components among
// names, and its public updates; with its body too when full (its own
// page).
func (v *pageView) maintenanceCard(w maintenance.Window, names map[string]string, full bool) htmlpage.Maintenance {
	m := htmlpage.Maintenance{URL: "/maintenances/" + strconv.FormatInt(w.ID, 10), Title: w.Title,
		Status: words(string(w.Status)), Window: v.stamp(w.StartsAt) + " – " + v.stamp(w.EndsAt)}
	for _, id := range w.ComponentIDs {
		if n, ok := names[id]; ok {
			m.Components = append(m.Components, n)
		}
	}
	if full {
		m.Body = w.Body
	}
	for _, u := range w.Updates {
		if !u.Private {
			at := u.Display()
			m.Updates = append(m.Updates, htmlpage.Update{Status: words(string(u.Status)), Body: u.Body, At: v.stamp(at),
				Time: machineTime(at)})
		}
	}
	return m
}

// maintenance finds one public maintenance window of the page, of any
// status.
func (v *pageView) maintenance(ctx context.Context, id int64) (htmlpage.MaintenancePage, bool, error) {
	if v.a.maint == nil {
		return htmlpage.MaintenancePage{}, false, nil
	}
	w, err := v.a.maint.Maintenance(ctx, id)
	var nf *catalog.NotFoundError
	switch {
	case errors.As(err, &nf):
		return htmlpage.MaintenancePage{}, false, nil
	case err != nil:
		return htmlpage.MaintenancePage{}, false, fmt.Errorf("read maintenance %d: %w", id, err)
	case w.PageID != v.page.ID || w.Private:
		return htmlpage.MaintenancePage{}, false, nil
	}
	return htmlpage.MaintenancePage{Header: v.header(w.UpdatedAt), Maintenance: v.maintenanceCard(w, v.componentNames(), true)}, true, nil
}

// historyMaintenances are the page's public completed windows, newest
// first, and when they last changed.
func (v *pageView) historyMaintenances(ctx context.Context) ([]maintenance.Window, time.Time, error) {
	if v.a.maint == nil {
		return nil, time.Time{}, nil
	}
	list, _, err := v.a.maint.Maintenances(ctx, maintenance.Filter{PageID: v.page.ID,
		Statuses: []maintenance.Status{maintenance.Completed}, Public: true, Limit: pageHistory})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("list completed maintenances: %w", err)
	}
	var changed time.Time
	out := list[:0]
	for _, w := range list {
		if !w.Private {
			out = append(out, w)
			changed = lastChange(changed, w.UpdatedAt)
		}
	}
	return out, changed, nil
}
