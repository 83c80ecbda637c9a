package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/audit"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
)

// AuthStore is what RunAuthSuite exercises: admins and their API keys.
type AuthStore interface {
	SyncCatalog(ctx context.Context, c catalog.Catalog, now time.Time) error
	CreateAdmin(ctx context.Context, a auth.Admin) error
	Admins(ctx context.Context) ([]auth.Admin, error)
	Admin(ctx context.Context, id string) (auth.Admin, error)
	AdminByEmail(ctx context.Context, email string) (auth.Admin, error)
	UpdateAdmin(ctx context.Context, id string, change func(*auth.Admin) error) (auth.Admin, error)
	DeleteAdmin(ctx context.Context, id string, at time.Time) error
	CreateKey(ctx context.Context, k auth.Key) error
	Keys(ctx context.Context) ([]auth.Key, error)
	Key(ctx context.Context, id string) (auth.Key, error)
	KeyWithAdmin(ctx context.Context, id string) (auth.Key, auth.Admin, error)
	TouchKey(ctx context.Context, id string, at time.Time) error
	RevokeKey(ctx context.Context, id string, at time.Time) (auth.Key, error)
	AuditLog(ctx context.Context, f audit.Filter) ([]audit.Entry, int, error)
	// CatalogVersion moves with every committed write of admins and keys.
	CatalogVersion() uint64
}

// RunAuthSuite runs the admin and key cases, each against a fresh, empty,
// migrated store from open.
func RunAuthSuite(t *testing.T, open func(t *testing.T) AuthStore) {
	cases := []struct {
		name string
		run  func(t *testing.T, s AuthStore)
	}{
		{"admins round trip in creation order", adminsRoundTrip},
		{"an email is unique without regard to case", adminEmailUnique},
		{"update changes in one step or not at all", adminUpdate},
		{"delete takes the admin's keys", adminDelete},
		{"keys round trip, secrets never stored", keysRoundTrip},
		{"a key names an existing admin and page", keyReferences},
		{"last use only moves forward", keyTouch},
		{"revoke keeps the first time", keyRevoke},
		{"authenticate through the store", keyAuthenticate},
		{"every change is audited, without secrets", authAudited},
		{"a change without a principal is refused", authNeedsPrincipal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

func newAdmin(t *testing.T, s AuthStore, email string, created time.Time) auth.Admin {
	t.Helper()
	a, errs := auth.NewAdmin(email, "Admin "+email, created)
	if errs != nil {
		t.Fatalf("new admin %s: %v", email, errs)
	}
	must(t, "create admin "+email, s.CreateAdmin(asOperator(t), a))
	return a
}

func newKey(t *testing.T, s AuthStore, r auth.KeyRequest, created time.Time) (auth.Key, string) {
	t.Helper()
	k, secret, err := auth.NewKey(r, created)
	must(t, "new key", err)
	must(t, "create key", s.CreateKey(asOperator(t), k))
	return k, secret
}

func adminsRoundTrip(t *testing.T, s AuthStore) {
	ctx := asOperator(t)
	b := newAdmin(t, s, "b@example.com", at(2))
	a := newAdmin(t, s, "a@example.com", at(1))
	all, err := s.Admins(ctx)
	must(t, "admins", err)
	equal(t, "admins", all, []auth.Admin{a, b})
	got, err := s.Admin(ctx, b.ID)
	must(t, "admin", err)
	equal(t, "admin by id", got, b)
	got, err = s.AdminByEmail(ctx, "B@Example.COM")
	must(t, "admin by email", err)
	equal(t, "admin by email", got, b)
	if _, err := s.Admin(ctx, "adm_nobody"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("unknown admin: err %v, want ErrNotFound", err)
	}
	if _, err := s.AdminByEmail(ctx, "nobody@example.com"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("unknown email: err %v, want ErrNotFound", err)
	}
}

func adminEmailUnique(t *testing.T, s AuthStore) {
	newAdmin(t, s, "ops@example.com", at(1))
	dup, errs := auth.NewAdmin("OPS@example.com", "Other", at(2))
	if errs != nil {
		t.Fatal(errs)
	}
	if err := s.CreateAdmin(asOperator(t), dup); !errors.Is(err, auth.ErrEmailTaken) {
		t.Fatalf("duplicate email: err %v, want ErrEmailTaken", err)
	}
	all, err := s.Admins(t.Context())
	must(t, "admins", err)
	equal(t, "admins after the duplicate", len(all), 1)
}

func adminUpdate(t *testing.T, s AuthStore) {
	ctx := asOperator(t)
	a := newAdmin(t, s, "a@example.com", at(1))
	b := newAdmin(t, s, "b@example.com", at(2))
	name, yes, taken := "Alice", true, "B@EXAMPLE.com"
	got, err := s.UpdateAdmin(ctx, a.ID, func(x *auth.Admin) error {
		if errs := (auth.AdminPatch{Name: &name, Disabled: &yes}).Apply(x, at(3)); errs != nil {
			return errs[0]
		}
		return nil
	})
	must(t, "update", err)
	want := a
	want.Name, want.Disabled, want.UpdatedAt = name, true, at(3)
	equal(t, "updated admin", got, want)
	stored, err := s.Admin(ctx, a.ID)
	must(t, "admin", err)
	equal(t, "stored admin", stored, want)

	_, err = s.UpdateAdmin(ctx, a.ID, func(x *auth.Admin) error { x.Email, x.Name = taken, "Changed"; return nil })
	if !errors.Is(err, auth.ErrEmailTaken) {
		t.Errorf("email of another: err %v, want ErrEmailTaken", err)
	}
	refused := errors.New("refused")
	if _, err := s.UpdateAdmin(ctx, b.ID, func(x *auth.Admin) error { x.Name = "Changed"; return refused }); !errors.Is(err, refused) {
		t.Errorf("change error: err %v, want it back", err)
	}
	for _, x := range []auth.Admin{want, b} {
		stored, err := s.Admin(ctx, x.ID)
		must(t, "admin", err)
		equal(t, "admin after refused updates", stored, x)
	}
	if _, err := s.UpdateAdmin(ctx, "adm_nobody", func(*auth.Admin) error { return nil }); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("unknown admin: err %v, want ErrNotFound", err)
	}
}

func adminDelete(t *testing.T, s AuthStore) {
	ctx := asOperator(t)
	a := newAdmin(t, s, "a@example.com", at(1))
	b := newAdmin(t, s, "b@example.com", at(2))
	newKey(t, s, auth.KeyRequest{AdminID: a.ID, Scope: auth.ScopeAdmin}, at(3))
	kb, _ := newKey(t, s, auth.KeyRequest{AdminID: b.ID, Scope: auth.ScopeRead}, at(4))
	must(t, "delete", s.DeleteAdmin(ctx, a.ID, at(5)))
	if err := s.DeleteAdmin(ctx, a.ID, at(5)); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("delete again: err %v, want ErrNotFound", err)
	}
	keys, err := s.Keys(ctx)
	must(t, "keys", err)
	equal(t, "keys left", keys, []auth.Key{kb})
	admins, err := s.Admins(ctx)
	must(t, "admins", err)
	equal(t, "admins left", admins, []auth.Admin{b})
}

func keysRoundTrip(t *testing.T, s AuthStore) {
	ctx := asOperator(t)
	must(t, "sync", s.SyncCatalog(ctx, fixture(), T0))
	a := newAdmin(t, s, "a@example.com", at(1))
	k2, _ := newKey(t, s, auth.KeyRequest{AdminID: a.ID, Scope: auth.ScopeWrite, PageID: "beta", Name: "CI — déploiement"}, at(3))
	k1, secret := newKey(t, s, auth.KeyRequest{AdminID: a.ID, Scope: auth.ScopeAdmin}, at(2))
	keys, err := s.Keys(ctx)
	must(t, "keys", err)
	equal(t, "keys", keys, []auth.Key{k1, k2})
	got, err := s.Key(ctx, k2.ID)
	must(t, "key", err)
	equal(t, "key", got, k2)
	gk, ga, err := s.KeyWithAdmin(ctx, k1.ID)
	must(t, "key with admin", err)
	equal(t, "key of key with admin", gk, k1)
	equal(t, "admin of key with admin", ga, a)
	if !gk.Matches(secret) {
		t.Error("stored key does not match its secret")
	}
	if gk.Hash == secret || len(gk.Hash) != 64 {
		t.Errorf("hash %q is not a hex SHA-256", gk.Hash)
	}
	for _, id := range []string{"aaaaaaaaaaaa", ""} {
		if _, err := s.Key(ctx, id); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("key %q: err %v, want ErrNotFound", id, err)
		}
		if _, _, err := s.KeyWithAdmin(ctx, id); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("key with admin %q: err %v, want ErrNotFound", id, err)
		}
	}
}

func keyReferences(t *testing.T, s AuthStore) {
	ctx := asOperator(t)
	must(t, "sync", s.SyncCatalog(ctx, fixture(), T0))
	a := newAdmin(t, s, "a@example.com", at(1))
	tests := []struct {
		name string
		req  auth.KeyRequest
		want error
	}{
		{"unknown admin", auth.KeyRequest{AdminID: "adm_nobody", Scope: auth.ScopeRead}, auth.ErrUnknownAdmin},
		{"unknown page", auth.KeyRequest{AdminID: a.ID, Scope: auth.ScopeRead, PageID: "nope"}, auth.ErrUnknownPage},
	}
	for _, tt := range tests {
		k, _, err := auth.NewKey(tt.req, at(2))
		must(t, "new key", err)
		if err := s.CreateKey(ctx, k); !errors.Is(err, tt.want) {
			t.Errorf("%s: err %v, want %v", tt.name, err, tt.want)
		}
	}
	keys, err := s.Keys(ctx)
	must(t, "keys", err)
	equal(t, "keys after refused creates", len(keys), 0)
}

func keyTouch(t *testing.T, s AuthStore) {
	ctx := asOperator(t)
	a := newAdmin(t, s, "a@example.com", at(1))
	k, _ := newKey(t, s, auth.KeyRequest{AdminID: a.ID, Scope: auth.ScopeRead}, at(2))
	must(t, "touch", s.TouchKey(ctx, k.ID, at(10)))
	must(t, "touch earlier", s.TouchKey(ctx, k.ID, at(5)))
	must(t, "touch unknown", s.TouchKey(ctx, "aaaaaaaaaaaa", at(5)))
	got, err := s.Key(ctx, k.ID)
	must(t, "key", err)
	equal(t, "last used", got.LastUsedAt, at(10))
}

func keyRevoke(t *testing.T, s AuthStore) {
	ctx := asOperator(t)
	a := newAdmin(t, s, "a@example.com", at(1))
	k, _ := newKey(t, s, auth.KeyRequest{AdminID: a.ID, Scope: auth.ScopeRead}, at(2))
	got, err := s.RevokeKey(ctx, k.ID, at(3))
	must(t, "revoke", err)
	equal(t, "revoked at", got.RevokedAt, at(3))
	got, err = s.RevokeKey(ctx, k.ID, at(4))
	must(t, "revoke again", err)
	equal(t, "revoked at after a second revoke", got.RevokedAt, at(3))
	if _, err := s.RevokeKey(ctx, "aaaaaaaaaaaa", at(4)); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("revoke unknown: err %v, want ErrNotFound", err)
	}
}

func keyAuthenticate(t *testing.T, s AuthStore) {
	ctx := asOperator(t)
	a := newAdmin(t, s, "a@example.com", at(1))
	k, secret := newKey(t, s, auth.KeyRequest{AdminID: a.ID, Scope: auth.ScopeWrite}, at(2))
	now := at(5)
	// Changes makes this store's revocations and disablings take effect at
	// once, within the cache's TTL.
	au, err := auth.NewAuthenticator(auth.AuthenticatorOptions{Keys: s, Clock: func() time.Time { return now },
		Changes: s.CatalogVersion})
	must(t, "new authenticator", err)
	p, err := au.Authenticate(ctx, secret)
	must(t, "authenticate", err)
	equal(t, "principal", p, auth.Principal{Kind: auth.KindKey, ID: k.ID, AdminID: a.ID, Scope: auth.ScopeWrite})
	stored, err := s.Key(ctx, k.ID)
	must(t, "key", err)
	equal(t, "last used after authenticate", stored.LastUsedAt, now)

	yes := true
	_, err = s.UpdateAdmin(ctx, a.ID, func(x *auth.Admin) error { x.Disabled = yes; return nil })
	must(t, "disable admin", err)
	if _, err := au.Authenticate(ctx, secret); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("key of a disabled admin: err %v, want ErrUnauthenticated", err)
	}
	_, err = s.UpdateAdmin(ctx, a.ID, func(x *auth.Admin) error { x.Disabled = false; return nil })
	must(t, "enable admin", err)
	_, err = s.RevokeKey(ctx, k.ID, at(6))
	must(t, "revoke", err)
	if _, err := au.Authenticate(ctx, secret); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("revoked key: err %v, want ErrUnauthenticated", err)
	}
}

func authAudited(t *testing.T, s AuthStore) {
	ctx := asOperator(t)
	must(t, "sync", s.SyncCatalog(t.Context(), fixture(), T0))
	a := newAdmin(t, s, "a@example.com", at(1))
	k, secret := newKey(t, s, auth.KeyRequest{AdminID: a.ID, Scope: auth.ScopeWrite, PageID: "beta", Name: "CI"}, at(2))
	_, err := s.RevokeKey(ctx, k.ID, at(3))
	must(t, "revoke", err)
	_, err = s.RevokeKey(ctx, k.ID, at(4))
	must(t, "revoke again", err)
	k2, secret2 := newKey(t, s, auth.KeyRequest{AdminID: a.ID, Scope: auth.ScopeRead}, at(5))
	_, err = s.UpdateAdmin(ctx, a.ID, func(x *auth.Admin) error { x.Name, x.UpdatedAt = "Alice", at(6); return nil })
	must(t, "update", err)
	must(t, "delete", s.DeleteAdmin(ctx, a.ID, at(7)))

	var got []string
	for _, kind := range []string{"admin", "key"} {
		es, total, err := s.AuditLog(t.Context(), audit.Filter{Kind: kind})
		must(t, "audit log", err)
		equal(t, kind+" entries", total, len(es))
		for _, e := range es {
			equal(t, "principal", e.Principal, "key:k_test")
			all := string(e.Before) + string(e.After)
			for _, secretish := range []string{secret, secret2, k.Hash, k2.Hash, "hash"} {
				if strings.Contains(all, secretish) {
					t.Errorf("entry %s %s %s holds %q: %s", e.Action, e.Kind, e.EntityID, secretish, all)
				}
			}
			got = append(got, e.Action+" "+e.Kind+" "+e.EntityID+" @"+e.At.Sub(T0).String())
		}
	}
	equal(t, "entries, by kind, newest first", got, []string{
		"delete admin " + a.ID + " @7m0s",
		"update admin " + a.ID + " @6m0s",
		"create admin " + a.ID + " @1m0s",
		"delete key " + k2.ID + " @7m0s",
		"delete key " + k.ID + " @7m0s",
		"create key " + k2.ID + " @5m0s",
		"revoke key " + k.ID + " @3m0s",
		"create key " + k.ID + " @2m0s",
	})
	es, _, err := s.AuditLog(t.Context(), audit.Filter{Kind: "key", EntityID: k.ID})
	must(t, "audit log of a key", err)
	revoke := es[1]
	if !strings.Contains(string(revoke.Before), `"revoked_at":""`) || !strings.Contains(string(revoke.After), `"revoked_at":"2025-03-01T12:03:00.000Z"`) ||
		!strings.Contains(string(revoke.After), `"page_id":"beta"`) || !strings.Contains(string(revoke.After), `"scope":"write"`) {
		t.Errorf("revoke entry before %s after %s", revoke.Before, revoke.After)
	}
	es, _, err = s.AuditLog(t.Context(), audit.Filter{Kind: "admin", EntityID: a.ID})
	must(t, "audit log of an admin", err)
	if string(es[0].After) != "null" || !strings.Contains(string(es[0].Before), `"name":"Alice"`) ||
		!strings.Contains(string(es[1].Before), `"name":"Admin a@example.com"`) || string(es[2].Before) != "null" {
		t.Errorf("admin entries %+v", es)
	}
}

// authNeedsPrincipal: a change that does not say who makes it is refused
// and changes nothing.
func authNeedsPrincipal(t *testing.T, s AuthStore) {
	ctx := t.Context()
	a := newAdmin(t, s, "a@example.com", at(1))
	k, _ := newKey(t, s, auth.KeyRequest{AdminID: a.ID, Scope: auth.ScopeRead}, at(2))
	b, errs := auth.NewAdmin("b@example.com", "B", at(3))
	if errs != nil {
		t.Fatal(errs)
	}
	k2, _, err := auth.NewKey(auth.KeyRequest{AdminID: a.ID, Scope: auth.ScopeRead}, at(3))
	must(t, "new key", err)
	_, revokeErr := s.RevokeKey(ctx, k.ID, at(4))
	_, updateErr := s.UpdateAdmin(ctx, a.ID, func(x *auth.Admin) error { x.Name = "X"; return nil })
	for name, err := range map[string]error{
		"create admin": s.CreateAdmin(ctx, b), "create key": s.CreateKey(ctx, k2), "revoke key": revokeErr,
		"update admin": updateErr, "delete admin": s.DeleteAdmin(ctx, a.ID, at(4)),
	} {
		if err == nil || !strings.Contains(err.Error(), "no principal") {
			t.Errorf("%s without a principal: err %v, want a refusal", name, err)
		}
	}
	admins, err := s.Admins(ctx)
	must(t, "admins", err)
	equal(t, "admins", admins, []auth.Admin{a})
	keys, err := s.Keys(ctx)
	must(t, "keys", err)
	equal(t, "keys", keys, []auth.Key{k})
	_, total, err := s.AuditLog(ctx, audit.Filter{Kind: "admin"})
	must(t, "audit log", err)
	equal(t, "admin entries", total, 1)
}
