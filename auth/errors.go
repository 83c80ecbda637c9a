package auth

import "errors"

// The errors of this package and of the stores of admins and keys; test
// them with errors.Is.
var (
	// ErrUnauthenticated: no key, or one that is malformed, unknown,
	// revoked or of a disabled admin. Which it was is never told.
	ErrUnauthenticated = errors.New("a valid API key is required")
	// ErrForbidden: the key may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: no admin or key has this ID.
	ErrNotFound = errors.New("not found")
	// ErrEmailTaken: another admin has this email address.
	ErrEmailTaken = errors.New("another admin has this email address")
	// ErrUnknownAdmin: a new key names an admin that does not exist.
	ErrUnknownAdmin = errors.New("no admin has this id")
	// ErrUnknownPage: a new key names a page that does not exist.
	ErrUnknownPage = errors.New("no page has this id")
)
