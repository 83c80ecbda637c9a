// Package dirlock gives a directory to one process at a time: an
// exclusive flock(2) on a lock file inside it, which names the holder
// (process id, host and start time) so that a second process can say who
// has it. The kernel drops the lock when its holder exits, however it
// exits, so the file a dead process leaves behind does not block.
package dirlock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// DefaultName is the lock file's name in the directory.
const DefaultName = "statusd.lock"

// Holder is who holds a directory.
type Holder struct {
	PID   int       `json:"pid"`
	Host  string    `json:"host"`
	Since time.Time `json:"since"`
}

// HeldError is returned by Acquire when another process holds the
// directory.
type HeldError struct {
	Dir string
	// Holder is what the holder wrote in the lock file; zero when it has
	// not written it yet (it is starting) or the file cannot be read.
	Holder Holder
}

func (e *HeldError) Error() string {
	if e.Holder.PID == 0 {
		return fmt.Sprintf("directory %s is in use by another process (it does not say which yet)", e.Dir)
	}
	return fmt.Sprintf("directory %s is in use by pid %d on host %s since %s", e.Dir, e.Holder.PID,
		e.Holder.Host, e.Holder.Since.Format(time.RFC3339))
}

// Options configure Acquire.
type Options struct {
	// Dir is the directory to lock; it must exist.
	Dir string
	// Name is the lock file's name in Dir; DefaultName when empty.
	Name string
	// Now stamps the start of the hold; time.Now when nil.
	Now func() time.Time
}

// Lock is a held directory.
type Lock struct {
	f *os.File
}

// Acquire takes the lock of opts.Dir without waiting: when another
// process holds it, the error is a *HeldError naming that process.
func Acquire(opts Options) (*Lock, error) {
	if opts.Dir == "" {
		return nil, errors.New("lock directory: no directory given")
	}
	if opts.Name == "" {
		opts.Name = DefaultName
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	path := filepath.Join(opts.Dir, opts.Name)
	// Not truncated: a holder's record is read before anything is written.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	held, err := tryLock(f)
	if err == nil && held {
		err = &HeldError{Dir: opts.Dir, Holder: readHolder(f)}
	}
	if err != nil {
		return nil, errors.Join(err, f.Close())
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	if err := writeHolder(f, Holder{PID: os.Getpid(), Host: host, Since: opts.Now().UTC()}); err != nil {
		return nil, errors.Join(fmt.Errorf("write lock file %s: %w", path, err), f.Close())
	}
	return &Lock{f: f}, nil
}

// Release empties the lock file and drops the lock.
func (l *Lock) Release() error {
	err := l.f.Truncate(0)
	if cerr := l.f.Close(); cerr != nil { // closing the last descriptor unlocks
		err = errors.Join(err, cerr)
	}
	if err != nil {
		return fmt.Errorf("release lock file: %w", err)
	}
	return nil
}

// readHolder reads the record of the process that holds f's lock.
func readHolder(f *os.File) Holder {
	var h Holder
	data := make([]byte, 4096)
	n, err := f.ReadAt(data, 0)
	if n == 0 && err != nil {
		return Holder{}
	}
	if json.Unmarshal(data[:n], &h) != nil {
		return Holder{}
	}
	return h
}

// writeHolder replaces the content of f with h, durably.
func writeHolder(f *os.File, h Holder) error {
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(append(data, '\n'), 0); err != nil {
		return err
	}
	return f.Sync()
}
