package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// The commands that talk to a running statusd (statusd incident and
// statusd maintenance) do so through an apiClient: JSON in, JSON out, one
// error type for every answer that is not a 2xx.

// apiClientTimeout bounds one request, connection to last byte.
const apiClientTimeout = 10 * time.Second

// maxAnswerBytes is the largest answer read from the API.
const maxAnswerBytes = 16 << 20

// apiClientOptions configure an apiClient.
type apiClientOptions struct {
	// URL is the statusd API's base, e.g. http://127.0.0.1:8080. Required.
	URL string
	// Key is the API key sent as a bearer token. Required.
	Key string
	// Timeout bounds one request; zero means apiClientTimeout.
	Timeout time.Duration
}

// apiClient sends JSON requests to a statusd API.
type apiClient struct {
	base, key string
	http      *http.Client
}

// newAPIClient returns a client of opts; its errors are the user's to fix.
func newAPIClient(opts apiClientOptions) (*apiClient, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("must be an http or https URL such as http://127.0.0.1:8080")
	}
	if opts.Key == "" {
		return nil, errors.New("an API key is required")
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = apiClientTimeout
	}
	return &apiClient{base: strings.TrimRight(opts.URL, "/"), key: opts.Key, http: &http.Client{Timeout: timeout}}, nil
}

// apiError is an answer of the API that is not a 2xx: its status, and the
// code, message and field errors of its {"error":{...}} body.
type apiError struct {
	Status  int
	Code    string
	Message string
	// Fields maps each field the API names to what is wrong with it.
	Fields map[string]string
}

// Error renders the message, the status and each field on a line of its
// own, sorted.
func (e *apiError) Error() string { return e.render(nil) }

// render is Error with, after each field, what flagOf names it ("" for
// nothing; flagOf may be nil).
func (e *apiError) render(flagOf func(field string) string) string {
	msg := e.Message
	if msg == "" {
		msg = "the API answered " + http.StatusText(e.Status)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (HTTP %d)", oneLine(msg), e.Status)
	names := make([]string, 0, len(e.Fields))
	for f := range e.Fields {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		name := oneLine(f)
		if flagOf != nil {
			if fl := flagOf(f); fl != "" {
				name += " (" + fl + ")"
			}
		}
		fmt.Fprintf(&b, "\n  %s: %s", name, oneLine(e.Fields[f]))
	}
	return b.String()
}

// unreachableError is a request that got no answer from the API, or none
// that can be read.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return e.err.Error() }
func (e *unreachableError) Unwrap() error { return e.err }

// do sends in (nil for none) as JSON with method to path, a path under the
// base URL with its query, and decodes a 2xx answer into out (nil to skip).
// It returns the answer's bytes. A non-2xx answer is an *apiError; no
// answer, or one that does not decode, is an *unreachableError.
func (c *apiClient) do(ctx context.Context, method, path string, in, out any) ([]byte, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &unreachableError{fmt.Errorf("reach the API at %s: %w", c.base, err)}
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, &unreachableError{fmt.Errorf("read the API's answer: %w", err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newAPIError(resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, &unreachableError{fmt.Errorf("decode the API's answer (is %s a statusd?): %w", c.base, err)}
		}
	}
	return raw, nil
}

// newAPIError reads statusd's error body; another body leaves the message
// empty.
func newAPIError(status int, raw []byte) *apiError {
	var body struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
		Errors map[string]string `json:"errors"`
	}
	e := &apiError{Status: status}
	if json.Unmarshal(raw, &body) == nil {
		e.Code, e.Message, e.Fields = body.Error.Code, body.Error.Message, body.Error.Fields
		if e.Fields == nil {
			e.Fields = body.Errors
		}
	}
	return e
}

// oneLine keeps what the API said on one line of the terminal.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
