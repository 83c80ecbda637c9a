package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

var incidentTranscript = flag.String("incident-transcript", "",
	"write the on-call session of TestIncidentCLISession, and the v2 JSON of its incident, to this file")

// TestIncidentCLISession is an on-call operator's session from open to
// resolve, against a real standalone; it checks that the public
// /api/v2/incidents.json shows the incident as the session left it, and
// with -incident-transcript (deploy/dev/incident-session.sh) writes the
// session and that JSON down.
func TestIncidentCLISession(t *testing.T) {
	s := startIncidentServer(t)
	var tr strings.Builder
	fmt.Fprintf(&tr, "$ export STATUSD_API_URL=%s\n$ export STATUSD_API_KEY=$(statusd key create --data-dir data --admin ops@example.com --scope write)\n", s.base)
	id := ""
	steps := []struct {
		name     string
		args     func() []string
		wantCode int
	}{
		{"open", func() []string {
			return []string{"open", "--page", "main", "--title", "Checkout is failing", "--body", "We are looking into errors at checkout.",
				"--impact", "major", "--component", "api=major_outage", "--component", "web"}
		}, exitOK},
		{"identified", func() []string {
			return []string{"update", id, "--status", "identified", "--body", "A bad deploy of the payment service; rolling back.", "--component", "api=partial_outage"}
		}, exitOK},
		{"private note", func() []string {
			return []string{"update", id, "--private", "--body", "Rollback 60% done (internal note)"}
		}, exitOK},
		{"monitoring", func() []string {
			return []string{"update", id, "--status", "monitoring", "--body", "Rolled back; watching error rates.",
				"--component", "api=operational", "--component", "web=operational"}
		}, exitOK},
		{"resolve", func() []string {
			return []string{"resolve", id, "--body", "Checkout has worked normally for 30 minutes."}
		}, exitOK},
		{"resolve again", func() []string { return []string{"resolve", id} }, cliExitRefused},
		{"list", func() []string { return []string{"list", "--page", "main"} }, exitOK},
		{"show", func() []string { return []string{"show", id} }, exitOK},
	}
	for _, step := range steps {
		args := step.args()
		code, stdout, stderr := incidentCLI(t, s.env(), args...)
		if code != step.wantCode {
			t.Fatalf("%s: exit %d, want %d; stderr %q", step.name, code, step.wantCode, stderr)
		}
		if id == "" {
			id = strings.TrimSpace(stdout)
		}
		fmt.Fprintf(&tr, "$ statusd incident %s\n%s%s", shellQuote(args), stdout, stderr)
		if code != exitOK {
			fmt.Fprintf(&tr, "# exit %d\n", code)
		}
	}
	raw, err := getBody(s.base + "/api/v2/incidents.json")
	if err != nil {
		t.Fatal(err)
	}
	v2 := v2Incident(t, raw, id)
	checkV2Incident(t, v2)
	var indented bytes.Buffer
	if err := json.Indent(&indented, v2, "", "  "); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&tr, "$ curl -s $STATUSD_API_URL/api/v2/incidents.json | jq '.incidents[] | select(.id == \"%s\")'\n%s\n", id, indented.String())
	t.Log("\n" + tr.String())
	if *incidentTranscript != "" {
		if err := os.WriteFile(*incidentTranscript, []byte(tr.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// v2Incident finds incident id in a v2 incidents.json.
func v2Incident(t *testing.T, raw, id string) json.RawMessage {
	t.Helper()
	var doc struct {
		Incidents []json.RawMessage `json:"incidents"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("incidents.json: %v: %s", err, raw)
	}
	for _, in := range doc.Incidents {
		var head struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(in, &head) == nil && head.ID == id {
			return in
		}
	}
	t.Fatalf("incidents.json lacks incident %s: %s", id, raw)
	return nil
}

// checkV2Incident checks what the public sees of the session's incident:
// resolved, major, both components, and every update but the private one.
func checkV2Incident(t *testing.T, raw json.RawMessage) {
	t.Helper()
	var in struct {
		Status     string `json:"status"`
		Impact     string `json:"impact"`
		ResolvedAt string `json:"resolved_at"`
		Updates    []struct {
			Status string `json:"status"`
			Body   string `json:"body"`
		} `json:"incident_updates"`
		Components []struct {
			ID string `json:"id"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, u := range in.Updates {
		statuses = append(statuses, u.Status)
		if strings.Contains(u.Body, "internal note") {
			t.Errorf("v2 shows the private update %q", u.Body)
		}
	}
	if got, want := strings.Join(statuses, ","), "resolved,monitoring,identified,investigating"; got != want {
		t.Errorf("v2 updates %s, want %s", got, want)
	}
	if in.Status != "resolved" || in.Impact != "major" || in.ResolvedAt == "" || len(in.Components) != 2 {
		t.Errorf("v2 incident %s", raw)
	}
}

// shellQuote renders args as a shell would take them.
func shellQuote(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if strings.ContainsAny(a, " ;'\"$%()") {
			out[i] = strconv.Quote(a)
		}
	}
	return strings.Join(out, " ")
}
