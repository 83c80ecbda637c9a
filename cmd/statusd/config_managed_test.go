package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/config"
)

// TestConfigManagedPage runs standalone on a file that declares a page
// with every field the API has: the page reads back through the API as
// the file says, its component sits on both pages, a change through the
// API is a 409 naming the file, and a restart on the same file changes
// nothing.
func TestConfigManagedPage(t *testing.T) {
	addr := freeAddr(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "statusd.yaml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf(`
http: {addr: %q}
pages:
  - id: main
    name: Main
    components:
      - {id: web, name: Website}
  - id: vip
    name: VIP
    subdomain: vip
    custom_domain: status.vip.example.com
    private: true
    password_hash: $2a$10$UH9IP9UffPB1t4.m.EJSsuwRqvkj1SWGWKaoAFEcTk5I2vWWrDQ36
    ip_allowlist: [192.0.2.0/24]
    branding: {logo_url: "https://vip.example.com/logo.png", brand_color: "#112233", dark_theme: true, hide_powered_by: true}
    links: {support: "https://vip.example.com/help"}
    robots_meta: noindex
    analytics_id: G-1
    subscriptions: false
    components:
      - id: api
        name: API
        description: The VIP API.
        show_uptime: false
        start_date: 2025-03-01
        only_show_if_degraded: true
        also_on: [main]
`, addr)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(dir, "data")
	key := cliKey(t, dataDir, "admin")
	base := "http://" + addr
	call := func(method, route, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, base+route, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		if cerr := resp.Body.Close(); err != nil || cerr != nil {
			t.Fatal(err, cerr)
		}
		return resp.StatusCode, string(b)
	}
	runFor := func(check func()) {
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- standalone(ctx, cfg, dataDir, slog.New(slog.DiscardHandler)) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("standalone: %v", err)
			}
		}()
		waitUntil(t, 10*time.Second, "standalone ready", func() bool { return get(base+"/readyz") == http.StatusOK })
		check()
	}
	var audited string
	runFor(func() {
		code, body := call("GET", "/api/v1/pages/vip", "")
		var page struct{ Data map[string]any }
		if err := json.Unmarshal([]byte(body), &page); code != 200 || err != nil {
			t.Fatalf("get page: %d %s", code, body)
		}
		got, _ := json.Marshal(page.Data)
		for _, want := range []string{`"subdomain":"vip"`, `"custom_domain":"status.vip.example.com"`, `"private":true`,
			`"password_set":true`, `"ip_allowlist":["192.0.2.0/24"]`, `"logo_url":"https://vip.example.com/logo.png"`,
			`"brand_color":"#112233"`, `"dark_theme":true`, `"hide_powered_by":true`, `"support":"https://vip.example.com/help"`,
			`"robots_meta":"noindex"`, `"analytics_id":"G-1"`, `"subscriptions":false`, `"enabled":true`,
			`"managed":` + mustJSON(t, path)} {
			if !strings.Contains(string(got), want) {
				t.Errorf("page lacks %s: %s", want, got)
			}
		}
		if strings.Contains(body, "$2a$") {
			t.Errorf("the API shows the password hash: %s", body)
		}
		code, body = call("GET", "/api/v1/components/api", "")
		for _, want := range []string{`"show_uptime":false`, `"start_date":"2025-03-01"`, `"only_show_if_degraded":true`,
			`{"page_id":"vip","position":1}`, `{"page_id":"main","position":2}`} {
			if code != 200 || !strings.Contains(body, want) {
				t.Errorf("component: %d, lacks %s: %s", code, want, body)
			}
		}
		code, body = call("PUT", "/api/v1/pages/vip", `{"id":"vip","name":"Changed","time_zone":"Etc/UTC"}`)
		if code != http.StatusConflict || !strings.Contains(body, "managed by the configuration file "+path) {
			t.Errorf("change a managed page: %d %s, want 409 naming %s", code, body, path)
		}
		code, body = call("DELETE", "/api/v1/components/api", "")
		if code != http.StatusConflict || !strings.Contains(body, path) {
			t.Errorf("delete a managed component: %d %s, want 409 naming %s", code, body, path)
		}
		_, audited = call("GET", "/api/v1/audit?principal=config:"+path+"&per_page=100", "")
	})
	runFor(func() {
		if _, again := call("GET", "/api/v1/audit?principal=config:"+path+"&per_page=100", ""); again != audited {
			t.Errorf("a restart on the same file changed the catalog:\nbefore %s\nafter  %s", audited, again)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
