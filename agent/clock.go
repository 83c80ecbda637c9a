package agent

import "time"

// Clock tells the time and makes timers. The schedule depends on nothing
// else, so tests drive it with a fake clock instead of sleeping.
//
// Timers take an absolute wall-clock time rather than a duration: the
// scheduler wants "wake me at the next tick", and a fake clock then needs no
// care about time moving between computing a duration and arming the timer.
type Clock interface {
	Now() time.Time
	// NewTimer returns a stopped timer.
	NewTimer() Timer
}

// Timer fires once on C at or after the time it was last set to.
type Timer interface {
	C() <-chan time.Time
	// Reset arms the timer for time at, replacing any earlier setting; a
	// value of an earlier setting is never received afterwards.
	Reset(at time.Time)
	// Stop disarms the timer.
	Stop()
}

// realClock is the system clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer() Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return realTimer{t}
}

// realTimer relies on the Go 1.23 timer semantics: Reset and Stop discard a
// value that was not yet received.
type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Reset(at time.Time)  { r.t.Reset(time.Until(at)) }
func (r realTimer) Stop()               { r.t.Stop() }
