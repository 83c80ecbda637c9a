package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/catalog/field"
)

// An API key as a client holds it is KeyPrefix, the public key ID, '_' and
// the secret: "sd_" + 12 + "_" + 32 characters of lower-case base32, for
// example sd_mfrggzdfmztw_… The ID (60 random bits) names the key in lists
// and logs; the secret (160 random bits) is never stored, only the SHA-256
// of the whole key.
const (
	KeyPrefix    = "sd_"
	keyIDLen     = 12
	keySecretLen = 32
	keyLen       = len(KeyPrefix) + keyIDLen + 1 + keySecretLen
	// MaxNameLen bounds the names of keys and admins, in characters.
	MaxNameLen = 200
)

// encoding is lower-case base32 without padding: readable, and without '_'
// so that the parts of a key never run together.
var encoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Key is a stored API key: everything but its secret.
type Key struct {
	ID      string // public, e.g. "mfrggzdfmztw"
	AdminID string // the admin it belongs to
	Name    string // optional, what the key is for
	Scope   Scope
	PageID  string // set when the key may touch one page only
	// Hash is the hex SHA-256 of the whole key.
	Hash       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero while never used
	RevokedAt  time.Time // zero while valid
}

// Revoked reports whether the key was revoked.
func (k Key) Revoked() bool { return !k.RevokedAt.IsZero() }

// Matches reports, in constant time, whether secret is this key.
func (k Key) Matches(secret string) bool {
	sum := sha256.Sum256([]byte(secret))
	want, err := hex.DecodeString(k.Hash)
	if err != nil || len(want) != len(sum) {
		return false
	}
	return subtle.ConstantTimeCompare(sum[:], want) == 1
}

// KeyRequest is what a new key is made of.
type KeyRequest struct {
	AdminID string
	Name    string
	Scope   Scope
	PageID  string // "" for a global key
}

// Validate returns the problems of r, each naming its field.
func (r KeyRequest) Validate() []field.Error {
	var errs []field.Error
	if r.AdminID == "" {
		errs = append(errs, field.Error{Field: "admin_id", Message: "is required"})
	}
	if !r.Scope.Valid() {
		errs = append(errs, field.Error{Field: "scope", Message: fmt.Sprintf("must be one of read, write, admin; got %q", cut(string(r.Scope)))})
	}
	if r.PageID != "" && !catalog.ValidID(r.PageID) {
		errs = append(errs, field.Error{Field: "page_id", Message: "must be a page id: 1-63 lower-case letters, digits, '.', '_' or '-'"})
	}
	if msg := checkName(r.Name); msg != "" {
		errs = append(errs, field.Error{Field: "name", Message: msg})
	}
	return errs
}

// NewKey makes a key from r, created at now, and returns it with the
// secret, the only time the secret exists outside the client.
func NewKey(r KeyRequest, now time.Time) (Key, string, error) {
	if errs := r.Validate(); len(errs) > 0 {
		return Key{}, "", fmt.Errorf("new key: %w", errs[0])
	}
	id, err := randomText(keyIDLen)
	if err != nil {
		return Key{}, "", err
	}
	secret, err := randomText(keySecretLen)
	if err != nil {
		return Key{}, "", err
	}
	full := KeyPrefix + id + "_" + secret
	sum := sha256.Sum256([]byte(full))
	return Key{
		ID: id, AdminID: r.AdminID, Name: r.Name, Scope: r.Scope, PageID: r.PageID,
		Hash: hex.EncodeToString(sum[:]), CreatedAt: now,
	}, full, nil
}

// ParseKey returns the public ID of a key as a client sends it, and false
// when s does not have the shape of a key.
func ParseKey(s string) (id string, ok bool) {
	if len(s) != keyLen || !strings.HasPrefix(s, KeyPrefix) || s[len(KeyPrefix)+keyIDLen] != '_' {
		return "", false
	}
	id = s[len(KeyPrefix) : len(KeyPrefix)+keyIDLen]
	if !isEncoded(id) || !isEncoded(s[len(KeyPrefix)+keyIDLen+1:]) {
		return "", false
	}
	return id, true
}

// ValidKeyID reports whether s has the shape of a key ID.
func ValidKeyID(s string) bool { return len(s) == keyIDLen && isEncoded(s) }

func isEncoded(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

// randomText returns n characters of lower-case base32 from crypto/rand.
func randomText(n int) (string, error) {
	buf := make([]byte, (n*5+7)/8)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return encoding.EncodeToString(buf)[:n], nil
}

// MayGrant returns an error saying why p may not create a key of scope
// for page pageID ("" for global): a key grants at most its own scope, and
// a page key only its own page.
func (p Principal) MayGrant(scope Scope, pageID string) error {
	if !p.Scope.Includes(scope) {
		return fmt.Errorf("%w: a %s key cannot grant the %s scope", ErrForbidden, p.Scope, scope)
	}
	if p.PageID != "" && pageID != p.PageID {
		return fmt.Errorf("%w: a key for page %q can only grant keys for that page", ErrForbidden, p.PageID)
	}
	return nil
}

// checkName returns what is wrong with an optional display name, or "".
func checkName(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	case utf8.RuneCountInString(s) > MaxNameLen:
		return fmt.Sprintf("must be at most %d characters", MaxNameLen)
	case strings.ContainsFunc(s, unicode.IsControl):
		return "must not contain control characters"
	}
	return ""
}

// cut shortens s for an error message.
func cut(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	for i := max; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}
