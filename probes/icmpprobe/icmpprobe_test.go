package icmpprobe

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/statusd/statusd/result"
)

func newProber(t testing.TB, mode Mode) *Prober {
	t.Helper()
	p, err := New(Options{Mode: mode})
	if err != nil {
		if os.Geteuid() != 0 {
			t.Skipf("no ICMP socket for this user (not root, ping sockets not allowed): %v", err)
		}
		t.Fatalf("new prober: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return p
}

func TestModeDecision(t *testing.T) {
	var logs bytes.Buffer
	p, err := New(Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		if os.Geteuid() != 0 {
			t.Skipf("no ICMP socket for this user (not root, ping sockets not allowed): %v", err)
		}
		t.Fatal(err)
	}
	defer func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	}()
	want := ModeUnprivileged
	if os.Geteuid() == 0 {
		want = ModePrivileged // root may open raw sockets
	}
	if p.Mode() != want {
		t.Errorf("mode %q, want %q", p.Mode(), want)
	}
	if !strings.Contains(logs.String(), "mode="+string(want)) {
		t.Errorf("log %q does not say the mode", logs.String())
	}
	if _, err := New(Options{Mode: "raw"}); err == nil || !strings.Contains(err.Error(), "Options.Mode") {
		t.Errorf("unknown mode: err %v, want one naming Options.Mode", err)
	}
}

func TestProbe(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("privileged ICMP needs root; TestUnprivileged covers this user")
	}
	testProbe(t, newProber(t, ModePrivileged))
}

// envNetns marks the run of TestUnprivileged inside its network namespace.
const envNetns = "STATUSD_TEST_ICMP_NETNS"

// TestUnprivileged runs the probe cases with ping sockets. Where the
// process's group may not open them (net.ipv4.ping_group_range), a root
// test re-runs itself in a network namespace of its own, whose
// ping_group_range it may widen without touching the host's.
func TestUnprivileged(t *testing.T) {
	if p, err := New(Options{Mode: ModeUnprivileged}); err == nil {
		t.Cleanup(func() {
			if err := p.Close(); err != nil {
				t.Error(err)
			}
		})
		testProbe(t, p)
		return
	} else if os.Getenv(envNetns) != "" {
		t.Fatalf("inside the test's network namespace: %v", err)
	}
	groups, _ := os.ReadFile("/proc/sys/net/ipv4/ping_group_range")
	unshare, lookErr := exec.LookPath("unshare")
	if os.Geteuid() != 0 || lookErr != nil {
		t.Skipf("ping sockets are not allowed here (net.ipv4.ping_group_range = %s) and a network namespace needs root and unshare(1)",
			strings.Join(strings.Fields(string(groups)), " "))
	}
	script := `ip link set lo up && echo "0 2147483647" >/proc/sys/net/ipv4/ping_group_range && exec "$0" -test.run '^TestUnprivileged$' -test.v`
	cmd := exec.Command(unshare, "--net", "sh", "-c", script, os.Args[0])
	cmd.Env = append(os.Environ(), envNetns+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestUnprivileged") || strings.Contains(string(out), "SKIP") {
		t.Fatalf("in a network namespace: %v\n%s", err, out)
	}
	t.Logf("ran in a network namespace with ping_group_range 0-2147483647:\n%s", out)
}

func testProbe(t *testing.T, p *Prober) {
	tests := []struct {
		name     string
		spec     Spec
		timeout  time.Duration
		success  bool
		class    result.ErrorClass
		loss     float64
		contains string
	}{
		{name: "ipv4", spec: Spec{Host: "127.0.0.1", Count: 3, Interval: 20 * time.Millisecond}, success: true},
		{name: "ipv6", spec: Spec{Host: "::1", Count: 3, Interval: 20 * time.Millisecond}, success: true},
		{name: "localhost", spec: Spec{Host: "localhost", Count: 2, Interval: 20 * time.Millisecond}, success: true},
		{name: "defaults", spec: Spec{Host: "127.0.0.1"}, success: true},
		{name: "unknown host", spec: Spec{Host: "no-such-host.invalid"}, class: result.ErrDNS},
		{name: "family mismatch", spec: Spec{Host: "127.0.0.1", Family: 6}, class: result.ErrDNS, contains: "not IPv6"},
		{name: "does not fit the timeout", spec: Spec{Host: "127.0.0.1", Count: 10, Interval: time.Second}, timeout: 5 * time.Second,
			class: result.ErrInternal, contains: "not less than the timeout"},
		{name: "invalid", spec: Spec{Host: "127.0.0.1", Count: 1000}, class: result.ErrInternal, contains: "icmp.count"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 3 * time.Second
			}
			r := p.Probe(context.Background(), tc.spec, timeout)
			if r.Success != tc.success || r.ErrorClass != tc.class {
				t.Fatalf("success %v class %q (%s), want %v %q", r.Success, r.ErrorClass, r.Message, tc.success, tc.class)
			}
			if !strings.Contains(r.Message, tc.contains) {
				t.Errorf("message %q does not contain %q", r.Message, tc.contains)
			}
			if tc.success {
				if r.PacketLoss != 0 || r.RTTMin <= 0 || r.RTTMin > r.RTTAvg || r.RTTAvg > r.RTTMax || r.RTTMax > time.Second {
					t.Errorf("loss %v rtt %v/%v/%v: want no loss and 0 < min <= avg <= max", r.PacketLoss, r.RTTMin, r.RTTAvg, r.RTTMax)
				}
			}
		})
	}
}

// TestUnreachable pings a TEST-NET-3 address, which no network routes.
func TestUnreachable(t *testing.T) {
	p := newProber(t, ModeAuto)
	r := p.Probe(context.Background(), Spec{Host: "203.0.113.1", Count: 2, Interval: 50 * time.Millisecond}, 500*time.Millisecond)
	if r.ErrorClass == result.ErrNetwork {
		t.Skipf("no route out of this sandbox to test loss (%s)", r.Message)
	}
	if r.Success || r.ErrorClass != result.ErrPacketLoss || r.PacketLoss != 1 || r.RTTMax != 0 {
		t.Fatalf("success %v class %q loss %v rtt max %v (%s), want 100%% packet_loss", r.Success, r.ErrorClass, r.PacketLoss, r.RTTMax, r.Message)
	}
	if !strings.Contains(r.Message, "2 of 2 echo requests lost") {
		t.Errorf("message %q", r.Message)
	}
	if r.Duration < 500*time.Millisecond || r.Duration > time.Second {
		t.Errorf("duration %v, want the 500ms timeout", r.Duration)
	}
}

// TestConcurrent runs many probes of two Probers at once: each reply must
// reach its own probe through the shared sockets.
func TestConcurrent(t *testing.T) {
	a, b := newProber(t, ModeAuto), newProber(t, ModeAuto)
	var wg sync.WaitGroup
	errs := make(chan string, 400)
	for i := range 400 {
		p, host := a, "127.0.0.1"
		if i%2 == 1 {
			p = b
		}
		if i%4 >= 2 {
			host = "::1"
		}
		wg.Go(func() {
			r := p.Probe(context.Background(), Spec{Host: host, Count: 3, Interval: 10 * time.Millisecond}, 5*time.Second)
			if !r.Success || r.PacketLoss != 0 {
				errs <- r.Message
			}
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

func TestJudge(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name      string
		count     int
		threshold int
		rtts      []time.Duration
		sendErr   error
		success   bool
		class     result.ErrorClass
		loss      float64
	}{
		{name: "all back", count: 3, threshold: 100, rtts: []time.Duration{3 * ms, 1 * ms, 2 * ms}, success: true},
		{name: "some lost, default threshold", count: 3, threshold: 100, rtts: []time.Duration{ms}, success: true, loss: 2.0 / 3},
		{name: "all lost", count: 3, threshold: 100, class: result.ErrPacketLoss, loss: 1},
		{name: "one lost over 1%", count: 4, threshold: 1, rtts: []time.Duration{ms, ms, ms}, class: result.ErrPacketLoss, loss: 0.25},
		{name: "one lost under 50%", count: 4, threshold: 50, rtts: []time.Duration{ms, ms, ms}, success: true, loss: 0.25},
		{name: "half lost at 50%", count: 4, threshold: 50, rtts: []time.Duration{ms, ms}, class: result.ErrPacketLoss, loss: 0.5},
		{name: "send failed", count: 2, threshold: 100, sendErr: errors.New("network is unreachable"), class: result.ErrNetwork, loss: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r result.Result
			judge(context.Background(), &r, Spec{Count: tc.count, LossThresholdPercent: tc.threshold}, tc.rtts, tc.sendErr)
			if r.Success != tc.success || r.ErrorClass != tc.class || r.PacketLoss != tc.loss {
				t.Fatalf("success %v class %q loss %v (%s), want %v %q %v", r.Success, r.ErrorClass, r.PacketLoss, r.Message,
					tc.success, tc.class, tc.loss)
			}
			if tc.name == "all back" && (r.RTTMin != ms || r.RTTAvg != 2*ms || r.RTTMax != 3*ms) {
				t.Errorf("rtt %v/%v/%v, want 1ms/2ms/3ms", r.RTTMin, r.RTTAvg, r.RTTMax)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		spec   Spec
		fields []string
	}{
		{name: "ok", spec: Spec{Host: "example.com"}},
		{name: "ok full", spec: Spec{Host: "2001:db8::1", Family: 6, Count: 100, Interval: 10 * time.Second, LossThresholdPercent: 1}},
		{name: "empty", spec: Spec{}, fields: []string{"icmp.host"}},
		{name: "everything wrong", spec: Spec{Host: "a b", Family: 5, Count: -1, Interval: time.Millisecond, LossThresholdPercent: 101},
			fields: []string{"icmp.host", "icmp.family", "icmp.count", "icmp.interval", "icmp.loss_threshold_percent"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.ApplyDefaults()
			errs := tc.spec.Validate()
			if len(errs) != len(tc.fields) {
				t.Fatalf("errors %v, want fields %v", errs, tc.fields)
			}
			for i, e := range errs {
				if e.Field != tc.fields[i] || e.Message == "" {
					t.Errorf("error %d = %v, want field %s", i, e, tc.fields[i])
				}
			}
		})
	}
}

func FuzzValidate(f *testing.F) {
	f.Add("127.0.0.1", 0, 3, int64(200*time.Millisecond), 100)
	f.Add("a b", 5, -1, int64(-1), 101)
	f.Fuzz(func(t *testing.T, host string, family, count int, interval int64, threshold int) {
		s := Spec{Host: host, Family: family, Count: count, Interval: time.Duration(interval), LossThresholdPercent: threshold}
		s.ApplyDefaults()
		for _, e := range s.Validate() {
			if !strings.HasPrefix(e.Field, "icmp.") || e.Message == "" {
				t.Fatalf("bad field error %+v", e)
			}
		}
	})
}

func BenchmarkProbe(b *testing.B) {
	p := newProber(b, ModeAuto)
	spec := Spec{Host: "127.0.0.1", Count: 1, Interval: 10 * time.Millisecond}
	for b.Loop() {
		if r := p.Probe(context.Background(), spec, time.Second); !r.Success {
			b.Fatalf("probe failed: %s", r.Message)
		}
	}
}
