package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/store/sqlstore"
)

// The admin and key commands run on the host only: the first admin and key
// of an installation come from here, never from an open endpoint.

// subcommand is one verb of `statusd admin` or `statusd key`.
type subcommand struct {
	name, synopsis, summary string
	// create says whether the verb may create the SQLite database.
	create bool
	// flags declares the verb's flags and returns what runs it.
	flags func(fs *flag.FlagSet) func(ctx context.Context, st *sqlstore.Store, fs *flag.FlagSet, stdout, stderr io.Writer) int
}

func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runSubcommand(ctx, "admin", []subcommand{
		{"create", " --email E --name N", "add an admin", true, adminCreate},
		{"list", "", "list the admins", false, adminList},
	}, args, stdout, stderr)
}

func runKey(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runSubcommand(ctx, "key", []subcommand{
		{"create", " --admin EMAIL --scope read|write|admin [--page ID] [--name N]", "create an API key and print it, once", false, keyCreate},
		{"list", "", "list the API keys, revoked ones included", false, keyList},
		{"revoke", " ID", "revoke an API key", false, keyRevoke},
	}, args, stdout, stderr)
}

// runSubcommand runs the verb args[0] of command on the entity store that
// `statusd migrate` would pick: the SQLite database of --data-dir, or the
// PostgreSQL of --config.
func runSubcommand(ctx context.Context, command string, subs []subcommand, args []string, stdout, stderr io.Writer) int {
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: statusd %s <command> [flags]\n\nCommands:\n", command)
		for _, s := range subs {
			fmt.Fprintf(w, "  %-7s %s\n", s.name, s.summary)
		}
		fmt.Fprintf(w, "\nEach works on the standalone SQLite database (--data-dir) or the aggregator's PostgreSQL (--config).\n")
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, s := range subs {
		if s.name != args[0] {
			continue
		}
		fs := newFlagSet(command+" "+s.name, s.synopsis, stderr)
		cfgPath := fs.String("config", "statusd.yaml", "configuration file naming the PostgreSQL server")
		dataDir := fs.String("data-dir", "", "use the standalone SQLite database in this directory instead")
		run := s.flags(fs)
		if code, done := parse(fs, args[1:]); done {
			return code
		}
		st, code := openEntityStore(ctx, *cfgPath, *dataDir, s.create, stderr)
		if st == nil {
			return code
		}
		code = run(auth.WithPrincipal(ctx, cliPrincipal()), st, fs, stdout, stderr)
		if err := st.Close(); err != nil {
			fmt.Fprintf(stderr, "statusd %s: %v\n", command, err)
			return exitFailed
		}
		return code
	}
	fmt.Fprintf(stderr, "statusd %s: unknown command %q\n\n", command, args[0])
	usage(stderr)
	return exitUsage
}

// openEntityStore opens and migrates the SQLite database of dataDir when
// it is set (creating it only when create is true), else the PostgreSQL of
// the configuration. On failure it has printed why and returns the exit
// code.
func openEntityStore(ctx context.Context, cfgPath, dataDir string, create bool, stderr io.Writer) (*sqlstore.Store, int) {
	opts := sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(dataDir, "statusd.db")}
	if dataDir != "" {
		if _, err := os.Stat(opts.DSN); err != nil && !create {
			fmt.Fprintf(stderr, "statusd: no database at %s; create it with statusd migrate --data-dir %s, or run statusd standalone there\n", opts.DSN, dataDir)
			return nil, exitFailed
		}
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			fmt.Fprintf(stderr, "statusd: create data directory: %v\n", err)
			return nil, exitFailed
		}
	} else {
		cfg, ok := loadConfig(cfgPath, stderr)
		if !ok {
			return nil, exitUsage
		}
		opts = sqlstore.Options{Driver: "postgres", DSN: cfg.Postgres.DSN}
	}
	st, err := sqlstore.Open(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "statusd: %v\n", err)
		return nil, exitFailed
	}
	if err := st.Migrate(ctx); err != nil {
		fmt.Fprintf(stderr, "statusd: %v\n", errors.Join(err, st.Close()))
		return nil, exitFailed
	}
	return st, exitOK
}

func adminCreate(fs *flag.FlagSet) func(context.Context, *sqlstore.Store, *flag.FlagSet, io.Writer, io.Writer) int {
	email := fs.String("email", "", "the admin's email address (required, unique)")
	name := fs.String("name", "", "the admin's name (required)")
	return func(ctx context.Context, st *sqlstore.Store, _ *flag.FlagSet, stdout, stderr io.Writer) int {
		a, errs := auth.NewAdmin(*email, *name, time.Now())
		if errs != nil {
			for _, fe := range errs {
				fmt.Fprintf(stderr, "statusd admin create: --%s: %s\n", fe.Field, fe.Message)
			}
			return exitUsage
		}
		if err := st.CreateAdmin(ctx, a); err != nil {
			fmt.Fprintf(stderr, "statusd admin create: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(stdout, "created admin %s <%s>\n", a.ID, a.Email)
		return exitOK
	}
}

func adminList(*flag.FlagSet) func(context.Context, *sqlstore.Store, *flag.FlagSet, io.Writer, io.Writer) int {
	return func(ctx context.Context, st *sqlstore.Store, _ *flag.FlagSet, stdout, stderr io.Writer) int {
		admins, err := st.Admins(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "statusd admin list: %v\n", err)
			return exitFailed
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tCREATED\tDISABLED")
		for _, a := range admins {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\n", a.ID, a.Email, printable(a.Name), cliTime(a.CreatedAt), a.Disabled)
		}
		return flush(tw, stderr)
	}
}

func keyCreate(fs *flag.FlagSet) func(context.Context, *sqlstore.Store, *flag.FlagSet, io.Writer, io.Writer) int {
	email := fs.String("admin", "", "email of the admin the key belongs to (required)")
	scope := fs.String("scope", "", "read, write or admin (required)")
	page := fs.String("page", "", "limit the key to this page (default: every page)")
	name := fs.String("name", "", "what the key is for")
	return func(ctx context.Context, st *sqlstore.Store, _ *flag.FlagSet, stdout, stderr io.Writer) int {
		if *email == "" {
			fmt.Fprintln(stderr, "statusd key create: --admin: is required")
			return exitUsage
		}
		admin, err := st.AdminByEmail(ctx, *email)
		if err != nil {
			fmt.Fprintf(stderr, "statusd key create: --admin %s: %v\n", *email, err)
			return exitFailed
		}
		req := auth.KeyRequest{AdminID: admin.ID, Name: *name, Scope: auth.Scope(*scope), PageID: *page}
		if errs := req.Validate(); errs != nil {
			for _, fe := range errs {
				fmt.Fprintf(stderr, "statusd key create: --%s: %s\n", strings.TrimSuffix(fe.Field, "_id"), fe.Message)
			}
			return exitUsage
		}
		k, secret, err := auth.NewKey(req, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "statusd key create: %v\n", err)
			return exitFailed
		}
		if err := st.CreateKey(ctx, k); err != nil {
			if errors.Is(err, auth.ErrUnknownPage) {
				err = fmt.Errorf("--page %s: %w", k.PageID, auth.ErrUnknownPage)
			}
			fmt.Fprintf(stderr, "statusd key create: %v\n", err)
			return exitFailed
		}
		where := "every page"
		if k.PageID != "" {
			where = "page " + k.PageID
		}
		fmt.Fprintf(stderr, "created key %s (%s scope, %s) for %s; it is shown only this once:\n", k.ID, k.Scope, where, admin.Email)
		fmt.Fprintln(stdout, secret)
		return exitOK
	}
}

func keyList(*flag.FlagSet) func(context.Context, *sqlstore.Store, *flag.FlagSet, io.Writer, io.Writer) int {
	return func(ctx context.Context, st *sqlstore.Store, _ *flag.FlagSet, stdout, stderr io.Writer) int {
		keys, err := st.Keys(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "statusd key list: %v\n", err)
			return exitFailed
		}
		admins, err := st.Admins(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "statusd key list: %v\n", err)
			return exitFailed
		}
		emails := map[string]string{}
		for _, a := range admins {
			emails[a.ID] = a.Email
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tADMIN\tSCOPE\tPAGE\tNAME\tCREATED\tLAST USED\tREVOKED")
		for _, k := range keys {
			page := k.PageID
			if page == "" {
				page = "*"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, emails[k.AdminID], k.Scope, page, printable(k.Name),
				cliTime(k.CreatedAt), cliTime(k.LastUsedAt), cliTime(k.RevokedAt))
		}
		return flush(tw, stderr)
	}
}

func keyRevoke(*flag.FlagSet) func(context.Context, *sqlstore.Store, *flag.FlagSet, io.Writer, io.Writer) int {
	return func(ctx context.Context, st *sqlstore.Store, fs *flag.FlagSet, stdout, stderr io.Writer) int {
		if fs.NArg() != 1 {
			fs.Usage()
			return exitUsage
		}
		id := fs.Arg(0)
		if parsed, ok := auth.ParseKey(id); ok { // the whole key pasted: take its ID
			fmt.Fprintf(stderr, "statusd key revoke: that is a whole key; revoking its ID %s\n", parsed)
			id = parsed
		}
		k, err := st.RevokeKey(ctx, id, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "statusd key revoke: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(stdout, "revoked key %s at %s\n", k.ID, cliTime(k.RevokedAt))
		return exitOK
	}
}

// cliPrincipal is who the audit log says made a change from the command
// line: the operating system's user, or "cli" when it cannot be told.
func cliPrincipal() auth.Principal {
	name := "cli"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	return auth.Principal{Kind: auth.KindCLI, ID: name, Scope: auth.ScopeAdmin}
}

// cliTime formats a time for the lists: UTC to the second, "-" for none.
func cliTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// printable keeps a name on one table cell.
func printable(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

func flush(tw *tabwriter.Writer, stderr io.Writer) int {
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "statusd: write: %v\n", err)
		return exitFailed
	}
	return exitOK
}
