package feed_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/statusd/statusd/web/feed"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

const evil = `<script>alert(1)</script> & "friends"`

func sample() feed.Feed {
	return feed.Feed{
		ID: "tag:statusd,2026:acme", Title: "Acme status", Description: "Incidents and maintenance of Acme",
		Link: "https://status.acme.test/", RSSURL: "https://status.acme.test/history.rss",
		AtomURL: "https://status.acme.test/history.atom", Author: "Acme", Updated: t0.Add(time.Hour),
		Items: []feed.Item{
			{ID: "tag:statusd,2026:acme/incidents/7", Title: evil, Link: "https://status.acme.test/incidents/7",
				Summary: "Identified: " + evil + "\nline two", Category: "incident", Published: t0, Updated: t0.Add(time.Hour)},
			{ID: "tag:statusd,2026:acme/maintenances/2", Title: "Maintenance: CDN migration",
				Link: "https://status.acme.test/", Summary: "In progress", Category: "maintenance",
				Published: t0.Add(-time.Hour), Updated: t0},
		},
	}
}

func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if !bytes.Equal(body, want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", path, body)
	}
}

// TestParsedByARealParser: gofeed reads both documents back with every
// field, the script tag as text.
func TestParsedByARealParser(t *testing.T) {
	f := sample()
	rss, err := feed.RSS(f)
	if err != nil {
		t.Fatal(err)
	}
	atom, err := feed.Atom(f)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "sample.golden.rss", rss)
	golden(t, "sample.golden.atom", atom)
	for _, tc := range []struct {
		name     string
		body     []byte
		typ      string
		version  string
		selfLink string
	}{
		{"rss", rss, "rss", "2.0", f.RSSURL},
		{"atom", atom, "atom", "1.0", f.AtomURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parsed, err := gofeed.NewParser().Parse(bytes.NewReader(tc.body))
			if err != nil {
				t.Fatalf("parse: %v\n%s", err, tc.body)
			}
			if parsed.FeedType != tc.typ || parsed.FeedVersion != tc.version {
				t.Errorf("type %s %s, want %s %s", parsed.FeedType, parsed.FeedVersion, tc.typ, tc.version)
			}
			if parsed.Title != f.Title || parsed.Link != f.Link || parsed.FeedLink != tc.selfLink {
				t.Errorf("title %q link %q self %q", parsed.Title, parsed.Link, parsed.FeedLink)
			}
			if parsed.UpdatedParsed == nil || !parsed.UpdatedParsed.Equal(f.Updated) {
				t.Errorf("updated %v, want %v", parsed.UpdatedParsed, f.Updated)
			}
			if len(parsed.Items) != len(f.Items) {
				t.Fatalf("%d items, want %d", len(parsed.Items), len(f.Items))
			}
			for i, it := range parsed.Items {
				want := f.Items[i]
				if it.GUID != want.ID || it.Title != want.Title || it.Link != want.Link {
					t.Errorf("item %d: guid %q title %q link %q", i, it.GUID, it.Title, it.Link)
				}
				if it.Description != want.Summary {
					t.Errorf("item %d: description %q, want %q", i, it.Description, want.Summary)
				}
				if it.UpdatedParsed == nil && it.PublishedParsed == nil {
					t.Errorf("item %d has no date", i)
				}
			}
		})
	}
}

// TestRSSRequiredElements checks what RSS 2.0 requires: rss version="2.0",
// one channel with title, link and description; each item a title or
// description; dates in RFC 822; a guid that is not a permalink.
func TestRSSRequiredElements(t *testing.T) {
	body, err := feed.RSS(sample())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name
		Version string `xml:"version,attr"`
		Channel []struct {
			Title []string `xml:"title"`
			// Before LinkEl: a field without a namespace takes any.
			Self []struct {
				Rel  string `xml:"rel,attr"`
				Href string `xml:"href,attr"`
			} `xml:"http://www.w3.org/2005/Atom link"`
			LinkEl []string `xml:"link"`
			DescEl []string `xml:"description"`
			Items  []struct {
				Title   string `xml:"title"`
				Desc    string `xml:"description"`
				PubDate string `xml:"pubDate"`
				GUID    struct {
					PermaLink string `xml:"isPermaLink,attr"`
					Value     string `xml:",chardata"`
				} `xml:"guid"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("not well-formed: %v", err)
	}
	if doc.XMLName.Local != "rss" || doc.Version != "2.0" || len(doc.Channel) != 1 {
		t.Fatalf("root %q version %q channels %d", doc.XMLName.Local, doc.Version, len(doc.Channel))
	}
	ch := doc.Channel[0]
	if len(ch.Title) != 1 || len(ch.LinkEl) != 1 || len(ch.DescEl) != 1 || ch.Title[0] == "" || ch.DescEl[0] == "" {
		t.Errorf("channel title %v link %v description %v", ch.Title, ch.LinkEl, ch.DescEl)
	}
	if len(ch.Self) != 1 || ch.Self[0].Rel != "self" || ch.Self[0].Href == "" {
		t.Errorf("atom:link elements in the channel %+v, want the self link", ch.Self)
	}
	for i, it := range ch.Items {
		if it.Title == "" && it.Desc == "" {
			t.Errorf("item %d has neither title nor description", i)
		}
		if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
			t.Errorf("item %d pubDate %q: %v", i, it.PubDate, err)
		}
		if it.GUID.PermaLink != "false" || !strings.HasPrefix(it.GUID.Value, "tag:") {
			t.Errorf("item %d guid %+v", i, it.GUID)
		}
	}
}

// TestAtomRequiredElements checks what RFC 4287 requires: the Atom
// namespace; feed id, title, updated and an author; each entry id, title,
// updated; dates in RFC 3339.
func TestAtomRequiredElements(t *testing.T) {
	body, err := feed.Atom(sample())
	if err != nil {
		t.Fatal(err)
	}
	type text struct {
		Type  string `xml:"type,attr"`
		Value string `xml:",chardata"`
	}
	var doc struct {
		XMLName xml.Name
		ID      []string `xml:"http://www.w3.org/2005/Atom id"`
		Title   []text   `xml:"http://www.w3.org/2005/Atom title"`
		Updated []string `xml:"http://www.w3.org/2005/Atom updated"`
		Author  []struct {
			Name string `xml:"http://www.w3.org/2005/Atom name"`
		} `xml:"http://www.w3.org/2005/Atom author"`
		Links []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
		Entries []struct {
			ID      []string `xml:"http://www.w3.org/2005/Atom id"`
			Title   []text   `xml:"http://www.w3.org/2005/Atom title"`
			Updated []string `xml:"http://www.w3.org/2005/Atom updated"`
			Summary text     `xml:"http://www.w3.org/2005/Atom summary"`
		} `xml:"http://www.w3.org/2005/Atom entry"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("not well-formed: %v", err)
	}
	if doc.XMLName.Space != "http://www.w3.org/2005/Atom" || doc.XMLName.Local != "feed" {
		t.Fatalf("root %v", doc.XMLName)
	}
	if len(doc.ID) != 1 || len(doc.Title) != 1 || len(doc.Updated) != 1 || len(doc.Author) != 1 || doc.Author[0].Name == "" {
		t.Errorf("feed id %v title %v updated %v author %v", doc.ID, doc.Title, doc.Updated, doc.Author)
	}
	rels := map[string]string{}
	for _, l := range doc.Links {
		rels[l.Rel] = l.Href
	}
	if rels["self"] == "" || rels["alternate"] == "" {
		t.Errorf("links %v: want self and alternate", rels)
	}
	stamps := doc.Updated
	if len(doc.Entries) != 2 {
		t.Fatalf("%d entries", len(doc.Entries))
	}
	for i, e := range doc.Entries {
		if len(e.ID) != 1 || len(e.Title) != 1 || len(e.Updated) != 1 {
			t.Errorf("entry %d: id %v title %v updated %v", i, e.ID, e.Title, e.Updated)
			continue
		}
		if e.Title[0].Type != "text" || e.Summary.Type != "text" {
			t.Errorf("entry %d: title type %q summary type %q, want text", i, e.Title[0].Type, e.Summary.Type)
		}
		stamps = append(stamps, e.Updated...)
	}
	for _, s := range stamps {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("date %q: %v", s, err)
		}
	}
}

// TestEscapes: markup in any text is escaped, never written as markup,
// and characters XML cannot hold do not break the document.
func TestEscapes(t *testing.T) {
	f := sample()
	f.Items[1].Summary = "nul \x00 and \x1b escape"
	for name, write := range map[string]func(feed.Feed) ([]byte, error){"rss": feed.RSS, "atom": feed.Atom} {
		body, err := write(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s := string(body)
		if strings.Contains(s, "<script>") || !strings.Contains(s, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;friends&#34;") {
			t.Errorf("%s: the title is not escaped:\n%s", name, s)
		}
		if err := xml.Unmarshal(body, new(struct{})); err != nil {
			t.Errorf("%s: not well-formed: %v", name, err)
		}
	}
}

func TestRefusesIncompleteFeeds(t *testing.T) {
	cases := []struct {
		name   string
		change func(*feed.Feed)
	}{
		{"no id", func(f *feed.Feed) { f.ID = "" }},
		{"no title", func(f *feed.Feed) { f.Title = "" }},
		{"no updated", func(f *feed.Feed) { f.Updated = time.Time{} }},
		{"item without id", func(f *feed.Feed) { f.Items[0].ID = "" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := sample()
			tc.change(&f)
			if _, err := feed.RSS(f); err == nil {
				t.Error("RSS: no error")
			}
			if _, err := feed.Atom(f); err == nil {
				t.Error("Atom: no error")
			}
		})
	}
}
