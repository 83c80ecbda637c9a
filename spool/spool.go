// Package spool is an on-disk FIFO of opaque records, bounded by bytes and
// by age, that survives a restart and a SIGKILL of its process.
//
// The agent writes probe results here when Kafka cannot take them and
// replays them in order once it can. Records live in segment files
// (NNNNNNNNNNNNNNNNNNNN.seg) under one directory; each record is framed as
// length, CRC-32C and append time, then the payload. Append writes a whole
// batch with one write and fsyncs the segment before it returns: a record
// is acknowledged into the spool once Append returned nil, and from then on
// neither a SIGKILL nor a power loss takes it. The read cursor (segment
// and offset) is kept in the file "cursor", replaced by rename after each
// Ack without fsync: after a crash it may lag, so records are delivered at
// least once and the consumer de-duplicates (results carry an ID).
//
// At open every segment is scanned; a record cut short or failing its
// checksum ends its segment there (a torn tail after a SIGKILL mid-write),
// the rest of the segment is truncated and counted as dropped "corrupt".
// When an Append would exceed MaxBytes the oldest segments go first, their
// unread records counted "spool_full": for a status page the newest results
// matter most. Records older than MaxAge are dropped, counted "too_old",
// when they reach the head or when their whole segment has aged. A LOCK
// file held with flock keeps a second process out of the directory.
package spool

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Reasons a record is dropped, as passed to Options.OnDrop.
const (
	ReasonFull    = "spool_full"
	ReasonTooOld  = "too_old"
	ReasonCorrupt = "corrupt"
)

// errClosed is returned by the methods of a closed spool.
var errClosed = errors.New("spool is closed")

// Options configures a Spool.
type Options struct {
	Dir          string        // created if missing; one process at a time
	MaxBytes     int64         // bound on the segment files' total size
	MaxAge       time.Duration // records older than this are dropped
	SegmentBytes int64         // segment size; MaxBytes/8 (64 KiB to 64 MiB) by default
	Now          func() time.Time
	// OnDrop is told of every record dropped and why; it must not call the
	// spool.
	OnDrop func(reason string, n int)
	Logger *slog.Logger
}

// segment is one segment file; records counts the records it holds and
// newest is the append time of its last one.
type segment struct {
	seq     uint64
	f       *os.File
	size    int64
	records int
	newest  time.Time
}

// Spool is the on-disk FIFO. Its methods are safe for concurrent use.
type Spool struct {
	opts Options
	lock *os.File

	mu       sync.Mutex
	segs     []*segment // oldest first; the last is appended to
	curOff   int64      // read cursor, in segs[0]
	headRead int        // records of segs[0] before the cursor
	bytes    int64
	records  int // unread records
	writeErr error
	buf      []byte
}

// Open opens the spool in opts.Dir, recovering what a previous process
// left there.
func Open(opts Options) (*Spool, error) {
	if opts.Dir == "" || opts.MaxBytes <= 0 || opts.MaxAge <= 0 {
		return nil, errors.New("open spool: dir, max bytes and max age are required")
	}
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = min(max(opts.MaxBytes/8, 64<<10), 64<<20)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.OnDrop == nil {
		opts.OnDrop = func(string, int) {}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("create spool dir: %w", err)
	}
	lock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	s := &Spool{opts: opts, lock: lock}
	if err := s.recover(); err != nil {
		return nil, errors.Join(err, s.closeFiles())
	}
	return s, nil
}

func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open spool lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return nil, errors.Join(fmt.Errorf("lock spool dir %s (is another agent using it?): %w", dir, err), f.Close())
	}
	return f, nil
}

// recover loads the cursor and the segments, dropping those already read
// and repairing torn tails.
func (s *Spool) recover() error {
	curSeq, curOff := s.readCursor()
	seqs, err := s.listSegments()
	if err != nil {
		return err
	}
	for _, seq := range seqs {
		if seq < curSeq {
			if err := os.Remove(s.segPath(seq)); err != nil {
				return fmt.Errorf("remove read segment: %w", err)
			}
			continue
		}
		seg, err := s.loadSegment(seq)
		if err != nil {
			return err
		}
		s.segs = append(s.segs, seg)
	}
	if len(s.segs) == 0 {
		seg, err := s.createSegment(max(curSeq, 1))
		if err != nil {
			return err
		}
		s.segs = []*segment{seg}
	}
	head := s.segs[0]
	if head.seq != curSeq {
		curOff = 0
	}
	s.curOff, s.headRead = 0, 0
	if curOff > 0 {
		if err := s.seekCursor(head, curOff); err != nil {
			return err
		}
	}
	for _, seg := range s.segs {
		s.bytes += seg.size
		s.records += seg.records
	}
	s.records -= s.headRead
	return nil
}

// seekCursor places the cursor at the last record boundary at or before off.
func (s *Spool) seekCursor(head *segment, off int64) error {
	data := make([]byte, min(off, head.size))
	if _, err := head.f.ReadAt(data, 0); err != nil {
		return fmt.Errorf("read spool segment %d: %w", head.seq, err)
	}
	for pos := 0; pos < len(data); {
		_, _, n, err := decodeRecord(data[pos:])
		if err != nil {
			break
		}
		pos += n
		s.curOff, s.headRead = int64(pos), s.headRead+1
	}
	return nil
}

func (s *Spool) listSegments() ([]uint64, error) {
	entries, err := os.ReadDir(s.opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("list spool dir: %w", err)
	}
	var seqs []uint64
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".seg")
		if !ok {
			continue
		}
		if seq, err := strconv.ParseUint(name, 10, 64); err == nil {
			seqs = append(seqs, seq)
		}
	}
	slices.Sort(seqs)
	return seqs, nil
}

func (s *Spool) segPath(seq uint64) string {
	return filepath.Join(s.opts.Dir, fmt.Sprintf("%020d.seg", seq))
}

// loadSegment opens a segment, counts its records and truncates it after
// the last whole one.
func (s *Spool) loadSegment(seq uint64) (*segment, error) {
	f, err := os.OpenFile(s.segPath(seq), os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open spool segment: %w", err)
	}
	seg := &segment{seq: seq, f: f}
	data, err := os.ReadFile(f.Name())
	if err != nil {
		return nil, errors.Join(fmt.Errorf("read spool segment %d: %w", seq, err), f.Close())
	}
	pos := 0
	for pos < len(data) {
		at, _, n, err := decodeRecord(data[pos:])
		if err != nil {
			s.opts.Logger.Warn("spool segment damaged; truncating it", "segment", seq, "offset", pos,
				"bytes_lost", len(data)-pos, "err", err)
			s.opts.OnDrop(ReasonCorrupt, 1)
			break
		}
		pos += n
		seg.records++
		seg.newest = at
	}
	seg.size = int64(pos)
	if pos < len(data) {
		if err := f.Truncate(int64(pos)); err != nil {
			return nil, errors.Join(fmt.Errorf("truncate spool segment %d: %w", seq, err), f.Close())
		}
	}
	return seg, nil
}

func (s *Spool) createSegment(seq uint64) (*segment, error) {
	f, err := os.OpenFile(s.segPath(seq), os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o640)
	if err != nil {
		return nil, fmt.Errorf("create spool segment: %w", err)
	}
	if err := syncDir(s.opts.Dir); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return &segment{seq: seq, f: f}, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open spool dir: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync spool dir: %w", err)
	}
	return nil
}

// Append adds records at the tail, in order, and returns once they are on
// disk (fsynced). Older segments make room when the spool is full; a batch
// larger than the whole spool is dropped and counted.
func (s *Spool) Append(records [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.segs) == 0 {
		return errClosed
	}
	now := s.opts.Now()
	s.buf = s.buf[:0]
	for _, r := range records {
		if len(r) > MaxRecordBytes {
			return fmt.Errorf("append to spool: record of %d bytes over the limit of %d", len(r), MaxRecordBytes)
		}
		s.buf = appendRecord(s.buf, now, r)
	}
	if len(records) == 0 {
		return nil
	}
	s.expire(now)
	if err := s.makeRoom(int64(len(s.buf))); err != nil {
		return s.failWrite(err)
	}
	if s.bytes+int64(len(s.buf)) > s.opts.MaxBytes {
		s.opts.OnDrop(ReasonFull, len(records))
		return nil
	}
	tail := s.segs[len(s.segs)-1]
	if _, err := tail.f.WriteAt(s.buf, tail.size); err != nil {
		return s.failWrite(errors.Join(fmt.Errorf("write spool segment %d: %w", tail.seq, err), tail.f.Truncate(tail.size)))
	}
	if err := tail.f.Sync(); err != nil {
		return s.failWrite(fmt.Errorf("sync spool segment %d: %w", tail.seq, err))
	}
	tail.size += int64(len(s.buf))
	tail.records += len(records)
	tail.newest = now
	s.bytes += int64(len(s.buf))
	s.records += len(records)
	s.writeErr = nil
	return nil
}

func (s *Spool) failWrite(err error) error {
	s.writeErr = err
	return err
}

// makeRoom rolls the tail segment when n more bytes would overfill it and
// drops the oldest segments while n more bytes would overfill the spool.
func (s *Spool) makeRoom(n int64) error {
	tail := s.segs[len(s.segs)-1]
	if tail.size > 0 && (tail.size+n > s.opts.SegmentBytes || s.bytes+n > s.opts.MaxBytes) {
		if err := s.roll(); err != nil {
			return err
		}
	}
	for len(s.segs) > 1 && s.bytes+n > s.opts.MaxBytes {
		if err := s.dropHead(ReasonFull); err != nil {
			return err
		}
	}
	return nil
}

// expire drops whole segments, other than the tail, whose newest record
// is older than MaxAge.
func (s *Spool) expire(now time.Time) {
	for len(s.segs) > 1 && now.Sub(s.segs[0].newest) > s.opts.MaxAge {
		if err := s.dropHead(ReasonTooOld); err != nil {
			s.opts.Logger.Warn("drop aged spool segment", "err", err)
			return
		}
	}
}

func (s *Spool) roll() error {
	seg, err := s.createSegment(s.segs[len(s.segs)-1].seq + 1)
	if err != nil {
		return err
	}
	s.segs = append(s.segs, seg)
	return nil
}

// dropHead removes the head segment, counting its unread records under
// reason; the cursor moves to the start of the next segment.
func (s *Spool) dropHead(reason string) error {
	head := s.segs[0]
	if unread := head.records - s.headRead; unread > 0 {
		s.opts.OnDrop(reason, unread)
		s.records -= unread
	}
	s.segs = s.segs[1:]
	s.bytes -= head.size
	s.curOff, s.headRead = 0, 0
	if err := s.writeCursor(); err != nil {
		return err
	}
	return errors.Join(head.f.Close(), os.Remove(head.f.Name()))
}

// Writable reports whether the last append reached the disk.
func (s *Spool) Writable() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeErr == nil
}

// Close saves the cursor and releases the directory.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.writeCursor(), s.closeFiles())
}

func (s *Spool) closeFiles() error {
	var errs []error
	for _, seg := range s.segs {
		errs = append(errs, seg.f.Close())
	}
	s.segs = nil
	errs = append(errs, s.lock.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close spool: %w", err)
	}
	return nil
}
