package spool

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzDecodeRecord: any bytes decode to a record, errShort or an error,
// never a panic; what decodes re-encodes to the same bytes.
func FuzzDecodeRecord(f *testing.F) {
	f.Add(appendRecord(nil, time.Unix(1_800_000_000, 5), []byte(`{"id":"r1"}`)))
	f.Add(appendRecord(nil, time.Unix(0, 0), nil))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		at, payload, n, err := decodeRecord(data)
		if err != nil {
			return
		}
		if n > len(data) || n != headerSize+len(payload) {
			t.Fatalf("size %d for %d bytes and a payload of %d", n, len(data), len(payload))
		}
		if again := appendRecord(nil, at, payload); !bytes.Equal(again, data[:n]) {
			t.Fatalf("re-encoded %x, read %x", again, data[:n])
		}
	})
}

// FuzzOpen: whatever bytes a segment file holds, Open recovers the whole
// records before the first damaged one and the spool keeps working.
func FuzzOpen(f *testing.F) {
	good := appendRecord(appendRecord(nil, time.Unix(1_800_000_000, 0), []byte("a")), time.Unix(1_800_000_001, 0), []byte("bc"))
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add(append(good, 0, 0))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "00000000000000000001.seg"), data, 0o640); err != nil {
			t.Fatal(err)
		}
		var corrupt int
		s, err := Open(Options{Dir: dir, MaxBytes: 1 << 30, MaxAge: 1 << 62, Now: func() time.Time { return time.Unix(1_800_000_002, 0) },
			OnDrop: func(reason string, n int) {
				if reason == ReasonCorrupt {
					corrupt += n
				}
			}})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		want := 0
		for pos := 0; pos < len(data); want++ {
			_, _, n, err := decodeRecord(data[pos:])
			if err != nil {
				if corrupt != 1 {
					t.Errorf("damaged tail counted %d times, want once", corrupt)
				}
				break
			}
			pos += n
		}
		if got := s.Stats().Records; got != want {
			t.Errorf("recovered %d records, want %d", got, want)
		}
		if err := s.Append([][]byte{[]byte("after")}); err != nil {
			t.Fatalf("append after recovery: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	})
}
