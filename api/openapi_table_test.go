package api_test

import (
	"fmt"
	"strings"
)

// openAPIExamples are the requests of TestOpenAPIExamples, in order: the
// writes build on one another. Every operation of openapi.json is sent at
// least once, and every status it documents that a test can cause.
func openAPIExamples(e *openAPIEnv) []example {
	// big is a body over the 1 MiB limit that the document accepts.
	big := func(head, field string) string {
		return `{` + head + `"` + field + `":"` + strings.Repeat("a", 1<<20+10) + `"}`
	}
	v2 := []string{"summary.json", "status.json", "components.json", "incidents.json", "incidents/unresolved.json",
		"scheduled-maintenances.json", "scheduled-maintenances/upcoming.json", "scheduled-maintenances/active.json"}
	var out []example
	add := func(ex ...example) { out = append(out, ex...) }

	// Operations and this document.
	for _, m := range []string{"GET", "HEAD"} {
		add(example{name: m + " healthz", srv: "pub", method: m, path: "/healthz", want: 200},
			example{name: m + " readyz not ready", srv: "pub", method: m, path: "/readyz", want: 503},
			example{name: m + " readyz", srv: "ops", method: m, path: "/readyz", want: 200},
			example{name: m + " metrics", srv: "pub", method: m, path: "/metrics", want: 200},
			example{name: m + " openapi", srv: "pub", method: m, path: "/api/v1/openapi.json", want: 200})
		// The HTML status page.
		add(example{name: m + " page", srv: "pub", method: m, path: "/", want: 200},
			example{name: m + " page down", srv: "down", method: m, path: "/", want: 503},
			example{name: m + " page history", srv: "pub", method: m, path: "/history", want: 200},
			example{name: m + " page incident", srv: "pub", method: m, path: "/incidents/7", want: 200},
			example{name: m + " page incident unknown", srv: "pub", method: m, path: "/incidents/404", want: 404},
			example{name: m + " page maintenance", srv: "pub", method: m, path: "/maintenances/1", want: 200},
			example{name: m + " page maintenance unknown", srv: "pub", method: m, path: "/maintenances/404", want: 404},
			example{name: m + " page maintenance store down", srv: "down", method: m, path: "/maintenances/1", want: 503})
	}
	add(feedExamples()...) // its feeds, badges and widget

	// The public Statuspage v2 documents.
	for _, doc := range v2 {
		for _, m := range []string{"GET", "HEAD"} {
			add(example{name: m + " v2 " + doc, srv: "pub", method: m, path: "/api/v2/" + doc, want: 200},
				example{name: m + " v2 of page " + doc, srv: "pub", method: m, path: "/pages/beta/api/v2/" + doc, want: 200},
				example{name: m + " v2 unknown page " + doc, srv: "pub", method: m, path: "/pages/nope/api/v2/" + doc, want: 404},
				example{name: m + " v2 store down " + doc, srv: "down", method: m, path: "/api/v2/" + doc, want: 503})
		}
		add(example{name: "OPTIONS v2 " + doc, srv: "down", method: "OPTIONS", path: "/api/v2/" + doc, want: 204},
			example{name: "OPTIONS v2 of page " + doc, srv: "down", method: "OPTIONS", path: "/pages/beta/api/v2/" + doc, want: 204})
	}
	// Private pages: sealed, signed in and out (acme is the first page, so
	// the one of the test server's host).
	for _, m := range []string{"GET", "HEAD"} {
		add(example{name: m + " private page", srv: "priv", method: m, path: "/", want: 401},
			example{name: m + " private page history", srv: "priv", method: m, path: "/history", want: 401},
			example{name: m + " private page incident", srv: "priv", method: m, path: "/incidents/5", want: 401},
			example{name: m + " private page maintenance", srv: "priv", method: m, path: "/maintenances/1", want: 401})
		for _, doc := range v2 {
			add(example{name: m + " v2 private " + doc, srv: "priv", method: m, path: "/api/v2/" + doc, want: 401},
				example{name: m + " v2 of private page " + doc, srv: "priv", method: m, path: "/pages/acme/api/v2/" + doc, want: 401},
				example{name: m + " v2 of disabled page " + doc, srv: "priv", method: m, path: "/pages/gone/api/v2/" + doc, want: 404})
		}
	}
	add(example{name: "login", srv: "priv", method: "POST", path: "/login", form: true, body: "password=correct+horse+battery&next=/history", want: 303},
		example{name: "login wrong password", srv: "priv", method: "POST", path: "/login", form: true, body: "password=guess", want: 401},
		example{name: "login bad form", srv: "priv", method: "POST", path: "/login", form: true, body: "password=%zz", want: 400, badRequest: true},
		example{name: "login too large", srv: "priv", method: "POST", path: "/login", form: true, body: "password=" + strings.Repeat("x", 9000), want: 413},
		example{name: "login store down", srv: "down", method: "POST", path: "/login", form: true, body: "password=x", want: 503},
		example{name: "login public page", srv: "pub", method: "POST", path: "/login", form: true, body: "password=x", want: 303},
		example{name: "logout", srv: "priv", method: "POST", path: "/logout", form: true, body: "x=1", want: 303},
		example{name: "logout bad form", srv: "priv", method: "POST", path: "/logout", form: true, body: "%zz", want: 400, badRequest: true},
		example{name: "logout too large", srv: "priv", method: "POST", path: "/logout", form: true, body: "x=" + strings.Repeat("x", 9000), want: 413},
		example{name: "logout store down", srv: "down", method: "POST", path: "/logout", form: true, body: "x=1", want: 503},
		example{name: "logout no page", srv: "empty", method: "POST", path: "/logout", form: true, body: "x=1", want: 404})
	add(example{name: "login no page", srv: "empty", method: "POST", path: "/login", form: true, body: "password=x", want: 404})
	for i := range 3 { // the limit of 5 tries per address: the two above spent two
		add(example{name: fmt.Sprintf("login try %d", i+3), srv: "priv", method: "POST", path: "/login", form: true, body: "password=guess", want: 401})
	}
	add(example{name: "login rate limited", srv: "priv", method: "POST", path: "/login", form: true, body: "password=guess", want: 429})
	add(example{name: "v2 ?page", srv: "pub", method: "GET", path: "/api/v2/summary.json?page=beta", want: 200},
		example{name: "v2 ?page unknown", srv: "pub", method: "GET", path: "/api/v2/status.json?page=nope", want: 404})

	// The native reads of the live view: any key of read scope.
	for _, m := range []string{"GET", "HEAD"} {
		add(example{name: m + " components", srv: "pub", method: m, path: "/api/v1/components", key: "read", want: 200},
			example{name: m + " components without a key", srv: "pub", method: m, path: "/api/v1/components", want: 401, badRequest: true},
			example{name: m + " components bad per_page", srv: "pub", method: m, path: "/api/v1/components?per_page=0", key: "read", want: 422, badRequest: true},
			example{name: m + " components of another page", srv: "pub", method: m, path: "/api/v1/components?page_id=acme", key: "beta-write", want: 403},
			example{name: m + " components store down", srv: "down", method: m, path: "/api/v1/components", key: "read", want: 503},
			example{name: m + " component group", srv: "pub", method: m, path: "/api/v1/components/core", key: "read", want: 200},
			example{name: m + " component without a key", srv: "pub", method: m, path: "/api/v1/components/core", want: 401, badRequest: true},
			example{name: m + " component of another page", srv: "pub", method: m, path: "/api/v1/components/core", key: "beta-write", want: 403},
			example{name: m + " component unknown", srv: "pub", method: m, path: "/api/v1/components/nope", key: "read", want: 404},
			example{name: m + " component store down", srv: "down", method: m, path: "/api/v1/components/api", key: "read", want: 503},
			example{name: m + " agents", srv: "pub", method: m, path: "/api/v1/agents", key: "read", want: 200},
			example{name: m + " agents without a key", srv: "pub", method: m, path: "/api/v1/agents", want: 401, badRequest: true},
			example{name: m + " agents page key", srv: "pub", method: m, path: "/api/v1/agents", key: "beta-write", want: 403},
			example{name: m + " agents bad region", srv: "pub", method: m, path: "/api/v1/agents?region=Bad!", key: "read", want: 422},
			example{name: m + " regions", srv: "pub", method: m, path: "/api/v1/regions", key: "read", want: 200},
			example{name: m + " regions without a key", srv: "pub", method: m, path: "/api/v1/regions", want: 401, badRequest: true},
			example{name: m + " regions page key", srv: "pub", method: m, path: "/api/v1/regions", key: "beta-write", want: 403},
			example{name: m + " regions bad page", srv: "pub", method: m, path: "/api/v1/regions?page=x", key: "read", want: 422, badRequest: true},
			example{name: m + " metrics of a group", srv: "pub", method: m, path: "/api/v1/components/core/metrics", key: "read", want: 200},
			example{name: m + " metrics without a key", srv: "pub", method: m, path: "/api/v1/components/core/metrics", want: 401, badRequest: true},
			example{name: m + " metrics of another page", srv: "pub", method: m, path: "/api/v1/components/core/metrics", key: "beta-write", want: 403},
			example{name: m + " metrics unknown component", srv: "pub", method: m, path: "/api/v1/components/nope/metrics", key: "read", want: 404},
			example{name: m + " metrics bad end", srv: "pub", method: m, path: "/api/v1/components/api/metrics?timeframe_end=yesterday", key: "read", want: 422, badRequest: true},
			example{name: m + " metrics store down", srv: "down", method: m, path: "/api/v1/components/api/metrics", key: "read", want: 503})
	}
	add(example{name: "components of a page", srv: "pub", method: "GET", path: "/api/v1/components?page_id=acme&per_page=3", key: "read", want: 200},
		example{name: "components of a bad page id", srv: "pub", method: "GET", path: "/api/v1/components?page_id=Bad!", key: "read", want: 422, badRequest: true},
		example{name: "components page 2", srv: "pub", method: "GET", path: "/api/v1/components?page=2&per_page=2", key: "read", via: "basic", want: 200},
		example{name: "components of the page key's page", srv: "pub", method: "GET", path: "/api/v1/components", key: "beta-write", want: 200},
		example{name: "components rate limited", srv: "limited", method: "GET", path: "/api/v1/components", key: "write", want: 200},
		example{name: "components rate limited 2", srv: "limited", method: "GET", path: "/api/v1/components", key: "write", want: 429},
		example{name: "component with regions", srv: "pub", method: "GET", path: "/api/v1/components/api", key: "read", via: "query", want: 200},
		example{name: "component of the page key's page", srv: "pub", method: "GET", path: "/api/v1/components/app", key: "beta-write", want: 200},
		example{name: "agents of a region", srv: "pub", method: "GET", path: "/api/v1/agents?region=eu-west&per_page=1", key: "read", want: 200},
		example{name: "agents rate limited", srv: "limited", method: "GET", path: "/api/v1/agents", key: "admin", want: 200},
		example{name: "agents rate limited 2", srv: "limited", method: "GET", path: "/api/v1/agents", key: "admin", want: 429},
		example{name: "metrics with the calculation", srv: "pub", method: "GET", key: "read", want: 200,
			path: "/api/v1/components/api/metrics?timeframe_start=2026-11-01&timeframe_end=2026-11-23&include_calculation=true"},
		example{name: "metrics of a group with the calculation", srv: "pub", method: "GET", path: "/api/v1/components/core/metrics?include_calculation=1", key: "read", want: 200},
		example{name: "metrics without data", srv: "pub", method: "GET", path: "/api/v1/components/cdn/metrics?include_calculation=true", key: "read", want: 200},
		example{name: "metrics of the page key's page", srv: "pub", method: "GET", path: "/api/v1/components/app/metrics", key: "beta-write", want: 200},
		example{name: "metrics reversed timeframe", srv: "pub", method: "GET", path: "/api/v1/components/api/metrics?timeframe_start=2026-11-20&timeframe_end=2026-11-10", key: "read", want: 422},
		example{name: "metrics too far back", srv: "pub", method: "GET", path: "/api/v1/components/api/metrics?timeframe_start=2024-01-01", key: "read", want: 422},
		example{name: "metrics include_calculation not a boolean", srv: "pub", method: "GET", path: "/api/v1/components/api/metrics?include_calculation=yes", key: "read", want: 422, badRequest: true},
		example{name: "metrics rate limited", srv: "limited", method: "GET", path: "/api/v1/components/web/metrics", key: "beta-admin", want: 403},
		example{name: "metrics rate limited 2", srv: "limited", method: "GET", path: "/api/v1/components/web/metrics", key: "beta-admin", want: 429},
		example{name: "regions rate limited", srv: "limited", method: "GET", path: "/api/v1/regions", key: "spare", want: 200},
		example{name: "regions rate limited 2", srv: "limited", method: "GET", path: "/api/v1/regions", key: "spare", want: 429},
		example{name: "component rate limited", srv: "limited", method: "GET", path: "/api/v1/components/web", key: "beta-write", want: 403},
		example{name: "component rate limited 2", srv: "limited", method: "GET", path: "/api/v1/components/web", key: "beta-write", want: 429})

	// Pages.
	add(example{name: "pages without a key", srv: "ops", method: "GET", path: "/api/v1/pages", want: 401, badRequest: true},
		example{name: "pages with a bad key", srv: "ops", method: "GET", path: "/api/v1/pages", key: "nobody", want: 401, badRequest: true},
		example{name: "list pages", srv: "ops", method: "GET", path: "/api/v1/pages?per_page=1", key: "read", want: 200},
		example{name: "list pages bad page", srv: "ops", method: "GET", path: "/api/v1/pages?page=-1", key: "read", want: 422, badRequest: true},
		example{name: "get page basic", srv: "ops", method: "GET", path: "/api/v1/pages/acme", key: "read", via: "basic", want: 200},
		example{name: "get page api_key", srv: "ops", method: "GET", path: "/api/v1/pages/acme", key: "read", via: "query", want: 200},
		example{name: "get page unknown", srv: "ops", method: "GET", path: "/api/v1/pages/nope", key: "read", want: 404},
		example{name: "get page of another page key", srv: "ops", method: "GET", path: "/api/v1/pages/acme", key: "beta-write", want: 403},
		example{name: "rate limited 1", srv: "limited", method: "GET", path: "/api/v1/pages", key: "read", want: 200},
		example{name: "rate limited 2", srv: "limited", method: "GET", path: "/api/v1/pages", key: "read", want: 429},
		example{name: "create page read key", srv: "ops", method: "POST", path: "/api/v1/pages", key: "read", body: `{"id":"x","name":"X"}`, want: 403},
		example{name: "create page", srv: "ops", method: "POST", path: "/api/v1/pages", key: "write", want: 201,
			body: `{"id":"ops","name":"<b>Ops</b>","subdomain":"ops","password":"correct horse","private":true,"ip_allowlist":["10.0.0.0/8"],` +
				`"branding":{"brand_color":"#112233","dark_theme":true},"links":{"website":"https://ops.test/"},"platform_alert":{"title":"Hi"}}`},
		example{name: "create page duplicate subdomain", srv: "ops", method: "POST", path: "/api/v1/pages", key: "write",
			body: `{"id":"ops2","name":"O","subdomain":"ops"}`, want: 409},
		example{name: "create page invalid fields", srv: "ops", method: "POST", path: "/api/v1/pages", key: "write",
			body: `{"id":"Bad!","name":"B","time_zone":"Mars/Base","branding":{"brand_color":"red"}}`, want: 422},
		example{name: "create page unknown field", srv: "ops", method: "POST", path: "/api/v1/pages", key: "write",
			body: `{"id":"x","name":"X","colour":"#fff"}`, want: 422, badRequest: true},
		example{name: "create page without name", srv: "ops", method: "POST", path: "/api/v1/pages", key: "write",
			body: `{"id":"x"}`, want: 422, badRequest: true},
		example{name: "create page too large", srv: "ops", method: "POST", path: "/api/v1/pages", key: "write", body: big(`"id":"big",`, "name"), want: 413},
		example{name: "replace page", srv: "ops", method: "PUT", path: "/api/v1/pages/ops", key: "write", body: `{"name":"Ops"}`, want: 200},
		example{name: "patch page", srv: "ops", method: "PATCH", path: "/api/v1/pages/ops", key: "write",
			body: `{"links":{"support":"https://help.ops.test/"},"password":null}`, want: 200},
		example{name: "patch page key in body", srv: "ops", method: "PATCH", path: "/api/v1/pages/ops", key: "write", via: "basic",
			body: `{"robots_meta":"noindex"}`, want: 200},
		example{name: "patch page wrong type", srv: "ops", method: "PATCH", path: "/api/v1/pages/ops", key: "write",
			body: `{"links":{"website":7}}`, want: 422, badRequest: true},
		example{name: "patch managed page", srv: "ops", method: "PATCH", path: "/api/v1/pages/acme", key: "write", body: `{"name":"A"}`, want: 409},
		example{name: "patch unknown page", srv: "ops", method: "PATCH", path: "/api/v1/pages/nope", key: "write", body: `{"name":"A"}`, want: 404},
		example{name: "replace page too large", srv: "ops", method: "PUT", path: "/api/v1/pages/ops", key: "write", body: big("", "name"), want: 413},
		example{name: "disable page", srv: "ops", method: "POST", path: "/api/v1/pages/acme/disable", key: "write", want: 200},
		example{name: "enable page", srv: "ops", method: "POST", path: "/api/v1/pages/acme/enable", key: "write", want: 200},
		example{name: "enable unknown page", srv: "ops", method: "POST", path: "/api/v1/pages/nope/enable", key: "write", want: 404},
		example{name: "disable page read key", srv: "ops", method: "POST", path: "/api/v1/pages/acme/disable", key: "read", want: 403},
		example{name: "set alert", srv: "ops", method: "PUT", path: "/api/v1/pages/acme/platform_alert", key: "write",
			body: `{"title":"Heads up","message":"Maintenance at 22:00 UTC"}`, want: 200},
		example{name: "set alert wrong type", srv: "ops", method: "PUT", path: "/api/v1/pages/acme/platform_alert", key: "write",
			body: `{"title":5}`, want: 422, badRequest: true},
		example{name: "set alert unknown page", srv: "ops", method: "PUT", path: "/api/v1/pages/nope/platform_alert", key: "write",
			body: `{"title":"x"}`, want: 404},
		example{name: "clear alert", srv: "ops", method: "DELETE", path: "/api/v1/pages/acme/platform_alert", key: "write", want: 204},
		example{name: "clear alert unknown page", srv: "ops", method: "DELETE", path: "/api/v1/pages/nope/platform_alert", key: "write", want: 404})

	// Components.
	add(example{name: "create component on two pages", srv: "ops", method: "POST", path: "/api/v1/components", key: "write", want: 201,
		body: `{"id":"cdn","name":"CDN","pages":[{"page_id":"ops","position":1},{"page_id":"acme","position":5}],"start_date":"2025-01-02"}`},
		example{name: "create group", srv: "ops", method: "POST", path: "/api/v1/components", key: "write", want: 201,
			body: `{"id":"core","name":"Core","page_id":"ops","position":2,"is_group":true}`},
		example{name: "create member", srv: "ops", method: "POST", path: "/api/v1/components", key: "write", want: 201,
			body: `{"id":"edge","name":"Edge","page_id":"ops","group_id":"core","description":"Edge nodes","only_show_if_degraded":true,"slo":{"target":99.5}}`},
		example{name: "create component with an SLO out of range", srv: "ops", method: "POST", path: "/api/v1/components", key: "write",
			body: `{"id":"c5","name":"C","page_id":"ops","slo":{"target":100,"window_days":30}}`, want: 422, badRequest: true},
		example{name: "create component duplicate", srv: "ops", method: "POST", path: "/api/v1/components", key: "write",
			body: `{"id":"cdn","name":"CDN","page_id":"ops"}`, want: 409},
		example{name: "create component in no group", srv: "ops", method: "POST", path: "/api/v1/components", key: "write",
			body: `{"id":"c2","name":"C","page_id":"ops","group_id":"web"}`, want: 422},
		example{name: "create component on an unknown page", srv: "ops", method: "POST", path: "/api/v1/components", key: "write",
			body: `{"id":"c3","name":"C","page_id":"nope"}`, want: 422},
		example{name: "create component without id", srv: "ops", method: "POST", path: "/api/v1/components", key: "write",
			body: `{"name":"C","page_id":"ops"}`, want: 422, badRequest: true},
		example{name: "create component on another page", srv: "ops", method: "POST", path: "/api/v1/components", key: "beta-write",
			body: `{"id":"c4","name":"C","page_id":"ops"}`, want: 403},
		example{name: "create component too large", srv: "ops", method: "POST", path: "/api/v1/components", key: "write", body: big(`"id":"big",`, "name"), want: 413},
		example{name: "components of a page", srv: "ops", method: "GET", path: "/api/v1/components?page_id=ops", key: "read", want: 200},
		example{name: "component on ops", srv: "ops", method: "GET", path: "/api/v1/components/core", key: "read", want: 200},
		example{name: "component on two pages, key of one", srv: "ops", method: "GET", path: "/api/v1/components/cdn", key: "beta-write", want: 403},
		example{name: "metrics on ops", srv: "ops", method: "GET", path: "/api/v1/components/edge/metrics?include_calculation=true", key: "read", want: 200},
		example{name: "timeseries", srv: "ops", method: "GET", path: "/api/v1/components/web/timeseries?step=1h", key: "read", want: 200},
		example{name: "timeseries headers", srv: "ops", method: "HEAD", path: "/api/v1/components/web/timeseries", key: "read", want: 200},
		example{name: "timeseries of a range", srv: "ops", method: "GET", key: "read", want: 200,
			path: "/api/v1/components/web/timeseries?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z&step=5m"},
		example{name: "timeseries without a key", srv: "ops", method: "GET", path: "/api/v1/components/web/timeseries", want: 401, badRequest: true},
		example{name: "timeseries of another page", srv: "ops", method: "GET", path: "/api/v1/components/web/timeseries", key: "beta-write", want: 403},
		example{name: "timeseries unknown component", srv: "ops", method: "GET", path: "/api/v1/components/nope/timeseries", key: "read", want: 404},
		example{name: "timeseries bad step", srv: "ops", method: "GET", path: "/api/v1/components/web/timeseries?step=soon", key: "read", want: 422},
		example{name: "timeseries reversed", srv: "ops", method: "GET", key: "read", want: 422,
			path: "/api/v1/components/web/timeseries?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z"},
		example{name: "replace component", srv: "ops", method: "PUT", path: "/api/v1/components/cdn", key: "write",
			body: `{"description":"Edge cache","quorum":2,"show_uptime":false,"slo":{"target":99.9,"window_days":7}}`, want: 200},
		example{name: "patch component", srv: "ops", method: "PATCH", path: "/api/v1/components/edge", key: "write", body: `{"position":3}`, want: 200},
		example{name: "patch component bad date", srv: "ops", method: "PATCH", path: "/api/v1/components/edge", key: "write",
			body: `{"start_date":"tomorrow"}`, want: 422},
		example{name: "patch managed component", srv: "ops", method: "PATCH", path: "/api/v1/components/web", key: "write", body: `{"name":"W"}`, want: 409},
		example{name: "patch unknown component", srv: "ops", method: "PATCH", path: "/api/v1/components/nope", key: "write", body: `{"name":"W"}`, want: 404},
		example{name: "replace component too large", srv: "ops", method: "PUT", path: "/api/v1/components/cdn", key: "write", body: big("", "name"), want: 413})

	// A person's status on a component, and the status history it leaves.
	add(example{name: "override none yet", srv: "ops", method: "GET", path: "/api/v1/components/web/override", key: "read", want: 404},
		example{name: "set override", srv: "ops", method: "PUT", path: "/api/v1/components/web/override", key: "write",
			body: `{"status":"partial_outage"}`, want: 200},
		example{name: "set override on a managed component's status", srv: "ops", method: "PUT", path: "/api/v1/components/edge/override",
			key: "write", body: `{"status":"under_maintenance"}`, want: 200},
		example{name: "set override unknown status", srv: "ops", method: "PUT", path: "/api/v1/components/web/override", key: "write",
			body: `{"status":"on_fire"}`, want: 422, badRequest: true},
		example{name: "set override unknown component", srv: "ops", method: "PUT", path: "/api/v1/components/nope/override", key: "write",
			body: `{"status":"major_outage"}`, want: 404},
		example{name: "set override of another page", srv: "ops", method: "PUT", path: "/api/v1/components/web/override", key: "beta-write",
			body: `{"status":"major_outage"}`, want: 403},
		example{name: "set override read key", srv: "ops", method: "PUT", path: "/api/v1/components/web/override", key: "read",
			body: `{"status":"major_outage"}`, want: 403},
		example{name: "set override without a key", srv: "ops", method: "PUT", path: "/api/v1/components/web/override",
			body: `{"status":"major_outage"}`, want: 401, badRequest: true},
		example{name: "set override too large", srv: "ops", method: "PUT", path: "/api/v1/components/web/override", key: "write",
			body: big("", "status"), want: 413, badRequest: true},
		example{name: "override", srv: "ops", method: "GET", path: "/api/v1/components/web/override", key: "read", want: 200},
		example{name: "override without a key", srv: "ops", method: "GET", path: "/api/v1/components/web/override", want: 401, badRequest: true},
		example{name: "override of another page", srv: "ops", method: "GET", path: "/api/v1/components/web/override", key: "beta-write", want: 403},
		example{name: "component held by an override", srv: "ops", method: "GET", path: "/api/v1/components/web", key: "read", want: 200},
		example{name: "clear override", srv: "ops", method: "DELETE", path: "/api/v1/components/web/override", key: "write", want: 204},
		example{name: "clear override again", srv: "ops", method: "DELETE", path: "/api/v1/components/web/override", key: "write", want: 404},
		example{name: "clear override of another page", srv: "ops", method: "DELETE", path: "/api/v1/components/edge/override", key: "beta-write", want: 403},
		example{name: "clear override without a key", srv: "ops", method: "DELETE", path: "/api/v1/components/edge/override", want: 401, badRequest: true},
		example{name: "history", srv: "ops", method: "GET", path: "/api/v1/components/web/history", key: "read", want: 200},
		example{name: "history page", srv: "ops", method: "GET", path: "/api/v1/components/web/history?limit=1", key: "read", want: 200},
		example{name: "history of a range", srv: "ops", method: "GET", key: "read", want: 200,
			path: "/api/v1/components/web/history?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z"},
		example{name: "history bad cursor", srv: "ops", method: "GET", path: "/api/v1/components/web/history?cursor=soon", key: "read", want: 422},
		example{name: "history reversed", srv: "ops", method: "GET", key: "read", want: 422,
			path: "/api/v1/components/web/history?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z"},
		example{name: "history limit out of range", srv: "ops", method: "GET", path: "/api/v1/components/web/history?limit=0", key: "read", want: 422, badRequest: true},
		example{name: "history unknown component", srv: "ops", method: "GET", path: "/api/v1/components/nope/history", key: "read", want: 404},
		example{name: "history of another page", srv: "ops", method: "GET", path: "/api/v1/components/web/history", key: "beta-write", want: 403},
		example{name: "history without a key", srv: "ops", method: "GET", path: "/api/v1/components/web/history", want: 401, badRequest: true})

	add(maintenanceExamples()...)

	// Checks.
	add(example{name: "create http check", srv: "ops", method: "POST", path: "/api/v1/checks", key: "write", want: 201,
		body: `{"id":"cdn-http","component_id":"cdn","interval":"15s","timeout":"5s","regions":["eu-west"],` +
			`"http":{"url":"https://cdn.test/","method":"HEAD","headers":{"X-Probe":"statusd"},"expected_status":[200,204],` +
			`"header_matches":[{"name":"Server","regex":"^cdn"}],"follow_redirects":false}}`},
		example{name: "create tcp check, seconds as a number", srv: "ops", method: "POST", path: "/api/v1/checks", key: "write", want: 201,
			body: `{"id":"edge-tcp","component_id":"edge","interval":30,"tcp":{"address":"edge.test:443","send":"PING","expect":"PONG"}}`},
		example{name: "create dns check", srv: "ops", method: "POST", path: "/api/v1/checks", key: "write", want: 201,
			body: `{"id":"edge-dns","component_id":"edge","type":"dns","dns":{"server":"192.0.2.53:53","name":"edge.test.","type":"A","rcodes":["NOERROR"]}}`},
		example{name: "create tls check", srv: "ops", method: "POST", path: "/api/v1/checks", key: "write", want: 201,
			body: `{"id":"edge-tls","component_id":"edge","tls":{"address":"edge.test:443","expiry_threshold_days":14}}`},
		example{name: "create icmp check", srv: "ops", method: "POST", path: "/api/v1/checks", key: "write", want: 201,
			body: `{"id":"edge-icmp","component_id":"edge","icmp":{"host":"edge.test","count":3,"interval":"1s"}}`},
		example{name: "create check validated as the config is", srv: "ops", method: "POST", path: "/api/v1/checks", key: "write",
			body: `{"id":"bad","component_id":"cdn","interval":"15s","http":{"url":"ftp://x/","method":"BREW"}}`, want: 422},
		example{name: "create check bad duration", srv: "ops", method: "POST", path: "/api/v1/checks", key: "write",
			body: `{"id":"bad","component_id":"cdn","interval":"soon","tcp":{"address":"a:1"}}`, want: 422},
		example{name: "create check duration of the wrong type", srv: "ops", method: "POST", path: "/api/v1/checks", key: "write",
			body: `{"id":"bad","component_id":"cdn","interval":true,"tcp":{"address":"a:1"}}`, want: 422, badRequest: true},
		example{name: "create check unknown component", srv: "ops", method: "POST", path: "/api/v1/checks", key: "write",
			body: `{"id":"bad","component_id":"nope","tcp":{"address":"a:1"}}`, want: 422},
		example{name: "create check duplicate", srv: "ops", method: "POST", path: "/api/v1/checks", key: "write",
			body: `{"id":"cdn-http","component_id":"cdn","tcp":{"address":"a:1"}}`, want: 409},
		example{name: "create check too large", srv: "ops", method: "POST", path: "/api/v1/checks", key: "write", body: big(`"id":"big","component_id":"cdn",`, "incident_on"), want: 413},
		example{name: "list checks", srv: "ops", method: "GET", path: "/api/v1/checks", key: "read", want: 200},
		example{name: "list checks of a component", srv: "ops", method: "GET", path: "/api/v1/checks?component_id=edge&per_page=2", key: "read", want: 200},
		example{name: "list checks bad per_page", srv: "ops", method: "GET", path: "/api/v1/checks?per_page=1000", key: "read", want: 422, badRequest: true},
		example{name: "list checks page key", srv: "ops", method: "GET", path: "/api/v1/checks", key: "beta-write", want: 403},
		example{name: "get check", srv: "ops", method: "GET", path: "/api/v1/checks/cdn-http", key: "read", want: 200},
		example{name: "get managed check", srv: "ops", method: "GET", path: "/api/v1/checks/web-tcp", key: "read", want: 200},
		example{name: "get unknown check", srv: "ops", method: "GET", path: "/api/v1/checks/nope", key: "read", want: 404},
		example{name: "replace check", srv: "ops", method: "PUT", path: "/api/v1/checks/cdn-http", key: "write", body: `{"interval":"20s"}`, want: 200},
		example{name: "patch check", srv: "ops", method: "PATCH", path: "/api/v1/checks/cdn-http", key: "write",
			body: `{"degraded_latency":"800ms","http":{"body_regex":"ok"}}`, want: 200},
		example{name: "patch check id", srv: "ops", method: "PATCH", path: "/api/v1/checks/cdn-http", key: "write", body: `{"id":"other"}`, want: 422},
		example{name: "patch managed check", srv: "ops", method: "PATCH", path: "/api/v1/checks/web-tcp", key: "write", body: `{"interval":"1m"}`, want: 409},
		example{name: "patch unknown check", srv: "ops", method: "PATCH", path: "/api/v1/checks/nope", key: "write", body: `{"interval":"1m"}`, want: 404},
		example{name: "replace check too large", srv: "ops", method: "PUT", path: "/api/v1/checks/cdn-http", key: "write", body: big("", "incident_on"), want: 413},
		example{name: "delete managed check", srv: "ops", method: "DELETE", path: "/api/v1/checks/web-tcp", key: "write", want: 409},
		example{name: "delete check", srv: "ops", method: "DELETE", path: "/api/v1/checks/edge-tcp", key: "write", want: 204},
		example{name: "delete unknown check", srv: "ops", method: "DELETE", path: "/api/v1/checks/edge-tcp", key: "write", want: 404})

	// The audit log.
	add(example{name: "audit", srv: "ops", method: "GET", path: "/api/v1/audit?per_page=50", key: "read", want: 200},
		example{name: "audit filtered", srv: "ops", method: "GET", path: "/api/v1/audit?entity=page:ops&principal=key:" + e.ids["write"], key: "read", want: 200},
		example{name: "audit of a kind since", srv: "ops", method: "GET", path: "/api/v1/audit?entity=check&since=2025-01-01T00:00:00Z", key: "read", want: 200},
		example{name: "audit bad since", srv: "ops", method: "GET", path: "/api/v1/audit?since=yesterday", key: "read", want: 422, badRequest: true},
		example{name: "audit page key", srv: "ops", method: "GET", path: "/api/v1/audit", key: "beta-write", want: 403},
		example{name: "audit of keys, admin key", srv: "ops", method: "GET", path: "/api/v1/audit?entity=key", key: "admin", want: 200},
		example{name: "audit of admins, read key sees none", srv: "ops", method: "GET", path: "/api/v1/audit?entity=admin", key: "read", want: 200})

	// API keys.
	add(example{name: "list keys", srv: "ops", method: "GET", path: "/api/v1/keys", key: "admin", want: 200},
		example{name: "list keys write key", srv: "ops", method: "GET", path: "/api/v1/keys", key: "write", want: 403},
		example{name: "list keys bad page", srv: "ops", method: "GET", path: "/api/v1/keys?page=0", key: "admin", want: 422, badRequest: true},
		example{name: "create key", srv: "ops", method: "POST", path: "/api/v1/keys", key: "admin", body: `{"scope":"read","name":"CI"}`, want: 201},
		example{name: "create page key", srv: "ops", method: "POST", path: "/api/v1/keys", key: "admin",
			body: `{"scope":"write","name":"deploys","page_id":"ops","admin_id":"` + e.admins["other"] + `"}`, want: 201},
		example{name: "create key unknown scope", srv: "ops", method: "POST", path: "/api/v1/keys", key: "admin", body: `{"scope":"root"}`, want: 422, badRequest: true},
		example{name: "create key unknown page", srv: "ops", method: "POST", path: "/api/v1/keys", key: "admin", body: `{"scope":"read","page_id":"nope"}`, want: 422},
		example{name: "create key page key grants another page", srv: "ops", method: "POST", path: "/api/v1/keys", key: "beta-admin",
			body: `{"scope":"read","page_id":"ops"}`, want: 403},
		example{name: "create key too large", srv: "ops", method: "POST", path: "/api/v1/keys", key: "admin", body: big(`"scope":"read",`, "name"), want: 413},
		example{name: "get key", srv: "ops", method: "GET", path: "/api/v1/keys/" + e.ids["read"], key: "admin", want: 200},
		example{name: "get unknown key", srv: "ops", method: "GET", path: "/api/v1/keys/nope", key: "admin", want: 404},
		example{name: "revoke key", srv: "ops", method: "DELETE", path: "/api/v1/keys/" + e.ids["spare"], key: "admin", want: 204},
		example{name: "revoke unknown key", srv: "ops", method: "DELETE", path: "/api/v1/keys/nope", key: "admin", want: 404})

	// Admins.
	add(example{name: "list admins", srv: "ops", method: "GET", path: "/api/v1/admins", key: "admin", want: 200},
		example{name: "create admin", srv: "ops", method: "POST", path: "/api/v1/admins", key: "admin", body: `{"email":"sre@example.com","name":"SRE"}`, want: 201},
		example{name: "create admin duplicate email", srv: "ops", method: "POST", path: "/api/v1/admins", key: "admin", body: `{"email":"sre@example.com","name":"SRE"}`, want: 409},
		example{name: "create admin bad email", srv: "ops", method: "POST", path: "/api/v1/admins", key: "admin", body: `{"email":"sre","name":"SRE"}`, want: 422},
		example{name: "create admin without name", srv: "ops", method: "POST", path: "/api/v1/admins", key: "admin", body: `{"email":"x@example.com"}`, want: 422, badRequest: true},
		example{name: "create admin page key", srv: "ops", method: "POST", path: "/api/v1/admins", key: "beta-admin", body: `{"email":"y@example.com","name":"Y"}`, want: 403},
		example{name: "create admin too large", srv: "ops", method: "POST", path: "/api/v1/admins", key: "admin", body: big(`"email":"big@example.com",`, "name"), want: 413},
		example{name: "get admin", srv: "ops", method: "GET", path: "/api/v1/admins/" + e.admins["admin"], key: "admin", want: 200},
		example{name: "get unknown admin", srv: "ops", method: "GET", path: "/api/v1/admins/nope", key: "admin", want: 404},
		example{name: "patch admin", srv: "ops", method: "PATCH", path: "/api/v1/admins/" + e.admins["other"], key: "admin", body: `{"name":"Other team","disabled":true}`, want: 200},
		example{name: "patch admin email taken", srv: "ops", method: "PATCH", path: "/api/v1/admins/" + e.admins["other"], key: "admin", body: `{"email":"ops@example.com"}`, want: 409},
		example{name: "patch admin wrong type", srv: "ops", method: "PATCH", path: "/api/v1/admins/" + e.admins["other"], key: "admin", body: `{"disabled":"yes"}`, want: 422, badRequest: true},
		example{name: "patch unknown admin", srv: "ops", method: "PATCH", path: "/api/v1/admins/nope", key: "admin", body: `{"name":"N"}`, want: 404},
		example{name: "patch admin too large", srv: "ops", method: "PATCH", path: "/api/v1/admins/nope", key: "admin", body: big("", "name"), want: 413},
		example{name: "delete admin", srv: "ops", method: "DELETE", path: "/api/v1/admins/" + e.admins["other"], key: "admin", want: 204},
		example{name: "delete unknown admin", srv: "ops", method: "DELETE", path: "/api/v1/admins/" + e.admins["other"], key: "admin", want: 404})

	// Deletes, last.
	add(example{name: "delete managed component", srv: "ops", method: "DELETE", path: "/api/v1/components/web", key: "write", want: 409},
		example{name: "delete component", srv: "ops", method: "DELETE", path: "/api/v1/components/cdn", key: "write", want: 204},
		example{name: "delete unknown component", srv: "ops", method: "DELETE", path: "/api/v1/components/cdn", key: "write", want: 404},
		example{name: "delete managed page", srv: "ops", method: "DELETE", path: "/api/v1/pages/acme", key: "write", want: 409},
		example{name: "delete page", srv: "ops", method: "DELETE", path: "/api/v1/pages/ops", key: "write", want: 204},
		example{name: "delete unknown page", srv: "ops", method: "DELETE", path: "/api/v1/pages/ops", key: "write", want: 404},
		example{name: "audit after", srv: "ops", method: "GET", path: "/api/v1/audit?per_page=100", key: "read", via: "query", want: 200})
	add(domainExamples()...)
	add(incidentExamples()...)
	return out
}
