package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/maintenance"
)

// maintenancesLimit is the most windows a v2 document lists.
const maintenancesLimit = 50

// The windows each v2 document lists, as Statuspage does: the recent ones
// but cancelled, the upcoming, the active, and in summary.json the
// upcoming and active.
var (
	v2AllStatuses = []maintenance.Status{maintenance.Scheduled, maintenance.InProgress,
		maintenance.Verifying, maintenance.Completed}
	v2UpcomingStatuses = []maintenance.Status{maintenance.Scheduled}
	v2ActiveStatuses   = []maintenance.Status{maintenance.InProgress, maintenance.Verifying}
	v2SummaryStatuses  = []maintenance.Status{maintenance.Scheduled, maintenance.InProgress, maintenance.Verifying}
)

// v2MaintenanceRoutes serves the scheduled-maintenances documents under
// prefix (/api/v2 or /pages/:page_id/api/v2).
func (a *API) v2MaintenanceRoutes(prefix string, get func(string, gin.HandlerFunc)) {
	get(prefix+"/scheduled-maintenances.json", a.v2Maintenances(v2AllStatuses))
	get(prefix+"/scheduled-maintenances/upcoming.json", a.v2Maintenances(v2UpcomingStatuses))
	get(prefix+"/scheduled-maintenances/active.json", a.v2Maintenances(v2ActiveStatuses))
}

func (a *API) v2Maintenances(statuses []maintenance.Status) gin.HandlerFunc {
	return func(c *gin.Context) {
		v, _, ok := a.v2Page(c)
		if !ok {
			return
		}
		list, ok := a.publicMaintenances(c, v.PageID(), statuses)
		if ok {
			c.JSON(http.StatusOK, v.Maintenances(list))
		}
	}
}

// publicMaintenances lists the page's public windows of statuses, latest
// start first; none without Options.Maintenances. On failure it has
// answered.
func (a *API) publicMaintenances(c *gin.Context, pageID string, statuses []maintenance.Status) ([]maintenance.Window, bool) {
	if a.maint == nil {
		return nil, true
	}
	list, _, err := a.maint.Maintenances(c.Request.Context(), maintenance.Filter{
		PageID: pageID, Statuses: statuses, Public: true, Limit: maintenancesLimit})
	if err != nil {
		a.storeFailed(c, fmt.Errorf("list maintenances of page %q: %w", pageID, err))
		return nil, false
	}
	return list, true
}
