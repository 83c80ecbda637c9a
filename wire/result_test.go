package wire

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/statusd/statusd/result"
)

// valid is the smallest message that passes validation; cases splice
// members into it.
const valid = `"v":1,"id":"r","check_id":"c","component_id":"k","region":"e","scheduled_ms":1,"started_ms":1`

// agreeWithOracle decodes data with DecodeResult and with dec and fails
// unless both agree with the encoding/json oracle: same success, same
// kind, the same message for version and field errors, the same result.
// It returns the oracle's answer.
func agreeWithOracle(t *testing.T, data []byte, dec *ResultDecoder) (result.Result, error) {
	t.Helper()
	want, wantErr := oracleDecodeResult(data)
	for name, decode := range map[string]func([]byte) (result.Result, error){
		"DecodeResult": DecodeResult, "ResultDecoder": dec.Decode,
	} {
		got, err := decode(data)
		if (err == nil) != (wantErr == nil) || KindOf(err) != KindOf(wantErr) {
			t.Fatalf("%s(%q):\n got err %v\nwant err %v", name, data, err, wantErr)
		}
		if err != nil {
			if KindOf(err) != KindSyntax && err.Error() != wantErr.Error() {
				t.Fatalf("%s(%q): message %q, want %q", name, data, err, wantErr)
			}
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s(%q):\n got %+v\nwant %+v", name, data, got, want)
		}
	}
	return want, wantErr
}

// nested returns an unknown member holding depth nested arrays.
func nested(depth int) string {
	return `"deep":` + strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

// decodeCases are inputs where a hand-written decoder is easy to get
// wrong; each names the kind encoding/json gives ("" for success).
var decodeCases = []struct {
	name string
	data string
	kind Kind
}{
	{"minimal", `{` + valid + `}`, ""},
	{"whitespace everywhere", " \t\n\r{ \"v\" :\t1 ,\n\"id\" : \"r\" , \"check_id\":\"c\",\"component_id\":\"k\",\"region\":\"e\",\"scheduled_ms\" : 1 ,\"started_ms\":1 }\r\n ", ""},
	{"version last", `{"id":"r","check_id":"c","component_id":"k","region":"e","scheduled_ms":1,"started_ms":1,"v":1}`, ""},
	{"all members", `{` + valid + `,"agent_id":"a","check_version":-7,"duration_us":0,"phases_us":{"dns":1,"connect":2,"tls":3,"first_byte":4,"transfer":5},"success":true,"status_code":503,"error_class":"http_status","message":"m"}`, ""},
	{"all measures", `{` + valid + `,"rcode":"NXDOMAIN","packet_loss_ppm":250000,"rtt_min_us":1,"rtt_avg_us":2,"rtt_max_us":3,"cert_expiry_ms":1790000000123,"cert_days_left":-2,"degraded":true}`, ""},
	{"cert expiry zero is set", `{` + valid + `,"cert_expiry_ms":0}`, ""},
	{"cert expiry null unsets", `{` + valid + `,"cert_expiry_ms":5,"cert_expiry_ms":null}`, ""},
	{"cert expiry null then value", `{` + valid + `,"cert_expiry_ms":null,"cert_expiry_ms":-5}`, ""},
	{"cert expiry string", `{` + valid + `,"cert_expiry_ms":"5"}`, KindSyntax},
	{"cert expiry fraction", `{` + valid + `,"cert_expiry_ms":1.5}`, KindSyntax},
	{"cert days left fraction", `{` + valid + `,"cert_days_left":1.5}`, KindSyntax},
	{"rcode number", `{` + valid + `,"rcode":3}`, KindSyntax},
	{"degraded string", `{` + valid + `,"degraded":"yes"}`, KindSyntax},
	{"measure keys folded", `{` + valid + `,"RCODE":"SERVFAIL","Packet_Loss_PPM":1000000,"DEGRADED":true,"cert_expiry_MS":7}`, ""},
	{"packet loss negative", `{` + valid + `,"packet_loss_ppm":-1}`, KindField},
	{"packet loss above one", `{` + valid + `,"packet_loss_ppm":1000001}`, KindField},
	{"simple escapes", `{` + valid + `,"message":"a\"b\\c\/d\b\f\n\r\te"}`, ""},
	{"unicode escapes", `{` + valid + `,"message":"\u00e9\u4E2D\u0000"}`, ""},
	{"surrogate pair", `{` + valid + `,"message":"\ud83d\ude00"}`, ""},
	{"lone high surrogate", `{` + valid + `,"message":"a\ud83db"}`, ""},
	{"lone low surrogate", `{` + valid + `,"message":"\ude00\ude00"}`, ""},
	{"high then high then low", `{` + valid + `,"message":"\ud83d\ud83d\ude00"}`, ""},
	{"high then other escape", `{` + valid + `,"message":"\ud83d\n"}`, ""},
	{"high at end", `{` + valid + `,"message":"\ud83d"}`, ""},
	{"raw UTF-8", `{` + valid + `,"message":"h\u00e9 – 中文 😀"}`, ""},
	{"invalid UTF-8", "{" + valid + ",\"message\":\"a\xffb\xe4\xb8\"}", ""},
	{"invalid UTF-8 with escape", "{" + valid + ",\"message\":\"\xc3\\n\xff\"}", ""},
	{"unknown error class", `{` + valid + `,"error_class":"gremlins"}`, ""},
	{"unknown nested members", `{"x":{"a":[1,{"b":null,"c":[true,false,"s",-1.5e+3]}],"d":{}},` + valid + `,"y":[],"z":"\u0041"}`, ""},
	{"unknown member in phases", `{` + valid + `,"phases_us":{"dns":1,"x":[{"y":{}}],"tls":2}}`, ""},
	{"unknown huge number", `{` + valid + `,"x":1e999999,"y":-0.0E-7}`, ""},
	{"exponent in int", `{` + valid + `,"check_version":1e2}`, KindSyntax},
	{"fraction in int", `{` + valid + `,"duration_us":1.0}`, KindSyntax},
	{"fraction in phase", `{` + valid + `,"phases_us":{"dns":0.5}}`, KindSyntax},
	{"minus zero", `{` + valid + `,"check_version":-0}`, ""},
	{"minus zero time", `{` + valid + `,"scheduled_ms":-0}`, KindField},
	{"int64 max", `{` + valid + `,"check_version":9223372036854775807}`, ""},
	{"int64 min", `{` + valid + `,"check_version":-9223372036854775808}`, ""},
	{"int64 overflow", `{` + valid + `,"check_version":9223372036854775808}`, KindSyntax},
	{"int64 underflow", `{` + valid + `,"check_version":-9223372036854775809}`, KindSyntax},
	{"twenty digits", `{` + valid + `,"started_ms":10000000000000000000}`, KindSyntax},
	{"null id", `{` + valid + `,"id":null}`, ""},
	{"null required", `{"v":1,"id":null,"check_id":"c","component_id":"k","region":"e","scheduled_ms":1,"started_ms":1}`, KindField},
	{"null members", `{` + valid + `,"agent_id":null,"phases_us":null,"success":null,"status_code":null,"message":null}`, ""},
	{"duplicate last wins", `{` + valid + `,"id":"a","id":"b","success":true,"success":false}`, ""},
	{"duplicate then null", `{` + valid + `,"message":"a","message":null}`, ""},
	{"version then null", `{` + valid + `,"v":null}`, KindVersion},
	{"null then version", `{"v":null,` + valid + `}`, ""},
	{"version 2 then 1", `{"v":2,` + valid + `}`, ""},
	{"version 1 then 2", `{` + valid + `,"v":2}`, KindVersion},
	{"version string", `{"v":"1"}`, KindSyntax},
	{"version fraction", `{"v":1.0}`, KindSyntax},
	{"version exponent", `{"v":1e0}`, KindSyntax},
	{"version bool", `{"v":true}`, KindSyntax},
	{"version object", `{"v":{}}`, KindSyntax},
	{"version overflow", `{"v":9223372036854775808}`, KindSyntax},
	{"version negative", `{"v":-1}`, KindVersion},
	{"version zero", `{"v":0}`, KindVersion},
	{"version type error then good", `{"v":"x",` + valid + `}`, KindSyntax},
	{"no version, id wrong type", `{"id":5}`, KindVersion},
	{"future version, id wrong type", `{"v":2,"id":5}`, KindVersion},
	{"id wrong type", `{` + valid + `,"id":5}`, KindSyntax},
	{"success as string", `{` + valid + `,"success":"true"}`, KindSyntax},
	{"status as string", `{` + valid + `,"status_code":"200"}`, KindSyntax},
	{"string as object", `{` + valid + `,"region":{}}`, KindSyntax},
	{"string as array", `{` + valid + `,"region":["e"]}`, KindSyntax},
	{"phases as array", `{` + valid + `,"phases_us":[1]}`, KindSyntax},
	{"phases as string", `{` + valid + `,"phases_us":"x"}`, KindSyntax},
	{"phase as string", `{` + valid + `,"phases_us":{"dns":"1"}}`, KindSyntax},
	{"phases merge", `{` + valid + `,"phases_us":{"dns":1},"phases_us":{"tls":2}}`, ""},
	{"upper case keys", `{"V":1,"ID":"r","Check_ID":"c","COMPONENT_ID":"k","Region":"e","Scheduled_MS":1,"STARTED_MS":1,"Phases_Us":{"DNS":3}}`, ""},
	{"kelvin sign key", `{` + valid + `,"chec\u212a_id":"x"}`, ""},
	{"kelvin sign raw", "{" + valid + ",\"chec\xe2\x84\xaa_id\":\"x\"}", ""},
	{"long s key", `{` + valid + `,"\u017fuccess":true,"phases_us":{"tl\u017f":4}}`, ""},
	{"escaped key", `{"\u0076":1,"\u0069d":"r","check_id":"c","component_id":"k","region":"e","scheduled_ms":1,"started_ms":1}`, ""},
	{"near-miss keys", `{` + valid + `,"ids":"x","i":"y","check-id":"z","phases":{},"v ":2}`, ""},
	{"depth 10000", `{` + valid + `,` + nested(9999) + `}`, ""},
	{"depth 10001", `{` + valid + `,` + nested(10000) + `}`, KindSyntax},
	{"depth in phases", `{` + valid + `,"phases_us":{` + nested(9998) + `}}`, ""},
	{"depth in phases over", `{` + valid + `,"phases_us":{` + nested(9999) + `}}`, KindSyntax},
	{"empty", ``, KindSyntax},
	{"spaces", `   `, KindSyntax},
	{"empty object", `{}`, KindVersion},
	{"top-level null", ` null `, KindVersion},
	{"top-level array", `[1,2]`, KindSyntax},
	{"top-level string", `"v"`, KindSyntax},
	{"top-level number", `1`, KindSyntax},
	{"top-level bool", `true`, KindSyntax},
	{"trailing garbage", `{` + valid + `}x`, KindSyntax},
	{"two objects", `{` + valid + `}{}`, KindSyntax},
	{"byte order mark", "\xef\xbb\xbf{" + valid + "}", KindSyntax},
	{"trailing comma", `{` + valid + `,}`, KindSyntax},
	{"leading comma", `{,` + valid + `}`, KindSyntax},
	{"missing colon", `{"v" 1}`, KindSyntax},
	{"missing value", `{"v":}`, KindSyntax},
	{"unquoted key", `{v:1}`, KindSyntax},
	{"single quotes", `{'v':1}`, KindSyntax},
	{"unterminated", `{` + valid, KindSyntax},
	{"unterminated string", `{"v":1,"id":"r`, KindSyntax},
	{"control character", "{" + valid + ",\"message\":\"a\x01\"}", KindSyntax},
	{"bad escape", `{` + valid + `,"message":"\x"}`, KindSyntax},
	{"short unicode escape", `{` + valid + `,"message":"\u12"}`, KindSyntax},
	{"bad unicode escape", `{` + valid + `,"message":"\u12g4"}`, KindSyntax},
	{"leading zero", `{` + valid + `,"check_version":01}`, KindSyntax},
	{"plus sign", `{` + valid + `,"check_version":+1}`, KindSyntax},
	{"bare minus", `{` + valid + `,"check_version":-}`, KindSyntax},
	{"dot without digits", `{` + valid + `,"x":1.}`, KindSyntax},
	{"exponent without digits", `{` + valid + `,"x":1e+}`, KindSyntax},
	{"bad literal", `{` + valid + `,"success":tru}`, KindSyntax},
	{"syntax error after type error", `{"v":"x","id":}`, KindSyntax},
	{"syntax error after version error", `{"v":2,"id":}`, KindSyntax},
	{"unclosed unknown array", `{` + valid + `,"x":[1,2}`, KindSyntax},
	{"unknown object bad key", `{` + valid + `,"x":{1:2}}`, KindSyntax},
	{"missing id", `{"v":1,"check_id":"c","component_id":"k","region":"r","scheduled_ms":1,"started_ms":1}`, KindField},
	{"missing check", `{"v":1,"id":"x","component_id":"k","region":"r","scheduled_ms":1,"started_ms":1}`, KindField},
	{"missing component", `{"v":1,"id":"x","check_id":"c","region":"r","scheduled_ms":1,"started_ms":1}`, KindField},
	{"missing region", `{"v":1,"id":"x","check_id":"c","component_id":"k","scheduled_ms":1,"started_ms":1}`, KindField},
	{"zero time", `{"v":1,"id":"x","check_id":"c","component_id":"k","region":"r"}`, KindField},
	{"negative duration", `{` + valid + `,"duration_us":-1}`, KindField},
	{"empty strings are missing", `{` + valid + `,"region":""}`, KindField},
}

func TestDecodeResultMatchesEncodingJSON(t *testing.T) {
	dec := NewResultDecoder()
	for _, tt := range decodeCases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := agreeWithOracle(t, []byte(tt.data), dec)
			if got := KindOf(err); got != tt.kind {
				t.Fatalf("kind = %q (err %v), want %q", got, err, tt.kind)
			}
		})
	}
}

func TestDecodeResultIntRange(t *testing.T) {
	// status_code and v were ints in the old message struct: on a 32-bit
	// platform a value beyond 32 bits was a type error, on 64-bit it is not.
	wide, wideVersion := Kind(""), KindVersion
	if strconv.IntSize == 32 {
		wide, wideVersion = KindSyntax, KindSyntax
	}
	tests := []struct {
		name string
		data string
		kind Kind
	}{
		{"status code 2^31-1", `{` + valid + `,"status_code":2147483647}`, ""},
		{"status code 2^31", `{` + valid + `,"status_code":2147483648}`, wide},
		{"status code -2^31-1", `{` + valid + `,"status_code":-2147483649}`, wide},
		{"version 2^32+1", `{` + valid + `,"v":4294967297}`, wideVersion},
	}
	dec := NewResultDecoder()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := agreeWithOracle(t, []byte(tt.data), dec)
			if got := KindOf(err); got != tt.kind {
				t.Fatalf("kind = %q (err %v), want %q", got, err, tt.kind)
			}
		})
	}
}

func TestDecodeResultErrorMessages(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"type error names the field", `{` + valid + `,"check_version":"3"}`,
			"decode syntax message: result field check_version: cannot decode a string into an integer"},
		{"phase type error names the field", `{` + valid + `,"phases_us":{"tls":1.5}}`,
			"decode syntax message: result field phases_us.tls: cannot decode number 1.5 into an integer"},
		{"syntax error has an offset", `{"v":1,"id":x}`,
			"decode syntax message: invalid character 'x' looking for beginning of value at offset 12"},
		{"end of input", `{"v":1`, "decode syntax message: unexpected end of JSON input"},
		{"missing version", `{}`, `decode version message: missing schema version "v"`},
		{"other version", `{"v":7}`, "decode version message: schema version 7, this build reads 1"},
		{"field", `{"v":1,"id":"x","check_id":"c","component_id":"k","region":"r"}`,
			"decode field message: result x: scheduled_ms and started_ms must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeResult([]byte(tt.data))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %s", err, tt.want)
			}
		})
	}
}

// typicalResult is what most messages on the results topic look like: a
// passing HTTP probe.
func typicalResult() result.Result {
	t0 := time.UnixMilli(1_795_420_800_000).UTC()
	return result.Result{
		ID: "0193a5e2-7c4b-7d2e-9f10-3b2a1c0d9e8f", CheckID: "api-http", ComponentID: "api", AgentID: "agent-eu-1",
		Region: "eu-west", CheckVersion: 3, Scheduled: t0, Started: t0.Add(2 * time.Millisecond),
		Duration: 1843 * time.Microsecond,
		Phases:   result.Phases{Connect: 212 * time.Microsecond, FirstByte: 1500 * time.Microsecond, Transfer: 40 * time.Microsecond},
		Success:  true, StatusCode: 200,
	}
}

func TestDecodeAllocations(t *testing.T) {
	tests := []struct {
		name   string
		r      result.Result
		decode func([]byte) (result.Result, error)
		max    float64
	}{
		{"DecodeResult success", typicalResult(), DecodeResult, 1},
		{"DecodeResult failure", sampleResult(), DecodeResult, 1},
		{"ResultDecoder success", typicalResult(), NewResultDecoder().Decode, 1},
		{"ResultDecoder failure", sampleResult(), NewResultDecoder().Decode, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := EncodeResult(tt.r)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tt.decode(data); err != nil { // warm the table
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(100, func() { _, _ = tt.decode(data) }); n > tt.max {
				t.Fatalf("%v allocations per decode, want at most %v", n, tt.max)
			}
		})
	}
}

func TestResultDecoderSharesIdentityStrings(t *testing.T) {
	dec := NewResultDecoder()
	data, err := EncodeResult(typicalResult())
	if err != nil {
		t.Fatal(err)
	}
	a, err := dec.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := dec.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]string{
		"check_id": {a.CheckID, b.CheckID}, "component_id": {a.ComponentID, b.ComponentID},
		"agent_id": {a.AgentID, b.AgentID}, "region": {a.Region, b.Region},
	} {
		if unsafe.StringData(pair[0]) != unsafe.StringData(pair[1]) {
			t.Errorf("%s is not shared between results", name)
		}
	}
	if unsafe.StringData(a.ID) == unsafe.StringData(b.ID) {
		t.Error("result ids are shared; they are unique and must not enter the table")
	}
}

func TestResultDecoderTableIsBounded(t *testing.T) {
	dec := NewResultDecoder()
	long := strings.Repeat("x", internMaxLen+1)
	for i := range internMax + 100 {
		r := typicalResult()
		r.CheckID = "check-" + strconv.Itoa(i)
		r.Region = long
		data, err := EncodeResult(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := dec.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		if got.CheckID != r.CheckID || got.Region != long {
			t.Fatalf("decoded %q/%q, want %q/%q", got.CheckID, got.Region, r.CheckID, long)
		}
		if n := len(dec.names); n > internMax {
			t.Fatalf("table holds %d strings, bound is %d", n, internMax)
		}
	}
	if _, ok := dec.names[long]; ok {
		t.Fatalf("table keeps a string longer than %d bytes", internMaxLen)
	}
}

func TestResultDecoderReuseKeepsEarlierResults(t *testing.T) {
	dec := NewResultDecoder()
	first := `{` + valid + `,"message":"caf\u00e9 \"quoted\"","error_class":"odd\u0021"}`
	a, err := dec.Decode([]byte(first))
	if err != nil {
		t.Fatal(err)
	}
	second := `{` + valid + `,"message":"XXXXXXXXXXXXXXXXXXXX\n","error_class":"YYYYYYY\t"}`
	if _, err := dec.Decode([]byte(second)); err != nil {
		t.Fatal(err)
	}
	if a.Message != `café "quoted"` || a.ErrorClass != "odd!" {
		t.Fatalf("first result changed after the next decode: %q %q", a.Message, a.ErrorClass)
	}
}
