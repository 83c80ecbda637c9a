package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// statusd incident is the on-call operator's command line for incidents:
// it talks to a running statusd's /api/v1/incidents with an API key, so it
// works the same against a standalone and against aggregators.

// The exit codes of the commands that talk to the API, for scripts.
const (
	cliExitRefused     = 1  // the API refused the request (4xx); its message is printed
	cliExitUnavailable = 2  // the API could not be reached, or answered 5xx
	cliExitUsage       = 64 // bad flags or arguments, or no URL or key (EX_USAGE)
)

// The environment variables the API commands read.
const (
	envAPIURL = "STATUSD_API_URL"
	envAPIKey = "STATUSD_API_KEY"
)

const apiCommandHelp = `
Environment:
  STATUSD_API_URL  the statusd API, e.g. http://127.0.0.1:8080 (--api-url overrides it)
  STATUSD_API_KEY  an API key: scope write, or read for list and show (--api-key overrides it)

Exit codes:
  0   done
  1   the API refused the request (4xx); its message and the fields it names are printed
  2   the API cannot be reached, or answered 5xx
  64  usage: a bad flag or argument, or no API URL or key
`

// incidentVerb is one subcommand of statusd incident.
type incidentVerb struct {
	name, args, summary string
	// flags declares the verb's flags and returns what runs it with the
	// positional arguments.
	flags func(fs *flag.FlagSet) func(ctx context.Context, args []string, o cliOut) int
}

func incidentVerbs() []incidentVerb {
	return []incidentVerb{
		{"open", "", "open an incident (or backfill a past one) and print its ID", incidentOpen},
		{"update", " ID", "post an update: a new status, text, component statuses", incidentUpdate},
		{"resolve", " ID", "resolve an incident", incidentResolve},
		{"list", "", "list incidents, newest first", incidentList},
		{"show", " ID", "show an incident and its updates", incidentShow},
	}
}

func runIncident(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return incidentCommand(ctx, args, os.Getenv, stdout, stderr)
}

// incidentCommand runs statusd incident with getenv for the environment.
func incidentCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	usage := func(w io.Writer) {
		fmt.Fprint(w, "Usage: statusd incident <command> [flags]\n\nCommands:\n")
		for _, v := range incidentVerbs() {
			fmt.Fprintf(w, "  %-8s %s\n", v.name, v.summary)
		}
		fmt.Fprint(w, "\nRun 'statusd incident <command> --help' for its flags.\n", apiCommandHelp)
	}
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return cliExitUsage
		}
		return exitOK
	}
	for _, v := range incidentVerbs() {
		if v.name == args[0] {
			return runIncidentVerb(ctx, v, args[1:], getenv, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "statusd incident: unknown command %q\n\n", args[0])
	usage(stderr)
	return cliExitUsage
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// cliOut is where a verb writes, its name for messages, and the API it
// talks to.
type cliOut struct {
	name           string
	stdout, stderr io.Writer
	fs             *flag.FlagSet
	// apiURL and apiKey are the flags' values, getenv the fallback.
	apiURL, apiKey string
	getenv         func(string) string
}

// client returns the client of the API the flags or the environment name;
// it has printed why when it cannot.
func (o cliOut) client() (*apiClient, bool) {
	apiURL, apiKey := o.apiURL, o.apiKey
	if apiURL == "" {
		apiURL = o.getenv(envAPIURL)
	}
	if apiKey == "" {
		apiKey = o.getenv(envAPIKey)
	}
	switch {
	case apiURL == "":
		o.usage("%s is not set: set it to the statusd API, e.g. http://127.0.0.1:8080, or pass --api-url", envAPIURL)
		return nil, false
	case apiKey == "":
		o.usage("%s is not set: set it to an API key, or pass --api-key", envAPIKey)
		return nil, false
	}
	c, err := newAPIClient(apiClientOptions{URL: apiURL, Key: apiKey})
	if err != nil {
		o.usage("API URL %q: %v", oneLine(apiURL), err)
		return nil, false
	}
	return c, true
}

// usage prints a usage error and returns its exit code.
func (o cliOut) usage(format string, args ...any) int {
	fmt.Fprintf(o.stderr, "%s: %s (see %s --help)\n", o.name, fmt.Sprintf(format, args...), o.name)
	return cliExitUsage
}

// fail prints a failed request, the API's fields named by their flags
// too, and returns its exit code.
func (o cliOut) fail(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		fmt.Fprintf(o.stderr, "%s: %s\n", o.name, ae.render(o.flagOf))
		if ae.Status < 500 {
			return cliExitRefused
		}
		return cliExitUnavailable
	}
	fmt.Fprintf(o.stderr, "%s: %v\n", o.name, err)
	return cliExitUnavailable
}

// fieldIndex is the [i] of a field such as components[0].status.
var fieldIndex = regexp.MustCompile(`\[[0-9]+\]`)

// flagOf names the flag of the verb that sets an API field, or "".
func (o cliOut) flagOf(field string) string {
	top, _, _ := strings.Cut(fieldIndex.ReplaceAllString(field, ""), ".")
	name := map[string]string{"page_id": "page", "components": "component", "component_ids": "component"}[top]
	if name == "" {
		name = strings.ReplaceAll(top, "_", "-")
	}
	if o.fs == nil || o.fs.Lookup(name) == nil {
		return ""
	}
	return "--" + name
}

// write prints the output of a verb; a failure to is exit 1.
func (o cliOut) write(s string) int {
	if _, err := io.WriteString(o.stdout, s); err != nil {
		fmt.Fprintf(o.stderr, "%s: write output: %v\n", o.name, err)
		return exitFailed
	}
	return exitOK
}

func runIncidentVerb(ctx context.Context, v incidentVerb, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o := cliOut{name: "statusd incident " + v.name, stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet(o.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	apiURL := fs.String("api-url", "", "the statusd API (default $"+envAPIURL+")")
	apiKey := fs.String("api-key", "", "the API key (default $"+envAPIKey+")")
	run := v.flags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s%s [flags]\n\n%s.\n\nFlags:\n", o.name, v.args, strings.ToUpper(v.summary[:1])+v.summary[1:])
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), apiCommandHelp)
	}
	o.fs = fs
	pos, code, done := parseInterspersed(fs, args)
	if done {
		return code
	}
	o.apiURL, o.apiKey, o.getenv = *apiURL, *apiKey, getenv
	return run(ctx, pos, o)
}

// parseInterspersed parses flags before and after the positional
// arguments and returns those; done says the verb should return code.
func parseInterspersed(fs *flag.FlagSet, args []string) (pos []string, code int, done bool) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK, true
			}
			return nil, cliExitUsage, true
		}
		if fs.NArg() == 0 {
			return pos, exitOK, false
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
}

// incidentArg reads the one positional argument, an incident's ID.
func incidentArg(args []string, o cliOut) (int64, bool) {
	if len(args) != 1 {
		o.usage("want one argument, the incident's ID; got %d", len(args))
		return 0, false
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		o.usage("ID %q: want a positive whole number", oneLine(args[0]))
		return 0, false
	}
	return id, true
}

// noArgs refuses positional arguments.
func noArgs(args []string, o cliOut) bool {
	if len(args) > 0 {
		o.usage("unexpected argument %q", oneLine(args[0]))
		return false
	}
	return true
}
