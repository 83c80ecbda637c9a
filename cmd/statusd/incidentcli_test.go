package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/config"
	"github.com/statusd/statusd/incident"
	"github.com/statusd/statusd/status"
	"github.com/statusd/statusd/store/sqlstore"
)

// incidentServer is a running standalone statusd, on port 0 over SQLite,
// for the incident CLI to talk to, and a handle on its store to check what
// the CLI's requests stored.
type incidentServer struct {
	base  string // http://127.0.0.1:port, no trailing slash
	key   string // of scope write
	store *sqlstore.Store
}

// startIncidentServer starts standalone in process with the page "main"
// and its components api and web; the test's end stops it.
func startIncidentServer(t *testing.T) *incidentServer {
	t.Helper()
	cfg, err := config.Parse("test.yaml", []byte(`
http: {addr: "127.0.0.1:0"}
pages:
  - id: main
    name: Main
    components:
      - {id: api, name: API}
      - {id: web, name: Web}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	key := cliKey(t, dataDir, "write")
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- standalone(ctx, cfg, dataDir, slog.New(slog.NewTextHandler(logs, nil))) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("standalone: %v", err)
		}
	})
	var base string
	waitUntil(t, 20*time.Second, "standalone serving", func() bool {
		_, rest, ok := strings.Cut(logs.String(), " page=")
		base, _, _ = strings.Cut(rest, "/ ")
		return ok && get(base+"/readyz") == http.StatusOK
	})
	st, err := sqlstore.Open(t.Context(), sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(dataDir, "statusd.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return &incidentServer{base: base, key: key, store: st}
}

// env is the environment of an operator set up for s.
func (s *incidentServer) env() map[string]string {
	return map[string]string{envAPIURL: s.base, envAPIKey: s.key}
}

// incidentCLI runs statusd incident args with env as the environment.
func incidentCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = incidentCommand(t.Context(), args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

// mustOpen opens an incident with the CLI and returns its ID.
func mustOpen(t *testing.T, env map[string]string, args ...string) int64 {
	t.Helper()
	code, stdout, stderr := incidentCLI(t, env, append([]string{"open", "--page", "main"}, args...)...)
	id, err := strconv.ParseInt(strings.TrimSpace(stdout), 10, 64)
	if code != exitOK || err != nil {
		t.Fatalf("open: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	return id
}

func TestIncidentCLIRoundTrip(t *testing.T) {
	s := startIncidentServer(t)
	env := s.env()
	id := mustOpen(t, env, "--title", "Checkout errors", "--body", "Looking into it", "--impact", "major",
		"--component", "api=major_outage", "--component", "web")
	ids := strconv.FormatInt(id, 10)
	steps := []struct {
		name       string
		args       []string
		wantStdout []string // each must be in stdout
		notStdout  string   // must not be in stdout, when set
		check      func(t *testing.T, in incident.Incident)
	}{
		{"opened as asked", []string{"show", ids}, []string{"Checkout errors", "investigating", "api=major_outage, web=partial_outage"}, "",
			func(t *testing.T, in incident.Incident) {
				if in.Status != incident.Investigating || in.Impact != incident.ImpactMajor || in.Name != "Checkout errors" || in.Body != "Looking into it" {
					t.Errorf("stored %+v", in)
				}
				wantComponents(t, in, map[string]status.Status{"api": status.MajorOutage, "web": status.PartialOutage})
			}},
		{"update: identified, api partial", []string{"update", ids, "--status", "identified", "--body", "A bad deploy", "--component", "api=partial_outage"},
			[]string{ids + " identified\n"}, "",
			func(t *testing.T, in incident.Incident) {
				if in.Status != incident.Identified || len(in.Updates) != 2 || in.Updates[0].Body != "A bad deploy" || in.Updates[0].Private {
					t.Errorf("stored %+v", in)
				}
				wantComponents(t, in, map[string]status.Status{"api": status.PartialOutage, "web": status.PartialOutage})
			}},
		{"update: a private note, flags after and before the ID", []string{"update", "--private", ids, "--body", "Rolling back"},
			[]string{ids + " identified\n"}, "",
			func(t *testing.T, in incident.Incident) {
				if len(in.Updates) != 3 || !in.Updates[0].Private || in.Updates[0].Body != "Rolling back" || in.Private {
					t.Errorf("stored %+v", in)
				}
			}},
		{"listed unresolved", []string{"list", "--unresolved"}, []string{"ID  STATUS      IMPACT  TITLE            CREATED", ids + "   identified  major   Checkout errors"}, "", nil},
		{"resolve", []string{"resolve", ids, "--body", "Rolled back; all good"}, []string{ids + " resolved\n"}, "",
			func(t *testing.T, in incident.Incident) {
				if in.Status != incident.Resolved || in.ResolvedAt.IsZero() || len(in.Updates) != 4 || in.Updates[0].Body != "Rolled back; all good" {
					t.Errorf("stored %+v", in)
				}
			}},
		{"listed resolved", []string{"list", "--page", "main", "--limit", "5"}, []string{ids + "   resolved  major   Checkout errors"}, "", nil},
		{"no longer unresolved", []string{"list", "--unresolved"}, []string{"ID  STATUS"}, "Checkout errors", nil},
		{"list --json is the API's", []string{"list", "--json"}, []string{`{"data":[{"id":` + ids + `,`, `"meta":`}, "", nil},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			code, stdout, stderr := incidentCLI(t, env, step.args...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			for _, want := range step.wantStdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout %q lacks %q", stdout, want)
				}
			}
			if step.notStdout != "" && strings.Contains(stdout, step.notStdout) {
				t.Errorf("stdout %q has %q", stdout, step.notStdout)
			}
			if step.check != nil {
				in, err := s.store.Incident(t.Context(), id)
				if err != nil {
					t.Fatal(err)
				}
				step.check(t, in)
			}
		})
	}
}

func wantComponents(t *testing.T, in incident.Incident, want map[string]status.Status) {
	t.Helper()
	got := map[string]status.Status{}
	for _, c := range in.Components {
		got[c.ComponentID] = c.Status
	}
	if len(got) != len(want) {
		t.Errorf("components %v, want %v", got, want)
	}
	for id, st := range want {
		if got[id] != st {
			t.Errorf("component %s: %q, want %q", id, got[id], st)
		}
	}
}

func TestIncidentCLIBackfillAndPrivate(t *testing.T) {
	s := startIncidentServer(t)
	started := time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)
	resolved := started.Add(40 * time.Minute)
	tests := []struct {
		name  string
		args  []string
		check func(in incident.Incident) bool
	}{
		{"backfill", []string{"--title", "Night outage", "--started-at", started.Format(time.RFC3339), "--resolved-at", resolved.Format(time.RFC3339)},
			func(in incident.Incident) bool {
				return in.Backfilled && in.Status == incident.Resolved && in.Started().Equal(started) && in.ResolvedAt.Equal(resolved)
			}},
		{"private, monitoring, started earlier", []string{"--title", "Quiet", "--private", "--status", "monitoring", "--started-at", started.Format(time.RFC3339)},
			func(in incident.Incident) bool {
				return in.Private && !in.Backfilled && in.Status == incident.Monitoring && in.Started().Equal(started)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := mustOpen(t, s.env(), tt.args...)
			in, err := s.store.Incident(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(in) {
				t.Errorf("stored %+v", in)
			}
		})
	}
}

func TestIncidentCLIExitCodes(t *testing.T) {
	s := startIncidentServer(t)
	env := s.env()
	resolved := strconv.FormatInt(mustOpen(t, env, "--title", "Done"), 10)
	if code, _, stderr := incidentCLI(t, env, "resolve", resolved); code != exitOK {
		t.Fatalf("resolve: exit %d: %s", code, stderr)
	}
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error":{"code":"unavailable","message":"status data is temporarily unavailable; try again shortly"}}`))
	}))
	defer failing.Close()
	with := func(k, v string) map[string]string {
		e := map[string]string{envAPIURL: s.base, envAPIKey: s.key}
		if v == "" {
			delete(e, k)
		} else {
			e[k] = v
		}
		return e
	}
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		wantCode   int
		wantStderr []string
	}{
		{"refused: resolve a resolved incident", env, []string{"resolve", resolved}, cliExitRefused,
			[]string{"the request is invalid; see errors (HTTP 422)", "\n  status: the incident is already resolved"}},
		{"refused: the field named with its flag", env, []string{"update", resolved, "--status", "identified", "--body", "x"}, cliExitRefused,
			[]string{"(HTTP 422)", "\n  status (--status): the incident is resolved; reopen it"}},
		{"refused: a component the API does not know", env, []string{"open", "--page", "main", "--title", "x", "--component", "nope=major_outage"}, cliExitRefused,
			[]string{"(HTTP 422)", "(--component)"}},
		{"refused: no such incident", env, []string{"resolve", "999999"}, cliExitRefused, []string{`incident "999999" not found (HTTP 404)`}},
		{"refused: a bad key", with(envAPIKey, "sk_nope"), []string{"list"}, cliExitRefused, []string{"(HTTP 401)"}},
		{"unreachable URL", with(envAPIURL, "http://"+freeAddr(t)), []string{"list"}, cliExitUnavailable, []string{"reach the API at http://127.0.0.1:"}},
		{"the API answers 503", with(envAPIURL, failing.URL), []string{"show", "1"}, cliExitUnavailable, []string{"temporarily unavailable; try again shortly (HTTP 503)"}},
		{"--api-url overrides the environment", with(envAPIURL, "http://"+freeAddr(t)), []string{"list", "--api-url", s.base}, exitOK, nil},
		{"--api-key overrides the environment", with(envAPIKey, "sk_nope"), []string{"list", "--api-key", s.key}, exitOK, nil},
		{"bad flag: unknown", env, []string{"list", "--nope"}, cliExitUsage, []string{"flag provided but not defined: -nope"}},
		{"bad flag: impact", env, []string{"open", "--page", "main", "--title", "x", "--impact", "huge"}, cliExitUsage,
			[]string{"statusd incident open: --impact: want one of none, minor, major, critical"}},
		{"bad flag: status", env, []string{"open", "--page", "main", "--title", "x", "--status", "resolved"}, cliExitUsage,
			[]string{"--status: want one of investigating, identified, monitoring"}},
		{"bad flag: component status", env, []string{"update", "1", "--body", "x", "--component", "api=broken"}, cliExitUsage,
			[]string{`--component "api=broken": want a status of operational,`}},
		{"bad flag: component without status on update", env, []string{"update", "1", "--body", "x", "--component", "api"}, cliExitUsage,
			[]string{`--component "api": want ID=STATUS`}},
		{"bad flag: started-at", env, []string{"open", "--page", "main", "--title", "x", "--started-at", "yesterday"}, cliExitUsage,
			[]string{"--started-at: want an RFC 3339 time"}},
		{"bad flag: resolved-at without started-at", env, []string{"open", "--page", "main", "--title", "x", "--resolved-at", "2026-01-01T00:00:00Z"}, cliExitUsage,
			[]string{"--resolved-at: needs --started-at"}},
		{"bad flag: no title", env, []string{"open", "--page", "main"}, cliExitUsage, []string{"--title: is required"}},
		{"bad flag: no page", env, []string{"open", "--title", "x"}, cliExitUsage, []string{"--page: is required"}},
		{"bad flag: update without body", env, []string{"update", "1", "--status", "identified"}, cliExitUsage, []string{"--body: is required"}},
		{"bad flag: limit", env, []string{"list", "--limit", "0"}, cliExitUsage, []string{"--limit: want a whole number from 1 to 100"}},
		{"bad argument: no ID", env, []string{"resolve"}, cliExitUsage, []string{"want one argument, the incident's ID"}},
		{"bad argument: not an ID", env, []string{"show", "abc"}, cliExitUsage, []string{`ID "abc": want a positive whole number`}},
		{"bad argument: unknown verb", env, []string{"close", "1"}, cliExitUsage, []string{`unknown command "close"`}},
		{"missing STATUSD_API_URL", with(envAPIURL, ""), []string{"list"}, cliExitUsage, []string{"STATUSD_API_URL is not set", "--api-url"}},
		{"missing STATUSD_API_KEY", with(envAPIKey, ""), []string{"resolve", "1"}, cliExitUsage, []string{"STATUSD_API_KEY is not set", "--api-key"}},
		{"not an http URL", with(envAPIURL, "localhost:8080"), []string{"list"}, cliExitUsage, []string{"must be an http or https URL"}},
		{"help", env, []string{"open", "--help"}, exitOK, []string{"Usage: statusd incident open", "STATUSD_API_KEY", "64  usage"}},
		{"help of the command", env, []string{"--help"}, exitOK, []string{"Usage: statusd incident <command>", "resolve", "STATUSD_API_URL", "1   the API refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := incidentCLI(t, tt.env, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.wantCode, stderr)
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q lacks %q", stderr, want)
				}
			}
		})
	}
}

// TestIncidentCLIDispatch runs the command through statusd's own
// dispatch, with the process environment.
func TestIncidentCLIDispatch(t *testing.T) {
	t.Setenv(envAPIURL, "")
	t.Setenv(envAPIKey, "")
	code, _, stderr := runCmd(t, "incident", "list")
	if code != cliExitUsage || !strings.Contains(stderr, "STATUSD_API_URL is not set") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if !slices.ContainsFunc(commands(), func(c command) bool { return c.name == "incident" }) {
		t.Error("statusd help does not list incident")
	}
}

func TestCLIAPIClientTimeout(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	tests := []struct {
		name    string
		timeout time.Duration
		want    time.Duration
	}{
		{"default", 0, apiClientTimeout},
		{"given", 200 * time.Millisecond, 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := newAPIClient(apiClientOptions{URL: hang.URL, Key: "k", Timeout: tt.timeout})
			if err != nil {
				t.Fatal(err)
			}
			if c.http.Timeout != tt.want || apiClientTimeout != 10*time.Second {
				t.Fatalf("timeout %v, want %v (default 10 s)", c.http.Timeout, tt.want)
			}
			if tt.timeout == 0 {
				return // not waited for: 10 s
			}
			start := time.Now()
			_, err = c.do(t.Context(), http.MethodGet, "/api/v1/incidents", nil, nil)
			var ue *unreachableError
			if !errors.As(err, &ue) || time.Since(start) > 5*time.Second {
				t.Errorf("err %v after %v, want an unreachableError after %v", err, time.Since(start), tt.timeout)
			}
			if code := (cliOut{name: "x", stderr: io.Discard}).fail(err); code != cliExitUnavailable {
				t.Errorf("exit %d, want %d", code, cliExitUnavailable)
			}
		})
	}
}
