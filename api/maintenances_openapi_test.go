package api_test

import (
	"context"
	"strings"
	"time"

	"github.com/statusd/statusd/maintenance"
)

// brokenMaintenances is a maintenance store whose every call fails, for
// the 503s of the "down" server.
type brokenMaintenances struct{}

func (brokenMaintenances) Maintenance(context.Context, int64) (maintenance.Window, error) {
	return maintenance.Window{}, errSecret
}
func (brokenMaintenances) Maintenances(context.Context, maintenance.Filter) ([]maintenance.Window, int, error) {
	return nil, 0, errSecret
}
func (brokenMaintenances) CreateMaintenance(context.Context, maintenance.Window) (maintenance.Window, error) {
	return maintenance.Window{}, errSecret
}
func (brokenMaintenances) ChangeMaintenance(context.Context, int64, string, func(maintenance.Window) (maintenance.Window, error)) (maintenance.Window, error) {
	return maintenance.Window{}, errSecret
}
func (brokenMaintenances) DeleteMaintenance(context.Context, int64, time.Time) error {
	return errSecret
}

// maintenanceExamples are TestOpenAPIExamples' requests of
// /api/v1/maintenances, in order: window 1 on acme, window 2 on beta.
func maintenanceExamples() []example {
	big := `{"title":"t","starts_at":"2026-12-01T22:00:00Z","ends_at":"2026-12-01T23:00:00Z","body":"` + strings.Repeat("a", 1<<20+10) + `"}`
	const list, m1, m2 = "/api/v1/maintenances", "/api/v1/maintenances/1", "/api/v1/maintenances/2"
	ex := func(name, srv, method, path, key, body string, want int, bad bool) example {
		return example{name: "maintenance: " + name, srv: srv, method: method, path: path, key: key, body: body, want: want, badRequest: bad}
	}
	return []example{
		ex("schedule", "ops", "POST", list, "write",
			window(`,"auto_end":false,"recurrence":"FREQ=WEEKLY;BYDAY=TU","reminders":["day_before","at_start"],"notify":{"deliver":true,"custom_tweet":"brb"}`), 201, false),
		ex("schedule with a page key", "ops", "POST", list, "beta-write",
			`{"title":"App release","starts_at":"2026-12-02T08:00:00Z","ends_at":"2026-12-02T09:00:00Z"}`, 201, false),
		ex("schedule without a key", "ops", "POST", list, "", window(""), 401, true),
		ex("schedule read key", "ops", "POST", list, "read", window(""), 403, false),
		ex("schedule on another page", "ops", "POST", list, "beta-write", window(""), 403, false),
		ex("schedule ends before it starts", "ops", "POST", list, "write", strings.Replace(window(""), "23:00", "21:00", 1), 422, false),
		ex("schedule unknown component", "ops", "POST", list, "write", strings.Replace(window(""), `"web"`, `"nope"`, 1), 422, false),
		ex("schedule every second", "ops", "POST", list, "write", window(`,"recurrence":"FREQ=SECONDLY"`), 422, false),
		ex("schedule unknown field", "ops", "POST", list, "write", window(`,"colour":"red"`), 422, true),
		ex("schedule without a title", "ops", "POST", list, "write", strings.Replace(window(""), `"title":"DB upgrade",`, "", 1), 422, true),
		ex("schedule too large", "ops", "POST", list, "write", big, 413, false),
		ex("schedule store down", "down", "POST", list, "write", window(""), 503, false),
		ex("schedule rate limited", "limited", "POST", list, "write", window(""), 429, false),
		ex("list", "ops", "GET", list, "read", "", 200, false),
		ex("list upcoming of a page", "ops", "GET", list+"?upcoming=true&page_id=acme&per_page=1", "read", "", 200, false),
		ex("list of the page key's page", "ops", "GET", list, "beta-write", "", 200, false),
		ex("list without a key", "ops", "GET", list, "", "", 401, true),
		ex("list of another page", "ops", "GET", list+"?page_id=acme", "beta-write", "", 403, false),
		ex("list unknown status", "ops", "GET", list+"?status=done", "read", "", 422, false),
		ex("list active not a boolean", "ops", "GET", list+"?active=maybe", "read", "", 422, true),
		ex("list store down", "down", "GET", list, "read", "", 503, false),
		ex("list rate limited", "limited", "GET", list, "read", "", 429, false),
		ex("get", "ops", "GET", m1, "read", "", 200, false),
		ex("get without a key", "ops", "GET", m1, "", "", 401, true),
		ex("get of another page", "ops", "GET", m1, "beta-write", "", 403, false),
		ex("get unknown", "ops", "GET", "/api/v1/maintenances/99", "read", "", 404, false),
		ex("get not an ID", "ops", "GET", "/api/v1/maintenances/abc", "read", "", 404, true),
		ex("get store down", "down", "GET", m1, "read", "", 503, false),
		ex("get rate limited", "limited", "GET", m1, "admin", "", 429, false),
		ex("edit", "ops", "PATCH", m1, "write", `{"title":"DB upgrade to 17","ends_at":"2026-12-01T23:30:00Z","reminders":["hour_before"]}`, 200, false),
		ex("edit ends before it starts", "ops", "PATCH", m1, "write", `{"ends_at":"2026-12-01T21:00:00Z"}`, 422, false),
		ex("edit wrong type", "ops", "PATCH", m1, "write", `{"private":"yes"}`, 422, true),
		ex("edit unknown", "ops", "PATCH", "/api/v1/maintenances/99", "write", `{"title":"x"}`, 404, false),
		ex("edit of another page", "ops", "PATCH", m1, "beta-write", `{"title":"x"}`, 403, false),
		ex("edit without a key", "ops", "PATCH", m1, "", `{"title":"x"}`, 401, true),
		ex("edit too large", "ops", "PATCH", m1, "write", big, 413, false),
		ex("edit store down", "down", "PATCH", m1, "write", `{"title":"x"}`, 503, false),
		ex("edit rate limited", "limited", "PATCH", m1, "beta-admin", `{"title":"x"}`, 429, false),
		ex("complete before it started", "ops", "POST", m1+"/complete", "write", "", 422, false),
		ex("start", "ops", "POST", m1+"/start", "write", `{"body":"Starting now."}`, 200, false),
		ex("start unknown", "ops", "POST", "/api/v1/maintenances/99/start", "write", "", 404, false),
		ex("start of another page", "ops", "POST", m1+"/start", "beta-write", "", 403, false),
		ex("start without a key", "ops", "POST", m1+"/start", "", "", 401, true),
		ex("start too large", "ops", "POST", m1+"/start", "write", big, 413, true),
		ex("start store down", "down", "POST", m1+"/start", "write", "", 503, false),
		ex("start rate limited", "limited", "POST", m1+"/start", "spare", "", 429, false),
		ex("post update", "ops", "POST", m1+"/updates", "write", `{"status":"verifying","body":"Checking replicas."}`, 200, false),
		ex("post private note", "ops", "POST", m1+"/updates", "write", `{"body":"Replica 3 lagging","private":true}`, 200, false),
		ex("post update without a body", "ops", "POST", m1+"/updates", "write", `{}`, 422, false),
		ex("post update unknown status", "ops", "POST", m1+"/updates", "write", `{"status":"done","body":"x"}`, 422, true),
		ex("post update unknown", "ops", "POST", "/api/v1/maintenances/99/updates", "write", `{"body":"x"}`, 404, false),
		ex("post update of another page", "ops", "POST", m1+"/updates", "beta-write", `{"body":"x"}`, 403, false),
		ex("post update without a key", "ops", "POST", m1+"/updates", "", `{"body":"x"}`, 401, true),
		ex("post update too large", "ops", "POST", m1+"/updates", "write", big, 413, true),
		ex("post update store down", "down", "POST", m1+"/updates", "write", `{"body":"x"}`, 503, false),
		ex("post update rate limited", "limited", "POST", m1+"/updates", "beta-write", `{"body":"x"}`, 429, false),
		ex("active in v2", "ops", "GET", "/api/v2/scheduled-maintenances/active.json?page=acme", "", "", 200, false),
		ex("complete", "ops", "POST", m1+"/complete", "write", "", 200, false),
		ex("complete unknown", "ops", "POST", "/api/v1/maintenances/99/complete", "write", "", 404, false),
		ex("complete of another page", "ops", "POST", m1+"/complete", "beta-write", "", 403, false),
		ex("complete without a key", "ops", "POST", m1+"/complete", "", "", 401, true),
		ex("complete too large", "ops", "POST", m1+"/complete", "write", big, 413, true),
		ex("complete store down", "down", "POST", m1+"/complete", "write", "", 503, false),
		ex("complete rate limited", "limited", "POST", m1+"/complete", "write", "", 429, false),
		ex("cancel a completed one", "ops", "POST", m1+"/cancel", "write", "", 422, false),
		ex("cancel", "ops", "POST", m2+"/cancel", "beta-write", `{"body":"Postponed.","series":false}`, 200, false),
		ex("complete a cancelled one", "ops", "POST", m2+"/complete", "write", "", 422, false),
		ex("cancel unknown", "ops", "POST", "/api/v1/maintenances/99/cancel", "write", "", 404, false),
		ex("cancel of another page", "ops", "POST", m1+"/cancel", "beta-write", "", 403, false),
		ex("cancel without a key", "ops", "POST", m1+"/cancel", "", "", 401, true),
		ex("cancel too large", "ops", "POST", m1+"/cancel", "write", big, 413, true),
		ex("cancel store down", "down", "POST", m1+"/cancel", "write", "", 503, false),
		ex("cancel rate limited", "limited", "POST", m1+"/cancel", "read", "", 429, false),
		ex("v2 after", "ops", "GET", "/api/v2/scheduled-maintenances.json?page=acme", "", "", 200, false),
		ex("summary after", "ops", "GET", "/api/v2/summary.json?page=beta", "", "", 200, false),
		ex("delete of another page", "ops", "DELETE", m1, "beta-write", "", 403, false),
		ex("delete without a key", "ops", "DELETE", m1, "", "", 401, true),
		ex("delete", "ops", "DELETE", m2, "write", "", 204, false),
		ex("delete unknown", "ops", "DELETE", m2, "write", "", 404, false),
		ex("delete store down", "down", "DELETE", m1, "write", "", 503, false),
		ex("delete rate limited", "limited", "DELETE", m1, "admin", "", 429, false),
	}
}
