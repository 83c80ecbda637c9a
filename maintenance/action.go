package maintenance

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Kind names an action a person takes on a maintenance window.
type Kind string

// The actions.
const (
	KindSchedule Kind = "schedule" // create the window
	KindEdit     Kind = "edit"     // change its fields (Action.Changes)
	KindUpdate   Kind = "update"   // post an update, optionally moving its status
	KindStart    Kind = "start"    // scheduled → in_progress now
	KindVerify   Kind = "verify"   // in_progress → verifying
	KindComplete Kind = "complete" // in_progress|verifying → completed now
	KindCancel   Kind = "cancel"   // scheduled → cancelled; Series also ends a recurring series
)

// Limits on what a person types.
const (
	MaxTitleLen = 255
	MaxBodyLen  = 25000
	MaxWindow   = 31 * 24 * time.Hour
)

// Action is one thing a person does to a window; which fields count
// depends on Kind.
type Action struct {
	Kind         Kind
	Title        string // schedule
	Body         string // schedule: the description; update, start, verify, complete, cancel: the update's body
	StartsAt     time.Time
	EndsAt       time.Time
	ComponentIDs []string
	AutoStart    bool
	AutoEnd      bool
	Private      bool // schedule: the window; others: the update
	Reminders    Reminders
	Notify       Notify
	Recurrence   string // schedule: "" for a one-off
	Status       Status // update: "" keeps the status
	Series       bool   // cancel: end the recurring series too
	Changes      *Changes
}

// Changes are the fields an edit sets; nil fields stay as they are.
type Changes struct {
	Title        *string
	Body         *string
	StartsAt     *time.Time // only while scheduled
	EndsAt       *time.Time // while scheduled, in progress or verifying
	ComponentIDs *[]string
	AutoStart    *bool
	AutoEnd      *bool
	Private      *bool
	Reminders    *Reminders
	Notify       *Notify
}

// Env is what an action is applied against.
type Env struct {
	Now time.Time
	Loc *time.Location // the page's time zone, for recurrence
}

// Act carries out a on w (ignored for KindSchedule) and returns the new
// window; w is not modified. A rejected action returns a *FieldError.
func Act(w Window, a Action, env Env) (Window, error) {
	if a.Kind == KindSchedule {
		return schedule(a, env)
	}
	out := cloneWindow(w)
	var err error
	switch a.Kind {
	case KindEdit:
		err = out.edit(a, env)
	case KindUpdate:
		err = out.update(a, env)
	case KindStart, KindVerify, KindComplete, KindCancel:
		a.Status = map[Kind]Status{KindStart: InProgress, KindVerify: Verifying, KindComplete: Completed, KindCancel: Cancelled}[a.Kind]
		err = out.update(a, env)
	default:
		err = &FieldError{Field: "action", Message: "\"" + string(a.Kind) + "\" is not one of schedule, edit, update, start, verify, complete, cancel"}
	}
	if err != nil {
		return w, err
	}
	out.UpdatedAt = env.Now
	return out, nil
}

func schedule(a Action, env Env) (Window, error) {
	if err := checkText(a.Title, a.Body); err != nil {
		return Window{}, err
	}
	if err := checkTimes(a.StartsAt, a.EndsAt, env.Now); err != nil {
		return Window{}, err
	}
	if err := checkComponents(a.ComponentIDs); err != nil {
		return Window{}, err
	}
	w := Window{
		Title: a.Title, Body: a.Body, Status: Scheduled, StartsAt: a.StartsAt, EndsAt: a.EndsAt,
		ComponentIDs: slices.Clone(a.ComponentIDs), AutoStart: a.AutoStart, AutoEnd: a.AutoEnd,
		Private: a.Private, Reminders: a.Reminders, Notify: a.Notify, CreatedAt: env.Now, UpdatedAt: env.Now,
	}
	if a.Recurrence != "" {
		r, err := ParseRecurrence(a.Recurrence, a.StartsAt, a.EndsAt.Sub(a.StartsAt), env.Loc)
		if err != nil {
			return Window{}, err
		}
		w.Recurrence, w.Occurrence = r, 1
	}
	return w, nil
}

func (w *Window) update(a Action, env Env) error {
	if err := checkBody(a.Body); err != nil {
		return err
	}
	to := a.Status
	if to == "" {
		to = w.Status
	}
	if !to.Valid() {
		return &FieldError{Field: "status", Message: "\"" + string(to) + "\" is not one of scheduled, in_progress, verifying, completed, cancelled"}
	}
	if err := move(w.Status, to); err != nil {
		return err
	}
	if to == w.Status && a.Body == "" {
		return &FieldError{Field: "body", Message: "is required"}
	}
	switch {
	case to == InProgress && w.Status == Scheduled:
		w.start(env.Now, env.Now, true, a.Body)
	case to == Completed && w.Status != Completed:
		w.complete(env.Now, env.Now, true, a.Body)
	case to == Cancelled && w.Status != Cancelled:
		w.Status, w.CancelledAt = Cancelled, env.Now
		if a.Series {
			w.Recurrence = nil
		}
		w.post(Update{Status: Cancelled, Body: a.Body, ByPerson: true}, env.Now, env.Now)
	default:
		w.Status = to
		w.post(Update{Status: to, Body: a.Body, ByPerson: true, Private: a.Private}, env.Now, env.Now)
	}
	w.Updates[0].Private = a.Private
	return nil
}

// move checks the lifecycle: scheduled → in_progress → verifying →
// completed, in_progress → completed, verifying → in_progress, scheduled →
// cancelled; staying put posts a plain update.
func move(from, to Status) error {
	ok := from == to && from != Cancelled
	switch from {
	case Scheduled:
		ok = ok || to == InProgress || to == Cancelled
	case InProgress:
		ok = ok || to == Verifying || to == Completed
	case Verifying:
		ok = ok || to == InProgress || to == Completed
	}
	if !ok {
		return &FieldError{Field: "status", Message: "a maintenance that is " + string(from) + " does not move to " + string(to)}
	}
	return nil
}

func (w *Window) start(at, now time.Time, person bool, body string) {
	w.Status, w.StartedAt = InProgress, at
	w.post(Update{Status: InProgress, Body: body, ByPerson: person}, at, now)
}

func (w *Window) complete(at, now time.Time, person bool, body string) {
	w.Status, w.CompletedAt = Completed, at
	w.post(Update{Status: Completed, Body: body, ByPerson: person}, at, now)
}

// post adds u shown at at and recorded now, newest first.
func (w *Window) post(u Update, at, now time.Time) {
	u.CreatedAt = now
	if !at.Equal(now) {
		u.DisplayAt = at
	}
	w.Updates = slices.Insert(w.Updates, 0, u)
}

func (w *Window) edit(a Action, env Env) error {
	c := a.Changes
	if c == nil {
		return &FieldError{Field: "changes", Message: "is required"}
	}
	if w.Status == Completed || w.Status == Cancelled {
		if c.StartsAt != nil || c.EndsAt != nil || c.ComponentIDs != nil || c.AutoStart != nil || c.AutoEnd != nil {
			return stateErr(w.Status, "only its title, body, privacy and notifications change")
		}
	}
	if c.Title != nil {
		w.Title = *c.Title
	}
	if c.Body != nil {
		w.Body = *c.Body
	}
	if err := checkText(w.Title, w.Body); err != nil {
		return err
	}
	if err := w.editTimes(c, env); err != nil {
		return err
	}
	if c.ComponentIDs != nil {
		if err := checkComponents(*c.ComponentIDs); err != nil {
			return err
		}
		w.ComponentIDs = slices.Clone(*c.ComponentIDs)
	}
	for _, f := range []struct {
		p   *bool
		dst *bool
	}{{c.AutoStart, &w.AutoStart}, {c.AutoEnd, &w.AutoEnd}, {c.Private, &w.Private}} {
		if f.p != nil {
			*f.dst = *f.p
		}
	}
	if c.Reminders != nil {
		w.Reminders = *c.Reminders
	}
	if c.Notify != nil {
		w.Notify = *c.Notify
	}
	return nil
}

func (w *Window) editTimes(c *Changes, env Env) error {
	start, end := w.StartsAt, w.EndsAt
	if c.StartsAt != nil {
		if w.Status != Scheduled {
			return &FieldError{Field: "starts_at", Message: "is fixed once the maintenance is " + string(w.Status)}
		}
		start = *c.StartsAt
	}
	if c.EndsAt != nil {
		end = *c.EndsAt
	}
	if c.StartsAt == nil && c.EndsAt == nil {
		return nil
	}
	if w.Status == Scheduled {
		if err := checkTimes(start, end, env.Now); err != nil {
			return err
		}
	} else if !end.After(w.StartedAt) {
		return &FieldError{Field: "ends_at", Message: "is not after the maintenance started"}
	}
	if w.Recurrence != nil && w.Occurrence <= 1 {
		r, err := ParseRecurrence(w.Recurrence.Text, start, end.Sub(start), env.Loc)
		if err != nil {
			return err
		}
		w.Recurrence = r
	}
	if !start.Equal(w.StartsAt) { // rescheduled: the "before" reminders go out again
		w.Sent = slices.DeleteFunc(w.Sent, func(r Reminder) bool { return r == DayBefore || r == HourBefore })
	}
	w.StartsAt, w.EndsAt = start, end
	return nil
}

func checkTimes(start, end, now time.Time) error {
	switch {
	case start.IsZero():
		return &FieldError{Field: "starts_at", Message: "is required"}
	case end.IsZero():
		return &FieldError{Field: "ends_at", Message: "is required"}
	case !end.After(start):
		return &FieldError{Field: "ends_at", Message: "is not after starts_at"}
	case end.Sub(start) > MaxWindow:
		return &FieldError{Field: "ends_at", Message: "is more than " + MaxWindow.String() + " after starts_at"}
	case !end.After(now):
		return &FieldError{Field: "ends_at", Message: "is in the past"}
	}
	return nil
}

func checkText(title, body string) error {
	switch {
	case title == "":
		return &FieldError{Field: "title", Message: "is required"}
	case !utf8.ValidString(title) || utf8.RuneCountInString(title) > MaxTitleLen:
		return &FieldError{Field: "title", Message: "is not valid UTF-8 of at most " + strconv.Itoa(MaxTitleLen) + " characters"}
	}
	return checkBody(body)
}

func checkBody(body string) error {
	if !utf8.ValidString(body) || utf8.RuneCountInString(body) > MaxBodyLen {
		return &FieldError{Field: "body", Message: "is not valid UTF-8 of at most " + strconv.Itoa(MaxBodyLen) + " characters"}
	}
	return nil
}

func checkComponents(ids []string) error {
	for i, id := range ids {
		f := "component_ids[" + strconv.Itoa(i) + "]"
		if id == "" {
			return &FieldError{Field: f, Message: "is empty"}
		}
		if slices.Contains(ids[:i], id) {
			return &FieldError{Field: f, Message: "\"" + id + "\" is listed twice"}
		}
	}
	return nil
}
