package dirlock

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var since = time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)

func acquire(t *testing.T, dir string) (*Lock, error) {
	t.Helper()
	return Acquire(Options{Dir: dir, Now: func() time.Time { return since }})
}

// flock locks open file descriptions, so a second Acquire in the same
// process conflicts as another process would.
func TestSecondAcquireNamesTheHolder(t *testing.T) {
	dir := t.TempDir()
	l, err := acquire(t, dir)
	if err != nil {
		t.Fatalf("Acquire: %v", err)
	}
	_, err = acquire(t, dir)
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("second Acquire: %v, want a *HeldError", err)
	}
	host, _ := os.Hostname()
	want := Holder{PID: os.Getpid(), Host: host, Since: since}
	if held.Holder != want {
		t.Errorf("holder %+v, want %+v", held.Holder, want)
	}
	for _, part := range []string{dir, "pid " + strconv.Itoa(os.Getpid()), "host " + host, "since 2026-12-01T13:00:00Z"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not name %q", err, part)
		}
	}
	if err := l.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	l, err = acquire(t, dir)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
}

// A lock file left by a process that died, whatever it holds, does not
// block: nobody holds its flock.
func TestStaleLockFileDoesNotBlock(t *testing.T) {
	tests := []struct{ name, content string }{
		{"record of a dead process", `{"pid":999999,"host":"gone","since":"2020-01-01T00:00:00Z"}` + "\n"},
		{"garbage", "\x00\xffnot json"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, DefaultName)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			l, err := acquire(t, dir)
			if err != nil {
				t.Fatalf("Acquire: %v", err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), `"pid":`+strconv.Itoa(os.Getpid())) || strings.Contains(string(data), "gone") {
				t.Errorf("lock file holds %q, want this process's record only", data)
			}
			if err := l.Release(); err != nil {
				t.Fatalf("Release: %v", err)
			}
		})
	}
}

func TestHeldErrorWithoutRecord(t *testing.T) {
	err := &HeldError{Dir: "/data"}
	if got, want := err.Error(), "directory /data is in use by another process (it does not say which yet)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestAcquireErrors(t *testing.T) {
	tests := []struct{ name, dir, want string }{
		{"no directory", "", "lock directory: no directory given"},
		{"missing directory", filepath.Join(t.TempDir(), "missing"), "open lock file: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Acquire(Options{Dir: tt.dir})
			if err == nil {
				t.Fatalf("Acquire succeeded: %v", l.Release())
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q, want it to start with %q", err, tt.want)
			}
		})
	}
}
