package checkdef

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/probes/tcpprobe"
)

// fill sets every field reachable from v to a non-zero value, distinct per
// field, so that a field the encoding forgets comes back zero.
func fill(v reflect.Value, name string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("v-" + name)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(7 + len(name)))
	case reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), name)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), name+"[0]")
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, name+".key")
		fill(e, name+".value")
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fill(v.Field(i), name+"."+v.Type().Field(i).Name)
		}
	default:
		panic("fill: kind " + v.Kind().String() + " of " + name + " is not handled; extend the test")
	}
}

// TestEveryFieldIsEncoded fails when a field of catalog.Check (or of a
// block it holds) is not carried by the stored encoding.
func TestEveryFieldIsEncoded(t *testing.T) {
	var c catalog.Check
	fill(reflect.ValueOf(&c).Elem(), "check")
	c.Version, c.Managed = 0, "" // kept by the store beside the definition
	b, err := Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("round trip lost fields:\n got: %+v\nwant: %+v\nencoded: %s", got, c, b)
	}
}

func TestEncoding(t *testing.T) {
	tests := []struct {
		name  string
		check catalog.Check
		want  string
	}{
		{"tcp", catalog.Check{ID: "c", ComponentID: "k", Type: catalog.TypeTCP, Interval: 30 * time.Second,
			Timeout: 10 * time.Second, FailureThreshold: 3, SuccessThreshold: 2, IncidentOn: "major",
			TCP: &tcpSpec},
			`{"v":1,"id":"c","component_id":"k","type":"tcp","interval":"30s","timeout":"10s","failure_threshold":3,` +
				`"success_threshold":2,"incident_on":"major","tcp":{"address":"db.test:5432"}}`},
		{"http switches", catalog.Check{ID: "h", ComponentID: "k", Type: catalog.TypeHTTP,
			HTTP: &catalog.HTTPSpec{URL: "https://x.test/", NoFollowRedirects: true, NoTraceparent: true}},
			`{"v":1,"id":"h","component_id":"k","type":"http","http":{"url":"https://x.test/","follow_redirects":false,"traceparent":false}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Encode(tt.check)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("encoded\n %s\nwant\n %s", b, tt.want)
			}
			back, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tt.check) {
				t.Errorf("decoded %+v, want %+v", back, tt.check)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	legacy, err := json.Marshal(catalog.Check{ID: "old", ComponentID: "k", Type: catalog.TypeTCP, TCP: &tcpSpec})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      string
		wantID  string
		wantErr string
	}{
		{"legacy Go struct JSON", string(legacy), "old", ""},
		{"version 1", `{"v":1,"id":"new","component_id":"k","tcp":{"address":"a:1"}}`, "new", ""},
		{"unknown version", `{"v":2,"id":"x"}`, "", "version 2 is unknown"},
		{"not JSON", `{`, "", "decode check definition"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Decode([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || c.ID != tt.wantID {
				t.Fatalf("got %q, %v; want %q", c.ID, err, tt.wantID)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{`"1m30s"`, 90 * time.Second, false},
		{`15`, 15 * time.Second, false},
		{`"soon"`, 0, true},
		{`true`, 0, true},
		{`1e300`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var d Duration
			err := json.Unmarshal([]byte(tt.in), &d)
			if (err != nil) != tt.wantErr || time.Duration(d) != tt.want {
				t.Errorf("got %v, %v; want %v, error %v", time.Duration(d), err, tt.want, tt.wantErr)
			}
		})
	}
}

var tcpSpec = tcpprobe.Spec{Address: "db.test:5432"}
