package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// endpoint is one request the load repeats.
type endpoint struct {
	name string
	path string // with its query
	key  string // API key sent as Bearer; "" for none
}

// load sends ep's request to base from concurrency workers, each one
// request at a time, for d, and measures every answer.
func load(ctx context.Context, client *http.Client, base string, ep endpoint, concurrency int, d time.Duration) sample {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	results := make([]sample, concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range concurrency {
		wg.Go(func() { results[i] = worker(ctx, client, base+ep.path, ep.key) })
	}
	wg.Wait()
	var total sample
	for _, r := range results {
		total.merge(r)
	}
	total.elapsed = time.Since(start)
	return total
}

// worker sends the request until ctx ends; a request cut by the end is
// not counted.
func worker(ctx context.Context, client *http.Client, url, key string) sample {
	var s sample
	for ctx.Err() == nil {
		t0 := time.Now()
		status, err := get(ctx, client, url, key)
		took := time.Since(t0)
		if ctx.Err() != nil {
			break
		}
		s.requests++
		if err != nil || status != http.StatusOK {
			s.errors++
			if s.firstErr == "" {
				s.firstErr = fmt.Sprintf("status %d: %v", status, err)
			}
			continue
		}
		s.latencies = append(s.latencies, took)
	}
	return s
}

// get sends one GET and reads its answer to the end.
func get(ctx context.Context, client *http.Client, url, key string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, fmt.Errorf("new request: %w", err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	return resp.StatusCode, err
}

// newClient keeps a connection per worker, as a load balancer would.
func newClient(concurrency int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: concurrency * 2, MaxIdleConnsPerHost: concurrency * 2, IdleConnTimeout: time.Minute,
	}}
}
