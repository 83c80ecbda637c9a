package auth

import (
	"strings"
	"testing"
)

func TestNewAdmin(t *testing.T) {
	tests := []struct {
		name, email, adminName string
		want                   map[string]string
	}{
		{"valid", "ops@example.com", "Ops", nil},
		{"localhost", "root@localhost", "Root", nil},
		{"empty", "", "", map[string]string{"email": "is required", "name": "is required"}},
		{"display name form", "Ops <ops@example.com>", "Ops",
			map[string]string{"email": `must be an email address such as ops@example.com, got "Ops <ops@example.com>"`}},
		{"no domain", "ops@example", "Ops",
			map[string]string{"email": `must be an email address with a domain such as example.com, got "ops@example"`}},
		{"too long", strings.Repeat("a", 250) + "@x.io", "Ops", map[string]string{"email": "must be at most 254 bytes"}},
		{"blank name", "ops@example.com", "   ", map[string]string{"name": "is required"}},
		{"control in name", "ops@example.com", "O\x00ps", map[string]string{"name": "must not contain control characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, errs := NewAdmin(tt.email, tt.adminName, t0)
			got := map[string]string{}
			for _, fe := range errs {
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
			if tt.want == nil && (!ValidAdminID(a.ID) || a.Email != tt.email || a.Disabled || !a.CreatedAt.Equal(t0)) {
				t.Errorf("admin %+v", a)
			}
		})
	}
}

func TestAdminPatch(t *testing.T) {
	a, errs := NewAdmin("ops@example.com", "Ops", t0)
	if errs != nil {
		t.Fatal(errs)
	}
	bad, yes, name := "nope", true, "Operations"
	before := a
	if errs := (AdminPatch{Email: &bad, Disabled: &yes}).Apply(&a, t0.Add(1)); len(errs) != 1 || errs[0].Field != "email" {
		t.Fatalf("errs %v, want one about email", errs)
	}
	if a != before {
		t.Fatalf("a failed patch changed the admin: %+v", a)
	}
	if errs := (AdminPatch{Name: &name, Disabled: &yes}).Apply(&a, t0.Add(1)); errs != nil {
		t.Fatal(errs)
	}
	if a.Name != name || !a.Disabled || a.Email != before.Email || !a.UpdatedAt.Equal(t0.Add(1)) {
		t.Fatalf("patched admin %+v", a)
	}
}
