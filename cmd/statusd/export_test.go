package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/statusd/statusd/config"
	"github.com/statusd/statusd/internal/dirlock"
	"github.com/statusd/statusd/store/sqlstore"
)

const exportConfigYAML = `pages:
  - id: acme
    name: Acme
    url: https://status.acme.test
    custom_domain: status.acme.test
    components:
      - id: api
        name: API
  - id: priv
    name: Priv
    subdomain: priv
    private: true
    ip_allowlist: [192.0.2.0/24]
`

// exportDataDir is a standalone data directory with the catalog of
// exportConfigYAML synced into its store, and the config's path.
func exportDataDir(t *testing.T) (dataDir, cfgPath string) {
	t.Helper()
	cfgPath = writeFile(t, "statusd.yaml", exportConfigYAML)
	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	dataDir = t.TempDir()
	st, err := sqlstore.Open(t.Context(), sqlstore.Options{Driver: "sqlite", DSN: filepath.Join(dataDir, "statusd.db")})
	if err != nil {
		t.Fatal(err)
	}
	if err := prepareStore(t.Context(), st, cfg); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return dataDir, cfgPath
}

func TestExportCommand(t *testing.T) {
	dataDir, cfgPath := exportDataDir(t)
	cases := []struct {
		name   string
		args   func(out string) []string
		code   int
		stdout string
		stderr string
		files  []string
	}{
		{"every public page", func(out string) []string {
			return []string{"--config", cfgPath, "--data-dir", dataDir, "--out", out}
		}, exitOK, "acme: 18 files (18 written, 0 removed)", "", []string{"acme/index.html", "acme/history/index.html", "acme/index.md",
			"acme/api/v2/summary.json", "acme/history.rss", "acme/widget.js", "acme/components/api/badge.svg"}},
		{"one page", func(out string) []string {
			return []string{"--config", cfgPath, "--data-dir", dataDir, "--out", out, "--page", "acme"}
		}, exitOK, "acme: ", "", []string{"acme/index.html"}},
		{"a private page", func(out string) []string {
			return []string{"--config", cfgPath, "--data-dir", dataDir, "--out", out, "--page", "priv"}
		}, exitUsage, "", `statusd export: --page: page "priv" is private: only public, enabled pages are exported`, nil},
		{"an unknown page", func(out string) []string {
			return []string{"--config", cfgPath, "--data-dir", dataDir, "--out", out, "--page", "nope"}
		}, exitUsage, "", `--page: page "nope" does not exist`, nil},
		{"no out", func(string) []string { return []string{"--config", cfgPath, "--data-dir", dataDir} },
			exitUsage, "", "statusd export: --out is required (or export.dir in the configuration)", nil},
		{"bad flag", func(string) []string { return []string{"--outt", "x"} }, exitUsage, "", "flag provided but not defined: -outt", nil},
		{"extra argument", func(out string) []string { return []string{"--data-dir", dataDir, "--out", out, "acme"} },
			exitUsage, "", `unexpected argument "acme"`, nil},
		{"bad config", func(out string) []string { return []string{"--config", "/nonexistent.yaml", "--out", out} },
			exitUsage, "", "/nonexistent.yaml", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"export"}, tc.args(out)...), &stdout, &stderr)
			if code != tc.code || !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout.String(), stderr.String())
			}
			for _, f := range tc.files {
				if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(f))); err != nil {
					t.Errorf("%s: %v", f, err)
				}
			}
			if _, err := os.Stat(filepath.Join(out, "priv")); err == nil {
				t.Error("the private page was exported")
			}
		})
	}
}

// TestExportCommandLockedDataDir: a data directory a standalone holds is
// refused (exit 1), naming the setting to use instead.
func TestExportCommandLockedDataDir(t *testing.T) {
	dataDir, _ := exportDataDir(t)
	lock, err := dirlock.Acquire(dirlock.Options{Dir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := lock.Release(); err != nil {
			t.Error(err)
		}
	}()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"export", "--data-dir", dataDir, "--out", t.TempDir()}, &stdout, &stderr)
	if code != exitFailed || !strings.Contains(stderr.String(), "export.on_change") {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
}
