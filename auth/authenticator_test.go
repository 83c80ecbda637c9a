package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// memKeys is a KeyLookup over a map, counting the writes of last use.
type memKeys struct {
	mu      sync.Mutex
	keys    map[string]Key
	admins  map[string]Admin
	touches int
	reads   int
	fail    error
}

func (m *memKeys) KeyWithAdmin(_ context.Context, id string) (Key, Admin, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	if m.fail != nil {
		return Key{}, Admin{}, m.fail
	}
	k, ok := m.keys[id]
	if !ok {
		return Key{}, Admin{}, ErrNotFound
	}
	return k, m.admins[k.AdminID], nil
}

func (m *memKeys) TouchKey(_ context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := m.keys[id]
	k.LastUsedAt = at
	m.keys[id] = k
	m.touches++
	return nil
}

func TestAuthenticate(t *testing.T) {
	store := &memKeys{keys: map[string]Key{}, admins: map[string]Admin{
		"adm_on": {ID: "adm_on"}, "adm_off": {ID: "adm_off", Disabled: true}}}
	add := func(admin string, scope Scope, page string, revoked bool) string {
		k, secret, err := NewKey(KeyRequest{AdminID: admin, Scope: scope, PageID: page}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if revoked {
			k.RevokedAt = t0
		}
		store.keys[k.ID] = k
		return secret
	}
	good := add("adm_on", ScopeWrite, "main", false)
	revoked := add("adm_on", ScopeAdmin, "", true)
	disabled := add("adm_off", ScopeAdmin, "", false)
	unknown, _ := func() (string, error) {
		_, s, err := NewKey(KeyRequest{AdminID: "x", Scope: ScopeRead}, t0)
		return s, err
	}()
	tampered := good[:len(good)-1] + map[bool]string{true: "b", false: "a"}[good[len(good)-1] == 'a']

	now := t0
	a, err := NewAuthenticator(AuthenticatorOptions{Keys: store, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, secret string
		ok           bool
	}{
		{"valid", good, true},
		{"malformed", "hunter2", false},
		{"unknown", unknown, false},
		{"wrong secret", tampered, false},
		{"revoked", revoked, false},
		{"disabled admin", disabled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := a.Authenticate(t.Context(), tt.secret)
			if !tt.ok {
				if !errors.Is(err, ErrUnauthenticated) {
					t.Fatalf("err %v, want ErrUnauthenticated", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Kind != KindKey || p.AdminID != "adm_on" || p.Scope != ScopeWrite || p.PageID != "main" || p.ID == "" {
				t.Fatalf("principal %+v", p)
			}
		})
	}

	t.Run("last use is written once a minute", func(t *testing.T) {
		store.touches = 0
		for i := range 120 { // two minutes, one request a second
			now = t0.Add(time.Hour + time.Duration(i)*time.Second)
			if _, err := a.Authenticate(t.Context(), good); err != nil {
				t.Fatal(err)
			}
		}
		if store.touches != 2 {
			t.Fatalf("%d writes of last use in 2 minutes, want 2", store.touches)
		}
	})

	t.Run("store failure is not unauthenticated", func(t *testing.T) {
		now = now.Add(DefaultCacheTTL) // past the cache
		store.fail = errors.New("disk on fire")
		defer func() { store.fail = nil }()
		_, err := a.Authenticate(t.Context(), good)
		if err == nil || errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("err %v, want a store error", err)
		}
	})
}

func TestAuthenticateCache(t *testing.T) {
	newStore := func(t *testing.T) (*memKeys, string, string) {
		store := &memKeys{keys: map[string]Key{}, admins: map[string]Admin{"adm": {ID: "adm"}}}
		k, secret, err := NewKey(KeyRequest{AdminID: "adm", Scope: ScopeRead}, t0)
		if err != nil {
			t.Fatal(err)
		}
		store.keys[k.ID] = k
		return store, k.ID, secret
	}
	revoke := func(store *memKeys, id string) {
		store.mu.Lock()
		defer store.mu.Unlock()
		k := store.keys[id]
		k.RevokedAt = t0
		store.keys[id] = k
	}
	tests := []struct {
		name string
		ttl  time.Duration
		// after is how long after the revocation the key is refused, with
		// the change counter left alone (moved: moved by the revocation).
		after time.Duration
		moved bool
		// reads is the store reads of 10 uses within the TTL.
		reads int
	}{
		{name: "default ttl", after: DefaultCacheTTL, reads: 1},
		{name: "longer ttl", ttl: 5 * time.Second, after: 5 * time.Second, reads: 1},
		{name: "change counter moved", after: 0, moved: true, reads: 1},
		{name: "no cache", ttl: -1, after: 0, reads: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, id, secret := newStore(t)
			now := t0
			var version uint64
			a, err := NewAuthenticator(AuthenticatorOptions{Keys: store, Clock: func() time.Time { return now },
				CacheTTL: tt.ttl, Changes: func() uint64 { return version }})
			if err != nil {
				t.Fatal(err)
			}
			for range 10 {
				if _, err := a.Authenticate(t.Context(), secret); err != nil {
					t.Fatal(err)
				}
			}
			if store.reads != tt.reads {
				t.Errorf("%d store reads for 10 uses, want %d", store.reads, tt.reads)
			}
			revoke(store, id)
			if tt.moved {
				version++
			}
			if tt.after > 0 {
				now = t0.Add(tt.after - time.Millisecond)
				if _, err := a.Authenticate(t.Context(), secret); err != nil {
					t.Fatalf("revoked key refused %s before its TTL ran out: %v", time.Millisecond, err)
				}
			}
			now = t0.Add(tt.after)
			if _, err := a.Authenticate(t.Context(), secret); !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("revoked key %s after: err %v, want ErrUnauthenticated", tt.after, err)
			}
		})
	}

	t.Run("unknown keys are not cached", func(t *testing.T) {
		store, _, _ := newStore(t)
		a, err := NewAuthenticator(AuthenticatorOptions{Keys: store, Clock: func() time.Time { return t0 }})
		if err != nil {
			t.Fatal(err)
		}
		_, unknown, err := NewKey(KeyRequest{AdminID: "adm", Scope: ScopeRead}, t0)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := a.Authenticate(t.Context(), unknown); !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("err %v, want ErrUnauthenticated", err)
			}
		}
		if store.reads != 3 {
			t.Fatalf("%d store reads for 3 uses of an unknown key, want 3", store.reads)
		}
	})
}
