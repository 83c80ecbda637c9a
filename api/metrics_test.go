package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestMetricsGolden(t *testing.T) {
	tests := []struct {
		name, target string
	}{
		{"v1_metrics_api_calculation", "/api/v1/components/api/metrics?timeframe_start=2026-11-01&timeframe_end=2026-11-23&include_calculation=true"},
		{"v1_metrics_group", "/api/v1/components/core/metrics"},
		{"v1_metrics_no_data", "/api/v1/components/cdn/metrics?include_calculation=true"},
		{"v1_components_summaries", "/api/v1/components?per_page=3"},
	}
	s := newServer(t, withHistory(), nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := s.do(t, http.MethodGet, tt.target)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200: %s", resp.StatusCode, body)
			}
			golden(t, tt.name, body)
		})
	}
}

// TestMetricsFigures checks api's figures against a calculation by hand:
// from 1 November 00:00 to now (23 November 16:00:00.123) it was tracked
// throughout; impact is 2 h major + 0.5 h partial × 0.3 + 5.5 h partial
// × 0.3 = 3.8 h over 3 outages.
func TestMetricsFigures(t *testing.T) {
	s := newServer(t, withHistory(), nil)
	resp, body := s.do(t, http.MethodGet, "/api/v1/components/api/metrics?timeframe_start=2026-11-01&include_calculation=true")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	type fig struct {
		Percent *float64 `json:"percent"`
		Seconds *int64   `json:"seconds"`
		Words   string   `json:"words"`
	}
	got := decode[struct {
		Uptime fig `json:"percentage_uptime"`
		MTTR   fig `json:"mean_time_to_recovery"`
		MTBF   fig `json:"mean_time_between_failures"`
		Data   struct {
			Total   struct{ Seconds int64 } `json:"total_time"`
			Impact  struct{ Seconds int64 } `json:"total_impact_time"`
			Outages struct{ Count int }     `json:"outages"`
		} `json:"calculation_data_in_timeframe"`
	}](t, body)
	const total = 22*86400 + 16*3600 // and 123 ms
	switch {
	case got.Data.Total.Seconds != total || got.Data.Impact.Seconds != 13680 || got.Data.Outages.Count != 3:
		t.Errorf("data %+v; want total %d s, impact 13680 s, 3 outages", got.Data, total)
	case got.Uptime.Percent == nil || *got.Uptime.Percent != 99.301 || got.Uptime.Words != "99.301%":
		t.Errorf("uptime %+v; want 99.301 (99.3014… floored)", got.Uptime)
	case got.MTTR.Seconds == nil || *got.MTTR.Seconds != 4560 || got.MTTR.Words != "1 Hour, 16 Minutes":
		t.Errorf("MTTR %+v; want 4560 s", got.MTTR)
	case got.MTBF.Seconds == nil || *got.MTBF.Seconds != 648240 || got.MTBF.Words != "7 Days, 12 Hours":
		t.Errorf("MTBF %+v; want 648240 s", got.MTBF)
	}
}

func TestMetricsBadInput(t *testing.T) {
	tests := []struct {
		name, query string
		status      int
		field       string
	}{
		{"malformed start", "timeframe_start=2026-13-01", http.StatusUnprocessableEntity, "timeframe_start"},
		{"malformed end", "timeframe_end=yesterday", http.StatusUnprocessableEntity, "timeframe_end"},
		{"reversed", "timeframe_start=2026-11-20&timeframe_end=2026-11-10", http.StatusUnprocessableEntity, "timeframe_start"},
		{"more than 12 months back", "timeframe_start=2025-11-22", http.StatusUnprocessableEntity, "timeframe_start"},
		{"exactly 12 months back", "timeframe_start=2025-11-23", http.StatusOK, ""},
		{"end in the future", "timeframe_end=2026-11-24", http.StatusUnprocessableEntity, "timeframe_end"},
		{"include_calculation not a boolean", "include_calculation=yes", http.StatusUnprocessableEntity, "include_calculation"},
	}
	s := newServer(t, withHistory(), nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := s.do(t, http.MethodGet, "/api/v1/components/api/metrics?"+tt.query)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.field == "" {
				return
			}
			e := decode[struct {
				Error struct {
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}](t, body)
			if e.Error.Fields[tt.field] == "" {
				t.Errorf("422 does not name %s: %s", tt.field, body)
			}
		})
	}
	if resp, body := s.do(t, http.MethodGet, "/api/v1/components/ghost/metrics"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown component: status %d: %s", resp.StatusCode, body)
	}
}

// FuzzMetricsQuery sends arbitrary query strings to the metrics endpoint
// of a component and of a group: the answer is never a server error,
// always JSON, and either metrics or a 422 naming the bad fields. Seeds:
// testdata/fuzz/FuzzMetricsQuery.
func FuzzMetricsQuery(f *testing.F) {
	for _, seed := range []string{"", "timeframe_start=2026-11-01&timeframe_end=2026-11-23&include_calculation=true",
		"timeframe_start=2025-11-23", "timeframe_end=2026-02-30", "include_calculation=1&timeframe_start=%00"} {
		f.Add(seed, false)
	}
	s := newServer(f, withHistory(), nil)
	f.Fuzz(func(t *testing.T, query string, group bool) {
		target := "/api/v1/components/api/metrics"
		if group {
			target = "/api/v1/components/core/metrics"
		}
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Authorization", "Bearer "+readKey)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("query %q: status %d, want 200 or 422: %s", query, rec.Code, rec.Body)
		}
		var body struct {
			Start string `json:"timeframe_start"`
			Error struct {
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("query %q: body is not JSON: %v: %s", query, err, rec.Body)
		}
		if rec.Code == http.StatusUnprocessableEntity && len(body.Error.Fields) == 0 {
			t.Fatalf("query %q: 422 without field errors: %s", query, rec.Body)
		}
		if rec.Code == http.StatusOK && body.Start < "2025-11-23" {
			t.Fatalf("query %q: a timeframe from %s, more than 12 months back", query, body.Start)
		}
	})
}

// TestMetricsBeforeTracking asks for timeframes before api was first
// tracked (1 November): that time counts as no data, and the calculation
// says so; a timeframe wholly before has no uptime at all.
func TestMetricsBeforeTracking(t *testing.T) {
	tests := []struct {
		name, query string
		percent     *float64
		noData      int64
		note        string
	}{
		{"wholly before", "timeframe_start=2026-10-01&timeframe_end=2026-10-31", nil, 31 * 86400,
			"statusd has tracked this component since 2026-11-01T00:00:00.000Z; the 31 Days of the timeframe before count as no data."},
		{"partly before", "timeframe_start=2026-10-30&timeframe_end=2026-11-05", ptr(100.0), 2 * 86400,
			"statusd has tracked this component since 2026-11-01T00:00:00.000Z; the 2 Days of the timeframe before count as no data."},
		{"a component never tracked", "", nil, 0, "statusd has no data on this component yet: the whole timeframe counts as no data."},
	}
	s := newServer(t, withHistory(), nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "api"
			if tt.query == "" {
				id = "cdn"
			}
			resp, body := s.do(t, http.MethodGet, "/api/v1/components/"+id+"/metrics?include_calculation=true&"+tt.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200: %s", resp.StatusCode, body)
			}
			got := decode[struct {
				Uptime struct {
					Percent *float64 `json:"percent"`
					Words   string   `json:"words"`
				} `json:"percentage_uptime"`
				Data struct {
					NoData struct{ Seconds int64 } `json:"no_data_time"`
					Notes  []string                `json:"notes"`
				} `json:"calculation_data_in_timeframe"`
			}](t, body)
			switch {
			case (got.Uptime.Percent == nil) != (tt.percent == nil) || (tt.percent != nil && *got.Uptime.Percent != *tt.percent):
				t.Errorf("uptime %+v; want %v", got.Uptime, tt.percent)
			case tt.percent == nil && got.Uptime.Words != "No data in this timeframe":
				t.Errorf("uptime words %q; want No data in this timeframe", got.Uptime.Words)
			case tt.noData != 0 && got.Data.NoData.Seconds != tt.noData:
				t.Errorf("no data %d s; want %d", got.Data.NoData.Seconds, tt.noData)
			case !slices.Contains(got.Data.Notes, tt.note):
				t.Errorf("notes %q; want %q among them", got.Data.Notes, tt.note)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
