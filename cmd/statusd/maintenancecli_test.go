package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/store/sqlstore"
)

// maintAPI serves the API on a real listener over a fresh SQLite store
// with page main and component db; it returns the URL and a write and a
// read key.
func maintAPI(t *testing.T) (base, write, read string) {
	t.Helper()
	st := openWithPage(t, sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "statusd.db")})
	now := time.Now()
	if err := st.SyncCatalog(t.Context(), catalog.Catalog{Pages: []catalog.Page{{ID: "main", Name: "Main", TimeZone: "Etc/UTC"}},
		Components: []catalog.Component{{ID: "db", PageID: "main", Name: "DB"}}}, now); err != nil {
		t.Fatal(err)
	}
	ctx := auth.WithPrincipal(t.Context(), cliPrincipal())
	admin, errs := auth.NewAdmin("ops@example.com", "Ops", now)
	if errs != nil {
		t.Fatal(errs)
	}
	if err := st.CreateAdmin(ctx, admin); err != nil {
		t.Fatal(err)
	}
	secrets := map[auth.Scope]string{}
	for _, scope := range []auth.Scope{auth.ScopeWrite, auth.ScopeRead} {
		key, secret, err := auth.NewKey(auth.KeyRequest{AdminID: admin.ID, Scope: scope, Name: string(scope)}, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateKey(ctx, key); err != nil {
			t.Fatal(err)
		}
		secrets[scope] = secret
	}
	authn, err := auth.NewAuthenticator(auth.AuthenticatorOptions{Keys: st, Clock: time.Now, Changes: st.CatalogVersion})
	if err != nil {
		t.Fatal(err)
	}
	a, err := api.New(api.Options{Store: st, Entities: st, Statuses: st, Maintenances: st, Keys: authn,
		Registerer: prometheus.NewRegistry(), RateLimit: 1000, RateBurst: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return "http://" + ln.Addr().String(), secrets[auth.ScopeWrite], secrets[auth.ScopeRead]
}

func TestMaintenanceCLI(t *testing.T) {
	base, write, read := maintAPI(t)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":{"code":"unavailable","message":"status data is temporarily unavailable"}}`, http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)
	gone := "http://" + freeAddr(t)
	start := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	env := map[string]string{"STATUSD_API_URL": base, "STATUSD_API_KEY": write}
	sched := []string{"schedule", "--page", "main", "--title", "DB upgrade", "--start", start, "--duration", "2h", "--components", "db",
		"--remind", "hour_before", "--notify"}
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		want     int
		out, err string // substrings of stdout and stderr
	}{
		{"no command", nil, env, 64, "", "Exit codes: 0 done"},
		{"help", []string{"--help"}, env, 0, "", "Exit codes: 0 done"},
		{"help of a command", []string{"cancel", "--help"}, env, 0, "", "-series"},
		{"unknown command", []string{"reschedule"}, env, 64, "", `unknown command "reschedule"`},
		{"unknown flag", []string{"list", "--colour"}, env, 64, "", "flag provided but not defined: -colour"},
		{"no title", []string{"schedule", "--start", start, "--duration", "1h"}, env, 64, "", "--title is required"},
		{"bad start", []string{"schedule", "--title", "x", "--start", "tonight", "--duration", "1h"}, env, 64, "", "--start: must be a time"},
		{"no end", []string{"schedule", "--title", "x", "--start", start}, env, 64, "", "--end or a positive --duration is required"},
		{"no URL", []string{"list"}, map[string]string{"STATUSD_API_KEY": write}, 64, "", "--api-url (or STATUSD_API_URL) is required"},
		{"bad URL", []string{"list", "--api-url", "localhost:8080"}, env, 64, "", "--api-url: must be an http or https URL"},
		{"no key", []string{"list"}, map[string]string{"STATUSD_API_URL": base}, 64, "", "--api-key (or STATUSD_API_KEY) is required"},
		{"no ID", []string{"cancel"}, env, 64, "", "needs one argument, the maintenance's ID"},
		{"bad ID", []string{"start", "abc"}, env, 64, "", `ID "abc": must be a positive whole number`},
		{"schedule", sched, env, 0, "1  scheduled  " + start[:19], ""},
		{"unknown component", append(append([]string{}, sched...), "--components", "db,nope"), env, 1, "", `component_ids[1]: component "nope" is not on page "main"`},
		{"rule every minute", append(append([]string{}, sched...), "--recurrence", "* * * * *"), env, 1, "", "recurrence:"},
		{"read key cannot schedule", sched, map[string]string{"STATUSD_API_URL": base, "STATUSD_API_KEY": read}, 1, "", "(HTTP 403)"},
		{"bad key", []string{"list", "--api-key", "sd_nope"}, env, 1, "", "(HTTP 401)"},
		{"list", []string{"list"}, map[string]string{"STATUSD_API_URL": base, "STATUSD_API_KEY": read}, 0, "DB upgrade", ""},
		{"list upcoming as JSON", []string{"list", "--upcoming", "--json"}, env, 0, `"total_count":1`, ""},
		{"list bad status", []string{"list", "--status", "done"}, env, 1, "", "status: must be a comma-separated list"},
		{"start, flags after the ID", []string{"start", "1", "--message", "Starting now."}, env, 0, "1  in_progress", ""},
		{"cancel one in progress", []string{"cancel", "1"}, env, 1, "", "status: a maintenance that is in_progress does not move to cancelled"},
		{"complete", []string{"complete", "--message", "Done.", "1"}, env, 0, "1  completed", ""},
		{"cancel unknown", []string{"cancel", "99"}, env, 1, "", "not found (HTTP 404)"},
		{"flags win over the environment", []string{"list", "--api-url", base, "--api-key", read},
			map[string]string{"STATUSD_API_URL": gone, "STATUSD_API_KEY": "sd_nope"}, 0, "completed", ""},
		{"cannot connect", []string{"list"}, map[string]string{"STATUSD_API_URL": gone, "STATUSD_API_KEY": write}, 2, "", "cannot reach the API at " + gone},
		{"server error", []string{"list"}, map[string]string{"STATUSD_API_URL": failing.URL, "STATUSD_API_KEY": write}, 2, "",
			"status data is temporarily unavailable (HTTP 503)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			args := append([]string{"maintenance"}, tt.args...)
			code := maintenanceCommand(t.Context(), args[1:], func(k string) string { return tt.env[k] }, &out, &errOut)
			if code != tt.want {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.want, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), tt.out) {
				t.Errorf("stdout %q, want it to contain %q", out.String(), tt.out)
			}
			if !strings.Contains(errOut.String(), tt.err) {
				t.Errorf("stderr %q, want it to contain %q", errOut.String(), tt.err)
			}
		})
	}
}

// TestMaintenanceCommandIsDispatched: statusd maintenance reaches the
// command through run.
func TestMaintenanceCommandIsDispatched(t *testing.T) {
	var out, errOut strings.Builder
	if code := run(t.Context(), []string{"maintenance", "--help"}, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "schedule") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}
