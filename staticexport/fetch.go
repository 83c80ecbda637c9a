package staticexport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// exportAddr is the peer address of the export's requests: in 100::/64,
// the IPv6 discard-only prefix (RFC 6666), which no private page's
// allowlist has reason to name; a private page is still refused by
// Exportable first and by the answer's Cache-Control second.
const exportAddr = "[100::e]:1"

// maxDoc bounds one document read from the handler.
const maxDoc = 64 << 20

// fetcher asks the handler for one page's documents, as a visitor to its
// host would.
type fetcher struct {
	h    http.Handler
	host string
}

// get answers GET path (in Markdown when md); anything but a 200 with a
// body cacheable by anyone is an error, so that neither an error page nor
// a private answer is ever written out.
func (f fetcher) get(ctx context.Context, path string, md bool) ([]byte, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://export.invalid"+path, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	r.Host, r.RemoteAddr, r.RequestURI = f.host, exportAddr, path
	if md {
		r.Header.Set("Accept", "text/markdown")
	}
	w := &recorder{header: http.Header{}}
	f.h.ServeHTTP(w, r)
	switch {
	case w.code != http.StatusOK:
		return nil, fmt.Errorf("GET %s on host %q: HTTP %d: %.200s", path, f.host, w.code, w.body.Bytes())
	case w.overflow:
		return nil, fmt.Errorf("GET %s on host %q: larger than %d bytes", path, f.host, maxDoc)
	case w.header.Get("Content-Encoding") != "":
		return nil, fmt.Errorf("GET %s on host %q: answered with Content-Encoding %q", path, f.host, w.header.Get("Content-Encoding"))
	}
	cc := strings.ToLower(w.header.Get("Cache-Control"))
	if strings.Contains(cc, "private") || strings.Contains(cc, "no-store") {
		return nil, fmt.Errorf("GET %s on host %q: answered Cache-Control %q: not for a public copy", path, f.host, cc)
	}
	return w.body.Bytes(), nil
}

// checkPage makes sure the host names page id: its summary.json is that
// page's, so that one page is never written under another's name.
func (f fetcher) checkPage(ctx context.Context, id string) error {
	body, err := f.get(ctx, "/api/v2/summary.json", false)
	if err != nil {
		return err
	}
	var doc struct {
		Page struct {
			ID string `json:"id"`
		} `json:"page"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return fmt.Errorf("read summary.json: %w", err)
	}
	if doc.Page.ID != id {
		return fmt.Errorf("host %q serves page %q, not this one: give the page a custom_domain, a url with its host, "+
			"or a subdomain and the export's domain", f.host, doc.Page.ID)
	}
	return nil
}

// recorder is the response of one request to the handler, in memory.
type recorder struct {
	header   http.Header
	code     int
	body     bytes.Buffer
	overflow bool
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *recorder) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if w.body.Len()+len(b) > maxDoc {
		w.overflow = true
		return len(b), nil
	}
	return w.body.Write(b)
}
