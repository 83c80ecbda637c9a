// Package audit owns the record of changes to the catalog: who made each
// change (an API key, the configuration sync or the host's command line),
// what it was and when, with the entity before and after.
package audit

import (
	"encoding/json"
	"time"
)

// The actions an entry records.
const (
	ActionCreate        = "create"
	ActionUpdate        = "update"
	ActionDelete        = "delete"
	ActionEnable        = "enable"
	ActionDisable       = "disable"
	ActionSetAlert      = "set_platform_alert"
	ActionClearAlert    = "clear_platform_alert"
	ActionRevoke        = "revoke"         // of an API key
	ActionSetOverride   = "set_override"   // of a component's status
	ActionClearOverride = "clear_override" // of a component's status
)

// Entry is one change.
type Entry struct {
	ID        int64
	At        time.Time
	Principal string // auth.Principal.String(), e.g. "key:k_3f2a"
	Action    string
	Kind      string // "page", "component", "check", "admin", "key"
	EntityID  string
	// Before and After are the entity as JSON; null when it did not exist.
	Before json.RawMessage
	After  json.RawMessage
}

// Filter selects entries; zero fields select all.
type Filter struct {
	Kind      string
	EntityID  string
	Principal string
	// ExcludeKinds leaves out the entries of these kinds.
	ExcludeKinds []string
	Since        time.Time // entries at or after
	Offset       int
	Limit        int // at most this many; 0 means 100
}
