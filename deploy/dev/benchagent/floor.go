package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	probing "github.com/prometheus-community/pro-bing"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/probes/icmpprobe"
)

// floorReport is what the floor child prints; cpu is the parent's reading
// of the child's user and system time.
type floorReport struct {
	Requests int `json:"requests"`
	Errors   int `json:"errors"`
	cpu      float64
}

// runFloor runs this binary with -floor in a child process: count probes
// of the kind at rate per second, fresh connection GETs to the target or
// pro-bing runs to icmpTarget.
func (b *bench) runFloor(ctx context.Context, kind catalog.Type, count int, rate float64) (floorReport, error) {
	self, err := os.Executable()
	if err != nil {
		return floorReport{}, fmt.Errorf("find own binary for the floor: %w", err)
	}
	url := b.target + "/floor"
	if kind == catalog.TypeICMP {
		url = icmpTarget
	}
	cmd := exec.CommandContext(ctx, self, "-floor", "-floor-kind", string(kind), "-floor-url", url,
		"-floor-rate", strconv.FormatFloat(rate, 'f', -1, 64), "-floor-count", strconv.Itoa(count),
		"-concurrency", strconv.Itoa(b.opts.conc))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return floorReport{}, fmt.Errorf("floor client: %w", err)
	}
	var rep floorReport
	if err := json.Unmarshal(out, &rep); err != nil {
		return floorReport{}, fmt.Errorf("floor client's report %q: %w", out, err)
	}
	st := cmd.ProcessState
	rep.cpu = (st.UserTime() + st.SystemTime()).Seconds()
	return rep, nil
}

// runFloorChild is the floor, firing probe i at start + i/rate with at
// most -concurrency in flight, as the agent fires its ticks. For HTTP it
// is a bare net/http client with keep-alives off, so every request dials;
// for ICMP one pro-bing pinger per probe, sending the probe's default
// count of echo requests at its default interval, as a pinger per check
// would.
func runFloorChild(ctx context.Context, o options, stdout io.Writer) error {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	probe := func() error { return get(ctx, client, o.floorURL) }
	if o.floorKind == "icmp" {
		probe = func() error { return ping(ctx, o.floorURL) }
	}
	sem := make(chan struct{}, o.conc)
	var wg sync.WaitGroup
	var done, failed atomic.Int64
	start := time.Now()
	step := float64(time.Second) / o.floorRate
	for i := range o.floorCount {
		if d := time.Until(start.Add(time.Duration(float64(i) * step))); d > 0 {
			if err := sleep(ctx, d); err != nil {
				return err
			}
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := probe(); err != nil {
				failed.Add(1)
			}
			done.Add(1)
		})
	}
	wg.Wait()
	return json.NewEncoder(stdout).Encode(floorReport{Requests: int(done.Load()), Errors: int(failed.Load())})
}

// ping runs one pro-bing pinger to host, privileged when run as root (as
// the agent decides by trying), and fails when every request was lost.
func ping(ctx context.Context, host string) error {
	p, err := probing.NewPinger(host)
	if err != nil {
		return fmt.Errorf("ping %s: %w", host, err)
	}
	p.SetPrivileged(os.Geteuid() == 0)
	p.SetLogger(probing.NoopLogger{})
	p.Count, p.Interval, p.Timeout = icmpprobe.DefaultCount, icmpprobe.DefaultInterval, 5*time.Second
	if err := p.RunWithContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", host, err)
	}
	if st := p.Statistics(); st.PacketsRecv == 0 {
		return fmt.Errorf("ping %s: all %d requests lost", host, st.PacketsSent)
	}
	return nil
}

// get makes one GET and reads the body, as a probe does.
func get(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	if err == nil && resp.StatusCode != http.StatusOK {
		err = errors.New("GET " + url + ": status " + resp.Status)
	}
	return err
}
