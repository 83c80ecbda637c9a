package auth

import (
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/statusd/statusd/catalog/field"
)

// maxEmailLen is the longest address SMTP allows.
const maxEmailLen = 254

// adminIDLen is the length of the random part of an admin ID.
const adminIDLen = 12

// Admin is a person who may run the installation's pages; the keys are
// theirs. An installation has several.
type Admin struct {
	ID    string // "adm_" and 12 characters of lower-case base32
	Email string // unique, compared without regard to case
	Name  string
	// Disabled admins keep their keys, but no key of theirs is accepted.
	Disabled  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewAdmin returns a new enabled admin created at now, or the problems of
// its fields.
func NewAdmin(email, name string, now time.Time) (Admin, []field.Error) {
	a := Admin{Email: email, Name: name, CreatedAt: now, UpdatedAt: now}
	if errs := a.Validate(); len(errs) > 0 {
		return Admin{}, errs
	}
	id, err := randomText(adminIDLen)
	if err != nil {
		return Admin{}, []field.Error{{Field: "id", Message: err.Error()}}
	}
	a.ID = "adm_" + id
	return a, nil
}

// ValidAdminID reports whether s has the shape of an admin ID.
func ValidAdminID(s string) bool {
	rest, ok := strings.CutPrefix(s, "adm_")
	return ok && len(rest) == adminIDLen && isEncoded(rest)
}

// Validate returns the problems of a's fields, each naming its field.
func (a Admin) Validate() []field.Error {
	var errs []field.Error
	if msg := checkEmail(a.Email); msg != "" {
		errs = append(errs, field.Error{Field: "email", Message: msg})
	}
	if strings.TrimSpace(a.Name) == "" {
		errs = append(errs, field.Error{Field: "name", Message: "is required"})
	} else if msg := checkName(a.Name); msg != "" {
		errs = append(errs, field.Error{Field: "name", Message: msg})
	}
	return errs
}

// AdminPatch is a change to an admin; nil fields stay as they are.
type AdminPatch struct {
	Email    *string
	Name     *string
	Disabled *bool
}

// Apply changes a as p says, stamped at now, and returns the problems of
// the result; a is left unchanged when there are some.
func (p AdminPatch) Apply(a *Admin, now time.Time) []field.Error {
	next := *a
	if p.Email != nil {
		next.Email = *p.Email
	}
	if p.Name != nil {
		next.Name = *p.Name
	}
	if p.Disabled != nil {
		next.Disabled = *p.Disabled
	}
	if errs := next.Validate(); len(errs) > 0 {
		return errs
	}
	next.UpdatedAt = now
	*a = next
	return nil
}

// checkEmail returns what is wrong with an admin's email address, or "".
func checkEmail(s string) string {
	switch {
	case s == "":
		return "is required"
	case len(s) > maxEmailLen:
		return "must be at most 254 bytes"
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return "must be an email address such as ops@example.com, got " + strconv.Quote(cut(s))
	}
	if domain := s[strings.LastIndexByte(s, '@')+1:]; !strings.Contains(domain, ".") && domain != "localhost" {
		return "must be an email address with a domain such as example.com, got " + strconv.Quote(cut(s))
	}
	return ""
}

// EmailKey is the form of an email address compared for uniqueness.
func EmailKey(email string) string { return strings.ToLower(email) }
