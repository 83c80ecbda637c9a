package main

import (
	"bytes"
	"flag"
	"slices"
	"strings"
	"testing"
)

// FuzzIncidentCLIAnswer renders any error answer of the API: never a
// panic, and the message and each field on exactly one line of their own,
// whatever control characters the answer holds.
func FuzzIncidentCLIAnswer(f *testing.F) {
	f.Add(422, []byte(`{"error":{"code":"invalid","message":"the request is invalid; see errors","fields":{"status":"the incident is already resolved"}},"errors":{"status":"the incident is already resolved"}}`))
	f.Add(404, []byte(`{"error":{"code":"not_found","message":"incident \"9\" not found"}}`))
	f.Add(502, []byte(`<html>bad gateway</html>`))
	fs := flag.NewFlagSet("statusd incident update", flag.ContinueOnError)
	incidentUpdate(fs)
	o := cliOut{name: fs.Name(), fs: fs}
	f.Fuzz(func(t *testing.T, status int, raw []byte) {
		e := newAPIError(status, raw)
		out := e.render(o.flagOf)
		if lines := strings.Count(out, "\n") + 1; lines != 1+len(e.Fields) {
			t.Fatalf("%d lines for %d fields: %q", lines, len(e.Fields), out)
		}
		if strings.ContainsFunc(out, func(r rune) bool { return r != '\n' && (r < ' ' || r == 0x7f) }) {
			t.Fatalf("a control character reaches the terminal: %q", out)
		}
	})
}

// FuzzIncidentCLIComponent parses any --component value: either one
// component with a known status, or a one-line usage error naming the flag.
func FuzzIncidentCLIComponent(f *testing.F) {
	for _, seed := range []string{"api=major_outage", "api", "=x", "api=broken", "a=b=c", "api=operational\x00"} {
		f.Add(seed, "degraded_performance")
		f.Add(seed, "")
	}
	f.Fuzz(func(t *testing.T, val, deflt string) {
		if deflt != "" && !slices.Contains(cliComponentStatuses, deflt) {
			return // the defaults come from impactComponentStatus only
		}
		var stderr bytes.Buffer
		cs, ok := componentFlags([]string{val}, deflt, cliOut{name: "statusd incident open", stderr: &stderr})
		switch {
		case ok && (len(cs) != 1 || cs[0].ComponentID == "" || !slices.Contains(cliComponentStatuses, cs[0].Status)):
			t.Fatalf("%q accepted as %+v", val, cs)
		case !ok && (!strings.HasPrefix(stderr.String(), "statusd incident open: --component ") || strings.Count(stderr.String(), "\n") != 1):
			t.Fatalf("%q refused with %q", val, stderr.String())
		}
	})
}
