package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// dig follows path (keys, and indexes into lists) through decoded JSON.
func dig(v any, path ...string) any {
	for _, k := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// window is a maintenance body on the ops server's page acme (its clock
// reads 2026-11-23T16:00Z) with extra fields appended.
func window(extra string) string {
	return `{"page_id":"acme","title":"DB upgrade","body":"Postgres 17","starts_at":"2026-12-01T22:00:00Z",` +
		`"ends_at":"2026-12-01T23:00:00Z","component_ids":["web"]` + extra + `}`
}

// TestMaintenanceLifecycle runs a window through the API from schedule to
// delete over the real SQLite store; every refused step names its field
// and leaves the window as it was.
func TestMaintenanceLifecycle(t *testing.T) {
	s := newOpsServer(t, 0)
	type step struct {
		name, method, target, key, body string
		want                            int
		path                            []string // into the answer; nil checks nothing more
		value                           any
	}
	m1, m2 := "/api/v1/maintenances/1", "/api/v1/maintenances/2"
	steps := []step{
		{"no key", "POST", "/api/v1/maintenances", "", window(""), 401, nil, nil},
		{"read key", "POST", "/api/v1/maintenances", "reader", window(""), 403, nil, nil},
		{"another page's key", "POST", "/api/v1/maintenances", "beta", window(""), 403, nil, nil},
		{"end before start", "POST", "/api/v1/maintenances", "writer",
			strings.Replace(window(""), "23:00", "21:00", 1), 422, []string{"errors", "ends_at"}, "is not after starts_at"},
		{"start not a time", "POST", "/api/v1/maintenances", "writer", strings.Replace(window(""), "2026-12-01T22:00:00Z", "tonight", 1),
			422, []string{"errors", "starts_at"}, "must be a time as RFC 3339, e.g. 2026-12-01T22:00:00Z"},
		{"already over", "POST", "/api/v1/maintenances", "writer", strings.ReplaceAll(window(""), "2026-12-01", "2026-11-01"),
			422, []string{"errors", "ends_at"}, "is in the past"},
		{"unknown component", "POST", "/api/v1/maintenances", "writer", strings.Replace(window(""), `["web"]`, `["web","nope"]`, 1),
			422, []string{"errors", "component_ids[1]"}, `component "nope" is not on page "acme"`},
		{"unknown page", "POST", "/api/v1/maintenances", "writer", strings.Replace(window(""), `"acme"`, `"nope"`, 1),
			422, []string{"errors", "page_id"}, `page "nope" does not exist`},
		{"no page", "POST", "/api/v1/maintenances", "writer", strings.Replace(window(""), `"page_id":"acme",`, ``, 1),
			422, []string{"errors", "page_id"}, "is required"},
		{"rule every second", "POST", "/api/v1/maintenances", "writer", window(`,"recurrence":"FREQ=SECONDLY"`),
			422, []string{"error", "code"}, "invalid"},
		{"rule that never fires", "POST", "/api/v1/maintenances", "writer", window(`,"recurrence":"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"`),
			422, []string{"error", "code"}, "invalid"},
		{"cron every minute", "POST", "/api/v1/maintenances", "writer", window(`,"recurrence":"* * * * *"`),
			422, []string{"error", "code"}, "invalid"},
		{"unknown reminder", "POST", "/api/v1/maintenances", "writer", window(`,"reminders":["day_before","week_before"]`),
			422, []string{"errors", "reminders[1]"}, "must be one of day_before, hour_before, at_start, at_completion"},
		{"unknown field", "POST", "/api/v1/maintenances", "writer", window(`,"colour":"red"`), 422, []string{"errors", "colour"}, "is not a known field"},
		{"nothing written by the refusals", "GET", "/api/v1/maintenances", "reader", "", 200, []string{"meta", "total_count"}, float64(0)},
		{"schedule", "POST", "/api/v1/maintenances", "writer",
			window(`,"auto_start":false,"recurrence":"FREQ=WEEKLY;BYDAY=TU","reminders":["hour_before"],"notify":{"deliver":true,"tweet":false,"custom_tweet":"brb"}`),
			201, []string{"data", "updates", "0", "status"}, "scheduled"},
		{"schedule keeps the rule", "GET", m1, "reader", "", 200, []string{"data", "recurrence"}, "FREQ=WEEKLY;BYDAY=TU"},
		{"schedule keeps auto_end by default", "GET", m1, "reader", "", 200, []string{"data", "auto_end"}, true},
		{"listed", "GET", "/api/v1/maintenances?page_id=acme", "reader", "", 200, []string{"meta", "total_count"}, float64(1)},
		{"upcoming", "GET", "/api/v1/maintenances?upcoming=true", "reader", "", 200, []string{"meta", "total_count"}, float64(1)},
		{"not active", "GET", "/api/v1/maintenances?active=true", "reader", "", 200, []string{"meta", "total_count"}, float64(0)},
		{"bad status filter", "GET", "/api/v1/maintenances?status=done", "reader", "", 422, []string{"errors", "status"},
			"must be a comma-separated list of scheduled, in_progress, verifying, completed, cancelled"},
		{"status with upcoming", "GET", "/api/v1/maintenances?status=scheduled&upcoming=true", "reader", "", 422,
			[]string{"errors", "upcoming"}, "cannot be combined with status"},
		{"another page's key lists its page", "GET", "/api/v1/maintenances", "beta", "", 200, []string{"meta", "total_count"}, float64(0)},
		{"another page's key names acme", "GET", "/api/v1/maintenances?page_id=acme", "beta", "", 403, nil, nil},
		{"another page's key reads it", "GET", m1, "beta", "", 403, nil, nil},
		{"unknown", "GET", "/api/v1/maintenances/99", "reader", "", 404, nil, nil},
		{"not an ID", "GET", "/api/v1/maintenances/abc", "reader", "", 404, nil, nil},
		{"complete before it started", "POST", m1 + "/complete", "writer", "", 422, []string{"errors", "status"},
			"a maintenance that is scheduled does not move to completed"},
		{"edit ends before it starts", "PATCH", m1, "writer", `{"ends_at":"2026-12-01T21:00:00Z"}`, 422,
			[]string{"errors", "ends_at"}, "is not after starts_at"},
		{"edit", "PATCH", m1, "writer", `{"title":"DB upgrade to 17","ends_at":"2026-12-01T23:30:00Z"}`, 200,
			[]string{"data", "ends_at"}, "2026-12-01T23:30:00.000Z"},
		{"update without a body", "POST", m1 + "/updates", "writer", `{}`, 422, []string{"errors", "body"}, "is required"},
		{"update of an unknown status", "POST", m1 + "/updates", "writer", `{"status":"done","body":"x"}`, 422,
			[]string{"errors", "status"}, `"done" is not one of scheduled, in_progress, verifying, completed, cancelled`},
		{"start", "POST", m1 + "/start", "writer", `{"body":"Starting now."}`, 200, []string{"data", "status"}, "in_progress"},
		{"started now", "GET", m1, "reader", "", 200, []string{"data", "started_at"}, "2026-11-23T16:00:00.123Z"},
		{"active", "GET", "/api/v1/maintenances?active=true", "reader", "", 200, []string{"meta", "total_count"}, float64(1)},
		{"start fixed once started", "PATCH", m1, "writer", `{"starts_at":"2026-12-02T22:00:00Z"}`, 422,
			[]string{"errors", "starts_at"}, "is fixed once the maintenance is in_progress"},
		{"verifying", "POST", m1 + "/updates", "writer", `{"status":"verifying","body":"Checking replicas."}`, 200,
			[]string{"data", "status"}, "verifying"},
		{"private note", "POST", m1 + "/updates", "writer", `{"body":"Replica 3 lagging","private":true}`, 200,
			[]string{"data", "updates", "0", "private"}, true},
		{"complete", "POST", m1 + "/complete", "writer", "", 200, []string{"data", "status"}, "completed"},
		{"cancel a completed one", "POST", m1 + "/cancel", "writer", "", 422, []string{"errors", "status"},
			"a maintenance that is completed does not move to cancelled"},
		{"refusals changed nothing", "GET", m1, "reader", "", 200, []string{"data", "updates", "5"}, nil},
		{"every update kept", "GET", m1, "reader", "", 200, []string{"data", "updates", "4", "status"}, "scheduled"},
		{"schedule another", "POST", "/api/v1/maintenances", "writer", window(""), 201, []string{"data", "id"}, float64(2)},
		{"cancel", "POST", m2 + "/cancel", "writer", `{"body":"Postponed."}`, 200, []string{"data", "status"}, "cancelled"},
		{"complete a cancelled one", "POST", m2 + "/complete", "writer", "", 422, []string{"errors", "status"},
			"a maintenance that is cancelled does not move to completed"},
		{"start a cancelled one", "POST", m2 + "/start", "writer", "", 422, []string{"errors", "status"},
			"a maintenance that is cancelled does not move to in_progress"},
		{"cancel body of the wrong type", "POST", m2 + "/cancel", "writer", `{"series":"yes"}`, 422, []string{"errors", "series"}, "must be true or false"},
		{"delete with a read key", "DELETE", m2, "reader", "", 403, nil, nil},
		{"delete", "DELETE", m2, "writer", "", 204, nil, nil},
		{"deleted", "GET", m2, "reader", "", 404, nil, nil},
		{"delete again", "DELETE", m2, "writer", "", 404, nil, nil},
		{"audited", "GET", "/api/v1/audit?entity=maintenance", "reader", "", 200, []string{"meta", "total_count"}, float64(9)}, // 2 creates, edit, start, 2 updates, complete, cancel, delete
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			code, body := s.req(t, st.method, st.target, st.key, st.body)
			if code != st.want {
				t.Fatalf("status %d, want %d: %v", code, st.want, body)
			}
			if st.path == nil {
				return
			}
			if got := dig(body, st.path...); got != st.value {
				t.Errorf("%v = %#v, want %#v (body %v)", st.path, got, st.value, body)
			}
		})
	}
}

// TestMaintenanceRecurrenceErrorsNameTheField checks that a refused rule
// is reported under "recurrence".
func TestMaintenanceRecurrenceErrorsNameTheField(t *testing.T) {
	s := newOpsServer(t, 0)
	for _, rule := range []string{"FREQ=SECONDLY", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "* * * * *", "FREQ=FORTNIGHTLY"} {
		code, body := s.req(t, http.MethodPost, "/api/v1/maintenances", "writer", window(`,"recurrence":"`+rule+`"`))
		if code != http.StatusUnprocessableEntity || dig(body, "errors", "recurrence") == nil {
			t.Errorf("rule %q: status %d, want 422 naming recurrence: %v", rule, code, body)
		}
	}
}
