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

// PrivateCacheControl is what a private page's answer may be kept for:
// by the visitor's browser only, revalidated each time, so that no shared
// cache hands it to someone else.
const PrivateCacheControl = "private, no-cache"

// Doc is a rendered page ready to serve many times: its status code, body,
// gzipped body and ETag.
type Doc struct {
	Code int
	Body []byte
	gz   []byte
	etag string
}

// NewDoc prepares body, answered with code, for serving.
func NewDoc(code int, body []byte) (*Doc, error) {
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
	sum := sha256.Sum256(body)
	return &Doc{Code: code, Body: body, gz: gz.Bytes(), etag: `"` + hex.EncodeToString(sum[:16]) + `"`}, nil
}

// ETag is the quoted entity tag of the body.
func (d *Doc) ETag() string { return d.etag }

// ServeHTTP answers with the page: 304 when If-None-Match names its ETag
// (for a 200), gzipped when the client accepts it, with Cache-Control,
// ETag and Vary set. A HEAD gets the headers only.
func (d *Doc) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.Serve(w, r, CacheControl) }

// Serve is ServeHTTP with cacheControl as the Cache-Control of a 200
// (PrivateCacheControl for a private page); other codes are never stored.
func (d *Doc) Serve(w http.ResponseWriter, r *http.Request, cacheControl string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	if d.Code != http.StatusOK {
		h.Set("Cache-Control", "no-store")
		d.write(w, r, d.Code)
		return
	}
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", d.etag)
	if matches(r.Header.Get("If-None-Match"), d.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	d.write(w, r, http.StatusOK)
}

func (d *Doc) write(w http.ResponseWriter, r *http.Request, code int) {
	body := d.Body
	if AcceptsGzip(r.Header.Get("Accept-Encoding")) {
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
