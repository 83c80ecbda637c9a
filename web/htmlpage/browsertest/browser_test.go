package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

var update = flag.Bool("update", false, "write the screenshots to docs/screenshots")

// repoRoot is the repository's root, from this package's directory.
const repoRoot = "../../.."

// stepTimeout bounds one state's whole visit: generous, since the test
// machines are small and loaded.
const stepTimeout = 3 * time.Minute

// tools finds Chromium and axe-core, skipping under -short when one is
// missing and failing otherwise.
func tools(t *testing.T) (chromium, axe string) {
	t.Helper()
	missing := func(what string) {
		t.Helper()
		msg := what + " is missing; `make services` installs it (deploy/dev/services.sh)"
		if testing.Short() {
			t.Skip(msg)
		}
		t.Fatal(msg)
	}
	chromium = os.Getenv("STATUSD_CHROMIUM")
	if chromium == "" {
		for _, name := range []string{"chromium", "chromium-browser"} {
			if p, err := exec.LookPath(name); err == nil {
				chromium = p
				break
			}
		}
	}
	if _, err := os.Stat(chromium); chromium == "" || err != nil {
		missing("Chromium (STATUSD_CHROMIUM, or chromium on PATH)")
	}
	axe = os.Getenv("STATUSD_AXE_JS")
	if axe == "" {
		axe = filepath.Join(repoRoot, ".dev/browser/node_modules/axe-core/axe.min.js")
	}
	if _, err := os.Stat(axe); err != nil {
		missing("axe-core (STATUSD_AXE_JS, or " + axe + ")")
	}
	return chromium, axe
}

// newBrowser starts one headless Chromium for the test.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium),
		chromedp.Flag("headless", "new"), chromedp.DisableGPU, chromedp.WindowSize(1280, 900),
		chromedp.Flag("hide-scrollbars", true), chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("font-render-hinting", "none"))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	// The first run starts the browser, which lives as long as its
	// context: no timeout here.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	return ctx
}

// tab opens a new tab of the browser, bounded by stepTimeout.
func tab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab, which lives as long as ctx
		t.Fatalf("open a tab: %v", err)
	}
	// The page tells relative times from the visitor's clock: the tab's
	// is the seeded page's, so that every run shows the same.
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: fmt.Sprintf("Date.now = function () { return %d; };", now.UnixMilli())})
		return err
	})); err != nil {
		t.Fatalf("set the tab's clock: %v", err)
	}
	ctx, cancelT := context.WithTimeout(ctx, stepTimeout)
	t.Cleanup(cancelT)
	return ctx
}

// state is one state of the page and what a person must see in it.
type state struct {
	name  string
	seed  func(*site)
	sees  []string          // texts of the page (innerText)
	not   []string          // texts it must not show
	words map[string]string // CSS selector → the text that says what its colour says
}

func states() []state {
	return []state{
		{name: "operational",
			seed: func(s *site) { s.probe(3, nil) },
			sees: []string{"All Systems Operational", "Platform", "API", "The public REST API", "Dashboard", "Website",
				"Search", "99.9", "uptime", "Powered by statusd"},
			not:   []string{"Active incidents", "Maintenance", "Failing in"},
			words: map[string]string{".banner": "All Systems Operational", ".component .status": "Operational"}},
		{name: "partial",
			seed: func(s *site) { s.probe(4, map[string][]string{"api": {"us-east"}}) },
			sees: []string{"Partial System Outage", "Partial outage", "Failing in: us-east"},
			not:  []string{"eu-west", "Active incidents"},
			words: map[string]string{".banner": "Partial System Outage",
				".children > .component:first-child > .row .status": "Partial outage"}},
		{name: "major",
			seed: func(s *site) {
				s.probe(4, map[string][]string{"api": regions})
				var list struct {
					Data []struct {
						ID int64 `json:"id"`
					} `json:"data"`
				}
				s.api("GET", "/api/v1/incidents?unresolved=true", nil, &list)
				if len(list.Data) != 1 {
					s.t.Fatalf("the major outage opened %d automatic incidents, want 1", len(list.Data))
				}
				s.api("POST", fmt.Sprintf("/api/v1/incidents/%d/updates", list.Data[0].ID), map[string]any{
					"status": "identified", "body": "A bad deploy of the API; rolling back."}, nil)
			},
			sees: []string{"Major System Outage", "Active incidents", "Identified", "A bad deploy of the API; rolling back.",
				"Investigating", "Major outage"},
			words: map[string]string{".banner": "Major System Outage",
				".children > .component:first-child > .row .status": "Major outage"}},
		{name: "maintenance",
			seed: func(s *site) {
				s.probe(3, nil)
				var w struct {
					Data struct {
						ID int64 `json:"id"`
					} `json:"data"`
				}
				s.api("POST", "/api/v1/maintenances", map[string]any{"page_id": "acme", "title": "Search index rebuild",
					"body":      "Search results may be incomplete while the index is rebuilt.",
					"starts_at": now.Add(-30 * time.Minute).Format(time.RFC3339), "ends_at": now.Add(90 * time.Minute).Format(time.RFC3339),
					"component_ids": []string{"search"}, "auto_start": false}, &w)
				s.api("POST", fmt.Sprintf("/api/v1/maintenances/%d/start", w.Data.ID), map[string]any{"body": "The rebuild has begun."}, nil)
				s.api("POST", "/api/v1/maintenances", map[string]any{"page_id": "acme", "title": "Website hosting move",
					"body":      "The website moves to a new provider.",
					"starts_at": now.Add(48 * time.Hour).Format(time.RFC3339), "ends_at": now.Add(50 * time.Hour).Format(time.RFC3339),
					"component_ids": []string{"website"}}, nil)
			},
			sees: []string{"Search index rebuild", "In progress", "The rebuild has begun.", "Website hosting move",
				"Scheduled", "Affects: Search", "Under maintenance"},
			words: map[string]string{`section[aria-labelledby="components"] > ul > li:last-child > .row .status`: "Under maintenance"}},
	}
}

func TestStatusPageInBrowser(t *testing.T) {
	chromium, axePath := tools(t)
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t, chromium)
	for _, st := range states() {
		t.Run(st.name, func(t *testing.T) {
			s := newSite(t)
			st.seed(s)
			ctx := tab(t, browser)
			visit(t, ctx, s.url+"/", 1280)
			checkTexts(t, ctx, st)
			checkTooltip(t, ctx)
			checkAxe(t, ctx, axe)
			screenshot(t, ctx, st.name)
			if st.name == "major" {
				checkDark(t, ctx, axe)
				checkNarrow(t, ctx, s.url, "Major System Outage")
				checkLinkedPages(t, ctx, s.url, axe)
			}
			if st.name == "maintenance" {
				checkMaintenancePage(t, ctx, s.url, axe)
			}
		})
	}
}

// colourScheme emulates prefers-color-scheme.
func colourScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	})
}

// eval evaluates a JavaScript expression in the page, failing the test on
// an error.
func eval[T any](t *testing.T, ctx context.Context, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatalf("evaluate %.60s…: %v", expr, err)
	}
	return v
}

// visit loads url at width×900 in the light theme and waits for the page.
func visit(t *testing.T, ctx context.Context, url string, width int64) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), colourScheme("light"),
		chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatalf("load %s: %v", url, err)
	}
}

// checkTexts asserts the page's visible text and the words beside colours.
func checkTexts(t *testing.T, ctx context.Context, st state) {
	t.Helper()
	text := eval[string](t, ctx, `document.body.innerText`)
	for _, want := range st.sees {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not show %q; it shows:\n%s", want, text)
		}
	}
	for _, bad := range st.not {
		if strings.Contains(text, bad) {
			t.Errorf("the page shows %q; it shows:\n%s", bad, text)
		}
	}
	for sel, want := range st.words {
		got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
		if err != nil {
			t.Errorf("read %s: %v", sel, err)
			continue
		}
		if strings.TrimSpace(got) != want {
			t.Errorf("%s says %q, want %q", sel, got, want)
		}
	}
	// Every coloured bar has a text of its own, for screen readers: its
	// title, which the script makes its aria-label; and every list of bars
	// a summary in words.
	if bare := eval[int](t, ctx, `[...document.querySelectorAll('.bars li')].filter(li =>
		!(li.getAttribute('aria-label') || li.title || '').match(/^[A-Z][a-z]{2} \d{1,2}: \S/)).length`); bare != 0 {
		t.Errorf("%d uptime bars have no text of date and uptime", bare)
	}
	if bare := eval[int](t, ctx, `[...document.querySelectorAll('.bars')].filter(ol =>
		!(ol.getAttribute('aria-label') || '').startsWith('Uptime per day, last 90 days')).length`); bare != 0 {
		t.Errorf("%d lists of uptime bars have no summary", bare)
	}
}

// apiBar is the API's bar of 12 days ago: 90 bars, today's last.
const apiBar = `.children .component:first-child .bars li:nth-child(78)`

// checkTooltip hovers the API's bar of 12 days ago and reads the tooltip.
func checkTooltip(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS(apiBar))); err != nil {
		t.Fatal(err)
	}
	box := eval[struct{ X, Y float64 }](t, ctx, `(() => { const r = document.querySelector('`+apiBar+`').getBoundingClientRect();
		return {X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`)
	// A tooltip shows at once or never: wait for it a shorter while.
	hover, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(hover, chromedp.MouseEvent(chromedp.MouseMoved, box.X, box.Y),
		chromedp.WaitVisible(chromedp.CSS("#bar-tip"))); err != nil {
		t.Fatalf("no tooltip on hovering a bar: %v", err)
	}
	tip, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#bar-tip")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Nov 11: ", "%, 1 outage", "; incident: Elevated API error rates"} {
		if !strings.Contains(tip, want) {
			t.Errorf("tooltip = %q, want %q in it", tip, want)
		}
	}
	if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, 1, 1), chromedp.WaitNotVisible(chromedp.CSS("#bar-tip"))); err != nil {
		t.Fatalf("the tooltip stays after the mouse left: %v", err)
	}
}

// violation is what axe reports of one rule.
type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkAxe runs axe-core in the page and fails on serious or critical
// violations; lesser ones are logged.
func checkAxe(t *testing.T, ctx context.Context, axe []byte) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(axe)+"\n;true")); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	vs := eval[[]violation](t, ctx, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id,
		impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)})))`,
		chromedp.EvalAwaitPromise)
	for _, v := range vs {
		b, _ := json.MarshalIndent(v, "", "  ")
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("axe: %s", b)
		} else {
			t.Logf("axe (%s, allowed): %s", v.Impact, b)
		}
	}
}

// checkDark asserts that prefers-color-scheme: dark gives the dark theme,
// and runs axe on it (contrast differs).
func checkDark(t *testing.T, ctx context.Context, axe []byte) {
	t.Helper()
	if err := chromedp.Do(ctx, colourScheme("dark")); err != nil {
		t.Fatal(err)
	}
	if bg := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(13, 17, 23)" {
		t.Errorf("dark background = %s, want rgb(13, 17, 23)", bg)
	}
	checkAxe(t, ctx, axe)
	screenshot(t, ctx, "dark")
}

// checkNarrow asserts that the page fits 360 px without horizontal
// scrolling and still shows the banner and the bars.
func checkNarrow(t *testing.T, ctx context.Context, url, banner string) {
	t.Helper()
	visit(t, ctx, url+"/", 360)
	m := eval[struct {
		Scroll, Client int
		Bars           float64
		Banner         string
	}](t, ctx, `({Scroll: document.documentElement.scrollWidth, Client: document.documentElement.clientWidth,
		Bars: document.querySelector('.bars').getBoundingClientRect().width,
		Banner: document.querySelector('.banner').innerText})`)
	if m.Client != 360 || m.Scroll > m.Client {
		t.Errorf("at 360 px: scrollWidth %d, clientWidth %d: the page scrolls sideways", m.Scroll, m.Client)
	}
	if m.Bars < 250 || m.Banner != banner {
		t.Errorf("at 360 px: bars %.0f px wide, banner %q", m.Bars, m.Banner)
	}
	screenshot(t, ctx, "narrow-360")
}

// checkLinkedPages follows the incident's link and the history link as a
// person would, and runs axe on both.
func checkLinkedPages(t *testing.T, ctx context.Context, url string, axe []byte) {
	t.Helper()
	visit(t, ctx, url+"/", 1280)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`section[aria-labelledby="active-incidents"] article h3 a`)),
		chromedp.WaitVisible(chromedp.CSS(`main a[href="/history"]`))); err != nil {
		t.Fatal(err)
	}
	text := eval[string](t, ctx, `document.body.innerText`)
	if !strings.Contains(text, "A bad deploy of the API; rolling back.") || !strings.Contains(text, "Incident history") {
		t.Errorf("the incident's page shows:\n%s", text)
	}
	checkAxe(t, ctx, axe)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav a[href="/history"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main section h2`))); err != nil {
		t.Fatal(err)
	}
	text = eval[string](t, ctx, `document.body.innerText`)
	if !strings.Contains(text, "November 2026") || !strings.Contains(text, "Elevated API error rates") {
		t.Errorf("the history shows:\n%s", text)
	}
	checkAxe(t, ctx, axe)
}

// checkMaintenancePage follows the first window's link from the home
// page and runs axe on the window's own page.
func checkMaintenancePage(t *testing.T, ctx context.Context, url string, axe []byte) {
	t.Helper()
	visit(t, ctx, url+"/", 1280)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`section[aria-labelledby="maintenance"] article h3 a`)),
		chromedp.WaitVisible(chromedp.CSS(`main a[href="/history"]`))); err != nil {
		t.Fatal(err)
	}
	m := eval[struct{ Path, Title, Text string }](t, ctx,
		`({Path: location.pathname, Title: document.querySelector('main h1').innerText, Text: document.body.innerText})`)
	if !strings.HasPrefix(m.Path, "/maintenances/") || m.Title != "Website hosting move" ||
		!strings.Contains(m.Text, "The website moves to a new provider.") || !strings.Contains(m.Text, "Affects: Website") {
		t.Errorf("the window's page at %s shows %q:\n%s", m.Path, m.Title, m.Text)
	}
	checkAxe(t, ctx, axe)
}

// screenshot saves the whole page as docs/screenshots/NAME.png with -update.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if !*update {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(repoRoot, "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(errors.Join(fmt.Errorf("write screenshot %s", name), err))
	}
}
