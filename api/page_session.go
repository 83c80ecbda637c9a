package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/statusd/statusd/catalog"
)

// Session cookie settings.
const (
	// DefaultSessionMaxAge is how long a private page's session lasts when
	// Options.SessionMaxAge is zero.
	DefaultSessionMaxAge = 7 * 24 * time.Hour
	// MinSessionKeyLen is the shortest Options.SessionKey accepted.
	MinSessionKeyLen = 32

	sessionCookiePrefix = "statusd_page_"
	sessionVersion      = "v1"
	sessionMACDomain    = "statusd private page session v1"
	// maxSessionCookieLen bounds what is parsed: a real value is ~60 bytes.
	maxSessionCookieLen = 128
)

// sessions signs and verifies the session cookies of private pages. A
// cookie's value is "v1.EXPIRY.MAC": EXPIRY in Unix seconds and MAC the
// base64url HMAC-SHA256, under the key, of the page's ID, EXPIRY and a
// digest of the page's password hash. So a cookie opens one page only,
// until EXPIRY, and only while the password stays the same: changing it
// (or removing it) revokes every session of the page.
type sessions struct {
	key    []byte
	maxAge time.Duration
}

// newSessions checks key and maxAge; a nil key is replaced by a random one,
// so sessions then end with the process and are not shared between
// processes.
func newSessions(key []byte, maxAge time.Duration) (*sessions, error) {
	if maxAge < 0 {
		return nil, fmt.Errorf("session max age %s is negative", maxAge)
	}
	if maxAge == 0 {
		maxAge = DefaultSessionMaxAge
	}
	if maxAge < time.Second {
		return nil, fmt.Errorf("session max age %s is shorter than a second", maxAge)
	}
	if key == nil {
		key = make([]byte, MinSessionKeyLen)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("generate session key: %w", err)
		}
	} else if len(key) < MinSessionKeyLen {
		return nil, fmt.Errorf("session key is %d bytes; want at least %d", len(key), MinSessionKeyLen)
	}
	return &sessions{key: append([]byte(nil), key...), maxAge: maxAge}, nil
}

// cookieName is the name of page p's session cookie: one per page, so
// that a visitor can be signed in to several pages of one host.
func cookieName(pageID string) string { return sessionCookiePrefix + pageID }

// mac is the signature of a session of page p that ends at expiry.
func (s *sessions) mac(p catalog.Page, expiry string) []byte {
	pw := sha256.Sum256([]byte(p.PasswordHash))
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(sessionMACDomain))
	m.Write([]byte{0})
	m.Write([]byte(p.ID))
	m.Write([]byte{0})
	m.Write([]byte(expiry))
	m.Write([]byte{0})
	m.Write(pw[:])
	return m.Sum(nil)
}

// issue returns the session cookie of page p from now on; secure marks it
// for TLS only.
func (s *sessions) issue(p catalog.Page, now time.Time, secure bool) *http.Cookie {
	expiry := strconv.FormatInt(now.Add(s.maxAge).Unix(), 10)
	value := sessionVersion + "." + expiry + "." + base64.RawURLEncoding.EncodeToString(s.mac(p, expiry))
	return &http.Cookie{
		Name: cookieName(p.ID), Value: value, Path: "/", MaxAge: int(s.maxAge / time.Second),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	}
}

// clearCookie returns the cookie that ends page p's session in the browser.
func clearCookie(pageID string, secure bool) *http.Cookie {
	return &http.Cookie{Name: cookieName(pageID), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
}

// valid reports whether r carries a valid session cookie of page p at now.
// A page without a password has no sessions. Any cookie of that name that
// verifies will do, since a browser may send stale ones too.
func (s *sessions) valid(r *http.Request, p catalog.Page, now time.Time) bool {
	if p.PasswordHash == "" {
		return false
	}
	name := cookieName(p.ID)
	for _, c := range r.Cookies() {
		if c.Name == name && s.verify(c.Value, p, now) {
			return true
		}
	}
	return false
}

// verify checks one cookie value: its form, its signature (in constant
// time) and that it has not expired.
func (s *sessions) verify(value string, p catalog.Page, now time.Time) bool {
	if len(value) > maxSessionCookieLen {
		return false
	}
	version, rest, ok := strings.Cut(value, ".")
	if !ok || version != sessionVersion {
		return false
	}
	expiry, sig, ok := strings.Cut(rest, ".")
	if !ok || expiry == "" || len(expiry) > 19 || strings.TrimLeft(expiry, "0123456789") != "" {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(p, expiry)) {
		return false
	}
	end, err := strconv.ParseInt(expiry, 10, 64)
	left := end - now.Unix()
	return err == nil && left > 0 && left <= int64(s.maxAge/time.Second) // a lowered max age shortens old sessions too
}
