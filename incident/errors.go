package incident

import "fmt"

// FieldError is a rejected action: the field at fault, in the API's
// snake_case JSON name, and why. The API answers it with 422.
type FieldError struct {
	Field   string
	Message string
}

// FieldName returns the field at fault; every package's field error has it,
// so the API can answer them alike.
func (e *FieldError) FieldName() string { return e.Field }

// Error returns "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}
