package incident

import (
	"slices"
	"time"
)

func (in *Incident) edit(a Action, env Env) error {
	c := a.Changes
	if c == nil {
		return fieldErr("changes", "is required")
	}
	if c.Title != nil {
		if err := checkTitle(*c.Title); err != nil {
			return err
		}
		in.Name = *c.Title
	}
	if c.Body != nil {
		if err := checkBody(*c.Body); err != nil {
			return err
		}
		in.Body = *c.Body
	}
	if c.Impact != nil {
		if !c.Impact.Valid() {
			return fieldErr("impact", "%q is not one of none, minor, major, critical", *c.Impact)
		}
		in.Impact = *c.Impact
	}
	if c.Private != nil {
		in.Private = *c.Private
	}
	if c.Notify != nil {
		in.Notify = *c.Notify
	}
	if err := in.editTimes(c, env.Now); err != nil {
		return err
	}
	if c.Components != nil {
		if err := checkComponents("components", *c.Components); err != nil {
			return err
		}
		in.Components = nil
		in.setComponents(*c.Components)
	}
	return nil
}

func (in *Incident) editTimes(c *Changes, now time.Time) error {
	started, ended := in.Started(), in.ResolvedAt
	if c.StartedAt != nil {
		started = *c.StartedAt
		switch {
		case started.IsZero():
			return fieldErr("started_at", "is required")
		case future(started, now):
			return fieldErr("started_at", "is in the future")
		}
	}
	if c.ResolvedAt != nil {
		ended = *c.ResolvedAt
		switch {
		case in.Status.Open():
			return fieldErr("resolved_at", "is set only on a resolved incident")
		case ended.IsZero():
			return fieldErr("resolved_at", "is required on a resolved incident")
		case future(ended, now):
			return fieldErr("resolved_at", "is in the future")
		}
	}
	if !ended.IsZero() && ended.Before(started) {
		if c.ResolvedAt != nil {
			return fieldErr("resolved_at", "is before started_at")
		}
		return fieldErr("started_at", "is after resolved_at")
	}
	if len(in.Updates) > 0 && in.Updates[len(in.Updates)-1].Display().Before(started) {
		return fieldErr("started_at", "is after the first update")
	}
	in.StartedAt, in.ResolvedAt = started, ended
	return nil
}

func (in *Incident) findUpdate(id int64) (int, error) {
	i := slices.IndexFunc(in.Updates, func(u Update) bool { return u.ID == id })
	if id == 0 || i < 0 {
		return -1, fieldErr("update_id", "the incident has no update %d", id)
	}
	return i, nil
}

func (in *Incident) editUpdate(a Action, env Env) (*Revision, error) {
	i, err := in.findUpdate(a.UpdateID)
	if err != nil {
		return nil, err
	}
	c := a.Changes
	if c == nil {
		return nil, fieldErr("changes", "is required")
	}
	before := in.Updates[i]
	u := before
	u.Components = slices.Clone(u.Components)
	if c.Body != nil {
		if *c.Body == "" {
			return nil, fieldErr("body", "is required")
		}
		if err := checkBody(*c.Body); err != nil {
			return nil, err
		}
		u.Body = *c.Body
	}
	if c.Private != nil {
		u.Private = *c.Private
	}
	if c.DisplayAt != nil {
		if c.DisplayAt.IsZero() {
			return nil, fieldErr("display_at", "is required")
		}
		if err := checkAt("display_at", *c.DisplayAt, in.Started(), env.Now); err != nil {
			return nil, err
		}
		u.DisplayAt = *c.DisplayAt
	}
	u.UpdatedAt = env.Now
	in.Updates = slices.Delete(in.Updates, i, i+1)
	in.Updates = slices.Insert(in.Updates, position(in.Updates, u.Display()), u)
	after := u
	return &Revision{UpdateID: u.ID, Before: before, After: &after}, nil
}

func (in *Incident) deleteUpdate(a Action) (*Revision, error) {
	i, err := in.findUpdate(a.UpdateID)
	if err != nil {
		return nil, err
	}
	if len(in.Updates) == 1 {
		return nil, fieldErr("update_id", "is the incident's only update; delete the incident instead")
	}
	before := in.Updates[i]
	in.Updates = slices.Delete(in.Updates, i, i+1)
	return &Revision{UpdateID: before.ID, Before: before}, nil
}
