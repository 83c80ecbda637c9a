// Package staticexport writes the public status pages as static files, so
// that a CDN, an object store or any web server can serve them while
// statusd itself is down. It asks the API's own http.Handler for every
// public path of every public, enabled page, with the page's Host, as a
// visitor would, and writes the answers unchanged under DIR/<page-id>/ in
// directory style (index.html, history/index.html,
// incidents/<id>/index.html, maintenances/<id>/index.html, each beside
// its index.md), so that the pages' own links (/history, /incidents/7,
// /maintenances/3) work on any static host.
// Private and disabled pages are never exported, and their directories
// go when a page becomes one. Each file is replaced atomically (written
// to a temporary file, then renamed), files that are no longer served
// (a deleted incident's) are removed, and an unchanged file is left as it
// is, so that a sync to a bucket copies only what changed. Runner
// exports again whenever what the pages show changes.
package staticexport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/statusd/statusd/catalog"
)

// PageLister lists the pages, public or not (the store).
type PageLister interface {
	Pages(ctx context.Context) ([]catalog.Page, error)
}

// Options configure an Exporter.
type Options struct {
	// Handler is the API's handler, asked for every document. Required.
	Handler http.Handler
	// Pages lists the pages to export from. Required.
	Pages PageLister
	// Domain is the installation's domain, under which a page's subdomain
	// is a host (acme → acme.DOMAIN); "" takes a page's host from its
	// custom domain or URL only.
	Domain string
	// Logger receives what each export did; nil discards it.
	Logger *slog.Logger
}

// Exporter exports the public pages. It is safe for concurrent use; one
// export runs at a time.
type Exporter struct {
	o  Options
	mu sync.Mutex
}

// New returns an Exporter over o.
func New(o Options) (*Exporter, error) {
	if o.Handler == nil || o.Pages == nil {
		return nil, errors.New("new static export: Handler and Pages are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Domain = strings.ToLower(strings.Trim(o.Domain, "."))
	return &Exporter{o: o}, nil
}

// Result is what one export wrote: per page, the files it holds and how
// many were written or removed (unchanged files are left alone).
type Result struct {
	Pages []PageResult
}

// PageResult is one exported page.
type PageResult struct {
	ID, Host                string
	Files, Written, Removed int
}

// NotExportedError is a page asked for by ID that is not exported: unknown,
// private or disabled.
type NotExportedError struct {
	ID, Reason string
}

func (e *NotExportedError) Error() string {
	return fmt.Sprintf("page %q %s: only public, enabled pages are exported", e.ID, e.Reason)
}

// Exportable reports whether p may be exported: public and enabled. It is
// the one filter every export goes through.
func Exportable(p catalog.Page) bool { return !p.Private && !p.Disabled }

// Export writes every public, enabled page under dir (created if need be),
// or only the page only names when it is not "" (a *NotExportedError when
// that page is not exported). A page that fails is left as its last export
// wrote it, and the others are still exported; the error names each. A
// full export (only == "") also removes the directories of pages that
// were exported before and are now private, disabled or gone; an export
// of one page that is no longer exported removes that page's.
func (e *Exporter) Export(ctx context.Context, dir, only string) (Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	pages, err := e.o.Pages.Pages(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("list pages: %w", err)
	}
	out := newOutput(dir)
	if err := out.prepare(); err != nil {
		return Result{}, err
	}
	var res Result
	var errs []error
	keep := map[string]bool{}
	found := false
	for _, p := range pages {
		if only != "" && p.ID != only {
			continue
		}
		found = true
		if !Exportable(p) {
			if only != "" {
				// Its old copy, if this export made one, goes.
				return Result{}, errors.Join(&NotExportedError{ID: p.ID, Reason: reason(p)}, out.updateManifest(keep, p.ID))
			}
			continue
		}
		keep[p.ID] = true // kept even when it fails: its last export stays
		pr, err := e.exportPage(ctx, out, p)
		if err != nil {
			errs = append(errs, fmt.Errorf("export page %q: %w", p.ID, err))
			continue
		}
		res.Pages = append(res.Pages, pr)
		e.o.Logger.Debug("exported page", "page", p.ID, "host", pr.Host, "files", pr.Files, "written", pr.Written, "removed", pr.Removed)
	}
	if only != "" && !found {
		return Result{}, errors.Join(&NotExportedError{ID: only, Reason: "does not exist"}, out.updateManifest(keep, only))
	}
	if only != "" {
		return res, errors.Join(append(errs, out.updateManifest(keep, ""))...)
	}
	return res, errors.Join(append(errs, out.updateManifest(keep, "*"))...)
}

func reason(p catalog.Page) string {
	if p.Disabled {
		return "is disabled"
	}
	return "is private"
}

// pageDocs are the documents of a page besides its incidents, by the
// path asked and the file written; md asks for the Markdown form.
var pageDocs = []struct {
	path, file string
	md         bool
}{
	{"/api/v2/summary.json", "api/v2/summary.json", false},
	{"/api/v2/status.json", "api/v2/status.json", false},
	{"/api/v2/components.json", "api/v2/components.json", false},
	{"/api/v2/incidents.json", "api/v2/incidents.json", false},
	{"/api/v2/incidents/unresolved.json", "api/v2/incidents/unresolved.json", false},
	{"/api/v2/scheduled-maintenances.json", "api/v2/scheduled-maintenances.json", false},
	{"/api/v2/scheduled-maintenances/upcoming.json", "api/v2/scheduled-maintenances/upcoming.json", false},
	{"/api/v2/scheduled-maintenances/active.json", "api/v2/scheduled-maintenances/active.json", false},
	{"/history.rss", "history.rss", false},
	{"/history.atom", "history.atom", false},
	{"/badge.svg", "badge.svg", false},
	{"/widget.js", "widget.js", false},
	{"/widget.json", "widget.json", false},
	{"/history", "history/index.md", true},
	{"/", "index.md", true},
}

// entryLink finds the incidents and maintenance windows a page links to.
var entryLink = regexp.MustCompile(`href="/(incidents|maintenances)/([1-9][0-9]{0,18})"`)

// exportPage fetches every document of p and writes them: leaves first
// (incidents, JSON, feeds), the history and the home page last, so that a
// reader of a new page finds what it links to.
func (e *Exporter) exportPage(ctx context.Context, out *output, p catalog.Page) (PageResult, error) {
	if !Exportable(p) { // never reached through Export; kept so that no caller can
		return PageResult{}, &NotExportedError{ID: p.ID, Reason: reason(p)}
	}
	host := e.host(p)
	f := fetcher{h: e.o.Handler, host: host}
	if err := f.checkPage(ctx, p.ID); err != nil {
		return PageResult{}, err
	}
	files := map[string][]byte{}
	history, err := f.get(ctx, "/history", false)
	if err != nil {
		return PageResult{}, err
	}
	home, err := f.get(ctx, "/", false)
	if err != nil {
		return PageResult{}, err
	}
	// The history links past incidents and windows; the home page the
	// open incidents and the upcoming and active windows.
	for _, doc := range [][]byte{history, home} {
		for _, m := range entryLink.FindAllSubmatch(doc, -1) {
			dir := string(m[1]) + "/" + string(m[2])
			if _, done := files[dir+"/index.html"]; done {
				continue
			}
			for _, md := range []bool{false, true} {
				if files[dir+"/index."+ext(md)], err = f.get(ctx, "/"+dir, md); err != nil {
					return PageResult{}, err
				}
			}
		}
	}
	comps, err := f.componentIDs(ctx)
	if err != nil {
		return PageResult{}, err
	}
	for _, id := range comps {
		if files["components/"+id+"/badge.svg"], err = f.get(ctx, "/components/"+url.PathEscape(id)+"/badge.svg", false); err != nil {
			return PageResult{}, err
		}
	}
	for _, d := range pageDocs {
		if files[d.file], err = f.get(ctx, d.path, d.md); err != nil {
			return PageResult{}, err
		}
	}
	files["history/index.html"], files["index.html"] = history, home
	order := []string{"index.html", "history/index.html", "history/index.md", "index.md"}
	written, removed, err := out.writePage(p.ID, files, order)
	return PageResult{ID: p.ID, Host: host, Files: len(files), Written: written, Removed: removed}, err
}

func ext(md bool) string {
	if md {
		return "md"
	}
	return "html"
}

// host is the Host header that names p: its custom domain, else the host
// of its URL, else its subdomain under Options.Domain, else "" (the API's
// first page). fetcher.checkPage makes sure it names p.
func (e *Exporter) host(p catalog.Page) string {
	if p.CustomDomain != "" {
		return p.CustomDomain
	}
	if u, err := url.Parse(p.URL); err == nil && u.Hostname() != "" {
		if label, _, _ := strings.Cut(u.Hostname(), "."); p.Subdomain == "" || strings.EqualFold(label, p.Subdomain) {
			return u.Host
		}
	}
	if p.Subdomain != "" && e.o.Domain != "" {
		return p.Subdomain + "." + e.o.Domain
	}
	return ""
}

// componentIDs are the page's components, from its components.json, whose
// badges are exported; an ID that is no clean path segment is skipped.
func (f fetcher) componentIDs(ctx context.Context) ([]string, error) {
	body, err := f.get(ctx, "/api/v2/components.json", false)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Components []struct {
			ID string `json:"id"`
		} `json:"components"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("read components.json: %w", err)
	}
	var ids []string
	for _, c := range doc.Components {
		if c.ID != "" && path.Base(c.ID) == c.ID && c.ID != "." && c.ID != ".." && !strings.ContainsAny(c.ID, `\`) {
			ids = append(ids, c.ID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}
