// Package auth owns who may use the operators' API: admins, API keys
// (stored hashed, scoped, global or per page), and the principal a request
// acts as, which the audit log records.
package auth

import "context"

// Scope is what a key may do. Each scope includes the ones before it.
type Scope string

// The scopes, weakest first.
const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
	ScopeAdmin Scope = "admin"
)

// Scopes lists the scopes, weakest first, in the order errors name them.
var Scopes = []Scope{ScopeRead, ScopeWrite, ScopeAdmin}

// Valid reports whether s is one of Scopes.
func (s Scope) Valid() bool { return s.rank() > 0 }

// Includes reports whether a key of scope s may act where need is required.
func (s Scope) Includes(need Scope) bool { return s.rank() >= need.rank() && need.rank() > 0 }

func (s Scope) rank() int {
	switch s {
	case ScopeRead:
		return 1
	case ScopeWrite:
		return 2
	case ScopeAdmin:
		return 3
	}
	return 0
}

// Principal is who a change is made by: an API key of an admin, or the
// configuration file (Kind "config", ID the file's path), or the host's
// command line (Kind "cli").
type Principal struct {
	Kind    string // "key", "config" or "cli"
	ID      string // key id, config file path, or the OS user name for "cli"
	AdminID string // the admin who owns the key; empty for config
	Scope   Scope
	PageID  string // set when the key is limited to one page
}

// The principal kinds.
const (
	KindKey    = "key"
	KindConfig = "config"
	KindCLI    = "cli"
)

// MayPage reports whether p may touch page pageID: a global key may touch
// every page, a page key only its own.
func (p Principal) MayPage(pageID string) bool { return p.PageID == "" || p.PageID == pageID }

// String names the principal for the audit log, e.g. "key:k_3f2a" or
// "config:/etc/statusd.yaml".
func (p Principal) String() string { return p.Kind + ":" + p.ID }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal ctx carries, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
