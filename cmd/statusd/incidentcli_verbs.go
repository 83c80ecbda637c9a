package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// The values the incident flags take; the API checks them again.
var (
	incidentImpacts      = []string{"none", "minor", "major", "critical"}
	incidentOpenStatuses = []string{"investigating", "identified", "monitoring"}
	cliComponentStatuses = []string{"operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"}
)

// impactComponentStatus is the status --component ID gives a component
// without =STATUS on open: what the incident's impact says.
var impactComponentStatus = map[string]string{
	"": "degraded_performance", "none": "degraded_performance", "minor": "degraded_performance",
	"major": "partial_outage", "critical": "major_outage",
}

// cliIncident is what the CLI reads of the API's incident.
type cliIncident struct {
	ID         int64  `json:"id"`
	PageID     string `json:"page_id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	Custom     string `json:"custom_status"`
	Impact     string `json:"impact"`
	Private    bool   `json:"private"`
	Backfilled bool   `json:"backfilled"`
	CreatedAt  string `json:"created_at"`
	StartedAt  string `json:"started_at"`
	ResolvedAt string `json:"resolved_at"`
	Components []struct {
		ComponentID string `json:"component_id"`
		Status      string `json:"status"`
	} `json:"components"`
	Updates []struct {
		ID        int64  `json:"id"`
		Status    string `json:"status"`
		Body      string `json:"body"`
		DisplayAt string `json:"display_at"`
		Private   bool   `json:"private"`
	} `json:"updates"`
}

// componentBody is one component's status in a request.
type componentBody struct {
	ComponentID string `json:"component_id"`
	Status      string `json:"status"`
}

// repeatedFlag is a flag that may be given more than once.
type repeatedFlag []string

func (r *repeatedFlag) String() string     { return strings.Join(*r, ",") }
func (r *repeatedFlag) Set(s string) error { *r = append(*r, s); return nil }

// componentFlags reads the --component flags: ID=STATUS, or ID alone when
// deflt is the status to give it. It has printed why when it fails.
func componentFlags(vals []string, deflt string, o cliOut) ([]componentBody, bool) {
	out := make([]componentBody, 0, len(vals))
	for _, v := range vals {
		id, st, hasStatus := strings.Cut(v, "=")
		switch {
		case id == "":
			o.usage("--component %q: want ID=STATUS, e.g. api=partial_outage", oneLine(v))
			return nil, false
		case !hasStatus && deflt == "":
			o.usage("--component %q: want ID=STATUS, e.g. %s=partial_outage", oneLine(v), oneLine(id))
			return nil, false
		case !hasStatus:
			st = deflt
		case !slices.Contains(cliComponentStatuses, st):
			o.usage("--component %q: want a status of %s", oneLine(v), strings.Join(cliComponentStatuses, ", "))
			return nil, false
		case slices.ContainsFunc(out, func(c componentBody) bool { return c.ComponentID == id }):
			o.usage("--component %q: component %q is given twice", oneLine(v), oneLine(id))
			return nil, false
		}
		out = append(out, componentBody{ComponentID: id, Status: st})
	}
	return out, true
}

// oneOf checks a flag's value against the allowed ones.
func oneOf(flagName, val string, allowed []string, o cliOut) bool {
	if !slices.Contains(allowed, val) {
		o.usage("--%s: want one of %s", flagName, strings.Join(allowed, ", "))
		return false
	}
	return true
}

// rfc3339 reads a time flag; "" is no time.
func rfc3339(flagName, val string, o cliOut) (string, bool) {
	if val == "" {
		return "", true
	}
	t, err := time.Parse(time.RFC3339, val)
	if err != nil {
		o.usage("--%s: want an RFC 3339 time such as 2026-01-02T15:04:05Z", flagName)
		return "", false
	}
	return t.Format(time.RFC3339Nano), true
}

func incidentOpen(fs *flag.FlagSet) func(context.Context, []string, cliOut) int {
	page := fs.String("page", "", "the status page's ID (required)")
	title := fs.String("title", "", "what is wrong, as the page shows it (required)")
	body := fs.String("body", "", "the first update's text")
	impact := fs.String("impact", "none", "none, minor, major or critical")
	status := fs.String("status", "investigating", "investigating, identified or monitoring")
	var comps repeatedFlag
	fs.Var(&comps, "component", "an affected component as `ID[=STATUS]`; repeat for each (STATUS by --impact when left out:\ndegraded_performance, partial_outage for major, major_outage for critical)")
	private := fs.Bool("private", false, "keep it off the public page and /api/v2")
	startedAt := fs.String("started-at", "", "when it began, RFC 3339 (default now); with --resolved-at, a past incident entered resolved (backfill)")
	resolvedAt := fs.String("resolved-at", "", "when a backfilled incident ended, RFC 3339 (needs --started-at)")
	asJSON := fs.Bool("json", false, "print the API's JSON instead of the ID")
	return func(ctx context.Context, args []string, o cliOut) int {
		if !noArgs(args, o) {
			return cliExitUsage
		}
		switch {
		case *page == "":
			return o.usage("--page: is required")
		case strings.TrimSpace(*title) == "":
			return o.usage("--title: is required")
		case !oneOf("impact", *impact, incidentImpacts, o), !oneOf("status", *status, incidentOpenStatuses, o):
			return cliExitUsage
		case *resolvedAt != "" && *startedAt == "":
			return o.usage("--resolved-at: needs --started-at, when the incident began")
		case *resolvedAt != "" && flagSet(fs, "status"):
			return o.usage("--status: a backfilled incident (--resolved-at) is entered resolved; leave --status out")
		}
		cs, ok := componentFlags(comps, impactComponentStatus[*impact], o)
		if !ok {
			return cliExitUsage
		}
		started, ok1 := rfc3339("started-at", *startedAt, o)
		resolved, ok2 := rfc3339("resolved-at", *resolvedAt, o)
		if !ok1 || !ok2 {
			return cliExitUsage
		}
		req := map[string]any{"page_id": *page, "title": *title, "body": *body, "impact": *impact,
			"private": *private, "components": cs}
		if started != "" {
			req["started_at"] = started
		}
		if resolved != "" {
			req["resolved_at"], req["backfilled"] = resolved, true
		} else {
			req["status"] = *status
		}
		return sendIncident(ctx, http.MethodPost, "/api/v1/incidents", req, *asJSON, o, func(in cliIncident) string {
			return strconv.FormatInt(in.ID, 10) + "\n"
		})
	}
}

// flagSet reports whether the flag name was given.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func incidentUpdate(fs *flag.FlagSet) func(context.Context, []string, cliOut) int {
	status := fs.String("status", "", "the new status: investigating, identified or monitoring (default: unchanged)")
	body := fs.String("body", "", "the update's text (required)")
	var comps repeatedFlag
	fs.Var(&comps, "component", "a component's new status as `ID=STATUS`; repeat for each")
	private := fs.Bool("private", false, "keep this update off the public page and /api/v2")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	return func(ctx context.Context, args []string, o cliOut) int {
		id, ok := incidentArg(args, o)
		if !ok {
			return cliExitUsage
		}
		switch {
		case *status == "resolved":
			return o.usage("--status: want one of %s; resolve with statusd incident resolve %d", strings.Join(incidentOpenStatuses, ", "), id)
		case *status != "" && !oneOf("status", *status, incidentOpenStatuses, o):
			return cliExitUsage
		case strings.TrimSpace(*body) == "":
			return o.usage("--body: is required, the update's text")
		}
		cs, ok := componentFlags(comps, "", o)
		if !ok {
			return cliExitUsage
		}
		req := map[string]any{"status": *status, "body": *body, "private": *private, "components": cs}
		return sendIncident(ctx, http.MethodPost, fmt.Sprintf("/api/v1/incidents/%d/updates", id), req, *asJSON, o, statusLine)
	}
}

func incidentResolve(fs *flag.FlagSet) func(context.Context, []string, cliOut) int {
	body := fs.String("body", "", "the resolving update's text")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	return func(ctx context.Context, args []string, o cliOut) int {
		id, ok := incidentArg(args, o)
		if !ok {
			return cliExitUsage
		}
		req := map[string]any{"body": *body}
		return sendIncident(ctx, http.MethodPost, fmt.Sprintf("/api/v1/incidents/%d/resolve", id), req, *asJSON, o, statusLine)
	}
}

// statusLine is what update and resolve print: the ID and the status.
func statusLine(in cliIncident) string { return fmt.Sprintf("%d %s\n", in.ID, in.Status) }

// sendIncident sends a write and prints the incident it answers: the
// API's JSON, or what line makes of it.
func sendIncident(ctx context.Context, method, path string, req any, asJSON bool, o cliOut, line func(cliIncident) string) int {
	c, ok := o.client()
	if !ok {
		return cliExitUsage
	}
	var out struct {
		Data cliIncident `json:"data"`
	}
	raw, err := c.do(ctx, method, path, req, &out)
	if err != nil {
		return o.fail(err)
	}
	if asJSON {
		return o.write(string(raw) + "\n")
	}
	return o.write(line(out.Data))
}

func incidentList(fs *flag.FlagSet) func(context.Context, []string, cliOut) int {
	page := fs.String("page", "", "only this status page's incidents (default: every page the key sees)")
	unresolved := fs.Bool("unresolved", false, "only incidents not resolved yet")
	limit := fs.Int("limit", 25, "list at most this many, 1 to 100")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	return func(ctx context.Context, args []string, o cliOut) int {
		if !noArgs(args, o) {
			return cliExitUsage
		}
		if *limit < 1 || *limit > 100 {
			return o.usage("--limit: want a whole number from 1 to 100")
		}
		q := url.Values{"per_page": {strconv.Itoa(*limit)}}
		if *page != "" {
			q.Set("page_id", *page)
		}
		if *unresolved {
			q.Set("unresolved", "true")
		}
		c, ok := o.client()
		if !ok {
			return cliExitUsage
		}
		var out struct {
			Data []cliIncident `json:"data"`
		}
		raw, err := c.do(ctx, http.MethodGet, "/api/v1/incidents?"+q.Encode(), nil, &out)
		if err != nil {
			return o.fail(err)
		}
		if *asJSON {
			return o.write(string(raw) + "\n")
		}
		var b strings.Builder
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tIMPACT\tTITLE\tCREATED")
		for _, in := range out.Data {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", in.ID, shownStatus(in), in.Impact, printable(in.Name), in.CreatedAt)
		}
		_ = tw.Flush() // a strings.Builder does not fail
		return o.write(b.String())
	}
}

// shownStatus is the incident's status, its custom name too when it has
// one.
func shownStatus(in cliIncident) string {
	if in.Custom != "" {
		return printable(in.Custom) + " (" + in.Status + ")"
	}
	return in.Status
}

func incidentShow(fs *flag.FlagSet) func(context.Context, []string, cliOut) int {
	asJSON := fs.Bool("json", false, "print the API's JSON")
	return func(ctx context.Context, args []string, o cliOut) int {
		id, ok := incidentArg(args, o)
		if !ok {
			return cliExitUsage
		}
		c, ok := o.client()
		if !ok {
			return cliExitUsage
		}
		var out struct {
			Data cliIncident `json:"data"`
		}
		raw, err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/incidents/%d", id), nil, &out)
		if err != nil {
			return o.fail(err)
		}
		if *asJSON {
			return o.write(string(raw) + "\n")
		}
		return o.write(showIncident(out.Data))
	}
}

// showIncident renders an incident for a person: its fields, then its
// updates, newest first as the API lists them.
func showIncident(in cliIncident) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	cs := make([]string, 0, len(in.Components))
	for _, c := range in.Components {
		cs = append(cs, c.ComponentID+"="+c.Status)
	}
	for _, kv := range [][2]string{
		{"ID", strconv.FormatInt(in.ID, 10)}, {"Page", in.PageID}, {"Title", printable(in.Name)},
		{"Status", shownStatus(in)}, {"Impact", in.Impact}, {"Components", printable(strings.Join(cs, ", "))},
		{"Private", strconv.FormatBool(in.Private)}, {"Backfilled", strconv.FormatBool(in.Backfilled)},
		{"Started", in.StartedAt}, {"Resolved", printable(in.ResolvedAt)}, {"Created", in.CreatedAt},
	} {
		fmt.Fprintf(tw, "%s:\t%s\n", kv[0], kv[1])
	}
	_ = tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "UPDATE\tSTATUS\tSHOWN AT\tPRIVATE\tTEXT")
	for _, u := range in.Updates {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%t\t%s\n", u.ID, u.Status, u.DisplayAt, u.Private, printable(u.Body))
	}
	_ = tw.Flush()
	return b.String()
}
