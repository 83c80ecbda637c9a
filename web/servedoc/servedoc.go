// Package servedoc serves a document built once and sent many times: the
// public status page's HTML and its Statuspage v2 JSON are rendered once
// per read-model snapshot and answered from memory. A Doc holds the body,
// its gzip form (compressed once), a strong ETag from the body's hash,
// and the headers, so that answering costs a few header writes and one
// Write: If-None-Match → 304, gzip when accepted, Vary: Accept-Encoding,
// a short Cache-Control, HEAD without a body.
package servedoc

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

// Cache-Control values: Public for a public page's documents, short so
// that a status change reaches clients within seconds; Private for a
// private page's, which no shared cache may keep; NoStore for error
// answers.
const (
	Public  = "public, max-age=5"
	Private = "private, no-cache"
	NoStore = "no-store"
)

// Options describe a Doc.
type Options struct {
	// Code is the status answered; a code other than 200 gets no ETag and
	// Cache-Control NoStore. Zero means 200.
	Code int
	// Body is the document; it is kept, not copied.
	Body []byte
	// ContentType is its media type. Required.
	ContentType string
	// CacheControl is sent with a 200; "" means Public.
	CacheControl string
	// Plain keeps no gzip copy: for small documents made per request.
	Plain bool
	// Vary is the Vary header; "" means Accept-Encoding. A document chosen
	// by content negotiation names Accept as well.
	Vary string
}

// Doc is a document ready to serve many times: its status code, body,
// gzipped body and ETag. It is immutable and safe for concurrent use.
type Doc struct {
	// Code is the status answered and Body the document.
	Code int
	Body []byte
	gz   []byte
	etag string
	// Header values, built once: http.Header maps to []string, and the
	// same slices are handed to every answer (net/http only reads them).
	contentType, cacheControl, etagValue, plainLength, gzipLength []string
	vary, privateVary, nosniff, gzip                              []string
}

// New compresses and hashes o.Body for serving.
func New(o Options) (*Doc, error) {
	if o.ContentType == "" {
		return nil, fmt.Errorf("new served document: ContentType is required")
	}
	if o.Code == 0 {
		o.Code = http.StatusOK
	}
	if o.CacheControl == "" {
		o.CacheControl = Public
	}
	if o.Code != http.StatusOK {
		o.CacheControl = NoStore
	}
	var gz []byte
	if !o.Plain {
		var err error
		if gz, err = compress(o.Body); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256(o.Body)
	d := &Doc{Code: o.Code, Body: o.Body, gz: gz, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
	d.contentType, d.cacheControl, d.etagValue = []string{o.ContentType}, []string{o.CacheControl}, []string{d.etag}
	d.plainLength, d.gzipLength = []string{strconv.Itoa(len(d.Body))}, []string{strconv.Itoa(len(d.gz))}
	vary := o.Vary
	if vary == "" {
		vary = "Accept-Encoding"
	}
	d.vary, d.privateVary = []string{vary}, []string{vary + ", Cookie"}
	d.nosniff, d.gzip = []string{"nosniff"}, []string{"gzip"}
	return d, nil
}

// compress is body gzipped at the best compression: done once per
// document, read many times.
func compress(body []byte) ([]byte, error) {
	var gz bytes.Buffer
	w, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("compress document: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return nil, fmt.Errorf("compress document: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("compress document: %w", err)
	}
	return gz.Bytes(), nil
}

// ETag is the quoted strong entity tag of the body.
func (d *Doc) ETag() string { return d.etag }

// Gzipped is the body compressed with gzip; nil for a Plain document.
func (d *Doc) Gzipped() []byte { return d.gz }

// ServeHTTP answers with the document: 304 when If-None-Match names its
// ETag (for a 200), gzipped when the client accepts it, with
// Cache-Control, ETag and Vary set. A HEAD gets the headers only.
func (d *Doc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.serve(w, r, d.cacheControl, d.vary)
}

// ServePrivate is ServeHTTP for a private page's document: a 200 is sent
// with Cache-Control Private and Vary: Accept-Encoding, Cookie, so that
// only the visitor's browser keeps it, whatever the document says (and
// Options.Vary before Cookie when set).
func (d *Doc) ServePrivate(w http.ResponseWriter, r *http.Request) {
	cc := privateCC
	if d.Code != http.StatusOK {
		cc = d.cacheControl
	}
	d.serve(w, r, cc, d.privateVary)
}

// privateCC is ServePrivate's Cache-Control, shared by every answer
// (net/http only reads it).
var privateCC = []string{Private}

func (d *Doc) serve(w http.ResponseWriter, r *http.Request, cacheControl, vary []string) {
	h := w.Header()
	h["Content-Type"] = d.contentType
	h["Vary"] = vary
	h["X-Content-Type-Options"] = d.nosniff
	h["Cache-Control"] = cacheControl
	if d.Code == http.StatusOK {
		h["Etag"] = d.etagValue
		if inm := r.Header["If-None-Match"]; len(inm) > 0 && Matches(strings.Join(inm, ","), d.etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	body := d.Body
	if ae := r.Header["Accept-Encoding"]; d.gz != nil && len(ae) > 0 && AcceptsGzip(strings.Join(ae, ",")) {
		body = d.gz
		h["Content-Encoding"] = d.gzip
		h["Content-Length"] = d.gzipLength
	} else {
		h["Content-Length"] = d.plainLength
	}
	w.WriteHeader(d.Code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body) // the client went away: nothing to do
	}
}

// Matches reports whether an If-None-Match header names etag (weakly, as
// RFC 9110 asks for If-None-Match), or is "*".
func Matches(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
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
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
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
