package api

import (
	"net/netip"
	"strings"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/catalog"
)

// pageIndex finds the pages of one catalog by ID and by the Host a
// request names, and holds the memo keys of their public documents. It is
// built once per catalog (API.pages), not per request, so that a public
// request pays a few map lookups and builds no string.
type pageIndex struct {
	pages  []catalog.Page
	byID   map[string]int // page ID → index in pages
	domain map[string]int // custom domain, lower case → index
	sub    map[string]int // subdomain, lower case → index
	keys   []pageKeys     // by index
}

// pageKeys are the memo keys of one page's documents.
type pageKeys struct {
	v2      []string // by position in v2Docs
	home    string
	history string
}

// pages is the index of snap's pages: the last one built while the
// catalog has not moved (a snapshot shares its catalog's slices with the
// one before when nothing in it changed), else a new one.
func (a *API) pages(snap *readmodel.Snapshot) *pageIndex {
	pages := snap.Pages()
	if idx := a.pindex.Load(); idx != nil && samePages(idx.pages, pages) {
		return idx
	}
	idx := newPageIndex(pages)
	a.pindex.Store(idx)
	return idx
}

// samePages reports whether a and b are the same slice.
func samePages(a, b []catalog.Page) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func newPageIndex(pages []catalog.Page) *pageIndex {
	idx := &pageIndex{pages: pages, byID: make(map[string]int, len(pages)), domain: map[string]int{}, sub: map[string]int{},
		keys: make([]pageKeys, len(pages))}
	for i, p := range pages {
		if _, dup := idx.byID[p.ID]; !dup {
			idx.byID[p.ID] = i
		}
		// The first page claiming a domain or subdomain keeps it, as the
		// scan in page order did.
		if d := strings.ToLower(p.CustomDomain); d != "" {
			if _, taken := idx.domain[d]; !taken {
				idx.domain[d] = i
			}
		}
		if s := strings.ToLower(p.Subdomain); s != "" {
			if _, taken := idx.sub[s]; !taken {
				idx.sub[s] = i
			}
		}
		k := pageKeys{home: htmlKey("home", p.ID), history: htmlKey("history", p.ID)}
		for _, doc := range v2Docs {
			k.v2 = append(k.v2, v2Key(doc, p.ID))
		}
		idx.keys[i] = k
	}
	return idx
}

// htmlKey is the memo key of an HTML page of kind (home, history) of page id.
func htmlKey(kind, id string) string { return "html\x00" + kind + "\x00" + id }

// v2Key is the memo key of v2 document doc of page id.
func v2Key(doc, id string) string { return "v2\x00" + doc + "\x00" + id }

// byHost picks the page whose custom domain, or else subdomain (the
// host's first label), is the request's host, or else the first page;
// the index of the page in pages, false when there is none.
func (idx *pageIndex) byHost(hostport string) (int, bool) {
	if host := hostName(hostport); host != "" {
		if i, ok := idx.domain[host]; ok {
			return i, true
		}
		if label, rest, ok := strings.Cut(host, "."); ok && rest != "" {
			if i, ok := idx.sub[label]; ok {
				return i, true
			}
		}
	}
	return 0, len(idx.pages) > 0
}

// forHost is the page byHost picks.
func (idx *pageIndex) forHost(hostport string) (catalog.Page, bool) {
	i, ok := idx.byHost(hostport)
	if !ok {
		return catalog.Page{}, false
	}
	return idx.pages[i], true
}

// hostName is the lower-case host of a Host header without port or the
// root's trailing dot; "" for an IP address or nothing. It allocates
// only for a host with upper-case letters.
func hostName(hostport string) string {
	host := hostport
	if strings.HasPrefix(host, "[") { // [v6] or [v6]:port
		if end := strings.IndexByte(host, ']'); end > 0 {
			host = host[1:end]
		}
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 && strings.IndexByte(host, ':') == i { // name:port or v4:port
		host = host[:i]
	}
	host = strings.TrimSuffix(host, ".")
	if mayBeIP(host) {
		if _, err := netip.ParseAddr(host); err == nil {
			return ""
		}
	}
	return strings.ToLower(host)
}

// mayBeIP reports whether s could be an IP address: an IPv6 one has a
// colon, an IPv4 one only digits and dots. It spares host names the
// parse (whose error allocates).
func mayBeIP(s string) bool {
	if strings.IndexByte(s, ':') >= 0 {
		return true
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return s != ""
}
