package api_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/statusd/statusd/api"
)

// example is one request to a test server and what it must be answered.
type example struct {
	name   string
	srv    string // "ops", "pub" (the fake store's pages acme and beta), "down", "limited", "priv" (acme private) or "empty" (no page)
	method string
	path   string
	key    string // a key of openAPIEnv.keys; "" for none
	via    string // how the key is sent: "" Bearer, "basic" or "query"
	body   string
	form   bool // the body is a url-encoded form, not JSON
	want   int
	// badRequest: the API rejects the request and so must the document
	// (its schema or its security); otherwise the document must accept it.
	badRequest bool
}

// TestOpenAPIExamples sends a table of requests covering every operation
// to the real API and checks each request and each answer against
// openapi.json: the request must be valid exactly when the API takes it,
// the status must be documented and the body must match its schema.
func TestOpenAPIExamples(t *testing.T) {
	doc := loadOpenAPI(t)
	// The HTML page's bodies are strings; kin-openapi decodes no text/html of its own.
	for _, ct := range []string{"text/html", "application/rss+xml", "application/atom+xml", "image/svg+xml", "text/javascript"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
	doc.Servers = openapi3.Servers{{URL: "http://statusd.test"}} // the host of the requests validated
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	e := newOpenAPIEnv(t)
	pub := httptest.NewServer(newServerWith(t, api.Options{Store: withHistory(), Maintenances: maintenanceFixture(),
		Fleet: fleetFixture(t), Keys: e.authn, Ready: func() bool { return false }}).handler)
	t.Cleanup(pub.Close)
	down := httptest.NewServer(newServerWith(t, api.Options{Store: &fakeStore{fail: errors.New("disk on fire")}, Keys: e.authn,
		Maintenances: brokenMaintenances{}}).handler)
	t.Cleanup(down.Close)
	limited := httptest.NewServer(newServerWith(t, api.Options{Store: e.store, Entities: e.store, Statuses: e.store, Maintenances: e.store, Keys: e.authn,
		RateLimit: 1, RateBurst: 1}).handler)
	t.Cleanup(limited.Close)
	priv := httptest.NewServer(newServerWith(t, api.Options{Store: privateFixture(t), Keys: e.authn}).handler)
	t.Cleanup(priv.Close)
	empty := httptest.NewServer(newServerWith(t, api.Options{Store: &fakeStore{}, Keys: e.authn}).handler)
	t.Cleanup(empty.Close)
	urls := map[string]string{"ops": e.url, "pub": pub.URL, "down": down.URL, "limited": limited.URL, "priv": priv.URL, "empty": empty.URL}
	// A redirect (the sign-in's 303) is the answer to check, not followed.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	covered := map[string]bool{}
	for _, ex := range openAPIExamples(e) {
		t.Run(ex.name, func(t *testing.T) {
			vreq := ex.request(t, "http://statusd.test", e.keys[ex.key])
			route, params, err := router.FindRoute(vreq)
			if err != nil {
				t.Fatalf("%s %s is not in openapi.json: %v", ex.method, ex.path, err)
			}
			covered[route.Operation.OperationID] = true
			in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: sentKey}}
			switch err := openapi3filter.ValidateRequest(context.Background(), in); {
			case ex.badRequest && err == nil:
				t.Errorf("openapi.json accepts the request, which the API rejects")
			case !ex.badRequest && err != nil:
				t.Errorf("openapi.json rejects the request: %s", cut([]byte(err.Error())))
			}

			resp, err := client.Do(ex.request(t, urls[ex.srv], e.keys[ex.key]))
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if err := resp.Body.Close(); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != ex.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, ex.want, body)
			}
			documented := route.Operation.Responses.Status(resp.StatusCode)
			if documented == nil {
				t.Fatalf("status %d is not documented for %s: %s", resp.StatusCode, route.Operation.OperationID, body)
			}
			if len(documented.Value.Content) == 0 && len(body) > 0 {
				t.Errorf("status %d is documented without a body, but the API sent %s", resp.StatusCode, body)
			}
			if len(documented.Value.Content) > 0 && len(body) == 0 && ex.method != http.MethodHead {
				t.Errorf("status %d is documented with a body, but the API sent none", resp.StatusCode)
			}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode,
				Header: resp.Header, Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
			out.SetBodyBytes(body)
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Errorf("the answer does not match openapi.json: %s\nbody: %s", cut([]byte(err.Error())), cut(body))
			}
		})
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if !covered[op.OperationID] {
				t.Errorf("no example covers %s (%s %s)", op.OperationID, method, path)
			}
		}
	}
	t.Logf("%d examples over %d operations", len(openAPIExamples(e)), len(covered))
}

func cut(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// request builds the example's request to base with secret sent as ex.via.
func (ex example) request(t *testing.T, base, secret string) *http.Request {
	t.Helper()
	target := base + ex.path
	if ex.via == "query" && secret != "" {
		sep := "?"
		if strings.Contains(ex.path, "?") {
			sep = "&"
		}
		target += sep + "api_key=" + secret
	}
	var body io.Reader
	if ex.body != "" {
		body = strings.NewReader(ex.body)
	}
	req, err := http.NewRequestWithContext(t.Context(), ex.method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case ex.form:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case ex.body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case secret == "" || ex.via == "query":
	case ex.via == "basic":
		req.SetBasicAuth(secret, "")
	default:
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	return req
}

// sentKey is the document's security check: the request carries a key
// the way the scheme says. Whether the key is good is the API's to say.
func sentKey(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	h := r.Header.Get("Authorization")
	var ok bool
	switch in.SecuritySchemeName {
	case "bearer":
		ok = strings.HasPrefix(h, "Bearer ")
	case "basic":
		ok = strings.HasPrefix(h, "Basic ")
	case "api_key":
		ok = r.URL.Query().Get("api_key") != ""
	}
	if !ok {
		return errors.New("no key sent as " + in.SecuritySchemeName)
	}
	return nil
}
