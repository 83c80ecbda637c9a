package htmlpage

import "github.com/statusd/statusd/web/servedoc"

// CacheControl is what a rendered page may be kept for: short, so that a
// status change shows within seconds.
const CacheControl = servedoc.Public

// Doc is a rendered page ready to serve many times (package web/servedoc).
type Doc = servedoc.Doc

// NewDoc prepares an HTML body, answered with code, for serving.
func NewDoc(code int, body []byte) (*Doc, error) {
	return servedoc.New(servedoc.Options{Code: code, Body: body, ContentType: "text/html; charset=utf-8"})
}

// AcceptsGzip reports whether an Accept-Encoding header accepts gzip
// (servedoc.AcceptsGzip).
func AcceptsGzip(header string) bool { return servedoc.AcceptsGzip(header) }
