package spool

import (
	"bytes"
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
