package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// DefaultTouchEvery is how often, at most, a key's last-used time is written.
const DefaultTouchEvery = time.Minute

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
}

// Authenticator turns a key as a client sends it into the principal it
// acts as. It is safe for concurrent use.
type Authenticator struct {
	keys  KeyLookup
	clock func() time.Time
	every time.Duration
	log   *slog.Logger

	mu      sync.Mutex
	touched map[string]time.Time // key ID → when its last use was last written
}

// NewAuthenticator returns an Authenticator over opts.Keys.
func NewAuthenticator(opts AuthenticatorOptions) (*Authenticator, error) {
	if opts.Keys == nil {
		return nil, errors.New("new authenticator: Keys is required")
	}
	a := &Authenticator{keys: opts.Keys, clock: opts.Clock, every: opts.TouchEvery, log: opts.Logger,
		touched: map[string]time.Time{}}
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
// last use at most once per TouchEvery.
func (a *Authenticator) Authenticate(ctx context.Context, secret string) (Principal, error) {
	id, ok := ParseKey(secret)
	if !ok {
		return Principal{}, ErrUnauthenticated
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
	a.touch(ctx, key)
	return Principal{Kind: KindKey, ID: key.ID, AdminID: key.AdminID, Scope: key.Scope, PageID: key.PageID}, nil
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
