package incident

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/statusd/statusd/status"
)

// Kind names an action on an incident.
type Kind string

// The actions.
const (
	KindOpen         Kind = "open"          // open a new incident (or enter a backfilled one)
	KindUpdate       Kind = "update"        // post an update, optionally moving status and components
	KindEdit         Kind = "edit"          // change the incident's own fields (Action.Changes)
	KindEditUpdate   Kind = "edit_update"   // change an update's body, display time or privacy
	KindDeleteUpdate Kind = "delete_update" // remove an update
	KindResolve      Kind = "resolve"       // close an open incident
	KindReopen       Kind = "reopen"        // open a resolved incident again
	KindPostmortem   Kind = "postmortem"    // publish (or replace) the postmortem of a resolved incident
	KindDelete       Kind = "delete"        // delete the incident
)

// Limits on what a person types.
const (
	MaxTitleLen = 255
	MaxBodyLen  = 25000
	// MaxSkew is how far in the future a given time may lie, for clients
	// whose clocks run a little ahead.
	MaxSkew = time.Minute
)

// Action is one thing a person or the aggregator does to an incident. Which
// fields count depends on Kind; the others are ignored.
type Action struct {
	Kind   Kind
	Person bool // a person acts; false for the aggregator

	Title   string // open
	Body    string // open: the description and first update; others: the update's body
	Impact  Impact // open ("" means none)
	Status  string // open, update, reopen: a standard or custom status name; "" keeps or defaults
	Private bool   // open: the incident; update: the update
	// Components sets component statuses: open, update, resolve.
	Components []ComponentStatus
	// At is the display time of the update posted; zero means now.
	At time.Time
	// StartedAt and ResolvedAt are the incident's times: open (ResolvedAt
	// only with Backfilled).
	StartedAt  time.Time
	ResolvedAt time.Time
	Backfilled bool
	Notify     Notify

	UpdateID int64    // edit_update, delete_update
	Changes  *Changes // edit, edit_update
}

// Changes are the fields an edit sets; nil fields stay as they are.
type Changes struct {
	Title      *string
	Body       *string
	Impact     *Impact
	Private    *bool
	Components *[]ComponentStatus // edit: replaces the set; components left out go back to the probes
	StartedAt  *time.Time
	ResolvedAt *time.Time // only on a resolved incident
	Notify     *Notify
	DisplayAt  *time.Time // edit_update
}

// Env is what an action is applied against.
type Env struct {
	Now        time.Time
	Vocabulary Vocabulary
	// Current is each component's status as shown before the action, the
	// old status of the transitions an update announces.
	Current map[string]status.Status
}

// Revision records an edited or deleted update for the audit log.
type Revision struct {
	UpdateID int64
	Before   Update
	After    *Update // nil when deleted
}

// Apply carries out a on in (ignored for KindOpen) and returns the new
// incident, with the Revision of an edited or deleted update. in is not
// modified. A rejected action returns a *FieldError.
func Apply(in Incident, a Action, env Env) (Incident, *Revision, error) {
	if a.Kind == KindOpen {
		out, err := open(a, env)
		return out, nil, err
	}
	switch {
	case !in.Status.Valid():
		return in, nil, fieldErr("incident", "does not exist")
	case !in.DeletedAt.IsZero():
		return in, nil, fieldErr("incident", "is deleted")
	}
	out := clone(in)
	if a.Person && out.Automatic && a.Kind != KindDelete {
		out.TakenOver = true
	}
	var rev *Revision
	var err error
	switch a.Kind {
	case KindUpdate:
		err = out.update(a, env)
	case KindEdit:
		err = out.edit(a, env)
	case KindEditUpdate:
		rev, err = out.editUpdate(a, env)
	case KindDeleteUpdate:
		rev, err = out.deleteUpdate(a)
	case KindResolve:
		err = out.resolve(a, env)
	case KindReopen:
		err = out.reopen(a, env)
	case KindPostmortem:
		err = out.postmortem(a, env)
	case KindDelete:
		out.DeletedAt = env.Now
	default:
		err = fieldErr("action", "%q is not one of open, update, edit, edit_update, delete_update, resolve, reopen, postmortem, delete", a.Kind)
	}
	if err != nil {
		return in, nil, err
	}
	out.UpdatedAt = env.Now
	return out, rev, nil
}

func open(a Action, env Env) (Incident, error) {
	if err := checkTitle(a.Title); err != nil {
		return Incident{}, err
	}
	if err := checkBody(a.Body); err != nil {
		return Incident{}, err
	}
	impact := a.Impact
	if impact == "" {
		impact = ImpactNone
	} else if !impact.Valid() {
		return Incident{}, fieldErr("impact", "%q is not one of none, minor, major, critical", impact)
	}
	st, custom, err := openStatus(a, env)
	if err != nil {
		return Incident{}, err
	}
	if err := checkComponents("components", a.Components); err != nil {
		return Incident{}, err
	}
	started, ended, at, err := openTimes(a, env.Now)
	if err != nil {
		return Incident{}, err
	}
	in := Incident{
		Name: a.Title, Body: a.Body, Status: st, CustomStatus: custom, Impact: impact,
		Automatic: !a.Person, Private: a.Private, StartedAt: started, ResolvedAt: ended,
		Backfilled: a.Backfilled, Notify: a.Notify, CreatedAt: env.Now, UpdatedAt: env.Now,
	}
	changes := in.changes(a.Components, env) // before the incident claims them: old is what the page showed
	in.setComponents(a.Components)
	in.post(Update{Status: st, CustomStatus: custom, Body: a.Body, DisplayAt: at, Notify: a.Notify,
		Components: changes}, a, env)
	return in, nil
}

func openStatus(a Action, env Env) (Status, string, error) {
	if a.Status == "" {
		if a.Backfilled {
			return Resolved, "", nil
		}
		return Investigating, "", nil
	}
	st, custom, err := env.Vocabulary.Resolve("status", a.Status)
	switch {
	case err != nil:
		return "", "", err
	case a.Backfilled && st != Resolved:
		return "", "", fieldErr("status", "a backfilled incident is entered resolved")
	case !a.Backfilled && !st.Open():
		return "", "", fieldErr("status", "an incident opens as investigating, identified or monitoring; set backfilled to enter a past one")
	}
	return st, custom, nil
}

// openTimes returns the start, end and first update's display time.
func openTimes(a Action, now time.Time) (started, ended, at time.Time, err error) {
	started, ended, at = a.StartedAt, a.ResolvedAt, a.At
	if a.Backfilled {
		switch {
		case started.IsZero():
			return started, ended, at, fieldErr("started_at", "is required for a backfilled incident")
		case ended.IsZero():
			return started, ended, at, fieldErr("resolved_at", "is required for a backfilled incident")
		case ended.Before(started):
			return started, ended, at, fieldErr("resolved_at", "is before started_at")
		case future(ended, now):
			return started, ended, at, fieldErr("resolved_at", "is in the future: a backfilled incident is over")
		}
		if at.IsZero() {
			at = ended
		}
	} else if !ended.IsZero() {
		return started, ended, at, fieldErr("resolved_at", "is set only on a backfilled incident")
	}
	if started.IsZero() {
		started = now
	}
	if future(started, now) {
		return started, ended, at, fieldErr("started_at", "is in the future")
	}
	if at.IsZero() {
		at = now
	}
	return started, ended, at, checkAt("at", at, started, now)
}

func (in *Incident) update(a Action, env Env) error {
	if a.Body == "" {
		return fieldErr("body", "is required")
	}
	if err := checkBody(a.Body); err != nil {
		return err
	}
	st, custom := in.Status, in.CustomStatus
	if a.Status != "" {
		var err error
		if st, custom, err = env.Vocabulary.Resolve("status", a.Status); err != nil {
			return err
		}
	}
	switch {
	case st == Postmortem && in.Status != Postmortem:
		return fieldErr("status", "a postmortem is published with the postmortem action")
	case !in.Status.Open() && st.Open():
		return fieldErr("status", "the incident is %s; reopen it to post %s", in.Status, st)
	case in.Status.Open() && st == Resolved:
		return in.resolve(a, env)
	case !probeMayMove(*in, a, st):
		return fieldErr("status", "a person has taken over this automatic incident; the probes only add updates")
	}
	if err := checkComponents("components", a.Components); err != nil {
		return err
	}
	at, err := displayAt(a, *in, env.Now)
	if err != nil {
		return err
	}
	changes := in.changes(a.Components, env)
	in.setComponents(a.Components)
	in.Status, in.CustomStatus = st, custom
	in.post(Update{Status: st, CustomStatus: custom, Body: a.Body, DisplayAt: at, Private: a.Private,
		Notify: a.Notify, Components: changes}, a, env)
	return nil
}

// probeMayMove reports whether the aggregator may move the incident to st:
// once a person took it over, the probes keep to the person's status.
func probeMayMove(in Incident, a Action, st Status) bool {
	return a.Person || !in.TakenOver || st == in.Status
}

func (in *Incident) resolve(a Action, env Env) error {
	switch {
	case !in.Status.Open():
		return fieldErr("status", "the incident is already %s", in.Status)
	case !a.Person && in.TakenOver:
		return fieldErr("status", "a person has taken over this automatic incident; the probes only add updates")
	}
	if err := checkBody(a.Body); err != nil {
		return err
	}
	if err := checkComponents("components", a.Components); err != nil {
		return err
	}
	at, err := displayAt(a, *in, env.Now)
	if err != nil {
		return err
	}
	changes := in.changes(a.Components, env)
	in.setComponents(a.Components)
	in.Status, in.CustomStatus, in.ResolvedAt = Resolved, "", at
	in.post(Update{Status: Resolved, Body: a.Body, DisplayAt: at, Private: a.Private,
		Notify: a.Notify, Components: changes}, a, env)
	return nil
}

func (in *Incident) reopen(a Action, env Env) error {
	if in.Status.Open() {
		return fieldErr("status", "the incident is %s, not resolved", in.Status)
	}
	if !a.Person && in.TakenOver {
		return fieldErr("status", "a person has taken over this automatic incident; the probes only add updates")
	}
	st, custom := Investigating, ""
	if a.Status != "" {
		var err error
		if st, custom, err = env.Vocabulary.Resolve("status", a.Status); err != nil {
			return err
		}
		if !st.Open() {
			return fieldErr("status", "an incident reopens as investigating, identified or monitoring")
		}
	}
	if err := checkBody(a.Body); err != nil {
		return err
	}
	at, err := displayAt(a, *in, env.Now)
	if err != nil {
		return err
	}
	in.Status, in.CustomStatus, in.ResolvedAt, in.Backfilled = st, custom, time.Time{}, false
	in.post(Update{Status: st, CustomStatus: custom, Body: a.Body, DisplayAt: at, Private: a.Private,
		Notify: a.Notify}, a, env)
	return nil
}

func (in *Incident) postmortem(a Action, env Env) error {
	switch {
	case in.Status.Open():
		return fieldErr("status", "the incident is %s; only a resolved incident gets a postmortem", in.Status)
	case a.Body == "":
		return fieldErr("body", "is required")
	}
	if err := checkBody(a.Body); err != nil {
		return err
	}
	in.Status, in.CustomStatus, in.PostmortemBody, in.PostmortemAt = Postmortem, "", a.Body, env.Now
	return nil
}

// post adds u, stamped now, keeping Updates newest first by display time.
func (in *Incident) post(u Update, a Action, env Env) {
	u.CreatedAt, u.ByPerson = env.Now, a.Person
	if u.DisplayAt.Equal(u.CreatedAt) {
		u.DisplayAt = time.Time{}
	}
	in.Updates = slices.Insert(in.Updates, position(in.Updates, u.Display()), u)
}

// position is where an update shown at t goes among updates newest first:
// before every update shown at t or earlier.
func position(us []Update, t time.Time) int {
	i, _ := slices.BinarySearchFunc(us, t, func(e Update, t time.Time) int {
		if e.Display().After(t) {
			return -1
		}
		return 1
	})
	return i
}

// changes returns the transitions setting cs announces: the old status is
// the incident's own claim, else what the page showed.
func (in *Incident) changes(cs []ComponentStatus, env Env) []ComponentChange {
	var out []ComponentChange
	for _, c := range cs {
		old, ok := env.Current[c.ComponentID]
		if i := slices.IndexFunc(in.Components, func(e ComponentStatus) bool { return e.ComponentID == c.ComponentID }); i >= 0 {
			old, ok = in.Components[i].Status, true
		}
		if !ok {
			old = status.Operational
		}
		out = append(out, ComponentChange{ComponentID: c.ComponentID, Old: old, New: c.Status})
	}
	return out
}

// setComponents records the statuses cs sets, adding their IDs.
func (in *Incident) setComponents(cs []ComponentStatus) {
	for _, c := range cs {
		if i := slices.IndexFunc(in.Components, func(e ComponentStatus) bool { return e.ComponentID == c.ComponentID }); i >= 0 {
			in.Components[i].Status = c.Status
		} else {
			in.Components = append(in.Components, c)
		}
		if !slices.Contains(in.ComponentIDs, c.ComponentID) {
			in.ComponentIDs = append(in.ComponentIDs, c.ComponentID)
		}
	}
}

func displayAt(a Action, in Incident, now time.Time) (time.Time, error) {
	at := a.At
	if at.IsZero() {
		at = now
	}
	return at, checkAt("at", at, in.Started(), now)
}

func checkAt(field string, at, started, now time.Time) error {
	switch {
	case future(at, now):
		return fieldErr(field, "is in the future")
	case at.Before(started):
		return fieldErr(field, "is before the incident started")
	}
	return nil
}

func future(t, now time.Time) bool { return t.After(now.Add(MaxSkew)) }

func checkTitle(title string) error {
	switch {
	case title == "":
		return fieldErr("title", "is required")
	case !utf8.ValidString(title):
		return fieldErr("title", "is not valid UTF-8")
	case utf8.RuneCountInString(title) > MaxTitleLen:
		return fieldErr("title", "is longer than %d characters", MaxTitleLen)
	}
	return nil
}

func checkBody(body string) error {
	switch {
	case !utf8.ValidString(body):
		return fieldErr("body", "is not valid UTF-8")
	case utf8.RuneCountInString(body) > MaxBodyLen:
		return fieldErr("body", "is longer than %d characters", MaxBodyLen)
	}
	return nil
}

func checkComponents(field string, cs []ComponentStatus) error {
	seen := make(map[string]bool, len(cs))
	for i, c := range cs {
		f := field + "[" + strconv.Itoa(i) + "]"
		switch {
		case c.ComponentID == "":
			return fieldErr(f+".component_id", "is required")
		case seen[c.ComponentID]:
			return fieldErr(f+".component_id", "%q is listed twice", c.ComponentID)
		case !c.Status.Valid():
			return fieldErr(f+".status", "%q is not one of operational, under_maintenance, degraded_performance, partial_outage, major_outage", c.Status)
		}
		seen[c.ComponentID] = true
	}
	return nil
}

func clone(in Incident) Incident {
	in.ComponentIDs = slices.Clone(in.ComponentIDs)
	in.Components = slices.Clone(in.Components)
	in.Updates = slices.Clone(in.Updates)
	return in
}
