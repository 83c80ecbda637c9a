package htmlpage

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// CacheControl is what a rendered page may be kept for: short, so that a
// status change shows within seconds.
const CacheControl = "public, max-age=5"

// Doc is a rendered page ready to serve many times: its status code, body,
// gzipped body and ETag.
type Doc struct {
	Code int
	Body []byte
	gz   []byte
	etag string
	opts DocOptions
}

// DocOptions say how a document other than an HTML page (a feed, a badge,
// a script) is served.
type DocOptions struct {
	ContentType  string // "" for text/html; charset=utf-8
	CacheControl string // for a 200; "" for CacheControl
	// Plain keeps no gzipped copy: for small documents made per request.
	Plain bool
}

// NewDoc prepares body, an HTML page answered with code, for serving.
func NewDoc(code int, body []byte) (*Doc, error) { return NewDocWith(code, body, DocOptions{}) }

// NewDocWith prepares body, answered with code, for serving as o says.
func NewDocWith(code int, body []byte, o DocOptions) (*Doc, error) {
	if o.ContentType == "" {
		o.ContentType = "text/html; charset=utf-8"
	}
	if o.CacheControl == "" {
		o.CacheControl = CacheControl
	}
	sum := sha256.Sum256(body)
	d := &Doc{Code: code, Body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, opts: o}
	if o.Plain {
		return d, nil
	}
	var gz bytes.Buffer
	w, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("compress page: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return nil, fmt.Errorf("compress page: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("compress page: %w", err)
	}
	d.gz = gz.Bytes()
	return d, nil
}

// ETag is the quoted entity tag of the body.
func (d *Doc) ETag() string { return d.etag }

// ServeHTTP answers with the page: 304 when If-None-Match names its ETag
// (for a 200), gzipped when the client accepts it (unless Plain), with Cache-Control,
// ETag and Vary set. A HEAD gets the headers only.
func (d *Doc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", d.opts.ContentType)
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	if d.Code != http.StatusOK {
		h.Set("Cache-Control", "no-store")
		d.write(w, r, d.Code)
		return
	}
	h.Set("Cache-Control", d.opts.CacheControl)
	h.Set("ETag", d.etag)
	if matches(r.Header.Get("If-None-Match"), d.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	d.write(w, r, http.StatusOK)
}

func (d *Doc) write(w http.ResponseWriter, r *http.Request, code int) {
	body := d.Body
	if !d.opts.Plain && AcceptsGzip(r.Header.Get("Accept-Encoding")) {
		body = d.gz
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body) // the client went away: nothing to do
	}
}

// matches reports whether an If-None-Match header names etag (weakly, as
// RFC 9110 asks for If-None-Match), or is "*".
func matches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// AcceptsGzip reports whether an Accept-Encoding header accepts gzip (or
// any coding, "*") with a q-value above zero.
func AcceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		return q > 0
	}
	return false
}
