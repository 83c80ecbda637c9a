package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, c.name, "--help")
			if code != exitOK || !strings.Contains(stderr, "Usage: statusd "+c.name) {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, ""},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown flag", []string{"agent", "--nope"}, "flag provided but not defined: -nope"},
		{"validate without file", []string{"validate"}, "Usage: statusd validate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

func TestInvalidConfigExitsTwoWithLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	bad := "http:\n  adr: 127.0.0.1:1\npages:\n  - id: main\n    name: Main\n    components:\n      - id: api\n        name: API\n        checks:\n          - id: api-http\n            type: http\n            interval: 10\n            http: {url: \"ftp://x\"}\n"
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	want := []string{
		path + `:2: unknown field "adr" in http (did you mean "addr"?)`,
		path + `:12: check "api-http": interval: want a duration such as "10s" or "1m30s", got 10`,
		path + `:13: check "api-http": http.url: must use http or https, got "ftp"`,
	}
	for _, cmd := range []string{"validate", "agent", "aggregator", "standalone"} {
		t.Run(cmd, func(t *testing.T) {
			args := []string{cmd, "--config", path}
			if cmd == "validate" {
				args = []string{cmd, path}
			}
			code, _, stderr := runCmd(t, args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want 2; stderr %q", code, stderr)
			}
			for _, w := range want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

func TestValidateExamples(t *testing.T) {
	for _, f := range []string{"standalone.yaml", "statusd.yaml"} {
		code, stdout, stderr := runCmd(t, "validate", filepath.Join("..", "..", "deploy", "examples", f))
		if code != exitOK || !strings.Contains(stdout, "valid:") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", f, code, stdout, stderr)
		}
	}
}

// The dev Kafka broker must never be linked into the product.
func TestBinaryHasNoDevBroker(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "franz-go") || strings.Contains(dep, "deploy/dev") {
			t.Fatalf("statusd depends on %s", dep)
		}
	}
}
