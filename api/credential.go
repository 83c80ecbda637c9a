package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// keyParam is the query parameter and body field that may carry an API key.
const keyParam = "api_key"

// maxAuthBody is the largest body read to look for an api_key field.
const maxAuthBody = 1 << 20

// credential finds the API key of r, in this order: the Authorization
// header (Bearer KEY, or Basic with the key as user and any password), the
// api_key query parameter, the api_key field of a JSON object or form body.
// It removes every api_key query parameter, and the body field when it
// read the body, so that handlers and logs never see the key; the body is
// left for the handler to read. status is 0, or 413 when the body had to
// be read and is over maxAuthBody.
func credential(r *http.Request) (key string, status int) {
	key, found := fromHeader(r.Header.Get("Authorization"))
	if q, ok := stripKey(r.URL.RawQuery); ok {
		if !found {
			key, found = q, true
		}
		r.URL.RawQuery = rawWithout(r.URL.RawQuery)
		r.URL.ForceQuery = false
		r.RequestURI = r.URL.RequestURI()
	}
	if found || r.Body == nil || r.Body == http.NoBody {
		return key, 0
	}
	return fromBody(r)
}

// fromHeader reads the key of an Authorization header; found is false when
// there is no header. A header of another scheme yields "".
func fromHeader(h string) (key string, found bool) {
	if h == "" {
		return "", false
	}
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	rest = strings.TrimSpace(rest)
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		return rest, true
	case strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return "", true
		}
		user, _, _ := strings.Cut(string(raw), ":")
		return user, true
	}
	return "", true
}

// stripKey returns the first api_key value of a raw query.
func stripKey(raw string) (key string, ok bool) {
	if !strings.Contains(raw, keyParam) && !strings.Contains(raw, "%") {
		return "", false
	}
	for pair := range strings.SplitSeq(raw, "&") {
		name, value, _ := strings.Cut(pair, "=")
		if isKeyParam(name) {
			v, err := url.QueryUnescape(value)
			if err != nil {
				v = ""
			}
			return v, true
		}
	}
	return "", false
}

// rawWithout returns a raw query or form body without its api_key pairs,
// the others as they were.
func rawWithout(raw string) string {
	var kept []string
	for pair := range strings.SplitSeq(raw, "&") {
		name, _, _ := strings.Cut(pair, "=")
		if !isKeyParam(name) {
			kept = append(kept, pair)
		}
	}
	return strings.Join(kept, "&")
}

func isKeyParam(rawName string) bool {
	name, err := url.QueryUnescape(rawName)
	return err == nil && name == keyParam
}

// fromBody reads the key from a JSON or form body, and puts the body back
// without it.
func fromBody(r *http.Request) (key string, status int) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mediaType != "application/json" && mediaType != "application/x-www-form-urlencoded") {
		return "", 0
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAuthBody+1))
	if err != nil {
		return "", 0 // the handler will fail to read it too
	}
	if len(body) > maxAuthBody {
		return "", http.StatusRequestEntityTooLarge
	}
	if mediaType == "application/json" {
		key, body = jsonKey(body)
	} else if k, ok := stripKey(string(body)); ok {
		key, body = k, []byte(rawWithout(string(body)))
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return key, 0
}

// jsonKey returns the string api_key member of a JSON object and the body
// without it; any other body is returned as it is.
func jsonKey(body []byte) (string, []byte) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return "", body
	}
	raw, ok := obj[keyParam]
	if !ok {
		return "", body
	}
	var key string
	if err := json.Unmarshal(raw, &key); err != nil {
		key = ""
	}
	delete(obj, keyParam)
	out, err := json.Marshal(obj)
	if err != nil {
		return key, body
	}
	return key, out
}

// redactQuery returns a raw query fit for a log: each api_key value is
// replaced.
func redactQuery(raw string) string {
	if _, ok := stripKey(raw); !ok {
		return raw
	}
	pairs := strings.Split(raw, "&")
	for i, pair := range pairs {
		if name, _, _ := strings.Cut(pair, "="); isKeyParam(name) {
			pairs[i] = name + "=REDACTED"
		}
	}
	return strings.Join(pairs, "&")
}
