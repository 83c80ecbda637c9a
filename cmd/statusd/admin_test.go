package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/audit"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/internal/testenv"
	"github.com/statusd/statusd/store/sqlstore"
)

// openWithPage opens and migrates the store the CLI will use, with the
// page "main".
func openWithPage(t *testing.T, opts sqlstore.Options) *sqlstore.Store {
	t.Helper()
	if opts.Driver == "sqlite" {
		if err := os.MkdirAll(filepath.Dir(opts.DSN), 0o750); err != nil {
			t.Fatal(err)
		}
	}
	st, err := sqlstore.Open(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := st.SyncCatalog(t.Context(), catalog.Catalog{Pages: []catalog.Page{{ID: "main", Name: "Main", TimeZone: "Etc/UTC"}}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	return st
}

// storeFlags are the flags that pick each backend of the CLI tests.
var storeFlags = []struct {
	name string
	open func(t *testing.T) (flags []string, opts sqlstore.Options)
}{
	{"sqlite", func(t *testing.T) ([]string, sqlstore.Options) {
		dir := filepath.Join(t.TempDir(), "data")
		return []string{"--data-dir", dir}, sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(dir, "statusd.db")}
	}},
	{"postgres", func(t *testing.T) ([]string, sqlstore.Options) {
		dsn := testenv.Postgres(t)
		cfg := filepath.Join(t.TempDir(), "statusd.yaml")
		if err := os.WriteFile(cfg, []byte("postgres:\n  dsn: "+dsn+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return []string{"--config", cfg}, sqlstore.Options{Driver: "postgres", DSN: dsn}
	}},
}

func TestAdminAndKeyCommands(t *testing.T) {
	for _, backend := range storeFlags {
		t.Run(backend.name, func(t *testing.T) {
			flags, opts := backend.open(t)
			cli := func(args ...string) (int, string, string) {
				t.Helper()
				// the verb, then the store flags, then the rest
				return runCmd(t, append(append(args[:2:2], flags...), args[2:]...)...)
			}
			steps := []struct {
				name       string
				args       []string
				wantCode   int
				wantStdout string
				wantStderr string
			}{
				{"create an admin", []string{"admin", "create", "--email", "ops@example.com", "--name", "Ops"}, 0, "created admin adm_", ""},
				{"create a second", []string{"admin", "create", "--email", "dev@example.com", "--name", "Dev"}, 0, "<dev@example.com>", ""},
				{"duplicate email", []string{"admin", "create", "--email", "OPS@example.com", "--name", "Again"}, 1, "", "another admin has this email address"},
				{"invalid admin", []string{"admin", "create", "--email", "nope"}, 2, "", "--name: is required"},
				{"list admins", []string{"admin", "list"}, 0, "ops@example.com  Ops", ""},
				{"key of unknown admin", []string{"key", "create", "--admin", "x@example.com", "--scope", "read"}, 1, "", "--admin x@example.com: get admin by email: not found"},
				{"key without admin", []string{"key", "create", "--scope", "read"}, 2, "", "--admin: is required"},
				{"key of unknown scope", []string{"key", "create", "--admin", "ops@example.com", "--scope", "root"}, 2, "", `--scope: must be one of read, write, admin; got "root"`},
				{"key for unknown page", []string{"key", "create", "--admin", "ops@example.com", "--scope", "read", "--page", "nope"}, 1, "", "--page nope: no page has this id"},
				{"page key", []string{"key", "create", "--admin", "ops@example.com", "--scope", "write", "--page", "main", "--name", "deploy bot"}, 0, "sd_", "(write scope, page main) for ops@example.com; it is shown only this once"},
				{"revoke without id", []string{"key", "revoke"}, 2, "", "Usage: statusd key revoke"},
				{"revoke unknown", []string{"key", "revoke", "aaaaaaaaaaaa"}, 1, "", "not found"},
				{"unknown verb", []string{"key", "rotate"}, 2, "", `unknown command "rotate"`},
			}
			st := openWithPage(t, opts)
			for _, s := range steps {
				var code int
				var stdout, stderr string
				if len(s.args) < 2 {
					code, stdout, stderr = runCmd(t, s.args...)
				} else {
					code, stdout, stderr = cli(s.args...)
				}
				if code != s.wantCode || !strings.Contains(stdout, s.wantStdout) || !strings.Contains(stderr, s.wantStderr) {
					t.Fatalf("%s: exit %d, stdout %q, stderr %q; want exit %d, %q and %q",
						s.name, code, stdout, stderr, s.wantCode, s.wantStdout, s.wantStderr)
				}
			}

			// A key printed by key create works, is listed without its
			// secret, and stops working once revoked.
			code, secret, stderr := cli("key", "create", "--admin", "dev@example.com", "--scope", "admin")
			secret = strings.TrimSpace(secret)
			id, ok := auth.ParseKey(secret)
			if code != 0 || !ok {
				t.Fatalf("key create: exit %d, stdout %q, stderr %q", code, secret, stderr)
			}
			// The CLI is another process: the authenticator learns of its
			// revocation when its cache of the key runs out.
			now := time.Now()
			authn, err := auth.NewAuthenticator(auth.AuthenticatorOptions{Keys: st, Clock: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			p, err := authn.Authenticate(t.Context(), secret)
			if err != nil || p.ID != id || p.Scope != auth.ScopeAdmin || p.PageID != "" {
				t.Fatalf("authenticate the new key: %+v, %v", p, err)
			}
			code, list, _ := cli("key", "list")
			if code != 0 || !strings.Contains(list, id+"  dev@example.com  admin  *") || strings.Contains(list, secret[len(secret)-32:]) ||
				!strings.Contains(list, "write  main  deploy bot") {
				t.Fatalf("key list: exit %d:\n%s", code, list)
			}
			if code, out, stderr := cli("key", "revoke", id); code != 0 || !strings.Contains(out, "revoked key "+id) {
				t.Fatalf("key revoke: exit %d, %q, %q", code, out, stderr)
			}
			now = now.Add(auth.DefaultCacheTTL + time.Millisecond)
			if _, err := authn.Authenticate(t.Context(), secret); err == nil {
				t.Fatal("a revoked key still authenticates once its cache ran out")
			}
			code, list, _ = cli("key", "list")
			for _, line := range strings.Split(list, "\n") {
				if strings.HasPrefix(line, id) && strings.HasSuffix(strings.TrimSpace(line), "  -") {
					t.Fatalf("revoked key listed without its revocation time: %q", line)
				}
			}
			if code != 0 {
				t.Fatalf("key list: exit %d", code)
			}

			// Every change the commands made is in the audit log, by the
			// host's user, without a secret or hash.
			who := cliPrincipal().String()
			entries, _, err := st.AuditLog(t.Context(), audit.Filter{ExcludeKinds: []string{"page"}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries {
				got = append(got, e.Action+" "+e.Kind)
				if e.Principal != who || !strings.HasPrefix(who, "cli:") {
					t.Errorf("%s %s by %q, want %q", e.Action, e.Kind, e.Principal, who)
				}
				if all := string(e.Before) + string(e.After); strings.Contains(all, secret[len(secret)-32:]) || strings.Contains(all, "hash") {
					t.Errorf("%s %s holds a secret: %s", e.Action, e.Kind, all)
				}
			}
			want := []string{"revoke key", "create key", "create key", "create admin", "create admin"}
			if strings.Join(got, ", ") != strings.Join(want, ", ") {
				t.Errorf("audit log, newest first: %q, want %q", got, want)
			}
		})
	}
}

func TestKeyCommandNeedsADatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	code, _, stderr := runCmd(t, "key", "list", "--data-dir", dir)
	if code != exitFailed || !strings.Contains(stderr, "no database at "+filepath.Join(dir, "statusd.db")) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("key list created the data directory: %v", err)
	}
}
