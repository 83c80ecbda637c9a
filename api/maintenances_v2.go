package api

import (
	"context"
	"fmt"

	"github.com/statusd/statusd/maintenance"
)

// maintenancesLimit is the most windows a v2 document lists.
const maintenancesLimit = 50

// The windows each v2 document lists, as Statuspage does: the recent ones
// but cancelled, the upcoming, the active, and in summary.json the
// upcoming and active.
var (
	v2SummaryStatuses     = []maintenance.Status{maintenance.Scheduled, maintenance.InProgress, maintenance.Verifying}
	v2MaintenanceStatuses = map[string][]maintenance.Status{
		v2Maintenances:  {maintenance.Scheduled, maintenance.InProgress, maintenance.Verifying, maintenance.Completed},
		v2MaintUpcoming: {maintenance.Scheduled},
		v2MaintActive:   {maintenance.InProgress, maintenance.Verifying},
	}
)

// publicMaintenances lists the page's public windows of statuses, latest
// start first; none without Options.Maintenances.
func (a *API) publicMaintenances(ctx context.Context, pageID string, statuses []maintenance.Status) ([]maintenance.Window, error) {
	if a.maint == nil {
		return nil, nil
	}
	list, _, err := a.maint.Maintenances(ctx, maintenance.Filter{
		PageID: pageID, Statuses: statuses, Public: true, Limit: maintenancesLimit})
	if err != nil {
		return nil, fmt.Errorf("list maintenances of page %q: %w", pageID, err)
	}
	return list, nil
}
