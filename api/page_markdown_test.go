package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/statusd/statusd/api"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/web/htmlpage"
)

const (
	htmlType     = "text/html; charset=utf-8"
	markdownType = "text/markdown; charset=utf-8"
)

// goldenMarkdown compares body with testdata/NAME.golden.md.
func goldenMarkdown(t *testing.T, name string, body []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.md")
	if *update {
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatalf("write golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if !bytes.Equal(body, want) {
		t.Errorf("%s differs from %s (run with -update to accept):\n%s", name, path, body)
	}
}

func TestPageMarkdownGolden(t *testing.T) {
	major := withHistory()
	major.pages[1].Alert = catalog.PlatformAlert{Enabled: true, Title: "Heads up", Message: "Our provider has trouble."}
	cases := []struct {
		name   string
		store  *fakeStore
		maint  bool
		target string
	}{
		{"page_partial_outage", major, false, "/"},
		{"page_maintenance", withHistory(), true, "/"},
		{"page_history", withHistory(), false, "/history"},
		{"page_incident", withHistory(), false, "/incidents/5"},
		{"page_maintenance_window", withHistory(), true, "/maintenances/1"},
		{"page_history_maintenance", withHistory(), true, "/history"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := api.Options{Store: tc.store}
			if tc.maint {
				opts.Maintenances = maintenanceFixture()
			}
			s := newServerWith(t, opts)
			rec := getPage(t, s.handler, "", tc.target, map[string]string{"Accept": "text/markdown"})
			if rec.Code != 200 || rec.Header().Get("Content-Type") != markdownType {
				t.Fatalf("code %d, content type %q\n%s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			goldenMarkdown(t, tc.name, rec.Body.Bytes())
		})
	}
}

// TestPageNegotiation: which Accept headers get Markdown, and that both
// answers say they vary by Accept and keep their own ETags.
func TestPageNegotiation(t *testing.T) {
	s := newServerWith(t, api.Options{Store: withHistory()})
	cases := []struct {
		name, accept, want string
	}{
		{"no header", "", htmlType},
		{"markdown", "text/markdown", markdownType},
		{"markdown with charset", "text/markdown; charset=utf-8", markdownType},
		{"x-markdown", "text/x-markdown", markdownType},
		{"upper case", "TEXT/MARKDOWN", markdownType},
		{"browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", htmlType},
		{"any", "*/*", htmlType},
		{"text any", "text/*", htmlType},
		{"equal q: html wins", "text/markdown, text/html", htmlType},
		{"equal q reversed", "text/html;q=0.5, text/markdown;q=0.5", htmlType},
		{"markdown preferred", "text/html;q=0.9, text/markdown", markdownType},
		{"html preferred", "text/markdown;q=0.5, text/html", htmlType},
		{"markdown over any", "text/markdown, */*;q=0.1", markdownType},
		{"markdown refused", "text/markdown;q=0", htmlType},
		{"specific range wins", "text/markdown;q=0, text/*", htmlType},
		{"html refused, markdown via range", "text/html;q=0, text/*;q=0.3", markdownType},
		{"bad q ignored", "text/markdown;q=2", htmlType},
		{"nan q ignored", "text/markdown;q=NaN", htmlType},
		{"garbage", ";;,,/,text/", htmlType},
		{"other type", "application/json", htmlType},
	}
	for _, target := range []string{"/", "/history", "/incidents/5"} {
		for _, tc := range cases {
			t.Run(target+" "+tc.name, func(t *testing.T) {
				rec := getPage(t, s.handler, "", target, map[string]string{"Accept": tc.accept})
				if rec.Code != 200 || rec.Header().Get("Content-Type") != tc.want {
					t.Fatalf("code %d, content type %q, want %q", rec.Code, rec.Header().Get("Content-Type"), tc.want)
				}
				if v := rec.Header().Get("Vary"); v != "Accept, Accept-Encoding" {
					t.Errorf("Vary = %q", v)
				}
			})
		}
	}
	html := getPage(t, s.handler, "", "/", nil)
	md := getPage(t, s.handler, "", "/", map[string]string{"Accept": "text/markdown"})
	if html.Header().Get("ETag") == md.Header().Get("ETag") || md.Header().Get("ETag") == "" {
		t.Fatalf("ETags: HTML %q, Markdown %q", html.Header().Get("ETag"), md.Header().Get("ETag"))
	}
	again := getPage(t, s.handler, "", "/", map[string]string{"Accept": "text/markdown", "If-None-Match": md.Header().Get("ETag")})
	if again.Code != http.StatusNotModified {
		t.Errorf("conditional Markdown GET: %d, want 304", again.Code)
	}
	gz := getPage(t, s.handler, "", "/", map[string]string{"Accept": "text/markdown", "Accept-Encoding": "gzip"})
	if gz.Header().Get("Content-Encoding") != "gzip" {
		t.Error("Markdown is not gzipped when asked")
	}
}

// TestPageMarkdownEscapes: markup in incident text, the alert and names is
// literal text in the Markdown; private and deleted items never show.
func TestPageMarkdownEscapes(t *testing.T) {
	store := withHistory()
	store.pages[1].Alert = catalog.PlatformAlert{Enabled: true, Title: "<b>alert</b>", Message: "<img src=x onerror=alert(1)>"}
	store.incidents[0].Name = `<script>alert(1)</script> *x*`
	store.incidents[0].Updates[0].Body = "<script>alert(\"body\")</script>\n# not a heading\n[link](javascript:alert(1))"
	store.incidents[0].Updates[0].Private = false
	s := newServerWith(t, api.Options{Store: store})
	for _, target := range []string{"/", "/history", "/incidents/7"} {
		body := getPage(t, s.handler, "", target, map[string]string{"Accept": "text/markdown"}).Body.Bytes()
		for _, c := range []byte("<`_&") {
			if i := htmlpage.UnescapedMarkdown(body, c); i >= 0 {
				t.Errorf("%s: unescaped %q at %d:\n%s", target, c, i, body)
			}
		}
		if !bytes.Contains(body, []byte(`\<script\>alert(1)\</script\> \*x\*`)) {
			t.Errorf("%s does not show the title as literal text:\n%s", target, body)
		}
		if regexp.MustCompile(`(^|[^\\])\]\(javascript`).Match(body) {
			t.Errorf("%s has a javascript link:\n%s", target, body)
		}
	}
	body := getPage(t, s.handler, "", "/incidents/7", map[string]string{"Accept": "text/markdown"}).Body.String()
	for _, want := range []string{`\# not a heading`, `\[link\](javascript:alert(1))`, `\<img src=x onerror=alert(1)\>`} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %q:\n%s", want, body)
		}
	}
}

func FuzzPageAccept(f *testing.F) {
	for _, seed := range []string{"", "text/markdown", "text/html;q=0.9, text/markdown", "*/*;q=0.8", "text/markdown;q=NaN",
		"text/markdown;q=1e308", ";q=,/;", "text/markdown;;q=0.5;q=0.9"} {
		f.Add(seed)
	}
	s := newServerWith(f, api.Options{Store: withHistory()})
	f.Fuzz(func(t *testing.T, accept string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, r)
		ct := rec.Header().Get("Content-Type")
		if rec.Code != 200 || (ct != htmlType && ct != markdownType) {
			t.Fatalf("Accept %q: %d %q", accept, rec.Code, ct)
		}
		if ct == markdownType && !strings.Contains(strings.ToLower(accept), "markdown") && !refusesHTML(accept) {
			t.Fatalf("Accept %q got Markdown without naming it or refusing HTML", accept)
		}
	})
}

// refusesHTML reports whether an Accept header gives text/html a q-value
// of 0 in its most specific range that matches it; an oracle for the fuzz
// target, written apart from the page's own negotiation.
func refusesHTML(accept string) bool {
	best, q := 0, 1.0
	for _, part := range strings.Split(accept, ",") {
		typ, params, _ := strings.Cut(part, ";")
		spec := map[string]int{"text/html": 3, "text/*": 2, "*/*": 1}[strings.ToLower(strings.TrimSpace(typ))]
		if spec == 0 || spec < best {
			continue
		}
		pq, valid := 1.0, true
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				valid = err == nil && f >= 0 && f <= 1
				pq = f
			}
		}
		if !valid {
			continue
		}
		if spec > best {
			best, q = spec, pq
		} else {
			q = max(q, pq)
		}
	}
	return best > 0 && q == 0
}
