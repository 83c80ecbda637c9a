package api_test

import "strings"

// incidentExamples walk one incident through its life on the "ops" server,
// in order: the first incident opened there has ID 1, its first update 1.
func incidentExamples() []example {
	ex := func(name, method, path, key, body string, want int, bad bool) example {
		return example{name: "incident " + name, srv: "ops", method: method, path: path, key: key, body: body,
			want: want, badRequest: bad}
	}
	return []example{
		ex("custom statuses none yet", "GET", "/api/v1/pages/acme/incident_statuses", "read", "", 200, false),
		ex("set custom statuses", "PUT", "/api/v1/pages/acme/incident_statuses", "write",
			`{"custom_statuses":[{"name":"Fix deployed","standard":"monitoring"},{"name":"Degraded","standard":"identified"}]}`, 200, false),
		ex("set custom statuses naming a standard one", "PUT", "/api/v1/pages/acme/incident_statuses", "write",
			`{"custom_statuses":[{"name":"Resolved","standard":"resolved"}]}`, 422, false),
		ex("set custom statuses mapping onto nothing", "PUT", "/api/v1/pages/acme/incident_statuses", "write",
			`{"custom_statuses":[{"name":"Fine","standard":"fine"}]}`, 422, true),
		ex("set custom statuses of an unknown page", "PUT", "/api/v1/pages/nope/incident_statuses", "write",
			`{"custom_statuses":[]}`, 404, false),
		ex("set custom statuses of another page", "PUT", "/api/v1/pages/acme/incident_statuses", "beta-write",
			`{"custom_statuses":[]}`, 403, false),
		ex("set custom statuses with a read key", "PUT", "/api/v1/pages/acme/incident_statuses", "read",
			`{"custom_statuses":[]}`, 403, false),
		ex("set custom statuses without a key", "PUT", "/api/v1/pages/acme/incident_statuses", "",
			`{"custom_statuses":[]}`, 401, true),
		ex("set custom statuses too large", "PUT", "/api/v1/pages/acme/incident_statuses", "write",
			`{"custom_statuses":[{"name":"`+strings.Repeat("a", 1<<20+10)+`","standard":"monitoring"}]}`, 413, true),
		ex("custom statuses", "GET", "/api/v1/pages/acme/incident_statuses", "read", "", 200, false),
		ex("custom statuses of an unknown page", "GET", "/api/v1/pages/nope/incident_statuses", "read", "", 404, false),
		ex("custom statuses of another page", "GET", "/api/v1/pages/acme/incident_statuses", "beta-write", "", 403, false),
		ex("custom statuses without a key", "GET", "/api/v1/pages/acme/incident_statuses", "", "", 401, true),
		ex("list empty", "GET", "/api/v1/incidents", "read", "", 200, false),
		ex("list bad status", "GET", "/api/v1/incidents?status=bogus", "read", "", 422, true),
		ex("list unresolved of a page", "GET", "/api/v1/incidents?page_id=acme&unresolved=true&per_page=5", "read", "", 200, false),
		ex("list another page's", "GET", "/api/v1/incidents?page_id=acme", "beta-write", "", 403, false),
		ex("open", "POST", "/api/v1/incidents", "write",
			`{"page_id":"acme","title":"Web down","body":"Looking.","impact":"major","components":[{"component_id":"web","status":"major_outage"}],"notify":{"deliver":true}}`, 201, false),
		ex("open with a read key", "POST", "/api/v1/incidents", "read", `{"page_id":"acme","title":"x"}`, 403, false),
		ex("open on another page", "POST", "/api/v1/incidents", "beta-write", `{"page_id":"acme","title":"x"}`, 403, false),
		ex("open backfilled ending before it started", "POST", "/api/v1/incidents", "write",
			`{"page_id":"acme","title":"Past","backfilled":true,"started_at":"2024-01-02T00:00:00Z","resolved_at":"2024-01-01T00:00:00Z"}`, 422, false),
		ex("open with a bad time", "POST", "/api/v1/incidents", "write", `{"page_id":"acme","title":"x","started_at":"yesterday"}`, 422, false),
		ex("get", "GET", "/api/v1/incidents/1", "read", "", 200, false),
		ex("get unknown", "GET", "/api/v1/incidents/999", "read", "", 404, false),
		ex("edit", "PATCH", "/api/v1/incidents/1", "write", `{"impact":"critical","private":false}`, 200, false),
		ex("edit unknown", "PATCH", "/api/v1/incidents/999", "write", `{"impact":"critical"}`, 404, false),
		ex("post update", "POST", "/api/v1/incidents/1/updates", "write", `{"body":"Found it.","status":"identified"}`, 200, false),
		ex("post empty update", "POST", "/api/v1/incidents/1/updates", "write", `{"status":"identified"}`, 422, false),
		ex("edit update", "PATCH", "/api/v1/incidents/1/updates/2", "write", `{"body":"Found it!","private":true}`, 200, false),
		ex("delete update", "DELETE", "/api/v1/incidents/1/updates/2", "write", "", 200, false),
		ex("delete the only update", "DELETE", "/api/v1/incidents/1/updates/1", "write", "", 422, false),
		ex("resolve", "POST", "/api/v1/incidents/1/resolve", "write", `{"body":"Fixed."}`, 200, false),
		ex("resolve a resolved incident", "POST", "/api/v1/incidents/1/resolve", "write", `{"body":"Fixed."}`, 422, false),
		ex("reopen", "POST", "/api/v1/incidents/1/reopen", "write", `{"body":"Back."}`, 200, false),
		ex("resolve again", "POST", "/api/v1/incidents/1/resolve", "write", "", 200, false),
		ex("postmortem", "POST", "/api/v1/incidents/1/postmortem", "write", `{"body":"What happened."}`, 200, false),
		ex("delete", "DELETE", "/api/v1/incidents/1", "write", "", 204, false),
		ex("update a deleted incident", "POST", "/api/v1/incidents/1/updates", "write", `{"body":"x"}`, 422, false),
		ex("get a deleted incident", "GET", "/api/v1/incidents/1", "read", "", 404, false),
	}
}
