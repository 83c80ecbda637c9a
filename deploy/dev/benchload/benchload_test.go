package benchload

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHistogramPercentiles(t *testing.T) {
	tests := []struct {
		name     string
		add      []time.Duration
		p        float64
		want     time.Duration
		wantZero bool
	}{
		{name: "empty", p: 50, wantZero: true},
		{name: "one", add: []time.Duration{123 * time.Microsecond}, p: 99, want: 123 * time.Microsecond},
		{name: "median of fine buckets", add: []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond}, p: 50,
			want: 2*time.Millisecond + 10*time.Microsecond},
		{name: "p99 in the wide buckets", add: append(make([]time.Duration, 98), 250*time.Millisecond, 300*time.Millisecond), p: 99,
			want: 251 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			for _, d := range tt.add {
				h.Add(d)
			}
			got := h.Percentile(tt.p)
			if tt.wantZero && got != 0 || !tt.wantZero && got != tt.want {
				t.Errorf("p%v = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestRunCountsAnswersAndErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad" {
			http.Error(w, "no", http.StatusTeapot)
			return
		}
		_, _ = w.Write([]byte(strings.Repeat("x", 100)))
	}))
	defer srv.Close()
	ok, err := Run(t.Context(), Options{URL: srv.URL + "/ok", Concurrency: 2, Duration: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if ok.Requests == 0 || ok.Errors != 0 || ok.Bytes != ok.Requests*100 || ok.Latency.Count() != uint64(ok.Requests) {
		t.Errorf("ok run: %d requests, %d errors (%s), %d bytes", ok.Requests, ok.Errors, ok.FirstErr, ok.Bytes)
	}
	bad, err := Run(t.Context(), Options{URL: srv.URL + "/bad", Concurrency: 1, Duration: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if bad.Requests != 0 || bad.Errors == 0 || !strings.Contains(bad.FirstErr, "418") {
		t.Errorf("bad run: %d requests, %d errors, first %q", bad.Requests, bad.Errors, bad.FirstErr)
	}
}
