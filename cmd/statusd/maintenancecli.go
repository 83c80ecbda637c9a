package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// The exit codes of statusd maintenance, for scripts.
const (
	maintExitRefused     = 1  // the API refused the request (4xx); its message is printed
	maintExitUnavailable = 2  // the API could not be reached or failed (5xx)
	maintExitUsage       = 64 // bad flags or arguments (EX_USAGE)
)

const maintExitHelp = `
Talks to a running statusd's API: --api-url and --api-key, or STATUSD_API_URL
and STATUSD_API_KEY (a key of scope write; read for list).

Exit codes: 0 done; 1 the API refused the request (its message is printed);
2 the API could not be reached or failed (5xx); 64 bad flags or arguments.
`

// maintClient is what each subcommand talks to the API with.
type maintClient struct {
	api  *apiClient
	base string
}

type maintSub struct {
	name, args, summary string
	// flags declares the subcommand's flags; the function it returns runs
	// it with the positional arguments.
	flags func(fs *flag.FlagSet) func(ctx context.Context, c *maintClient, args []string, stdout, stderr io.Writer) int
}

func maintSubs() []maintSub {
	return []maintSub{
		{"schedule", "", "schedule a maintenance window", maintSchedule},
		{"list", "", "list maintenance windows, latest start first", maintList},
		{"start", " ID", "start a scheduled window now", maintStep("start")},
		{"complete", " ID", "complete a window in progress now", maintStep("complete")},
		{"cancel", " ID", "cancel a scheduled window", maintCancel},
	}
}

func runMaintenance(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return maintenanceCommand(ctx, args, os.Getenv, stdout, stderr)
}

// maintenanceCommand runs statusd maintenance with getenv for the
// environment.
func maintenanceCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	usage := func(w io.Writer) {
		fmt.Fprint(w, "Usage: statusd maintenance <command> [flags]\n\nCommands:\n")
		for _, s := range maintSubs() {
			fmt.Fprintf(w, "  %-9s %s\n", s.name, s.summary)
		}
		fmt.Fprint(w, maintExitHelp)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 0 {
			usage(stderr)
			return maintExitUsage
		}
		usage(stderr) // as every command's help
		return exitOK
	}
	for _, s := range maintSubs() {
		if s.name == args[0] {
			return runMaintSub(ctx, s, args[1:], getenv, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "statusd maintenance: unknown command %q\n\n", args[0])
	usage(stderr)
	return maintExitUsage
}

func runMaintSub(ctx context.Context, s maintSub, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	name := "statusd maintenance " + s.name
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	apiURL := fs.String("api-url", "", "the statusd API, e.g. http://localhost:8080 (default $STATUSD_API_URL)")
	apiKey := fs.String("api-key", "", "an API key (default $STATUSD_API_KEY)")
	run := s.flags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s%s [flags]\n\n%s.\n\nFlags:\n", name, s.args, s.summary)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), maintExitHelp)
	}
	// Flags may come before or after the positional arguments.
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) { // flag printed the help
				return exitOK
			}
			return maintExitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if *apiURL == "" {
		*apiURL = getenv("STATUSD_API_URL")
	}
	if *apiKey == "" {
		*apiKey = getenv("STATUSD_API_KEY")
	}
	switch u, err := url.Parse(*apiURL); {
	case *apiURL == "":
		return maintUsage(stderr, name, "--api-url (or STATUSD_API_URL) is required")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return maintUsage(stderr, name, "--api-url: must be an http or https URL, e.g. http://localhost:8080")
	case *apiKey == "":
		return maintUsage(stderr, name, "--api-key (or STATUSD_API_KEY) is required")
	}
	api, err := newAPIClient(apiClientOptions{URL: *apiURL, Key: *apiKey})
	if err != nil {
		return maintUsage(stderr, name, "--api-url: "+err.Error())
	}
	return run(ctx, &maintClient{api: api, base: strings.TrimRight(*apiURL, "/")}, pos, stdout, stderr)
}

func maintUsage(stderr io.Writer, name, msg string) int {
	fmt.Fprintf(stderr, "%s: %s (see --help)\n", name, msg)
	return maintExitUsage
}

// maintWindow is what the CLI prints of a window.
type maintWindow struct {
	ID       int64  `json:"id"`
	PageID   string `json:"page_id"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	StartsAt string `json:"starts_at"`
	EndsAt   string `json:"ends_at"`
}

func (w maintWindow) line() string {
	return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s", w.ID, w.Status, w.StartsAt, w.EndsAt, w.PageID, printable(w.Title))
}

func maintSchedule(fs *flag.FlagSet) func(context.Context, *maintClient, []string, io.Writer, io.Writer) int {
	page := fs.String("page", "", "the status page's ID (a page key's own page when left out)")
	title := fs.String("title", "", "the window's title (required)")
	body := fs.String("body", "", "what will happen, shown as its first update")
	start := fs.String("start", "", "when it starts, RFC 3339, e.g. 2026-12-01T22:00:00Z (required)")
	end := fs.String("end", "", "when it ends, RFC 3339 (or --duration)")
	dur := fs.Duration("duration", 0, "how long it lasts, e.g. 2h (instead of --end)")
	comps := fs.String("components", "", "comma-separated IDs of the components it affects")
	noAutoStart := fs.Bool("no-auto-start", false, "do not start it at --start; start it with 'statusd maintenance start'")
	noAutoEnd := fs.Bool("no-auto-end", false, "do not complete it at --end")
	private := fs.Bool("private", false, "never show it on the public page or /api/v2")
	rule := fs.String("recurrence", "", "repeat it: an RRULE (FREQ=WEEKLY;BYDAY=TU) or a 5-field cron expression, in the page's time zone")
	remind := fs.String("remind", "", "comma-separated reminders: day_before, hour_before, at_start, at_completion")
	notify := fs.Bool("notify", false, "notify subscribers")
	return func(ctx context.Context, c *maintClient, args []string, stdout, stderr io.Writer) int {
		name := "statusd maintenance schedule"
		if len(args) > 0 {
			return maintUsage(stderr, name, fmt.Sprintf("unexpected argument %q", args[0]))
		}
		starts, err := time.Parse(time.RFC3339, *start)
		switch {
		case *title == "":
			return maintUsage(stderr, name, "--title is required")
		case *start == "":
			return maintUsage(stderr, name, "--start is required")
		case err != nil:
			return maintUsage(stderr, name, "--start: must be a time as RFC 3339, e.g. 2026-12-01T22:00:00Z")
		case *end != "" && *dur != 0:
			return maintUsage(stderr, name, "--end and --duration: give one of them")
		case *end == "" && *dur <= 0:
			return maintUsage(stderr, name, "--end or a positive --duration is required")
		}
		ends := starts.Add(*dur)
		if *end != "" {
			if ends, err = time.Parse(time.RFC3339, *end); err != nil {
				return maintUsage(stderr, name, "--end: must be a time as RFC 3339, e.g. 2026-12-01T23:00:00Z")
			}
		}
		req := map[string]any{"title": *title, "body": *body, "starts_at": starts.Format(time.RFC3339),
			"ends_at": ends.Format(time.RFC3339), "component_ids": splitList(*comps), "auto_start": !*noAutoStart,
			"auto_end": !*noAutoEnd, "private": *private, "recurrence": *rule, "reminders": splitList(*remind),
			"notify": map[string]any{"deliver": *notify}}
		if *page != "" {
			req["page_id"] = *page
		}
		return c.printWindow(ctx, http.MethodPost, "/api/v1/maintenances", req, stdout, stderr, name)
	}
}

func maintList(fs *flag.FlagSet) func(context.Context, *maintClient, []string, io.Writer, io.Writer) int {
	page := fs.String("page", "", "only this status page's windows")
	status := fs.String("status", "", "comma-separated statuses: scheduled, in_progress, verifying, completed, cancelled")
	upcoming := fs.Bool("upcoming", false, "only scheduled windows")
	active := fs.Bool("active", false, "only windows in progress or verifying")
	perPage := fs.Int("limit", 25, "list at most this many (1-100)")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	return func(ctx context.Context, c *maintClient, args []string, stdout, stderr io.Writer) int {
		name := "statusd maintenance list"
		if len(args) > 0 {
			return maintUsage(stderr, name, fmt.Sprintf("unexpected argument %q", args[0]))
		}
		q := url.Values{"per_page": {strconv.Itoa(*perPage)}}
		for k, v := range map[string]string{"page_id": *page, "status": *status} {
			if v != "" {
				q.Set(k, v)
			}
		}
		for k, on := range map[string]bool{"upcoming": *upcoming, "active": *active} {
			if on {
				q.Set(k, "true")
			}
		}
		var out struct {
			Data []maintWindow `json:"data"`
		}
		raw, code := c.do(ctx, http.MethodGet, "/api/v1/maintenances?"+q.Encode(), nil, &out, stderr, name)
		if code != exitOK {
			return code
		}
		if *asJSON {
			_, err := stdout.Write(append(raw, '\n'))
			return exitIf(err, stderr, name)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tSTARTS\tENDS\tPAGE\tTITLE")
		for _, w := range out.Data {
			fmt.Fprintln(tw, w.line())
		}
		return exitIf(tw.Flush(), stderr, name)
	}
}

// maintStep starts or completes the window of the argument.
func maintStep(step string) func(*flag.FlagSet) func(context.Context, *maintClient, []string, io.Writer, io.Writer) int {
	return func(fs *flag.FlagSet) func(context.Context, *maintClient, []string, io.Writer, io.Writer) int {
		msg := fs.String("message", "", "the update to post with it")
		return func(ctx context.Context, c *maintClient, args []string, stdout, stderr io.Writer) int {
			name := "statusd maintenance " + step
			id, ok := maintID(args, stderr, name)
			if !ok {
				return maintExitUsage
			}
			return c.printWindow(ctx, http.MethodPost, "/api/v1/maintenances/"+id+"/"+step, map[string]any{"body": *msg}, stdout, stderr, name)
		}
	}
}

func maintCancel(fs *flag.FlagSet) func(context.Context, *maintClient, []string, io.Writer, io.Writer) int {
	msg := fs.String("message", "", "the update to post with it")
	series := fs.Bool("series", false, "also end the recurring series it belongs to")
	return func(ctx context.Context, c *maintClient, args []string, stdout, stderr io.Writer) int {
		name := "statusd maintenance cancel"
		id, ok := maintID(args, stderr, name)
		if !ok {
			return maintExitUsage
		}
		return c.printWindow(ctx, http.MethodPost, "/api/v1/maintenances/"+id+"/cancel",
			map[string]any{"body": *msg, "series": *series}, stdout, stderr, name)
	}
}

// maintID reads the one argument, a window's ID.
func maintID(args []string, stderr io.Writer, name string) (string, bool) {
	if len(args) != 1 {
		maintUsage(stderr, name, "needs one argument, the maintenance's ID")
		return "", false
	}
	if n, err := strconv.ParseInt(args[0], 10, 64); err != nil || n <= 0 {
		maintUsage(stderr, name, fmt.Sprintf("ID %q: must be a positive whole number", printable(args[0])))
		return "", false
	}
	return args[0], true
}

// printWindow sends the request and prints the window it answers.
func (c *maintClient) printWindow(ctx context.Context, method, path string, body any, stdout, stderr io.Writer, name string) int {
	var out struct {
		Data maintWindow `json:"data"`
	}
	if _, code := c.do(ctx, method, path, body, &out, stderr, name); code != exitOK {
		return code
	}
	_, err := fmt.Fprintln(stdout, strings.ReplaceAll(out.Data.line(), "\t", "  "))
	return exitIf(err, stderr, name)
}

// do sends one request and decodes a 2xx answer into out; otherwise it
// prints why and returns the exit code.
func (c *maintClient) do(ctx context.Context, method, path string, body, out any, stderr io.Writer, name string) ([]byte, int) {
	raw, err := c.api.do(ctx, method, path, body, out)
	var (
		refused *apiError
		away    *unreachableError
	)
	switch {
	case err == nil:
		return raw, exitOK
	case errors.As(err, &refused):
		fmt.Fprintf(stderr, "%s: %s\n", name, refused.Error())
		if refused.Status >= 500 {
			return nil, maintExitUnavailable
		}
		return nil, maintExitRefused
	case errors.As(err, &away):
		fmt.Fprintf(stderr, "%s: cannot reach the API at %s: %v\n", name, c.base, err)
		return nil, maintExitUnavailable
	}
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	return nil, maintExitUsage
}

func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func exitIf(err error, stderr io.Writer, name string) int {
	if err != nil {
		fmt.Fprintf(stderr, "%s: write output: %v\n", name, err)
		return exitFailed
	}
	return exitOK
}
