package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/statusd/statusd/config"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1 // a runtime failure
	exitUsage  = 2 // bad arguments or an invalid configuration
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"agent", "run the probes of one region and ship results to Kafka", runAgent},
		{"aggregator", "consume results, decide component states, serve the API and pages", runAggregator},
		{"standalone", "agent and aggregator in one process on SQLite (the embedded default)", runStandalone},
		{"migrate", "create or upgrade the schemas of the stores", runMigrate},
		{"export", "write the public pages, their JSON and feeds as static files", runExport},
		{"admin", "create or list the admins of the operators' API", runAdmin},
		{"key", "create, list or revoke API keys (a new key is printed once)", runKey},
		{"incident", "open, update, resolve or list incidents through a running statusd's API", runIncident},
		{"maintenance", "schedule, list, start, complete or cancel maintenance through a running statusd's API", runMaintenance},
		{"validate", "check a configuration file and print every error with its line", runValidate},
		{"version", "print the version", runVersion},
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "statusd: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: statusd <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'statusd <command> --help' for the flags of a command.")
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "", stderr)
	if code, done := parse(fs, args); done {
		return code
	}
	fmt.Fprintf(stdout, "statusd %s\n", version)
	return exitOK
}

func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: statusd %s [flags]%s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; done reports that the command should return code.
func parse(fs *flag.FlagSet, args []string) (code int, done bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, true
		}
		return exitUsage, true
	}
	return exitOK, false
}

// loadConfig loads the configuration; on errors it prints every one of
// them and returns false.
func loadConfig(path string, stderr io.Writer) (*config.Config, bool) {
	cfg, err := config.Load(path, os.LookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, false
	}
	return cfg, true
}

func newLogger(cfg config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(cfg.Format, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// runDaemon parses --config, loads the file and runs the daemon until ctx
// ends: exit 2 on a bad flag or configuration, 1 when the daemon fails.
func runDaemon(ctx context.Context, name string, args []string, stderr io.Writer,
	daemon func(context.Context, *config.Config, *slog.Logger) error) int {
	return runDaemonFlags(ctx, name, args, stderr, nil, daemon)
}

// runDaemonFlags is runDaemon for a daemon with flags of its own: flags
// declares them and returns a function that loads what they name once the
// flags are parsed, printing its errors and returning false when it cannot
// (exit 2).
func runDaemonFlags(ctx context.Context, name string, args []string, stderr io.Writer,
	flags func(*flag.FlagSet) func(stderr io.Writer) bool,
	daemon func(context.Context, *config.Config, *slog.Logger) error) int {
	fs := newFlagSet(name, "", stderr)
	cfgPath := fs.String("config", "statusd.yaml", "configuration file")
	var load func(io.Writer) bool
	if flags != nil {
		load = flags(fs)
	}
	if code, done := parse(fs, args); done {
		return code
	}
	cfg, ok := loadConfig(*cfgPath, stderr)
	if !ok {
		return exitUsage
	}
	if load != nil && !load(stderr) {
		return exitUsage
	}
	logger := newLogger(cfg.Log, stderr)
	if err := daemon(ctx, cfg, logger); err != nil {
		logger.Error(name+" stopped", "err", err)
		return exitFailed
	}
	return exitOK
}
