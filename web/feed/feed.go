// Package feed writes a status page's history as RSS 2.0 and Atom (RFC
// 4287) documents. It knows nothing of incidents or pages: the caller hands
// it a Feed of plain text and absolute links, and it writes XML with
// encoding/xml, so every text is escaped and shown as text by readers
// (never as HTML).
package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"time"
)

// Feed is what both documents show.
type Feed struct {
	// ID is the feed's permanent identifier (a tag: URI); Title and
	// Description say whose feed it is.
	ID          string
	Title       string
	Description string
	// Link is the page the feed belongs to; RSSURL and AtomURL are the two
	// feeds' own absolute URLs.
	Link    string
	RSSURL  string
	AtomURL string
	// Author names who publishes the feed (Atom asks for one).
	Author string
	// Updated is when anything in the feed last changed.
	Updated time.Time
	// Items are newest first.
	Items []Item
}

// Item is one incident or maintenance window.
type Item struct {
	// ID is the item's permanent identifier, the same whatever host the
	// feed is read from, so that readers never show an item twice.
	ID       string
	Title    string
	Link     string
	Summary  string // plain text
	Category string // "incident", "maintenance"
	// Published is when the item first appeared, Updated when it last
	// changed.
	Published time.Time
	Updated   time.Time
}

// ContentTypeRSS and ContentTypeAtom are the documents' media types.
const (
	ContentTypeRSS  = "application/rss+xml; charset=utf-8"
	ContentTypeAtom = "application/atom+xml; charset=utf-8"
)

const atomNS = "http://www.w3.org/2005/Atom"

type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Self          atomLink  `xml:"atom:link"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Generator     string    `xml:"generator"`
	Items         []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	Description string  `xml:"description"`
	Category    string  `xml:"category,omitempty"`
	GUID        rssGUID `xml:"guid"`
	PubDate     string  `xml:"pubDate"`
}

type rssGUID struct {
	PermaLink string `xml:"isPermaLink,attr"`
	Value     string `xml:",chardata"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

// RSS writes f as an RSS 2.0 document.
func RSS(f Feed) ([]byte, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	ch := rssChannel{Title: f.Title, Link: f.Link, Description: f.Description,
		Self:          atomLink{Href: f.RSSURL, Rel: "self", Type: "application/rss+xml"},
		LastBuildDate: f.Updated.UTC().Format(time.RFC1123Z), Generator: "statusd"}
	for _, it := range f.Items {
		ch.Items = append(ch.Items, rssItem{Title: it.Title, Link: it.Link, Description: it.Summary,
			Category: it.Category, GUID: rssGUID{PermaLink: "false", Value: it.ID},
			PubDate: it.Updated.UTC().Format(time.RFC1123Z)})
	}
	return marshal(rssDoc{Version: "2.0", Atom: atomNS, Channel: ch})
}

type atomFeed struct {
	XMLName xml.Name    `xml:"feed"`
	NS      string      `xml:"xmlns,attr"`
	ID      string      `xml:"id"`
	Title   atomText    `xml:"title"`
	Summary atomText    `xml:"subtitle"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Gen     string      `xml:"generator"`
	Entries []atomEntry `xml:"entry"`
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	ID        string        `xml:"id"`
	Title     atomText      `xml:"title"`
	Link      atomLink      `xml:"link"`
	Published string        `xml:"published"`
	Updated   string        `xml:"updated"`
	Category  *atomCategory `xml:"category"`
	Summary   atomText      `xml:"summary"`
}

// Atom writes f as an Atom (RFC 4287) document.
func Atom(f Feed) ([]byte, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	doc := atomFeed{NS: atomNS, ID: f.ID, Title: text(f.Title), Summary: text(f.Description),
		Updated: stamp(f.Updated), Author: atomPerson{Name: f.Author}, Gen: "statusd",
		Links: []atomLink{{Href: f.Link, Rel: "alternate", Type: "text/html"},
			{Href: f.AtomURL, Rel: "self", Type: "application/atom+xml"}}}
	for _, it := range f.Items {
		e := atomEntry{ID: it.ID, Title: text(it.Title), Link: atomLink{Href: it.Link, Rel: "alternate", Type: "text/html"},
			Published: stamp(it.Published), Updated: stamp(it.Updated), Summary: text(it.Summary)}
		if it.Category != "" {
			e.Category = &atomCategory{Term: it.Category}
		}
		doc.Entries = append(doc.Entries, e)
	}
	return marshal(doc)
}

func text(s string) atomText { return atomText{Type: "text", Value: s} }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// check refuses a feed without what both specifications require.
func (f Feed) check() error {
	switch {
	case f.ID == "" || f.Title == "" || f.Link == "":
		return errors.New("write feed: ID, Title and Link are required")
	case f.Updated.IsZero():
		return errors.New("write feed: Updated is required")
	}
	for _, it := range f.Items {
		if it.ID == "" || it.Updated.IsZero() {
			return fmt.Errorf("write feed: item %q has no ID or no time", it.Title)
		}
	}
	return nil
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("write feed: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write feed: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
