package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/statusd/statusd/catalog"
)

// validator checks a decoded configuration and reports each problem at the
// line of the value it is about.
type validator struct {
	file     string
	idx      *index
	env      map[string]string // key path → the variable that set it
	defaults Defaults
	self     string // what URLs that are paths are resolved against
	errs     []found
	first    map[string]map[string]int // kind → id → line of its first use
	pageIDs  map[string]bool           // the pages of the file
}

func newValidator(file string, idx *index, env map[string]string, defaults Defaults, httpAddr string) *validator {
	return &validator{file: file, idx: idx, env: env, defaults: defaults, self: validationAddr(httpAddr),
		first: map[string]map[string]int{}}
}

// found is a validation error and the key path it is about.
type found struct {
	Error
	path string
}

// at reports a problem of the value at path.
func (v *validator) at(path string, line int, format string, args ...any) {
	v.errs = append(v.errs, found{Error{File: v.file, Line: line, Message: fmt.Sprintf(format, args...)}, path})
}

// report returns the errors found, less those about values in bad.
func (v *validator) report(bad *badValues) Errors {
	var errs Errors
	for _, f := range v.errs {
		if !bad.covers(f.path, f.Line) {
			errs = append(errs, f.Error)
		}
	}
	return errs
}

// settings reports the problems of the settings sections, at their line or
// naming the env variable that set them.
func (v *validator) settings(problems []catalog.FieldError) {
	for _, p := range problems {
		if name, ok := v.setBy(p.Field); ok {
			v.at(p.Field, 0, "env %s: %s: %s", name, p.Field, p.Message)
			continue
		}
		v.at(p.Field, v.idx.line(p.Field), "%s: %s", p.Field, p.Message)
	}
}

// setBy returns the env variable that set path or one of its parents.
func (v *validator) setBy(path string) (string, bool) {
	for ; path != ""; path = parentPath(path) {
		if name, ok := v.env[path]; ok {
			return name, true
		}
	}
	return "", false
}

// field reports a problem of one field of an entity at path.
func (v *validator) field(o owner, path, field, format string, args ...any) {
	prefix := o.label() + ": "
	if field != "" {
		prefix += field + ": "
	}
	v.at(joinPath(path, field), v.idx.line(joinPath(path, field)), "%s%s", prefix, fmt.Sprintf(format, args...))
}

func joinPath(path, field string) string {
	if field == "" {
		return path
	}
	return path + "." + field
}

// unique reports an id used before by another entity of the same kind.
func (v *validator) unique(kind, id, path string) {
	if id == "" {
		return
	}
	line := v.idx.line(path + ".id")
	seen := v.first[kind]
	if seen == nil {
		seen = map[string]int{}
		v.first[kind] = seen
	}
	if first, ok := seen[id]; ok {
		v.at(path+".id", line, "duplicate %s id %q (first at line %d)", kind, id, first)
		return
	}
	seen[id] = line
}

// empty reports the empty entries of the list at path.
func (v *validator) empty(path, subject string) {
	for _, e := range v.idx.nullItems(path) {
		v.at(e.path, e.line(), "%s: empty entry", subject)
	}
}

func (v *validator) pages(pages []Page) {
	v.empty("pages", "pages")
	v.pageIDs = map[string]bool{}
	for _, p := range pages {
		v.pageIDs[p.ID] = true
	}
	for i, path := range v.idx.items("pages", len(pages)) {
		v.page(pages[i], path)
	}
}

func (v *validator) page(p Page, path string) {
	o := owner{kind: "page", id: p.ID}
	v.unique(o.kind, o.id, path)
	cp := p.catalog(v.self)
	for _, fe := range cp.Validate() {
		if fe.Field == "url" { // in the file, a path means statusd itself
			fe.Message = fmt.Sprintf("must be an absolute http or https URL or a path on statusd such as /, got %q", p.URL)
		}
		v.field(o, path, fe.Field, "%s", fe.Message)
	}
	if p.PasswordHash != "" {
		if _, err := bcrypt.Cost([]byte(p.PasswordHash)); err != nil {
			v.field(o, path, "password_hash", "must be a bcrypt hash such as $2a$10$…, never the password itself")
		}
	}
	v.components(p.Components, path+".components", o, p.ID)
}

func (v *validator) components(comps []Component, path string, parent owner, pageID string) {
	v.empty(path, parent.label()+": components")
	for i, p := range v.idx.items(path, len(comps)) {
		v.component(comps[i], p, pageID)
	}
}

// component validates a component with catalog's rules, as the API does,
// and its also_on pages against the file's.
func (v *validator) component(c Component, path, pageID string) {
	o := owner{kind: "component", id: c.ID}
	v.unique(o.kind, o.id, path)
	cc := c.catalog(pageID, "", 1)
	for _, other := range c.AlsoOn {
		cc.Pages = append(cc.Pages, catalog.Placement{PageID: other})
	}
	if len(cc.Pages) > 0 {
		cc.Pages = append([]catalog.Placement{{PageID: pageID}}, cc.Pages...)
	}
	for _, fe := range cc.Validate() {
		switch {
		case fe.Field == "page_id" || fe.Field == "pages[0]": // the page's own id, reported there
			continue
		case strings.HasPrefix(fe.Field, "pages["):
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(fe.Field, "pages["), "]"))
			if n < 1 || n > len(c.AlsoOn) || c.AlsoOn[n-1] == pageID { // reported below
				continue
			}
			fe.Field = fmt.Sprintf("also_on[%d]", n-1)
		}
		v.field(o, path, fe.Field, "%s", fe.Message)
	}
	if _, err := time.Parse(startDateLayout, c.StartDate); c.StartDate != "" && err != nil {
		v.field(o, path, "start_date", "must be a date as YYYY-MM-DD, got %q", c.StartDate)
	}
	for i, other := range c.AlsoOn {
		if catalog.ValidID(other) && other != pageID && !v.pageIDs[other] {
			v.field(o, path, fmt.Sprintf("also_on[%d]", i), "no page %q in the file", other)
		}
		if other == pageID {
			v.field(o, path, fmt.Sprintf("also_on[%d]", i), "the component is on page %q already", other)
		}
	}
	if c.SLO != nil {
		if !(c.SLO.Target > 0 && c.SLO.Target < 100) {
			v.field(o, path, "slo.target", "must be a percentage above 0 and below 100, got %g", c.SLO.Target)
		}
		if c.SLO.WindowDays < 0 || c.SLO.WindowDays > catalog.MaxSLOWindowDays {
			v.field(o, path, "slo.window_days", "must be between 1 and %d, got %d", catalog.MaxSLOWindowDays, c.SLO.WindowDays)
		}
	}
	if c.IsGroup() && len(c.Checks) > 0 {
		v.at(path+".checks", v.idx.line(path+".checks"), "%s: a group may not have checks of its own; give them to one of its components", o.label())
	}
	v.empty(path+".checks", o.label()+": checks")
	for i, p := range v.idx.items(path+".checks", len(c.Checks)) {
		v.check(c.Checks[i], c.ID, p)
	}
	v.components(c.Components, path+".components", o, pageID)
}

// check validates a check with catalog's rules, each problem at the line
// of its field, or of the check when the field is not in the file.
func (v *validator) check(ch Check, componentID, path string) {
	o := owner{kind: "check", id: ch.ID}
	v.unique("check", ch.ID, path)
	cc := ch.catalog(componentID, v.defaults, v.self)
	for _, fe := range cc.Validate() {
		if fe.Field == "id" && ch.ID == "" {
			fe.Message = "is required"
		}
		v.field(o, path, fe.Field, "%s", fe.Message)
	}
}
