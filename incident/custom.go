package incident

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// CustomStatus is a status a page adds to the standard ones, as Freshstatus
// allows ("Degraded", "Fix deployed"); v2 shows the Standard one it maps
// onto.
type CustomStatus struct {
	Name     string
	Standard Status
}

// Vocabulary is a page's custom statuses. The zero value has none.
type Vocabulary struct {
	Custom []CustomStatus
}

// MaxNameLen is the longest custom status name, in characters.
const MaxNameLen = 64

// Validate checks the custom statuses: named, unique ignoring case, not
// shadowing a standard status, each mapped onto a standard one.
func (v Vocabulary) Validate() error {
	seen := make(map[string]bool, len(v.Custom))
	for i, c := range v.Custom {
		field := "custom_statuses[" + strconv.Itoa(i) + "]"
		key := strings.ToLower(strings.TrimSpace(c.Name))
		switch {
		case key == "":
			return fieldErr(field+".name", "is required")
		case utf8.RuneCountInString(c.Name) > MaxNameLen:
			return fieldErr(field+".name", "is longer than %d characters", MaxNameLen)
		case Status(key).Valid():
			return fieldErr(field+".name", "%q is a standard status", c.Name)
		case seen[key]:
			return fieldErr(field+".name", "%q is listed twice", c.Name)
		case !c.Standard.Valid():
			return fieldErr(field+".standard", "%q is not one of investigating, identified, monitoring, resolved, postmortem", c.Standard)
		}
		seen[key] = true
	}
	return nil
}

// Resolve maps a status name as a person typed it onto the standard status
// and the custom name ("" when name is a standard status). Names match
// ignoring case; field names the field for the error.
func (v Vocabulary) Resolve(field, name string) (Status, string, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	if s := Status(key); s.Valid() {
		return s, "", nil
	}
	for _, c := range v.Custom {
		if strings.ToLower(strings.TrimSpace(c.Name)) == key {
			return c.Standard, c.Name, nil
		}
	}
	if key == "" {
		return "", "", fieldErr(field, "is required")
	}
	return "", "", fieldErr(field, "%q is neither a standard status nor one of the page's custom statuses", name)
}
