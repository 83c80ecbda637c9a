package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Record is one record read from the spool.
type Record struct {
	Data     []byte    // the caller's to keep
	Appended time.Time // when Append wrote it
}

// Position is where the cursor goes once the records returned with it are
// acknowledged.
type Position struct {
	seq uint64
	off int64
	n   int
}

// peekChunk is how much Peek reads from a segment at once.
const peekChunk = 1 << 20

// Peek returns up to max records from the head, oldest first, without
// consuming them, and the Position to Ack once they are handled. Records
// older than MaxAge met at the head are dropped on the way. It returns no
// records when the spool is empty.
func (s *Spool) Peek(max int) ([]Record, Position, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.segs) == 0 {
		return nil, Position{}, errClosed
	}
	s.expire(s.opts.Now())
	if err := s.advance(); err != nil {
		return nil, Position{}, err
	}
	head := s.segs[0]
	pos := Position{seq: head.seq, off: s.curOff}
	if s.curOff >= head.size || max <= 0 {
		return nil, pos, nil
	}
	data, err := s.readAt(head, s.curOff)
	if err != nil {
		return nil, pos, err
	}
	cutoff := s.opts.Now().Add(-s.opts.MaxAge)
	var out []Record
	for at := 0; at < len(data) && len(out) < max; {
		when, payload, n, err := decodeRecord(data[at:])
		if err != nil {
			break // a record beyond the chunk; the next Peek reads it
		}
		if when.Before(cutoff) {
			if len(out) > 0 {
				break // dropped by the next Peek, not counted twice
			}
			s.opts.OnDrop(ReasonTooOld, 1)
			s.curOff += int64(n)
			s.headRead++
			s.records--
			pos.off = s.curOff
			at += n
			continue
		}
		out = append(out, Record{Data: payload, Appended: when})
		pos.off += int64(n)
		pos.n++
		at += n
	}
	return out, pos, nil
}

// readAt reads from off to the end of seg, at most peekChunk bytes or one
// whole record if that is larger.
func (s *Spool) readAt(seg *segment, off int64) ([]byte, error) {
	n := min(seg.size-off, peekChunk)
	var h [headerSize]byte
	if _, err := seg.f.ReadAt(h[:], off); err != nil {
		return nil, fmt.Errorf("read spool segment %d: %w", seg.seq, err)
	}
	if need := int64(headerSize) + int64(binary.BigEndian.Uint32(h[0:4])); need > n {
		n = min(need, seg.size-off)
	}
	data := make([]byte, n)
	if _, err := seg.f.ReadAt(data, off); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read spool segment %d: %w", seg.seq, err)
	}
	return data, nil
}

// Ack consumes the records returned with pos. A Position from before the
// head segment was dropped to make room is ignored.
func (s *Spool) Ack(pos Position) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.segs) == 0 || pos.seq != s.segs[0].seq || pos.off <= s.curOff {
		return nil
	}
	s.curOff = pos.off
	s.headRead += pos.n
	s.records -= pos.n
	if err := s.advance(); err != nil {
		return err
	}
	return s.writeCursor()
}

// advance removes head segments read to their end. When the spool is
// empty and its only segment holds read records, a new empty segment
// replaces it, so an empty spool takes no space.
func (s *Spool) advance() error {
	for s.curOff >= s.segs[0].size && (len(s.segs) > 1 || s.segs[0].size > 0) {
		if len(s.segs) == 1 {
			if err := s.roll(); err != nil {
				return err
			}
		}
		if err := s.dropHead(ReasonFull); err != nil { // nothing unread: nothing counted
			return err
		}
	}
	return nil
}

// Stats describes what the spool holds.
type Stats struct {
	Records int       // unread records
	Bytes   int64     // size of the segment files
	Oldest  time.Time // append time of the oldest unread record; zero when empty
}

// Stats returns what the spool holds now.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Records: s.records, Bytes: s.bytes}
	if s.records == 0 || len(s.segs) == 0 {
		return st
	}
	head := s.segs[0]
	var h [headerSize]byte
	if s.curOff < head.size {
		if _, err := head.f.ReadAt(h[:], s.curOff); err == nil {
			st.Oldest = time.Unix(0, int64(binary.BigEndian.Uint64(h[8:16])))
		}
	}
	return st
}

// cursorSize is the cursor file: segment (uint64), offset (int64),
// CRC-32C of both (uint32).
const cursorSize = 20

func (s *Spool) writeCursor() error {
	if len(s.segs) == 0 {
		return nil
	}
	var b [cursorSize]byte
	binary.BigEndian.PutUint64(b[0:8], s.segs[0].seq)
	binary.BigEndian.PutUint64(b[8:16], uint64(s.curOff))
	binary.BigEndian.PutUint32(b[16:20], crc32.Checksum(b[:16], castagnoli))
	tmp := filepath.Join(s.opts.Dir, "cursor.tmp")
	if err := os.WriteFile(tmp, b[:], 0o640); err != nil {
		return fmt.Errorf("write spool cursor: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(s.opts.Dir, "cursor")); err != nil {
		return fmt.Errorf("replace spool cursor: %w", err)
	}
	return nil
}

// readCursor returns the saved cursor, or the start of the oldest segment
// when there is none or it is damaged.
func (s *Spool) readCursor() (seq uint64, off int64) {
	b, err := os.ReadFile(filepath.Join(s.opts.Dir, "cursor"))
	if err != nil || len(b) != cursorSize || crc32.Checksum(b[:16], castagnoli) != binary.BigEndian.Uint32(b[16:20]) {
		if !errors.Is(err, os.ErrNotExist) {
			s.opts.Logger.Warn("spool cursor unreadable; replaying from the oldest segment", "err", err)
		}
		return 0, 0
	}
	return binary.BigEndian.Uint64(b[0:8]), int64(binary.BigEndian.Uint64(b[8:16]))
}
