package wire

import (
	"reflect"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/result"
)

func sampleResult() result.Result {
	t0 := time.UnixMilli(1_790_000_000_123).UTC()
	return result.Result{
		ID: "r1", CheckID: "api-http", ComponentID: "api", AgentID: "agent-1", Region: "eu-west",
		CheckVersion: 3, Scheduled: t0, Started: t0.Add(2 * time.Millisecond), Duration: 1500 * time.Microsecond,
		Phases:  result.Phases{DNS: time.Microsecond, Connect: 2 * time.Microsecond, TLS: 3 * time.Microsecond, FirstByte: 4 * time.Microsecond, Transfer: 5 * time.Microsecond},
		Success: false, StatusCode: 503, ErrorClass: result.ErrHTTPStatus, Message: "status 503, expected 200-399",
	}
}

func TestResultRoundTrip(t *testing.T) {
	in := sampleResult()
	data, err := EncodeResult(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeResult(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip changed the result:\n in: %+v\nout: %+v", in, out)
	}
}

func TestCheckRoundTrip(t *testing.T) {
	in := catalog.Check{
		ID: "api-http", ComponentID: "api", Type: catalog.TypeHTTP, Version: 7,
		Interval: 10 * time.Second, Timeout: 2 * time.Second, Regions: []string{"eu-west", "us-east"},
		FailureThreshold: 3, SuccessThreshold: 2, DegradedLatency: 500 * time.Millisecond,
		HTTP: &catalog.HTTPSpec{URL: "https://example.test/health", Method: "POST", Headers: map[string]string{"X-A": "b"},
			Body: "{}", ExpectedStatus: []int{200, 204}, BodyRegex: "ok", NoFollowRedirects: true, InsecureSkipVerify: true,
			BodyNotRegex: "error", HeaderMatches: []catalog.HeaderMatch{{Name: "Content-Type", Regex: "json"}, {Name: "X-Down", Regex: ".", MustNotMatch: true}},
			MaxBodyBytes: 4096, MaxRedirects: 2, CAFile: "/ca.pem", ClientCertFile: "/c.pem", ClientKeyFile: "/k.pem",
			IPFamily: 6, NoIPFallback: true, CertExpiryThresholdDays: 21, NoTraceparent: true},
	}
	data, err := EncodeCheck(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeCheck(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip changed the check:\n in: %+v\nout: %+v", in, out)
	}
}

func TestDecodeResultMalformed(t *testing.T) {
	tests := []struct {
		name string
		data string
		kind Kind
	}{
		{"empty", ``, KindSyntax},
		{"not json", `hello`, KindSyntax},
		{"array", `[1,2]`, KindSyntax},
		{"no version", `{"id":"x"}`, KindVersion},
		{"future version", `{"v":2,"id":"x"}`, KindVersion},
		{"wrong type", `{"v":1,"id":5}`, KindSyntax},
		{"missing id", `{"v":1,"check_id":"c","component_id":"k","region":"r","scheduled_ms":1,"started_ms":1}`, KindField},
		{"missing component", `{"v":1,"id":"x","check_id":"c","region":"r","scheduled_ms":1,"started_ms":1}`, KindField},
		{"missing region", `{"v":1,"id":"x","check_id":"c","component_id":"k","scheduled_ms":1,"started_ms":1}`, KindField},
		{"zero time", `{"v":1,"id":"x","check_id":"c","component_id":"k","region":"r"}`, KindField},
		{"negative duration", `{"v":1,"id":"x","check_id":"c","component_id":"k","region":"r","scheduled_ms":1,"started_ms":1,"duration_us":-1}`, KindField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeResult([]byte(tt.data))
			if got := KindOf(err); got != tt.kind {
				t.Fatalf("kind = %q (err %v), want %q", got, err, tt.kind)
			}
		})
	}
}

func TestDecodeCheckRejectsInvalid(t *testing.T) {
	tests := []struct {
		name string
		data string
	}{
		{"no component", `{"v":1,"id":"a","type":"http","interval_ms":1000,"timeout_ms":500,"failure_threshold":1,"success_threshold":1,"http":{"url":"http://x","method":"GET"}}`},
		{"unknown type", `{"v":1,"id":"a","component_id":"c","type":"gopher","interval_ms":1000,"timeout_ms":500,"failure_threshold":1,"success_threshold":1}`},
		{"interval too short", `{"v":1,"id":"a","component_id":"c","type":"http","interval_ms":10,"timeout_ms":5,"failure_threshold":1,"success_threshold":1,"http":{"url":"http://x","method":"GET"}}`},
		{"http missing", `{"v":1,"id":"a","component_id":"c","type":"http","interval_ms":1000,"timeout_ms":500,"failure_threshold":1,"success_threshold":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeCheck([]byte(tt.data)); KindOf(err) != KindField {
				t.Fatalf("err = %v, want a field error", err)
			}
		})
	}
}

func FuzzDecodeCheck(f *testing.F) {
	f.Add([]byte(`{"v":1,"id":"a","component_id":"c","type":"http","interval_ms":1000,"timeout_ms":500,"failure_threshold":1,"success_threshold":1,"http":{"url":"http://x","method":"GET"}}`))
	f.Add([]byte(`{"v":1,"id":"a","type":"http","http":{"body_regex":"("}}`))
	const head = `{"v":1,"id":"a","component_id":"c","interval_ms":1000,"timeout_ms":500,"failure_threshold":1,"success_threshold":1,`
	f.Add([]byte(head + `"type":"dns","dns":{"server":"192.0.2.53","name":"x.example","type":"MX","rcodes":["NXDOMAIN"],"answer_regex":"^10 "}}`))
	f.Add([]byte(head + `"type":"tcp","tcp":{"address":"[::1]:25","send":"EHLO x","expect":"^220"}}`))
	f.Add([]byte(head + `"type":"tls","tls":{"address":"x.example:443","server_name":"x.example","expiry_threshold_days":7}}`))
	f.Add([]byte(head + `"type":"icmp","icmp":{"host":"::1","family":6,"count":3,"interval_ms":50}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeCheck(data)
		if err != nil {
			if KindOf(err) == "" {
				t.Fatalf("error without a kind: %v", err)
			}
			return
		}
		// A check accepted once is accepted again, unchanged, after a trip.
		enc, err := EncodeCheck(c)
		if err != nil {
			t.Fatalf("encode a decoded check: %v", err)
		}
		again, err := DecodeCheck(enc)
		if err != nil {
			t.Fatalf("decode a re-encoded check: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(c, again) {
			t.Fatalf("round trip changed the check:\n in: %+v\nout: %+v", c, again)
		}
	})
}
