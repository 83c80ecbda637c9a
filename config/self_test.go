package config

import (
	"fmt"
	"testing"
)

// TestSelfURLs: a page or check URL that is a path is resolved against
// http.addr, wherever that comes from; other URLs are kept as written.
func TestSelfURLs(t *testing.T) {
	tests := []struct {
		name, addr, envAddr, bound string // bound: http.addr after binding, "" to keep it
		checkURL, pageURL          string
		wantCheck, wantPage        string
	}{
		{name: "loopback", addr: "127.0.0.1:9090", checkURL: "/healthz", pageURL: "/",
			wantCheck: "http://127.0.0.1:9090/healthz", wantPage: "http://127.0.0.1:9090/"},
		{name: "unspecified IPv4", addr: "0.0.0.0:8080", checkURL: "/api/v2/status.json?x=1", pageURL: "/status/",
			wantCheck: "http://127.0.0.1:8080/api/v2/status.json?x=1", wantPage: "http://127.0.0.1:8080/status/"},
		{name: "no host", addr: ":8080", checkURL: "/metrics", wantCheck: "http://127.0.0.1:8080/metrics"},
		{name: "unspecified IPv6", addr: "[::]:8080", checkURL: "/readyz", wantCheck: "http://[::1]:8080/readyz"},
		{name: "host name", addr: "status.internal:80", checkURL: "/", wantCheck: "http://status.internal:80/"},
		{name: "from the environment", addr: "127.0.0.1:8080", envAddr: "127.0.0.1:7070", checkURL: "/healthz",
			wantCheck: "http://127.0.0.1:7070/healthz"},
		{name: "port 0 once bound", addr: "127.0.0.1:0", bound: "127.0.0.1:43210", checkURL: "/healthz", pageURL: "/",
			wantCheck: "http://127.0.0.1:43210/healthz", wantPage: "http://127.0.0.1:43210/"},
		{name: "absolute kept", addr: "127.0.0.1:9090", checkURL: "https://api.example/health", pageURL: "https://status.example/",
			wantCheck: "https://api.example/health", wantPage: "https://status.example/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := ""
			if tt.pageURL != "" {
				page = fmt.Sprintf("    url: %q\n", tt.pageURL)
			}
			data := fmt.Sprintf("http: {addr: %q}\npages:\n  - id: p\n    name: P\n%s    components:\n"+
				"      - id: c\n        name: C\n        checks:\n          - {id: k, http: {url: %q}}\n", tt.addr, page, tt.checkURL)
			env := func(name string) (string, bool) {
				return tt.envAddr, name == "STATUSD_HTTP_ADDR" && tt.envAddr != ""
			}
			cfg, err := Parse("self.yaml", []byte(data), env)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if tt.bound != "" {
				cfg.HTTP.Addr = tt.bound
			}
			cat := cfg.Catalog()
			if got := cat.Checks[0].HTTP.URL; got != tt.wantCheck {
				t.Errorf("check URL %q, want %q", got, tt.wantCheck)
			}
			if got := cat.Pages[0].URL; got != tt.wantPage {
				t.Errorf("page URL %q, want %q", got, tt.wantPage)
			}
			for _, ch := range cat.Checks {
				if errs := ch.Validate(); len(errs) > 0 {
					t.Errorf("check does not validate: %v", errs)
				}
			}
		})
	}
}
