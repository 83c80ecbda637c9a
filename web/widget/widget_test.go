package widget_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/statusd/statusd/web/widget"
)

// TestScript: the script parses (node --check, where node is installed),
// writes text only and reads every field of Data it uses by its JSON name.
func TestScript(t *testing.T) {
	js := string(widget.Script())
	if regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function`).MatchString(js) {
		t.Error("the script writes HTML or evaluates code")
	}
	body, err := json.Marshal(widget.Data{Incidents: []widget.Item{{}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"page", "status", "incidents", "maintenances", "name", "url", "description", "class"} {
		if !strings.Contains(string(body), `"`+name+`"`) || !strings.Contains(js, name) {
			t.Errorf("field %q is not in both the JSON and the script", name)
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the script's syntax is not checked (the rest of this test ran)")
	}
	path := filepath.Join(t.TempDir(), "widget.js")
	if err := os.WriteFile(path, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(node, "--check", path).CombinedOutput(); err != nil {
		t.Errorf("node --check: %v\n%s", err, out)
	}
}
