package htmlpage

import "github.com/statusd/statusd/web/servedoc"

// CacheControl is what a rendered page may be kept for: short, so that a
// status change shows within seconds.
const CacheControl = servedoc.Public

// PrivateCacheControl is what a private page's answer may be kept for:
// by the visitor's browser only, revalidated each time, so that no shared
// cache hands it to someone else.
const PrivateCacheControl = servedoc.Private

// Doc is a rendered page ready to serve many times (package web/servedoc).
type Doc = servedoc.Doc

// DocOptions say how a document other than an HTML page (a feed, a badge,
// a script) is served.
type DocOptions struct {
	ContentType  string // "" for text/html; charset=utf-8
	CacheControl string // for a 200; "" for CacheControl
	// Plain keeps no gzipped copy: for small documents made per request.
	Plain bool
	// Vary is the Vary header; "" means Accept-Encoding (servedoc.Options).
	Vary string
}

// NewDoc prepares an HTML body, answered with code, for serving.
func NewDoc(code int, body []byte) (*Doc, error) { return NewDocWith(code, body, DocOptions{}) }

// NewDocWith prepares body, answered with code, for serving as o says.
func NewDocWith(code int, body []byte, o DocOptions) (*Doc, error) {
	if o.ContentType == "" {
		o.ContentType = "text/html; charset=utf-8"
	}
	return servedoc.New(servedoc.Options{Code: code, Body: body, ContentType: o.ContentType,
		CacheControl: o.CacheControl, Plain: o.Plain, Vary: o.Vary})
}

// AcceptsGzip reports whether an Accept-Encoding header accepts gzip
// (servedoc.AcceptsGzip).
func AcceptsGzip(header string) bool { return servedoc.AcceptsGzip(header) }
