package wire

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/statusd/statusd/result"
)

// FuzzDecodeResult holds the single-pass decoder to the encoding/json
// oracle for arbitrary bytes, and checks that whatever decodes encodes back
// to the bytes encoding/json would write and decodes to the same result.
func FuzzDecodeResult(f *testing.F) {
	for _, r := range []result.Result{sampleResult(), typicalResult()} {
		good, err := EncodeResult(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(good)
	}
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`{"v":2}`))
	for _, tt := range decodeCases {
		if len(tt.data) < 1000 {
			f.Add([]byte(tt.data))
		}
	}
	dec := NewResultDecoder() // shared, so the fuzzer also exercises a warm table
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := agreeWithOracle(t, data, dec)
		if err != nil {
			return
		}
		again := AppendResult(nil, r)
		want, err := oracleEncodeResult(r)
		if err != nil {
			t.Fatalf("oracle encode: %v", err)
		}
		if !bytes.Equal(again, want) {
			t.Fatalf("AppendResult(%+v):\n got %s\nwant %s", r, again, want)
		}
		if r2, err := dec.Decode(again); err != nil || !reflect.DeepEqual(r, r2) {
			t.Fatalf("decoded result does not survive a round trip: %v\n%+v\n%+v", err, r, r2)
		}
	})
}

// FuzzEncodeResult checks for arbitrary results that AppendResult writes
// exactly what encoding/json writes, and that both decoders read it back
// to the result with times in ms, durations in µs and strings as valid UTF-8.
func FuzzEncodeResult(f *testing.F) {
	f.Add("r1", "api-http", "api", "agent-1", "eu-west", "http_status", "status 503, expected 200-399",
		int64(3), int64(1_790_000_000_123_456), int64(1_790_000_000_125_000), int64(1_500_000),
		int64(1000), int64(2000), int64(0), int64(4000), int64(5999), false, 503)
	f.Add("<&>", "\u2028\u2029", "\x00\x1f\x7f", "\"\\/", "\xff\xfe", "\b\f\n\r\t", "😀 é 中",
		int64(-1), int64(0), int64(-1), int64(-999), int64(1), int64(-1000), int64(999), int64(-1999), int64(1<<62), true, -1)
	f.Add("", "", "", "", "", "", "", int64(0), int64(-1<<63), int64(1<<63-1), int64(-1<<63), int64(0), int64(0), int64(0), int64(0), int64(0), false, 0)
	dec := NewResultDecoder()
	f.Fuzz(func(t *testing.T, id, checkID, componentID, agentID, region, errorClass, message string,
		checkVersion, scheduledUS, startedUS, duration, dns, connect, tls, firstByte, transfer int64, success bool, status int) {
		in := result.Result{
			ID: id, CheckID: checkID, ComponentID: componentID, AgentID: agentID, Region: region,
			CheckVersion: checkVersion, Scheduled: time.UnixMicro(scheduledUS), Started: time.UnixMicro(startedUS),
			Duration: time.Duration(duration),
			Phases: result.Phases{DNS: time.Duration(dns), Connect: time.Duration(connect), TLS: time.Duration(tls),
				FirstByte: time.Duration(firstByte), Transfer: time.Duration(transfer)},
			Success: success, StatusCode: status, ErrorClass: result.ErrorClass(errorClass), Message: message,
		}
		checkEncode(t, dec, in)
	})
}

// checkEncode checks that AppendResult writes for in what the oracle
// writes, and that both decoders read it back to in, normalized.
func checkEncode(t *testing.T, dec *ResultDecoder, in result.Result) {
	t.Helper()
	prefix := []byte("prefix")
	got := AppendResult(prefix, in)
	if !bytes.HasPrefix(got, prefix) {
		t.Fatalf("AppendResult changed what dst held: %q", got)
	}
	got = got[len(prefix):]
	want, err := oracleEncodeResult(in)
	if err != nil {
		t.Fatalf("oracle encode: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendResult(%+v):\n got %s\nwant %s", in, got, want)
	}
	if !json.Valid(got) {
		t.Fatalf("AppendResult wrote invalid JSON: %s", got)
	}
	out, err := agreeWithOracle(t, got, dec)
	if err != nil {
		if KindOf(err) != KindField {
			t.Fatalf("an encoded result is rejected as %q: %v", KindOf(err), err)
		}
		return
	}
	if norm := normalize(in); !reflect.DeepEqual(out, norm) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", out, norm)
	}
}

// FuzzEncodeResultMeasures checks the DNS, ICMP and certificate members as
// FuzzEncodeResult checks the others.
func FuzzEncodeResultMeasures(f *testing.F) {
	f.Add("NXDOMAIN", 0.25, int64(100), int64(200), int64(300), int64(1_790_000_000_123), true, 12, true)
	f.Add("", math.NaN(), int64(-1), int64(0), int64(1<<62), int64(0), true, -3, false)
	f.Add("\xff<", 1.5, int64(999), int64(-999), int64(0), int64(-62_135_596_800_000), true, 0, false)
	f.Add("", -0.1, int64(0), int64(0), int64(0), int64(0), false, 0, false)
	dec := NewResultDecoder()
	f.Fuzz(func(t *testing.T, rcode string, loss float64, rttMin, rttAvg, rttMax, certMS int64, certSet bool, daysLeft int, degraded bool) {
		in := result.Result{
			ID: "r", CheckID: "c", ComponentID: "k", Region: "eu", Scheduled: time.UnixMilli(1), Started: time.UnixMilli(2),
			RCode: rcode, PacketLoss: loss, RTTMin: time.Duration(rttMin), RTTAvg: time.Duration(rttAvg),
			RTTMax: time.Duration(rttMax), CertDaysLeft: daysLeft, Degraded: degraded,
		}
		if certSet {
			in.CertExpiry = time.UnixMilli(certMS)
		}
		checkEncode(t, dec, in)
	})
}

// normalize is what a result looks like after a trip over the wire.
func normalize(r result.Result) result.Result {
	utf := func(s string) string { return string([]rune(s)) } // one U+FFFD per invalid byte
	us := func(d time.Duration) time.Duration { return d.Truncate(time.Microsecond) }
	ms := func(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }
	return result.Result{
		ID: utf(r.ID), CheckID: utf(r.CheckID), ComponentID: utf(r.ComponentID), AgentID: utf(r.AgentID),
		Region: utf(r.Region), CheckVersion: r.CheckVersion, Scheduled: ms(r.Scheduled), Started: ms(r.Started),
		Duration: us(r.Duration),
		Phases: result.Phases{DNS: us(r.Phases.DNS), Connect: us(r.Phases.Connect), TLS: us(r.Phases.TLS),
			FirstByte: us(r.Phases.FirstByte), Transfer: us(r.Phases.Transfer)},
		Success: r.Success, StatusCode: r.StatusCode, ErrorClass: result.ErrorClass(utf(string(r.ErrorClass))),
		Message: utf(r.Message),
		RCode:   utf(r.RCode), PacketLoss: float64(lossPPM(r.PacketLoss)) / ppm,
		RTTMin: us(r.RTTMin), RTTAvg: us(r.RTTAvg), RTTMax: us(r.RTTMax),
		CertExpiry: certMS(r.CertExpiry), CertDaysLeft: r.CertDaysLeft, Degraded: r.Degraded,
	}
}

// certMS is a certificate expiry after a trip over the wire: in ms, and
// zero when zero.
func certMS(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMilli(t.UnixMilli()).UTC()
}
