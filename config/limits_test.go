package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// allocated returns the bytes f allocates, and its result.
func allocated(f func() error) (uint64, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err := f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, err
}

func wantOneError(t *testing.T, err error, want string) {
	t.Helper()
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
}

// TestLoadStopsAtSizeLimit: an endless file and one a byte too large are
// read up to the limit and no further; a file of exactly the limit loads.
func TestLoadStopsAtSizeLimit(t *testing.T) {
	head := []byte("pages:\n  - id: main\n    name: Main\n")
	dir := t.TempDir()
	tooLarge, atLimit := filepath.Join(dir, "too-large.yaml"), filepath.Join(dir, "at-limit.yaml")
	if err := os.WriteFile(tooLarge, pad(head, MaxFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(atLimit, pad(head, MaxFileSize), 0o600); err != nil {
		t.Fatal(err)
	}
	limit := "the file is larger than the limit of 4 MiB (4194304 bytes)"
	tests := []struct {
		name, path, want string
	}{
		{"endless", "/dev/zero", "/dev/zero: " + limit},
		{"one byte over", tooLarge, tooLarge + ": " + limit},
		{"at the limit", atLimit, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := os.Stat(tt.path); err != nil {
				t.Skip(err)
			}
			start := time.Now()
			bytes, err := allocated(func() error { _, err := Load(tt.path, nil); return err })
			t.Logf("Load: %v, %.1f MiB allocated", time.Since(start).Round(time.Millisecond), float64(bytes)/(1<<20))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			wantOneError(t, err, tt.want)
			// io.ReadAll doubles its buffer up to the limit and a byte
			// (about 10 MiB; twice that with -race).
			if bytes > 8*MaxFileSize {
				t.Errorf("Load allocated %d bytes, want at most %d", bytes, 8*MaxFileSize)
			}
		})
	}
}

// TestNestingLimit: MaxDepth levels parse; one more is an error at its
// line; ten thousand levels, of lists or of mappings, are refused for
// little memory (about 350 MB before the limit).
func TestNestingLimit(t *testing.T) {
	lists := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	maps := func(n int) string { return strings.Repeat("{a: ", n) + "1" + strings.Repeat("}", n) }
	// The top-level mapping is level 1, the x: value level 2.
	tests := []struct {
		name, data string
		maxAlloc   uint64 // 0 when not measured
		wantErr    bool
	}{
		{"lists at the limit", "# top\nx: " + lists(MaxDepth-1) + "\n", 0, false},
		{"lists over the limit", "# top\nx: " + lists(MaxDepth) + "\n", 0, true},
		{"mappings over the limit", "# top\nx: " + maps(MaxDepth) + "\n", 0, true},
		{"ten thousand lists", "# top\nx: " + lists(10000) + "\n", 16 << 20, true},
		{"ten thousand mappings", "# top\nx: " + maps(10000) + "\n", 16 << 20, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bytes, err := allocated(func() error { _, err := Parse("deep.yaml", []byte(tt.data), nil); return err })
			t.Logf("Parse of %d bytes: %.1f MiB allocated", len(tt.data), float64(bytes)/(1<<20))
			if !tt.wantErr {
				// The only error is the unknown key x: depth passed.
				wantOneError(t, err, `deep.yaml:2: unknown top-level field "x"`)
				return
			}
			wantOneError(t, err, "deep.yaml:2: mappings and lists nest deeper than the limit of 64 levels")
			if tt.maxAlloc > 0 && bytes > tt.maxAlloc {
				t.Errorf("Parse allocated %d bytes, want at most %d", bytes, tt.maxAlloc)
			}
		})
	}
}
