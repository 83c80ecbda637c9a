package auth

import (
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestNewKeyRoundTrip(t *testing.T) {
	k, secret, err := NewKey(KeyRequest{AdminID: "adm_x", Scope: ScopeWrite, PageID: "main", Name: "ci"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, KeyPrefix+k.ID+"_") || len(secret) != keyLen {
		t.Fatalf("secret %q does not start with sd_%s_ or is not %d long", secret, k.ID, keyLen)
	}
	if strings.Contains(k.Hash, secret[len(KeyPrefix)+keyIDLen+1:]) {
		t.Fatal("hash contains the secret")
	}
	id, ok := ParseKey(secret)
	if !ok || id != k.ID {
		t.Fatalf("ParseKey = %q, %v; want %q, true", id, ok, k.ID)
	}
	if !k.Matches(secret) {
		t.Fatal("key does not match its own secret")
	}
	other := secret[:len(secret)-1] + map[bool]string{true: "b", false: "a"}[secret[len(secret)-1] == 'a']
	if k.Matches(other) {
		t.Fatal("key matches a different secret")
	}
	k2, secret2, err := NewKey(KeyRequest{AdminID: "adm_x", Scope: ScopeRead}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if k2.ID == k.ID || secret2 == secret {
		t.Fatal("two keys are equal")
	}
}

func TestParseKeyRejects(t *testing.T) {
	k, secret, err := NewKey(KeyRequest{AdminID: "a", Scope: ScopeRead}, t0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"no prefix", "xx" + secret[2:]},
		{"short", secret[:len(secret)-1]},
		{"long", secret + "a"},
		{"upper case", strings.ToUpper(secret)},
		{"no separator", KeyPrefix + k.ID + "a" + secret[len(KeyPrefix)+keyIDLen+1:]},
		{"bad alphabet", secret[:len(secret)-1] + "1"},
		{"non-ASCII", secret[:len(secret)-2] + "é"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if id, ok := ParseKey(tt.in); ok {
				t.Fatalf("ParseKey(%q) = %q, true; want false", tt.in, id)
			}
		})
	}
}

func TestKeyRequestValidate(t *testing.T) {
	tests := []struct {
		name string
		req  KeyRequest
		want map[string]string
	}{
		{"valid global", KeyRequest{AdminID: "a", Scope: ScopeAdmin}, nil},
		{"valid page", KeyRequest{AdminID: "a", Scope: ScopeRead, PageID: "main", Name: "Grafana"}, nil},
		{"everything wrong", KeyRequest{Scope: "root", PageID: "Main Page", Name: "a\nb"}, map[string]string{
			"admin_id": "is required",
			"scope":    `must be one of read, write, admin; got "root"`,
			"page_id":  "must be a page id: 1-63 lower-case letters, digits, '.', '_' or '-'",
			"name":     "must not contain control characters",
		}},
		{"long name", KeyRequest{AdminID: "a", Scope: ScopeRead, Name: strings.Repeat("é", MaxNameLen+1)},
			map[string]string{"name": "must be at most 200 characters"}},
		{"bad utf-8", KeyRequest{AdminID: "a", Scope: ScopeRead, Name: "\xff"}, map[string]string{"name": "must be valid UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			for _, fe := range tt.req.Validate() {
				got[fe.Field] = fe.Message
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for f, m := range tt.want {
				if got[f] != m {
					t.Errorf("%s: got %q, want %q", f, got[f], m)
				}
			}
		})
	}
}

func TestMayGrant(t *testing.T) {
	tests := []struct {
		name   string
		p      Principal
		scope  Scope
		pageID string
		want   string // "" when allowed
	}{
		{"admin grants admin", Principal{Scope: ScopeAdmin}, ScopeAdmin, "", ""},
		{"admin grants page read", Principal{Scope: ScopeAdmin}, ScopeRead, "main", ""},
		{"write cannot grant admin", Principal{Scope: ScopeWrite}, ScopeAdmin, "", "forbidden: a write key cannot grant the admin scope"},
		{"page key grants its page", Principal{Scope: ScopeAdmin, PageID: "main"}, ScopeWrite, "main", ""},
		{"page key cannot grant global", Principal{Scope: ScopeAdmin, PageID: "main"}, ScopeWrite, "",
			`forbidden: a key for page "main" can only grant keys for that page`},
		{"page key cannot grant another page", Principal{Scope: ScopeAdmin, PageID: "main"}, ScopeRead, "beta",
			`forbidden: a key for page "main" can only grant keys for that page`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.MayGrant(tt.scope, tt.pageID)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
