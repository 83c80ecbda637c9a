package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{"defaults", nil, []string{"sqlite", "postgres"}, ""},
		{"one store, repeated", []string{"-stores", "sqlite, sqlite"}, []string{"sqlite"}, ""},
		{"unknown store", []string{"-stores", "mysql"}, nil, `-stores: unknown store "mysql" (known: sqlite, postgres)`},
		{"no duration", []string{"-duration", "0s"}, nil, "-duration: must be positive"},
		{"no concurrency", []string{"-concurrency", "0"}, nil, "-concurrency: must be at least 1"},
		{"stray argument", []string{"now"}, nil, `unexpected arguments ["now"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, io.Discard)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(o.stores, tt.want) {
				t.Fatalf("stores %v, %v; want %v", o.stores, err, tt.want)
			}
			if len(tt.args) == 0 && (o.duration != 20*time.Second || o.concurrency != 64 || o.components != 500) {
				t.Errorf("defaults %+v, want 20 s at concurrency 64 over 500 components", o)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 200; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		name string
		in   []time.Duration
		p    float64
		want float64
	}{
		{"none", nil, 99, 0},
		{"one", []time.Duration{1500 * time.Microsecond}, 50, 1.5},
		{"p50 of 200", d, 50, 100},
		{"p99 of 200", d, 99, 198},
		{"p100 is the max", d, 100, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.in, tt.p); got != tt.want {
				t.Errorf("percentile(%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestLineJSON(t *testing.T) {
	s := sample{requests: 4, errors: 1, elapsed: 2 * time.Second, firstErr: "status 503: <nil>",
		latencies: []time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond}}
	l := newLine(endpoint{name: "list_audit", path: "/api/v1/audit"}, "sqlite", 64, s)
	var buf bytes.Buffer
	if err := l.write(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Count(buf.String(), "\n") != 1 {
		t.Fatalf("not one line: %q", buf.String())
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"bench": "api", "endpoint": "list_audit", "store": "sqlite", "concurrency": 64.0,
		"rps": 2.0, "p50_ms": 2.0, "p99_ms": 3.0, "max_ms": 3.0, "requests": 4.0, "errors": 1.0}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

// TestLoad runs the load generator briefly against a local server: every
// answered request is counted, errors apart, and the key is sent.
func TestLoad(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, `{"data":[]}`)
	}))
	t.Cleanup(srv.Close)
	client := newClient(4)
	ok := load(context.Background(), client, srv.URL, endpoint{name: "x", path: "/x", key: "k"}, 4, 200*time.Millisecond)
	if ok.requests == 0 || ok.errors != 0 || len(ok.latencies) != ok.requests || ok.elapsed < 200*time.Millisecond {
		t.Fatalf("load with the key: %d requests, %d errors, %d latencies, %s", ok.requests, ok.errors, len(ok.latencies), ok.elapsed)
	}
	bad := load(context.Background(), client, srv.URL, endpoint{name: "x", path: "/x"}, 2, 100*time.Millisecond)
	if bad.requests == 0 || bad.errors != bad.requests || len(bad.latencies) != 0 || !strings.HasPrefix(bad.firstErr, "status 401") {
		t.Fatalf("load without the key: %+v", bad)
	}
}

func TestServerEnv(t *testing.T) {
	got := serverEnv([]string{"PATH=/bin", "STATUSD_HTTP_ADDR=:1", "STATUSD_TEST_POSTGRES=x", "HOME=/root"})
	if !slices.Equal(got, []string{"PATH=/bin", "HOME=/root"}) {
		t.Errorf("serverEnv = %v", got)
	}
}
