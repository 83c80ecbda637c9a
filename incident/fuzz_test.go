package incident

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/statusd/statusd/status"
)

// FuzzApply checks that any action on an open, resolved or automatic
// incident either returns a consistent incident or a FieldError with the
// input left as it was; never a panic.
func FuzzApply(f *testing.F) {
	f.Add("update", "identified", "t", "b", "major", "api", "major_outage", int64(1), int64(0), int64(0), uint8(0), uint16(0))
	f.Add("resolve", "", "", "", "", "", "", int64(0), int64(0), int64(0), uint8(1), uint16(1))
	f.Add("open", "resolved", "t", "b", "none", "", "", int64(-60), int64(-30), int64(0), uint8(2), uint16(7))
	f.Add("edit_update", "", "", "new", "", "", "", int64(2), int64(0), int64(70), uint8(0), uint16(0))
	f.Add("delete_update", "", "", "", "", "", "", int64(0), int64(0), int64(70), uint8(3), uint16(3))
	f.Add("postmortem", "", "", "pm", "", "", "", int64(0), int64(0), int64(0), uint8(1), uint16(0))
	f.Fuzz(func(t *testing.T, kind, st, title, body, impact, comp, compStatus string, atMin, endMin, updateID int64, base uint8, flags uint16) {
		e := env(10)
		in := []Incident{fuzzOpen(), fuzzResolved(), fuzzAuto(), {}}[int(base)%4]
		before := clone(in)
		minute := func(m int64) time.Time {
			if m == 0 {
				return time.Time{}
			}
			return at(int(m % 1e6))
		}
		a := Action{Kind: Kind(kind), Person: flags&1 != 0, Title: title, Body: body, Impact: Impact(impact), Status: st,
			Private: flags&2 != 0, Backfilled: flags&4 != 0, At: minute(atMin), StartedAt: minute(atMin), ResolvedAt: minute(endMin),
			UpdateID: updateID}
		if comp != "" || flags&8 != 0 {
			a.Components = []ComponentStatus{{comp, status.Status(compStatus)}}
		}
		if flags&16 != 0 {
			a.Changes = &Changes{Title: &title, Body: &body, DisplayAt: &a.At, StartedAt: &a.StartedAt}
		}
		if flags&32 != 0 && a.Changes != nil {
			a.Changes.ResolvedAt = &a.ResolvedAt
		}
		got, _, err := Apply(in, a, e)
		if !reflect.DeepEqual(in, before) {
			t.Fatal("the input incident was modified")
		}
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Fatalf("error %v is not a FieldError", err)
			}
			return
		}
		checkConsistent(t, got, e.Now)
	})
}

func checkConsistent(t *testing.T, in Incident, now time.Time) {
	t.Helper()
	switch {
	case !in.Status.Valid():
		t.Fatalf("status %q", in.Status)
	case !in.Impact.Valid():
		t.Fatalf("impact %q", in.Impact)
	case in.Status.Open() != in.ResolvedAt.IsZero() && in.DeletedAt.IsZero():
		t.Fatalf("status %s with resolved_at %v", in.Status, in.ResolvedAt)
	case !in.ResolvedAt.IsZero() && in.ResolvedAt.Before(in.Started()):
		t.Fatalf("resolved %v before started %v", in.ResolvedAt, in.Started())
	case in.Started().After(now.Add(MaxSkew)) || in.ResolvedAt.After(now.Add(MaxSkew)):
		t.Fatalf("times in the future: %v %v", in.Started(), in.ResolvedAt)
	case len(in.Updates) == 0:
		t.Fatal("no updates")
	}
	for i := 1; i < len(in.Updates); i++ {
		if in.Updates[i].Display().After(in.Updates[i-1].Display()) {
			t.Fatalf("updates out of order at %d", i)
		}
	}
	for _, c := range in.Components {
		if c.ComponentID == "" || !c.Status.Valid() {
			t.Fatalf("component %+v", c)
		}
	}
}

func fuzzOpen() Incident {
	return Incident{ID: 7, Name: "API down", Status: Identified, Impact: ImpactMajor, CreatedAt: at(0), UpdatedAt: at(2),
		Components: []ComponentStatus{{"api", status.MajorOutage}}, ComponentIDs: []string{"api"},
		Updates: []Update{{ID: 71, Status: Identified, Body: "Found.", CreatedAt: at(2)}, {ID: 70, Status: Investigating, Body: "Looking.", CreatedAt: at(0)}}}
}

func fuzzResolved() Incident {
	in := fuzzOpen()
	in.Status, in.ResolvedAt = Resolved, at(5)
	in.Updates = append([]Update{{ID: 72, Status: Resolved, Body: "Fixed.", CreatedAt: at(5)}}, in.Updates...)
	return in
}

func fuzzAuto() Incident {
	in := fuzzOpen()
	in.Automatic, in.TakenOver, in.Components = true, true, nil
	return in
}
