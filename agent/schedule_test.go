package agent

import (
	"fmt"
	"hash/fnv"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
)

func TestPhase(t *testing.T) {
	fnvMod := func(s string, iv time.Duration) time.Duration {
		h := fnv.New64a()
		h.Write([]byte(s))
		return time.Duration(h.Sum64() % uint64(iv))
	}
	tests := []struct {
		name            string
		id, region      string
		interval        time.Duration
		want            time.Duration
		differentRegion string // when set, the phase there must differ
	}{
		{name: "formula", id: "api-health", region: "eu-west", interval: 30 * time.Second,
			want: fnvMod("api-health\x00eu-west", 30*time.Second), differentRegion: "us-east"},
		{name: "one second interval", id: "web", region: "ap-south", interval: time.Second,
			want: fnvMod("web\x00ap-south", time.Second), differentRegion: "eu-west"},
		{name: "id and region do not run together", id: "ab", region: "c", interval: time.Minute,
			want: fnvMod("ab\x00c", time.Minute), differentRegion: "bc"},
		{name: "zero interval", id: "x", region: "r", interval: 0, want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Phase(tc.id, tc.region, tc.interval)
			if got != tc.want {
				t.Errorf("Phase = %s, want %s", got, tc.want)
			}
			if tc.interval > 0 && (got < 0 || got >= tc.interval) {
				t.Errorf("Phase %s outside [0, %s)", got, tc.interval)
			}
			if tc.differentRegion != "" && Phase(tc.id, tc.differentRegion, tc.interval) == got {
				t.Errorf("regions %s and %s share phase %s", tc.region, tc.differentRegion, got)
			}
		})
	}
	// Stable across releases: a changed formula would move every check's
	// ticks on upgrade. These values were computed once and pinned.
	pinned := []struct {
		id, region string
		interval   time.Duration
		want       time.Duration
	}{
		{"api-health", "eu-west", 30 * time.Second, 17613709478},
		{"web", "ap-south", time.Second, 484433186},
	}
	for _, p := range pinned {
		if got := Phase(p.id, p.region, p.interval); got != p.want {
			t.Errorf("Phase(%s, %s, %s) = %d, pinned %d", p.id, p.region, p.interval, got, p.want)
		}
	}
}

func TestPhaseSpread(t *testing.T) {
	// 10,000 checks over a 30 s interval should land in most 1 s slots.
	const n, iv = 10000, 30 * time.Second
	var slots [30]int
	for i := range n {
		slots[Phase(fmt.Sprintf("check-%d", i), "eu-west", iv)/time.Second]++
	}
	for s, c := range slots {
		if c < n/30/2 || c > n/30*2 {
			t.Errorf("slot %d holds %d of %d checks; the hash spreads badly", s, c, n)
		}
	}
}

func TestNextTick(t *testing.T) {
	at := func(s float64) time.Time { return time.Unix(0, int64(s*1e9)).UTC() }
	tests := []struct {
		name            string
		now             time.Time
		phase, interval time.Duration
		want            time.Time
	}{
		{name: "exactly on a tick", now: at(1000), phase: 0, interval: 10 * time.Second, want: at(1000)},
		{name: "just after a tick", now: at(1000.001), phase: 0, interval: 10 * time.Second, want: at(1010)},
		{name: "with phase", now: at(1000), phase: 3 * time.Second, interval: 10 * time.Second, want: at(1003)},
		{name: "phase already passed", now: at(1004), phase: 3 * time.Second, interval: 10 * time.Second, want: at(1013)},
		{name: "before the epoch", now: at(-5), phase: 3 * time.Second, interval: 10 * time.Second, want: at(3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextTick(tc.now, tc.phase, tc.interval); !got.Equal(tc.want) {
				t.Errorf("nextTick = %v, want %v", got, tc.want)
			}
		})
	}
}

func httpCheck(id string, interval time.Duration) catalog.Check {
	return catalog.Check{ID: id, ComponentID: "comp-" + id, Type: catalog.TypeHTTP, Interval: interval,
		Timeout: min(interval, 5*time.Second), FailureThreshold: 3, SuccessThreshold: 2,
		HTTP: &catalog.HTTPSpec{URL: "http://127.0.0.1:1/", Method: "GET"}}
}

// ran is one dispatch the schedule made, and the ticks it passed over.
type ran struct {
	id     string
	tick   time.Time
	passed int
}

// collect runs s.due at now and returns the dispatches.
func collect(s *schedule, now time.Time) []ran {
	var out []ran
	s.due(now, func(e *entry, tick time.Time, passed int) { out = append(out, ran{e.check.ID, tick, passed}) })
	return out
}

func TestScheduleDue(t *testing.T) {
	const region = "eu-west"
	iv := 10 * time.Second
	epoch := time.Unix(1_700_000_000, 0).UTC() // a multiple of 10 s
	tickOf := func(id string, iv time.Duration, k int) time.Time {
		return epoch.Add(Phase(id, region, iv) + time.Duration(k)*iv)
	}

	t.Run("ticks at phase plus k intervals", func(t *testing.T) {
		s := newSchedule(region)
		s.upsert(httpCheck("a", iv), epoch)
		for k := range 3 {
			want := tickOf("a", iv, k)
			if got := collect(s, want.Add(-1)); len(got) != 0 {
				t.Fatalf("ran %v before the tick %v", got, want)
			}
			if got := collect(s, want); len(got) != 1 || !got[0].tick.Equal(want) {
				t.Fatalf("round %d: got %v, want one run at %v", k, got, want)
			}
		}
	})

	t.Run("delete stops runs", func(t *testing.T) {
		s := newSchedule(region)
		s.upsert(httpCheck("a", iv), epoch)
		s.upsert(httpCheck("b", iv), epoch)
		if got := collect(s, epoch.Add(iv)); len(got) != 2 {
			t.Fatalf("first round: %v", got)
		}
		e := s.remove("a")
		if e == nil || !e.removed {
			t.Fatalf("remove returned %+v", e)
		}
		for k := 2; k < 5; k++ {
			got := collect(s, epoch.Add(time.Duration(k)*iv))
			if len(got) != 1 || got[0].id != "b" {
				t.Fatalf("round %d after delete: %v, want only b", k, got)
			}
		}
		if s.remove("a") != nil {
			t.Error("removing twice found an entry")
		}
	})

	t.Run("update reschedules on the new interval", func(t *testing.T) {
		s := newSchedule(region)
		s.upsert(httpCheck("a", iv), epoch)
		first := tickOf("a", iv, 0)
		collect(s, first)
		newIv := 25 * time.Second
		s.upsert(httpCheck("a", newIv), first)
		want := nextTick(first.Add(1), Phase("a", region, newIv), newIv)
		if at, _ := s.nextDue(); !at.Equal(want) {
			t.Fatalf("next tick %v, want %v", at, want)
		}
		got := collect(s, want.Add(newIv))
		if len(got) != 1 || !got[0].tick.Equal(want.Add(newIv)) {
			t.Fatalf("got %v, want the latest tick %v", got, want.Add(newIv))
		}
	})

	t.Run("update never repeats a dispatched tick", func(t *testing.T) {
		s := newSchedule(region)
		c := httpCheck("a", iv)
		s.upsert(c, epoch)
		first := tickOf("a", iv, 0)
		collect(s, first)
		c.Version = 2
		s.upsert(c, first) // same instant as the tick just run
		if got := collect(s, first); len(got) != 0 {
			t.Fatalf("tick %v ran twice: %v", first, got)
		}
		if at, _ := s.nextDue(); !at.Equal(first.Add(iv)) {
			t.Fatalf("next tick %v, want %v", at, first.Add(iv))
		}
	})

	t.Run("missed ticks collapse into the latest", func(t *testing.T) {
		s := newSchedule(region)
		s.upsert(httpCheck("a", iv), epoch)
		late := tickOf("a", iv, 5).Add(time.Second)
		got := collect(s, late)
		if len(got) != 1 || !got[0].tick.Equal(tickOf("a", iv, 5)) || got[0].passed != 5 {
			t.Fatalf("got %v, want one run at %v, ticks 0 to 4 passed over", got, tickOf("a", iv, 5))
		}
		if got := collect(s, tickOf("a", iv, 6)); len(got) != 1 || got[0].passed != 0 {
			t.Fatalf("the next tick on time: got %v, want one run, none passed over", got)
		}
	})

	t.Run("clock stepped back", func(t *testing.T) {
		s := newSchedule(region)
		s.upsert(httpCheck("a", iv), epoch)
		later := epoch.Add(time.Hour)
		collect(s, later)
		back := epoch.Add(-time.Minute)
		s.rewind(back)
		want := nextTick(back, Phase("a", region, iv), iv)
		if at, _ := s.nextDue(); !at.Equal(want) {
			t.Fatalf("next tick %v after the step, want %v", at, want)
		}
		if got := collect(s, want); len(got) != 1 {
			t.Fatalf("no run after the step: %v", got)
		}
	})

	t.Run("regions are offset", func(t *testing.T) {
		a, b := newSchedule("eu-west"), newSchedule("us-east")
		a.upsert(httpCheck("api", iv), epoch)
		b.upsert(httpCheck("api", iv), epoch)
		ta, _ := a.nextDue()
		tb, _ := b.nextDue()
		if ta.Equal(tb) {
			t.Errorf("both regions tick at %v", ta)
		}
	})

	t.Run("dispatches in tick order", func(t *testing.T) {
		s := newSchedule(region)
		for i := range 100 {
			s.upsert(httpCheck(fmt.Sprintf("c%d", i), iv), epoch)
		}
		got := collect(s, epoch.Add(iv-1))
		if len(got) != 100 {
			t.Fatalf("%d runs in one interval, want 100", len(got))
		}
		for i := 1; i < len(got); i++ {
			if got[i].tick.Before(got[i-1].tick) {
				t.Fatalf("run %d at %v before run %d at %v", i, got[i].tick, i-1, got[i-1].tick)
			}
		}
	})
}
