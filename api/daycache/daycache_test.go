package daycache

import (
	"reflect"
	"testing"

	"github.com/statusd/statusd/uptime"
)

func bucket(id string, d uptime.Day) uptime.Bucket {
	return uptime.Bucket{ComponentID: id, Day: d, Totals: uptime.Totals{Observed: int64(d)}}
}

func TestCache(t *testing.T) {
	nov := func(d int) uptime.Day { return uptime.DateDay(2026, 11, d) }
	read := []uptime.Bucket{bucket("a", nov(2)), bucket("a", nov(9)), bucket("a", nov(10)), bucket("b", nov(3))}
	tests := []struct {
		name   string
		put    [][]Span // each Put of a, closed before the 10th
		get    []Span
		start  uptime.Day
		want   []uptime.Bucket
		wantOK bool
	}{
		{"nothing kept", nil, []Span{{nov(1), nov(5)}}, 0, nil, false},
		{"closed days kept, a's only", [][]Span{{{nov(1), nov(20)}}}, []Span{{nov(1), nov(9)}}, 0,
			[]uptime.Bucket{bucket("a", nov(2)), bucket("a", nov(9))}, true},
		{"the cursor's day is not kept", [][]Span{{{nov(1), nov(20)}}}, []Span{{nov(1), nov(10)}}, 0, nil, false},
		{"days before the start left out", [][]Span{{{nov(1), nov(9)}}}, []Span{{nov(1), nov(9)}}, nov(5),
			[]uptime.Bucket{bucket("a", nov(9))}, true},
		{"touching spans merge", [][]Span{{{nov(1), nov(4)}}, {{nov(5), nov(9)}}}, []Span{{nov(2), nov(8)}}, 0,
			[]uptime.Bucket{bucket("a", nov(2))}, true},
		{"a gap is not kept", [][]Span{{{nov(1), nov(3)}}, {{nov(5), nov(9)}}}, []Span{{nov(2), nov(6)}}, 0, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New(Options{})
			for _, spans := range tc.put {
				c.Put("a", spans, nov(10), read)
			}
			got, ok := c.Get("a", tc.get, tc.start)
			if ok != tc.wantOK || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Get = %v, %v; want %v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestCacheBoundAndRetain(t *testing.T) {
	d := uptime.DateDay(2026, 11, 1)
	c := New(Options{MaxBuckets: 3})
	c.Put("a", []Span{{d, d.AddDays(1)}}, d.AddDays(5), []uptime.Bucket{bucket("a", d), bucket("a", d.AddDays(1))})
	c.Put("b", []Span{{d, d}}, d.AddDays(5), []uptime.Bucket{bucket("b", d)})
	if c.Len() != 3 {
		t.Fatalf("Len %d, want 3", c.Len())
	}
	c.Retain(func(id string) bool { return id == "a" })
	if _, ok := c.Get("b", []Span{{d, d}}, 0); ok || c.Len() != 2 {
		t.Errorf("after Retain(a): b kept %v, Len %d; want b gone and 2", ok, c.Len())
	}
	c.Put("c", []Span{{d, d.AddDays(1)}}, d.AddDays(5), []uptime.Bucket{bucket("c", d), bucket("c", d.AddDays(1))})
	if c.Len() != 0 {
		t.Errorf("past the bound: Len %d, want 0 (everything dropped)", c.Len())
	}
}
