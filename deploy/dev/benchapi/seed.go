package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// The page the benchmark creates, and its first component, which gets
// more checks than the others.
const (
	benchPage     = "bench"
	benchTarget   = "c0000"
	seedWorkers   = 8
	targetChecks  = 4
	checkInterval = "10m" // the embedded agent of standalone probes them; rarely
)

func componentID(i int) string { return fmt.Sprintf("c%04d", i) }

// seed creates, through the API with key, the benchmark page with n
// components, one TCP check each (at a closed loopback port) and
// targetChecks on benchTarget. It returns the audit log's length.
func seed(ctx context.Context, client *http.Client, base, key string, n int) (int, error) {
	if err := post(ctx, client, base+"/api/v1/pages", key, map[string]any{"id": benchPage, "name": "API benchmark"}); err != nil {
		return 0, err
	}
	jobs := make(chan int)
	errs := make(chan error, seedWorkers)
	var wg sync.WaitGroup
	for range seedWorkers {
		wg.Go(func() {
			for i := range jobs {
				if err := seedComponent(ctx, client, base, key, i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var err error
feed:
	for i := range n {
		select {
		case jobs <- i:
		case err = <-errs:
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err == nil && len(errs) > 0 {
		err = <-errs
	}
	if err != nil {
		return 0, err
	}
	return auditTotal(ctx, client, base, key)
}

func seedComponent(ctx context.Context, client *http.Client, base, key string, i int) error {
	id := componentID(i)
	if err := post(ctx, client, base+"/api/v1/components", key, map[string]any{
		"id": id, "name": fmt.Sprintf("Component %d", i), "page_id": benchPage, "position": i + 1,
		"description": "created by deploy/dev/benchapi"}); err != nil {
		return err
	}
	checks := 1
	if id == benchTarget {
		checks = targetChecks
	}
	for j := range checks {
		if err := post(ctx, client, base+"/api/v1/checks", key, map[string]any{
			"id": fmt.Sprintf("%s-tcp-%d", id, j), "component_id": id, "interval": checkInterval,
			"tcp": map[string]any{"address": fmt.Sprintf("127.0.0.1:%d", 9+j)}}); err != nil {
			return err
		}
	}
	return nil
}

// post creates one entity and wants a 201.
func post(ctx context.Context, client *http.Client, url, key string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode body: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("new request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", url, err)
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("POST %s: read answer: %w", url, err)
	}
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST %s: status %d: %s", url, resp.StatusCode, answer)
	}
	return nil
}

// auditTotal is the audit log's total_count.
func auditTotal(ctx context.Context, client *http.Client, base, key string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/audit?per_page=1", nil)
	if err != nil {
		return 0, fmt.Errorf("new request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("GET audit: %w", err)
	}
	var out struct {
		Meta struct {
			TotalCount int `json:"total_count"`
		} `json:"meta"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	if err != nil || resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET audit: status %d: %v", resp.StatusCode, err)
	}
	return out.Meta.TotalCount, nil
}
