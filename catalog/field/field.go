// Package field holds the validation error of one named field of a
// declared entity. It is a leaf package so that both the catalog and the
// probe packages, whose specs the catalog's checks embed, can use it.
package field

// Error is a validation error of one field, named by its path in the
// configuration's words relative to the entity, for example "http.url".
type Error struct {
	Field   string
	Message string
}

func (e Error) Error() string { return e.Field + ": " + e.Message }
