package spool

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// drops counts OnDrop calls by reason.
type drops struct {
	mu sync.Mutex
	n  map[string]int
}

func (d *drops) add(reason string, n int) { d.mu.Lock(); defer d.mu.Unlock(); d.n[reason] += n }
func (d *drops) get(reason string) int    { d.mu.Lock(); defer d.mu.Unlock(); return d.n[reason] }

type fixture struct {
	dir   string
	clock *fakeClock
	drops *drops
	opts  Options
}

func newFixture(t *testing.T, maxBytes, segBytes int64) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), clock: &fakeClock{now: time.Unix(1_800_000_000, 0)}, drops: &drops{n: map[string]int{}}}
	f.opts = Options{Dir: f.dir, MaxBytes: maxBytes, MaxAge: time.Hour, SegmentBytes: segBytes,
		Now: f.clock.Now, OnDrop: f.drops.add}
	return f
}

func (f *fixture) open(t *testing.T) *Spool {
	t.Helper()
	s, err := Open(f.opts)
	if err != nil {
		t.Fatalf("open spool: %v", err)
	}
	return s
}

func rec(i int) []byte { return fmt.Appendf(nil, "result-%05d", i) }

func appendN(t *testing.T, s *Spool, from, n, batch int) {
	t.Helper()
	for i := from; i < from+n; i += batch {
		var b [][]byte
		for j := i; j < min(i+batch, from+n); j++ {
			b = append(b, rec(j))
		}
		if err := s.Append(b); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
}

// drain reads and acknowledges everything, in batches of batch records.
func drain(t *testing.T, s *Spool, batch int) []string {
	t.Helper()
	var out []string
	for {
		recs, pos, err := s.Peek(batch)
		if err != nil {
			t.Fatalf("peek: %v", err)
		}
		if len(recs) == 0 {
			return out
		}
		for _, r := range recs {
			out = append(out, string(r.Data))
		}
		if err := s.Ack(pos); err != nil {
			t.Fatalf("ack: %v", err)
		}
	}
}

func wantSeq(t *testing.T, got []string, from, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("read %d records, want %d", len(got), n)
	}
	for i, g := range got {
		if w := string(rec(from + i)); g != w {
			t.Fatalf("record %d is %q, want %q", i, g, w)
		}
	}
}

func segFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAppendReadAck(t *testing.T) {
	cases := []struct {
		name       string
		segBytes   int64
		n, batch   int
		peekBatch  int
		wantMinSeg int // segments written at the peak
	}{
		{"one segment", 1 << 20, 100, 10, 7, 1},
		{"many segments", 512, 300, 4, 50, 10},
		{"record per batch", 512, 50, 1, 1, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 64<<20, tc.segBytes)
			s := f.open(t)
			appendN(t, s, 0, tc.n, tc.batch)
			st := s.Stats()
			if st.Records != tc.n || st.Bytes <= 0 || !st.Oldest.Equal(f.clock.now) {
				t.Fatalf("stats %+v after %d appends", st, tc.n)
			}
			if segs := len(segFiles(t, f.dir)); segs < tc.wantMinSeg {
				t.Errorf("%d segment files, want at least %d", segs, tc.wantMinSeg)
			}
			wantSeq(t, drain(t, s, tc.peekBatch), 0, tc.n)
			if st := s.Stats(); st.Records != 0 || st.Bytes != 0 || !st.Oldest.IsZero() {
				t.Errorf("stats %+v after draining, want empty", st)
			}
			if segs := segFiles(t, f.dir); len(segs) != 1 {
				t.Errorf("segment files %v after draining, want one empty", segs)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRestartKeepsUnreadInOrder(t *testing.T) {
	cases := []struct {
		name  string
		clean bool // Close, or only drop the files as a SIGKILL would
	}{{"close", true}, {"kill", false}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 64<<20, 1024)
			s := f.open(t)
			appendN(t, s, 0, 200, 8)
			for acked := 0; acked < 70; { // a Peek stops at a segment's end
				recs, pos, err := s.Peek(70 - acked)
				if err != nil || len(recs) == 0 {
					t.Fatalf("peek: %d records, %v", len(recs), err)
				}
				if err := s.Ack(pos); err != nil {
					t.Fatal(err)
				}
				acked += len(recs)
			}
			if _, _, err := s.Peek(10); err != nil { // read but not acknowledged: must come back
				t.Fatal(err)
			}
			var err error
			if tc.clean {
				err = s.Close()
			} else {
				err = s.closeFiles()
			}
			if err != nil {
				t.Fatal(err)
			}
			s = f.open(t)
			if st := s.Stats(); st.Records != 130 {
				t.Fatalf("reopened with %d records, want 130", st.Records)
			}
			appendN(t, s, 200, 20, 5)
			wantSeq(t, drain(t, s, 33), 70, 150)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestTornTail(t *testing.T) {
	cases := []struct {
		name   string
		damage func(data []byte) []byte
		keep   int
	}{
		{"cut inside the last record", func(d []byte) []byte { return d[:len(d)-3] }, 9},
		{"cut inside a header", func(d []byte) []byte { return d[:len(d)-len(rec(0))-headerSize+5] }, 9},
		{"garbage appended", func(d []byte) []byte { return append(d, 0, 0, 0, 9, 1, 2, 3) }, 10},
		{"flipped byte in the last record", func(d []byte) []byte { d[len(d)-1] ^= 0xff; return d }, 9},
		{"flipped byte in the 5th record", func(d []byte) []byte {
			d[4*(headerSize+len(rec(0)))+headerSize] ^= 1
			return d
		}, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 64<<20, 1<<20)
			s := f.open(t)
			appendN(t, s, 0, 10, 1)
			if err := s.closeFiles(); err != nil {
				t.Fatal(err)
			}
			path := segFiles(t, f.dir)[0]
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.damage(data), 0o640); err != nil {
				t.Fatal(err)
			}
			s = f.open(t)
			if got := f.drops.get(ReasonCorrupt); got != 1 {
				t.Errorf("corrupt drops %d, want 1", got)
			}
			appendN(t, s, 100, 3, 3)
			got := drain(t, s, 100)
			wantSeq(t, got[:tc.keep], 0, tc.keep)
			wantSeq(t, got[tc.keep:], 100, 3)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFullDropsOldestSegments(t *testing.T) {
	f := newFixture(t, 4096, 1024)
	s := f.open(t)
	appendN(t, s, 0, 1000, 10)
	st := s.Stats()
	if st.Bytes > 4096 {
		t.Errorf("spool holds %d bytes, over its 4096", st.Bytes)
	}
	dropped := f.drops.get(ReasonFull)
	if dropped == 0 || dropped+st.Records != 1000 {
		t.Fatalf("dropped %d and kept %d of 1000", dropped, st.Records)
	}
	got := drain(t, s, 64)
	wantSeq(t, got, 1000-len(got), len(got)) // the newest survive, in order

	// A batch larger than the whole spool is dropped, not written.
	big := make([][]byte, 400)
	for i := range big {
		big[i] = bytes.Repeat([]byte("x"), 20)
	}
	if err := s.Append(big); err != nil {
		t.Fatal(err)
	}
	if got := f.drops.get(ReasonFull); got != dropped+400 {
		t.Errorf("spool_full drops %d, want %d", got, dropped+400)
	}
	if err := s.Append([][]byte{make([]byte, MaxRecordBytes+1)}); err == nil {
		t.Error("append of a record over MaxRecordBytes succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestTooOld(t *testing.T) {
	f := newFixture(t, 64<<20, 1024)
	s := f.open(t)
	appendN(t, s, 0, 100, 10) // several segments
	f.clock.add(30 * time.Minute)
	appendN(t, s, 100, 5, 5)
	f.clock.add(31 * time.Minute) // the first 100 are now over an hour old
	got := drain(t, s, 50)
	wantSeq(t, got, 100, 5)
	if d := f.drops.get(ReasonTooOld); d != 100 {
		t.Errorf("too_old drops %d, want 100", d)
	}
	if st := s.Stats(); st.Records != 0 || st.Bytes != 0 {
		t.Errorf("stats %+v, want empty", st)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSecondOpenIsRefused(t *testing.T) {
	f := newFixture(t, 1<<20, 0)
	s := f.open(t)
	if s2, err := Open(f.opts); err == nil {
		_ = s2.Close()
		t.Fatal("a second Open of the same directory succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.open(t).Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	cases := []struct {
		name string
		opts Options
	}{
		{"no dir", Options{MaxBytes: 1, MaxAge: time.Hour}},
		{"no max bytes", Options{Dir: t.TempDir(), MaxAge: time.Hour}},
		{"no max age", Options{Dir: t.TempDir(), MaxBytes: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Open(tc.opts); err == nil {
				t.Fatal("Open succeeded")
			}
		})
	}
}

func TestClosedSpoolRefuses(t *testing.T) {
	f := newFixture(t, 1<<20, 0)
	s := f.open(t)
	appendN(t, s, 0, 3, 3)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Append([][]byte{rec(9)}); err == nil {
		t.Error("append to a closed spool succeeded")
	}
	if _, _, err := s.Peek(1); err == nil {
		t.Error("peek of a closed spool succeeded")
	}
}
