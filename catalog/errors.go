package catalog

import (
	"fmt"
	"strings"
)

// NotFoundError says an entity does not exist.
type NotFoundError struct {
	Kind string // "page", "component" or "check"
	ID   string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %q not found", e.Kind, truncate(e.ID)) }

// ConflictError says a change cannot be made as it stands: the entity is
// managed by a configuration file (Managed names it), an ID is taken, or a
// unique field such as a subdomain is used by another entity.
type ConflictError struct {
	Kind    string
	ID      string
	Field   string // the field in conflict; empty for the entity as a whole
	Managed string // the configuration file, when that is the conflict
	Message string
}

func (e *ConflictError) Error() string {
	s := fmt.Sprintf("%s %q", e.Kind, truncate(e.ID))
	if e.Field != "" {
		s += ": " + e.Field
	}
	return s + ": " + e.Message
}

// ManagedError returns the conflict of changing an entity that the
// configuration file source manages.
func ManagedError(kind, id, source string) *ConflictError {
	return &ConflictError{Kind: kind, ID: id, Managed: source,
		Message: fmt.Sprintf("is managed by the configuration file %s; change it there", source)}
}

// InvalidError lists the problems of an entity that make it unfit to
// store, each naming its field.
type InvalidError struct {
	Kind   string
	Fields []FieldError
}

func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return "invalid " + e.Kind + ": " + strings.Join(parts, "; ")
}

// Invalid returns an *InvalidError of fields, or nil when there are none.
func Invalid(kind string, fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return &InvalidError{Kind: kind, Fields: fields}
}

// Truncate cuts s, an ID or value repeated in a message, to a sane length.
func Truncate(s string) string { return truncate(s) }
