package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"time"
)

// headerSize is the fixed part of a record: payload length (uint32),
// CRC-32C of the time and payload (uint32), append time in Unix
// nanoseconds (int64), all big-endian.
const headerSize = 16

// MaxRecordBytes bounds one record's payload; a longer one is refused by
// Append and taken for corruption when read.
const MaxRecordBytes = 1 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errShort means the bytes end inside a record: a torn tail, or a record
// still being written.
var errShort = errors.New("record cut short")

// appendRecord appends one encoded record to dst.
func appendRecord(dst []byte, at time.Time, payload []byte) []byte {
	var h [headerSize]byte
	binary.BigEndian.PutUint32(h[0:4], uint32(len(payload)))
	binary.BigEndian.PutUint64(h[8:16], uint64(at.UnixNano()))
	crc := crc32.Update(crc32.Checksum(h[8:16], castagnoli), castagnoli, payload)
	binary.BigEndian.PutUint32(h[4:8], crc)
	dst = append(dst, h[:]...)
	return append(dst, payload...)
}

// decodeRecord reads the record at the start of b and returns its time,
// its payload (a sub-slice of b) and its encoded size. It returns errShort
// when b ends inside the record and another error when the record is
// damaged.
func decodeRecord(b []byte) (at time.Time, payload []byte, size int, err error) {
	if len(b) < headerSize {
		return time.Time{}, nil, 0, errShort
	}
	n := binary.BigEndian.Uint32(b[0:4])
	if n > MaxRecordBytes {
		return time.Time{}, nil, 0, fmt.Errorf("record length %d over the limit of %d", n, MaxRecordBytes)
	}
	size = headerSize + int(n)
	if len(b) < size {
		return time.Time{}, nil, 0, errShort
	}
	payload = b[headerSize:size]
	want := binary.BigEndian.Uint32(b[4:8])
	if got := crc32.Update(crc32.Checksum(b[8:16], castagnoli), castagnoli, payload); got != want {
		return time.Time{}, nil, 0, fmt.Errorf("record checksum %08x, header says %08x", got, want)
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(b[8:16]))), payload, size, nil
}
