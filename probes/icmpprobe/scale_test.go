package icmpprobe

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	probing "github.com/prometheus-community/pro-bing"
)

// The ICMP scaling measurement: scaleChecks checks ping 127.0.0.1 at once,
// scaleCount requests scaleInterval apart each, first with one pro-bing
// pinger per check (a socket and three goroutines per run, the way a pinger
// per check works), then with one Prober whose two sockets every probe
// shares. cpu-ms/op is the process's CPU time per round of every check;
// peak-goroutines the most goroutines seen during a round; lost the replies
// missing per round.
//
//	go test -run '^$' -bench Scale -benchtime 5x ./probes/icmpprobe/
const (
	scaleChecks   = 1000
	scaleCount    = 3
	scaleInterval = 100 * time.Millisecond
)

func BenchmarkScaleProBing(b *testing.B) {
	scale(b, func() (int, error) {
		p := probing.New("127.0.0.1")
		p.SetPrivileged(true)
		p.SetLogger(probing.NoopLogger{})
		p.Count, p.Interval, p.Timeout = scaleCount, scaleInterval, 5*time.Second
		if err := p.Run(); err != nil {
			return 0, err
		}
		st := p.Statistics()
		return st.PacketsSent - st.PacketsRecv, nil
	})
}

func BenchmarkScaleShared(b *testing.B) {
	p := newProber(b, ModePrivileged)
	spec := Spec{Host: "127.0.0.1", Count: scaleCount, Interval: scaleInterval}
	scale(b, func() (int, error) {
		r := p.Probe(context.Background(), spec, 5*time.Second)
		return int(r.PacketLoss*scaleCount + 0.5), nil
	})
}

func scale(b *testing.B, check func() (lost int, err error)) {
	var (
		cpu  time.Duration
		lost atomic.Int64
		peak int
	)
	for b.Loop() {
		c0 := cpuTime(b)
		stop := make(chan struct{})
		sampled := make(chan int)
		go func() {
			most := 0
			for {
				most = max(most, runtime.NumGoroutine())
				select {
				case <-stop:
					sampled <- most
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
		}()
		var wg sync.WaitGroup
		for range scaleChecks {
			wg.Go(func() {
				n, err := check()
				if err != nil {
					b.Error(err)
				}
				lost.Add(int64(n))
			})
		}
		wg.Wait()
		close(stop)
		peak = max(peak, <-sampled)
		cpu += cpuTime(b) - c0
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(peak), "peak-goroutines")
	b.ReportMetric(float64(lost.Load())/float64(b.N), "lost/op")
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime(t testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
