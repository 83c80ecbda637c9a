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
)

// floorReport is what the floor child prints; cpu is the parent's reading
// of the child's user and system time.
type floorReport struct {
	Requests int `json:"requests"`
	Errors   int `json:"errors"`
	cpu      float64
}

// runFloor runs this binary with -floor in a child process: count fresh
// connection GETs to the target at rate per second.
func (b *bench) runFloor(ctx context.Context, count int, rate float64) (floorReport, error) {
	self, err := os.Executable()
	if err != nil {
		return floorReport{}, fmt.Errorf("find own binary for the floor: %w", err)
	}
	cmd := exec.CommandContext(ctx, self, "-floor", "-floor-url", b.target+"/floor",
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

// runFloorChild is the floor: a bare net/http client, keep-alives off so
// every request dials, firing request i at start + i/rate with at most
// -concurrency in flight, as the agent fires its ticks.
func runFloorChild(ctx context.Context, o options, stdout io.Writer) error {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
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
			if err := get(ctx, client, o.floorURL); err != nil {
				failed.Add(1)
			}
			done.Add(1)
		})
	}
	wg.Wait()
	return json.NewEncoder(stdout).Encode(floorReport{Requests: int(done.Load()), Errors: int(failed.Load())})
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
