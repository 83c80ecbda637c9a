package api_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/maintenance"
)

// fakeMaintenances lists windows as the store does (latest start first,
// filtered, paged); its writes are refused.
type fakeMaintenances struct{ windows []maintenance.Window }

func (f fakeMaintenances) Maintenance(_ context.Context, id int64) (maintenance.Window, error) {
	for _, w := range f.windows {
		if w.ID == id {
			return w, nil
		}
	}
	return maintenance.Window{}, &catalog.NotFoundError{Kind: "maintenance"}
}

func (f fakeMaintenances) Maintenances(_ context.Context, flt maintenance.Filter) ([]maintenance.Window, int, error) {
	var out []maintenance.Window
	for _, w := range f.windows {
		if (flt.PageID == "" || w.PageID == flt.PageID) && (len(flt.Statuses) == 0 || slices.Contains(flt.Statuses, w.Status)) &&
			!(flt.Public && w.Private) {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b maintenance.Window) int { return b.StartsAt.Compare(a.StartsAt) })
	total := len(out)
	out = out[min(flt.Offset, total):]
	if flt.Limit > 0 && len(out) > flt.Limit {
		out = out[:flt.Limit]
	}
	return out, total, nil
}

var errReadOnly = errors.New("read-only fake")

func (fakeMaintenances) CreateMaintenance(context.Context, maintenance.Window) (maintenance.Window, error) {
	return maintenance.Window{}, errReadOnly
}
func (fakeMaintenances) ChangeMaintenance(context.Context, int64, string, func(maintenance.Window) (maintenance.Window, error)) (maintenance.Window, error) {
	return maintenance.Window{}, errReadOnly
}
func (fakeMaintenances) DeleteMaintenance(context.Context, int64, time.Time) error {
	return errReadOnly
}

// maintenanceFixture is windows on the pages of fixture(): on acme one
// upcoming, one in progress with a private note, one completed after
// verifying, one private and one cancelled; on beta (New York) one
// upcoming.
func maintenanceFixture() fakeMaintenances {
	upd := func(id int64, st maintenance.Status, body string, minute int) maintenance.Update {
		return maintenance.Update{ID: id, Status: st, Body: body, CreatedAt: at(minute), ByPerson: true}
	}
	w := func(id int64, page, title string, st maintenance.Status, start int, comps []string, ups ...maintenance.Update) maintenance.Window {
		return maintenance.Window{ID: id, PageID: page, Title: title, Body: "Details.", Status: st, StartsAt: at(start),
			EndsAt: at(start + 120), ComponentIDs: comps, AutoStart: true, AutoEnd: true, CreatedAt: at(-1440),
			UpdatedAt: ups[0].CreatedAt, Updates: ups}
	}
	upcoming := w(3, "acme", "Database upgrade", maintenance.Scheduled, 2880, []string{"db", "api"},
		upd(30, maintenance.Scheduled, "Postgres 17; reads stay up.", -1440))
	upcoming.Notify = maintenance.Notify{Deliver: true, CustomTweet: "DB upgrade Wednesday 10:00 UTC"}
	active := w(2, "acme", "CDN migration", maintenance.InProgress, 60, []string{"cdn"},
		upd(22, maintenance.InProgress, "Private: vendor ticket 4411", 70), upd(21, maintenance.InProgress, "Moving traffic.", 60),
		upd(20, maintenance.Scheduled, "CDN moves to the new vendor.", -1440))
	active.Updates[0].Private, active.StartedAt = true, at(60)
	done := w(1, "acme", "Web server patch", maintenance.Completed, -600, []string{"web"},
		upd(12, maintenance.Completed, "Done.", -470), upd(11, maintenance.Verifying, "Verifying.", -500),
		upd(10, maintenance.Scheduled, "Kernel patch.", -1440))
	done.StartedAt, done.CompletedAt = at(-600), at(-470)
	private := w(4, "acme", "Private: internal rehearsal", maintenance.Scheduled, 3000, []string{"api"},
		upd(40, maintenance.Scheduled, "Private: not for customers.", -100))
	private.Private = true
	cancelled := w(5, "acme", "Cancelled: network work", maintenance.Cancelled, 4000, nil,
		upd(51, maintenance.Cancelled, "Postponed.", -50), upd(50, maintenance.Scheduled, "Switches.", -100))
	beta := w(6, "beta", "App release", maintenance.Scheduled, 1440, []string{"app"},
		upd(60, maintenance.Scheduled, "New release.", -30))
	return fakeMaintenances{windows: []maintenance.Window{upcoming, active, done, private, cancelled, beta}}
}

func TestMaintenanceGolden(t *testing.T) {
	tests := []struct{ name, target string }{
		{"v2_scheduled_maintenances", "/api/v2/scheduled-maintenances.json"},
		{"v2_scheduled_maintenances_upcoming", "/api/v2/scheduled-maintenances/upcoming.json"},
		{"v2_scheduled_maintenances_active", "/api/v2/scheduled-maintenances/active.json"},
		{"v2_summary_maintenances", "/api/v2/summary.json"},
		{"v2_beta_scheduled_maintenances", "/pages/beta/api/v2/scheduled-maintenances.json"},
	}
	s := newServerWith(t, api.Options{Store: fixture(), Maintenances: maintenanceFixture()})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := s.do(t, http.MethodGet, tt.target)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200: %s", resp.StatusCode, body)
			}
			if strings.Contains(string(body), "Private") || strings.Contains(string(body), "Cancelled") {
				t.Errorf("a private or cancelled item is shown: %s", body)
			}
			golden(t, tt.name, body)
		})
	}
}

// TestMaintenanceNeverPrivateInV2 writes windows through the API on the
// real store and reads every v2 document: private windows and private
// updates never appear, the public ones do.
func TestMaintenanceNeverPrivateInV2(t *testing.T) {
	s := newOpsServer(t, 0)
	for _, r := range []struct{ method, target, body string }{
		{"POST", "/api/v1/maintenances", window(`,"title":"SECRET window","private":true`)},
		{"POST", "/api/v1/maintenances", strings.Replace(window(""), "DB upgrade", "Public window", 1)},
		{"POST", "/api/v1/maintenances/2/start", ""},
		{"POST", "/api/v1/maintenances/2/updates", `{"body":"SECRET note","private":true}`},
		{"POST", "/api/v1/maintenances", strings.Replace(window(""), "DB upgrade", "Public upcoming", 1)},
		{"PATCH", "/api/v1/maintenances/3", `{"private":true,"title":"SECRET after an edit"}`},
		{"POST", "/api/v1/maintenances", strings.Replace(window(""), "DB upgrade", "SECRET cancelled", 1)},
		{"POST", "/api/v1/maintenances/4/cancel", ""},
	} {
		if code, body := s.req(t, r.method, r.target, "writer", strings.Replace(r.body, `"title":"DB upgrade",`, "", 1)); code >= 300 {
			t.Fatalf("%s %s: status %d: %v", r.method, r.target, code, body)
		}
	}
	for _, prefix := range []string{"/api/v2", "/pages/acme/api/v2"} {
		for _, doc := range []string{"summary.json", "scheduled-maintenances.json", "scheduled-maintenances/upcoming.json",
			"scheduled-maintenances/active.json"} {
			resp, body := s.do(t, http.MethodGet, prefix+"/"+doc)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s/%s: status %d: %s", prefix, doc, resp.StatusCode, body)
			}
			if strings.Contains(string(body), "SECRET") {
				t.Errorf("%s/%s shows a private item: %s", prefix, doc, body)
			}
			if doc != "scheduled-maintenances/upcoming.json" && !strings.Contains(string(body), "Public window") {
				t.Errorf("%s/%s does not show the public window: %s", prefix, doc, body)
			}
		}
	}
}
