package wire

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/fleet"
)

func sampleHeartbeat() fleet.Heartbeat {
	return fleet.Heartbeat{
		AgentID: "agent-eu-1", Region: "eu-west", Version: "0.4.0", ChecksRunning: 120,
		QueueDepth: 3, SpoolDepth: 0, SpoolBytes: 0, Sent: time.UnixMilli(1_795_420_800_000).UTC(), Interval: 10 * time.Second,
	}
}

// The example of docs/wire.md.
const sampleHeartbeatJSON = `{"v":1,"agent_id":"agent-eu-1","region":"eu-west","version":"0.4.0","checks_running":120,"queue_depth":3,"spool_depth":0,"spool_bytes":0,"sent_ms":1795420800000,"interval_ms":10000}`

func TestHeartbeatRoundTrip(t *testing.T) {
	in := sampleHeartbeat()
	data, err := EncodeHeartbeat(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != sampleHeartbeatJSON {
		t.Errorf("encoding changed; update docs/wire.md:\n got %s\nwant %s", data, sampleHeartbeatJSON)
	}
	out, err := DecodeHeartbeat(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip changed the heartbeat:\n in: %+v\nout: %+v", in, out)
	}
}

func TestDecodeHeartbeatDefaults(t *testing.T) {
	// Only identity and time: every count is zero and the interval is the default.
	hb, err := DecodeHeartbeat([]byte(`{"v":1,"agent_id":"a","region":"r","sent_ms":5,"future_field":true}`))
	if err != nil {
		t.Fatal(err)
	}
	want := fleet.Heartbeat{AgentID: "a", Region: "r", Sent: time.UnixMilli(5).UTC()}
	if !reflect.DeepEqual(hb, want) {
		t.Errorf("got %+v, want %+v", hb, want)
	}
}

func TestDecodeHeartbeatMalformed(t *testing.T) {
	const ok = `"agent_id":"a1","region":"eu","sent_ms":1795420800000`
	tests := []struct {
		name       string
		data       string
		kind       Kind
		wantReason string // fleet.ReasonOf, for KindField
		wantMsg    string
	}{
		{name: "empty", data: ``, kind: KindSyntax},
		{name: "garbage", data: "\x00\xff\xfe", kind: KindSyntax},
		{name: "array", data: `[1]`, kind: KindSyntax},
		{name: "no version", data: `{` + ok + `}`, kind: KindVersion, wantMsg: `missing schema version "v"`},
		{name: "future version", data: `{"v":2,` + ok + `}`, kind: KindVersion, wantMsg: "schema version 2, this build reads 1"},
		{name: "string count", data: `{"v":1,` + ok + `,"checks_running":"many"}`, kind: KindSyntax},
		{name: "count overflows", data: `{"v":1,` + ok + `,"queue_depth":1e30}`, kind: KindSyntax},
		{name: "missing agent", data: `{"v":1,"region":"eu","sent_ms":1}`, kind: KindField, wantReason: fleet.ReasonAgentID},
		{name: "agent id with spaces", data: `{"v":1,"agent_id":"a b","region":"eu","sent_ms":1}`, kind: KindField, wantReason: fleet.ReasonAgentID},
		{name: "missing region", data: `{"v":1,"agent_id":"a1","sent_ms":1}`, kind: KindField, wantReason: fleet.ReasonRegion},
		{name: "bad region", data: `{"v":1,"agent_id":"a1","region":"Europe West","sent_ms":1}`, kind: KindField, wantReason: fleet.ReasonRegion},
		{name: "negative checks", data: `{"v":1,` + ok + `,"checks_running":-1}`, kind: KindField, wantReason: fleet.ReasonChecksRunning,
			wantMsg: "decode field message: heartbeat of agent a1: checks_running: must not be negative, got -1"},
		{name: "negative queue", data: `{"v":1,` + ok + `,"queue_depth":-1}`, kind: KindField, wantReason: fleet.ReasonQueueDepth},
		{name: "negative spool", data: `{"v":1,` + ok + `,"spool_depth":-1}`, kind: KindField, wantReason: fleet.ReasonSpoolDepth},
		{name: "negative spool bytes", data: `{"v":1,` + ok + `,"spool_bytes":-1}`, kind: KindField, wantReason: fleet.ReasonSpoolBytes},
		{name: "no sent time", data: `{"v":1,"agent_id":"a1","region":"eu"}`, kind: KindField, wantReason: fleet.ReasonSent},
		{name: "negative sent time", data: `{"v":1,"agent_id":"a1","region":"eu","sent_ms":-5}`, kind: KindField, wantReason: fleet.ReasonSent},
		{name: "negative interval", data: `{"v":1,` + ok + `,"interval_ms":-10}`, kind: KindField, wantReason: fleet.ReasonInterval},
		{name: "interval too short", data: `{"v":1,` + ok + `,"interval_ms":10}`, kind: KindField, wantReason: fleet.ReasonInterval},
		{name: "interval too long", data: `{"v":1,` + ok + `,"interval_ms":3600000}`, kind: KindField, wantReason: fleet.ReasonInterval,
			wantMsg: "interval_ms must be between 0 and 300000, got 3600000"},
		{name: "interval that would wrap a Duration", data: `{"v":1,` + ok + `,"interval_ms":9223372036854775}`, kind: KindField, wantReason: fleet.ReasonInterval},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeHeartbeat([]byte(tt.data))
			if got := KindOf(err); got != tt.kind {
				t.Fatalf("kind = %q (err %v), want %q", got, err, tt.kind)
			}
			if got := fleet.ReasonOf(err); got != tt.wantReason {
				t.Errorf("reason = %q (err %v), want %q", got, err, tt.wantReason)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestEncodeHeartbeatRejectsInvalid(t *testing.T) {
	hb := sampleHeartbeat()
	hb.QueueDepth = -1
	if _, err := EncodeHeartbeat(hb); fleet.ReasonOf(err) != fleet.ReasonQueueDepth {
		t.Fatalf("err = %v, want a queue_depth error", err)
	}
}

func FuzzDecodeHeartbeat(f *testing.F) {
	f.Add([]byte(sampleHeartbeatJSON))
	f.Add([]byte(`{"v":1,"agent_id":"a","region":"r","sent_ms":1,"interval_ms":1000}`))
	f.Add([]byte(`{"v":1,"agent_id":"a","region":"r","sent_ms":9223372036854775807}`))
	f.Add([]byte(`{"v":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		hb, err := DecodeHeartbeat(data)
		if err != nil {
			if KindOf(err) == "" {
				t.Fatalf("error without a kind: %v", err)
			}
			if KindOf(err) == KindField && fleet.ReasonOf(err) == "" {
				t.Fatalf("field error without a reason: %v", err)
			}
			return
		}
		again, err := EncodeHeartbeat(hb)
		if err != nil {
			t.Fatalf("re-encode a decoded heartbeat: %v", err)
		}
		hb2, err := DecodeHeartbeat(again)
		if err != nil || !reflect.DeepEqual(hb, hb2) {
			t.Fatalf("decoded heartbeat does not survive a round trip: %v\n%+v\n%+v", err, hb, hb2)
		}
	})
}

func BenchmarkDecodeHeartbeat(b *testing.B) {
	data := []byte(sampleHeartbeatJSON)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeHeartbeat(data); err != nil {
			b.Fatal(err)
		}
	}
}
