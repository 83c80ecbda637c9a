package e2e

import (
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/statusd/statusd/wire"
)

// delivery is what reached the results topic, de-duplicated by result ID.
type delivery struct {
	arrived, duplicates, orderViolations int
	ticks                                map[string][]time.Time // per check, first occurrences in topic order
}

func analyse(t *testing.T, msgs []topicMessage) delivery {
	t.Helper()
	d := delivery{ticks: map[string][]time.Time{}}
	seen := map[string]bool{}
	for _, m := range msgs { // partition by partition, in offset order
		r, err := wire.DecodeResult(m.value)
		if err != nil {
			t.Fatalf("decode result at %d/%d: %v", m.partition, m.offset, err)
		}
		if seen[r.ID] {
			d.duplicates++
			continue
		}
		seen[r.ID] = true
		d.arrived++
		ticks := d.ticks[r.CheckID]
		if n := len(ticks); n > 0 && !r.Scheduled.After(ticks[n-1]) {
			d.orderViolations++
		}
		d.ticks[r.CheckID] = append(ticks, r.Scheduled)
	}
	return d
}

// missing counts, per check, the ticks absent between its first and last
// result, leaving out the ticks inside the excused span (an agent down).
// It returns the ticks expected, missing and excused.
func (d delivery) missing(from, to time.Time) (expected, missing, excused int) {
	for _, ticks := range d.ticks {
		sorted := slices.SortedFunc(slices.Values(ticks), func(a, b time.Time) int { return a.Compare(b) })
		expected += len(sorted)
		for i := 1; i < len(sorted); i++ {
			gap := int(sorted[i].Sub(sorted[i-1]).Round(spoolInterval) / spoolInterval)
			for k := 1; k < gap; k++ {
				if tick := sorted[i-1].Add(time.Duration(k) * spoolInterval); tick.After(from) && tick.Before(to) {
					excused++
				} else {
					expected++
					missing++
				}
			}
		}
	}
	return expected, missing, excused
}

// verify checks the delivery: nothing missing but the ticks the agent said
// it skipped (a loaded machine can stall it past a tick; it counts them and
// never makes a result for them), nothing out of order, every check
// delivered past lastAfter, and logs the numbers.
func verify(t *testing.T, name string, d delivery, excuseFrom, excuseTo, lastAfter time.Time, skipped int) {
	t.Helper()
	expected, missing, excused := d.missing(excuseFrom, excuseTo)
	t.Logf("MEASURED %s: %d checks, results expected %d, arrived %d (unique), duplicates %d, missing %d, order violations %d; "+
		"%d ticks not run while the agent was down, %d ticks the agent skipped",
		name, len(d.ticks), expected, d.arrived, d.duplicates, missing, d.orderViolations, excused, skipped)
	if len(d.ticks) != spoolChecks {
		t.Errorf("results of %d checks arrived, want %d", len(d.ticks), spoolChecks)
	}
	if skipped < 0 {
		t.Errorf("the agent's skipped ticks could not be read")
	}
	if missing > max(skipped, 0) || d.orderViolations > 0 {
		t.Errorf("%d results missing (the agent skipped %d ticks), %d out of order", missing, skipped, d.orderViolations)
	}
	for id, ticks := range d.ticks {
		if last := slices.MaxFunc(ticks, func(a, b time.Time) int { return a.Compare(b) }); last.Before(lastAfter) {
			t.Errorf("check %s: last result of %s, want one after %s", id, last, lastAfter)
		}
	}
}

// TestKafkaOutage stops the agent's broker for 30 s while the agent
// probes: every result arrives once the broker is back, in order per
// check, and the spool is empty afterwards.
func TestKafkaOutage(t *testing.T) {
	r := newSpoolRig(t)
	r.startAgent(t)
	time.Sleep(3 * time.Second)

	r.broker.signal(t, syscall.SIGSTOP)
	stopped := time.Now()
	waitFor(t, 20*time.Second, "results in the spool", func() bool { return r.metric("statusd_agent_spool_records") > 0 })
	time.Sleep(time.Until(stopped.Add(30 * time.Second)))
	spooled := r.metric("statusd_agent_spool_records")
	r.broker.signal(t, syscall.SIGCONT)
	resumed := time.Now()
	took := r.waitDrained(t)
	t.Logf("MEASURED outage 30s: %v results spooled at its end, spool drained %s after the broker resumed",
		spooled, took.Round(time.Millisecond))
	time.Sleep(2 * time.Second)
	skipped := r.skipped()
	r.agent.stop(syscall.SIGTERM) // flushes what is in flight
	if n := r.spoolFileBytes(t); n != 0 {
		t.Errorf("spool files hold %d bytes after the agent stopped, want 0", n)
	}
	d := analyse(t, readTopic(t, r.broker.addr, r.prefix+"results"))
	verify(t, "kafka outage", d, time.Time{}, time.Time{}, resumed.Add(time.Second), skipped)
}

// TestAgentSIGKILLDuringKafkaOutage kills the agent while its broker is
// stopped and its spool holds results, then brings both back: what the
// spool had taken arrives, in order per check, and the spool empties.
func TestAgentSIGKILLDuringKafkaOutage(t *testing.T) {
	r := newSpoolRig(t)
	r.startAgent(t)
	time.Sleep(3 * time.Second)

	r.broker.signal(t, syscall.SIGSTOP)
	stopped := time.Now()
	waitFor(t, 20*time.Second, "results in the spool", func() bool { return r.metric("statusd_agent_spool_records") > 0 })
	time.Sleep(time.Until(stopped.Add(10 * time.Second)))
	spooled := r.metric("statusd_agent_spool_records")
	skipped := r.skipped()
	killed := time.Now()
	r.agent.stop(syscall.SIGKILL)
	time.Sleep(2 * time.Second)
	r.broker.signal(t, syscall.SIGCONT)
	r.startAgent(t)
	restarted := time.Now()
	took := r.waitDrained(t)
	t.Logf("MEASURED SIGKILL with %v results spooled: spool drained %s after the restart", spooled, took.Round(time.Millisecond))
	time.Sleep(2 * time.Second)
	if n := r.skipped(); n >= 0 && skipped >= 0 {
		skipped += n // the restarted agent counts from zero
	} else {
		skipped = -1
	}
	r.agent.stop(syscall.SIGTERM)
	if n := r.spoolFileBytes(t); n != 0 {
		t.Errorf("spool files hold %d bytes after the agent stopped, want 0", n)
	}
	d := analyse(t, readTopic(t, r.broker.addr, r.prefix+"results"))
	// A tick under way in the last interval before the kill never made a
	// result; nothing runs until the restart.
	verify(t, "SIGKILL during outage", d, killed.Add(-spoolInterval), restarted.Add(spoolInterval), restarted.Add(time.Second), skipped)
}
