package api_test

import (
	"encoding/xml"
	"regexp"
	"strings"
	"testing"

	"github.com/statusd/statusd/api"
)

// TestBadges: what each badge says, by status and over each window,
// from the same day buckets as the page. Today is 23 November, 16:00 UTC;
// the API has been partially out since 10:30, so its "24h" (today so
// far: 16 h, 5.5 h of it partial, weighted 0.3) is 89.687 %.
func TestBadges(t *testing.T) {
	s := newServerWith(t, api.Options{Store: feedStore()})
	cases := []struct {
		path, title, colour string
	}{
		{"/badge.svg", "status: partial outage", "#fe7d37"},
		{"/badge.svg?type=uptime", "uptime 90d: 99.483%", "#97ca00"},
		{"/badge.svg?label=Acme", "Acme: partial outage", "#fe7d37"},
		{"/components/api/badge.svg", "API: partial outage", "#fe7d37"},
		{"/components/db/badge.svg", "Database: degraded", "#dfb317"},
		{"/components/cdn/badge.svg", "CDN: no data", "#9f9f9f"},
		{"/components/core/badge.svg", "Core: partial outage", "#fe7d37"},
		// The last 24 h (rolling): partial since 10:30, now 16:00 → 5.5 h × 0.3
		// = 1.65 h of impact in 24 h → 100 − 6.875 = 93.125 %.
		{"/components/api/badge.svg?type=uptime&window=24h", "API uptime 24h: 93.125%", "#fe7d37"},
		{"/components/api/badge.svg?type=uptime&window=7d", "API uptime 7d: 98.875%", "#a4a61d"},
		{"/components/api/badge.svg?type=uptime&window=30d", "API uptime 30d: 99.301%", "#97ca00"},
		{"/components/api/badge.svg?type=uptime&window=90d", "API uptime 90d: 99.301%", "#97ca00"},
		{"/components/core/badge.svg?type=uptime", "Core uptime 90d: 99.483%", "#97ca00"},
		{"/components/web/badge.svg?type=uptime&label=web", "web: 100%", "#4c1"},
		{"/components/db/badge.svg?type=uptime&window=7d", "Database uptime 7d: no data", "#9f9f9f"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			rec := getPage(t, s.handler, "acme.example.com", tc.path, nil)
			if rec.Code != 200 {
				t.Fatalf("code %d: %s", rec.Code, rec.Body)
			}
			var svg struct {
				Title string `xml:"title"`
				Rects []struct {
					Fill string `xml:"fill,attr"`
				} `xml:"g>rect"`
			}
			if err := xml.Unmarshal(rec.Body.Bytes(), &svg); err != nil {
				t.Fatalf("not well-formed: %v", err)
			}
			if svg.Title != tc.title || len(svg.Rects) < 2 || svg.Rects[1].Fill != tc.colour {
				t.Errorf("title %q, fills %v; want %q in %s", svg.Title, svg.Rects, tc.title, tc.colour)
			}
		})
	}
	// The 90-day badges say what the page says.
	page := getPage(t, s.handler, "acme.example.com", "/", nil).Body.String()
	shown := regexp.MustCompile(`<span>([0-9.]+%) uptime</span>`).FindAllStringSubmatch(page, -1)
	if len(shown) < 2 || shown[0][1] != "99.483%" || shown[1][1] != "99.301%" {
		t.Errorf("the page shows %v: the badges' expectations are out of date", shown)
	}
}

func TestBadgeSVGGolden(t *testing.T) {
	s := newServerWith(t, api.Options{Store: feedStore()})
	for name, path := range map[string]string{
		"badge_page.golden.svg":          "/badge.svg",
		"badge_component_24h.golden.svg": "/components/api/badge.svg?type=uptime&window=24h&style=flat-square",
	} {
		t.Run(name, func(t *testing.T) {
			rec := getPage(t, s.handler, "acme.example.com", path, nil)
			if rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), "<svg ") {
				t.Fatalf("code %d: %s", rec.Code, rec.Body)
			}
			goldenFile(t, name, rec.Body.Bytes())
		})
	}
}
