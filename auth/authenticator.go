package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// DefaultTouchEvery is how often, at most, a key's last-used time is written.
const DefaultTouchEvery = time.Minute

// DefaultCacheTTL is how long a verified key is trusted without reading
// the store again, and so how long a key revoked (or an admin disabled)
// by another process may still be used.
const DefaultCacheTTL = time.Second

// maxCached bounds the verified keys held in memory.
const maxCached = 4096

// KeyLookup is what Authenticator needs of the store of keys.
type KeyLookup interface {
	// KeyWithAdmin returns the key with this ID and its admin, or an error
	// wrapping ErrNotFound.
	KeyWithAdmin(ctx context.Context, id string) (Key, Admin, error)
	// TouchKey records that the key was used at at.
	TouchKey(ctx context.Context, id string, at time.Time) error
}

// AuthenticatorOptions configure an Authenticator.
type AuthenticatorOptions struct {
	// Keys is where keys are looked up. Required.
	Keys KeyLookup
	// Clock tells the time; nil means time.Now.
	Clock func() time.Time
	// TouchEvery is how often at most a key's last use is written; zero
	// means DefaultTouchEvery.
	TouchEvery time.Duration
	// Logger receives failures to record a key's last use. Nil discards.
	Logger *slog.Logger
	// CacheTTL is how long a verified key is answered from memory, without
	// a store read: a key revoked or an admin disabled elsewhere works
	// for up to that long. Zero means DefaultCacheTTL; negative caches
	// nothing. Unknown and invalid keys are never cached.
	CacheTTL time.Duration
	// Changes, when set, counts the writes of keys and admins made in this
	// process (sqlstore.Store.CatalogVersion does): when it moves, every
	// cached key is read again, so a revocation here takes effect at once.
	Changes func() uint64
}

// Authenticator turns a key as a client sends it into the principal it
// acts as. It is safe for concurrent use.
type Authenticator struct {
	keys  KeyLookup
	clock func() time.Time
	every time.Duration
	log   *slog.Logger

	ttl     time.Duration
	changes func() uint64

	mu      sync.Mutex
	touched map[string]time.Time // key ID → when its last use was last written
	cached  map[[sha256.Size]byte]cachedKey
}

// cachedKey is a verified key: its principal and when it was verified.
type cachedKey struct {
	key     Key
	p       Principal
	until   time.Time
	version uint64
}

// NewAuthenticator returns an Authenticator over opts.Keys.
func NewAuthenticator(opts AuthenticatorOptions) (*Authenticator, error) {
	if opts.Keys == nil {
		return nil, errors.New("new authenticator: Keys is required")
	}
	a := &Authenticator{keys: opts.Keys, clock: opts.Clock, every: opts.TouchEvery, log: opts.Logger,
		ttl: opts.CacheTTL, changes: opts.Changes, touched: map[string]time.Time{},
		cached: map[[sha256.Size]byte]cachedKey{}}
	if a.ttl == 0 {
		a.ttl = DefaultCacheTTL
	}
	if a.clock == nil {
		a.clock = time.Now
	}
	if a.every <= 0 {
		a.every = DefaultTouchEvery
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	return a, nil
}

// Authenticate returns the principal of the key secret. The error wraps
// ErrUnauthenticated when the key is malformed, unknown, revoked or its
// admin disabled; any other error is the store's. It records the key's
// last use at most once per TouchEvery. A verified key is trusted for
// CacheTTL without a store read.
func (a *Authenticator) Authenticate(ctx context.Context, secret string) (Principal, error) {
	id, ok := ParseKey(secret)
	if !ok {
		return Principal{}, ErrUnauthenticated
	}
	sum := sha256.Sum256([]byte(secret))
	var version uint64
	if a.changes != nil {
		version = a.changes()
	}
	if ck, ok := a.fromCache(sum, version); ok {
		a.touch(ctx, ck.key)
		return ck.p, nil
	}
	key, admin, err := a.keys.KeyWithAdmin(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return Principal{}, ErrUnauthenticated
	case err != nil:
		return Principal{}, fmt.Errorf("authenticate key %s: %w", id, err)
	case !key.Matches(secret), key.Revoked(), admin.Disabled:
		return Principal{}, ErrUnauthenticated
	}
	p := Principal{Kind: KindKey, ID: key.ID, AdminID: key.AdminID, Scope: key.Scope, PageID: key.PageID}
	a.remember(sum, cachedKey{key: key, p: p, version: version})
	a.touch(ctx, key)
	return p, nil
}

// fromCache returns the verified key of the secret whose SHA-256 is sum,
// if it was verified within the TTL and no key or admin changed since.
func (a *Authenticator) fromCache(sum [sha256.Size]byte, version uint64) (cachedKey, bool) {
	if a.ttl < 0 {
		return cachedKey{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	ck, ok := a.cached[sum]
	if !ok || ck.version != version || !a.clock().Before(ck.until) {
		return cachedKey{}, false
	}
	return ck, true
}

// remember caches a verified key for the TTL.
func (a *Authenticator) remember(sum [sha256.Size]byte, ck cachedKey) {
	if a.ttl < 0 {
		return
	}
	now := a.clock()
	ck.until = now.Add(a.ttl)
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.cached) >= maxCached { // forget expired entries, or all
		for k, c := range a.cached {
			if !now.Before(c.until) {
				delete(a.cached, k)
			}
		}
		if len(a.cached) >= maxCached {
			clear(a.cached)
		}
	}
	a.cached[sum] = ck
}

// touch writes the key's last use when neither the store nor this process
// wrote it within a.every. A failure is logged: the request goes on.
func (a *Authenticator) touch(ctx context.Context, key Key) {
	now := a.clock()
	if now.Sub(key.LastUsedAt) < a.every {
		return
	}
	a.mu.Lock()
	if now.Sub(a.touched[key.ID]) < a.every {
		a.mu.Unlock()
		return
	}
	a.touched[key.ID] = now
	if len(a.touched) > 1024 { // forget old entries; the store's time guards too
		for id, t := range a.touched {
			if now.Sub(t) >= a.every {
				delete(a.touched, id)
			}
		}
	}
	a.mu.Unlock()
	if err := a.keys.TouchKey(ctx, key.ID, now); err != nil {
		a.log.WarnContext(ctx, "record key use", "key_id", key.ID, "err", err)
	}
}
