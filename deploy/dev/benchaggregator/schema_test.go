package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestScratchTableMatchesChstore fails when store/chstore's results table
// or its insert column list changes and the reference's copy does not:
// the reference must insert the same rows into the same columns.
func TestScratchTableMatchesChstore(t *testing.T) {
	src := chstoreSource(t)
	tests := []struct {
		name     string
		pattern  string // finds chstore's statement; group 1 is compared
		copyText string
	}{
		{"results table", "(?s)CREATE TABLE IF NOT EXISTS \\{db\\}\\.results (\\(.*?ORDER BY \\([^)]*\\))", scratchTable},
		{"insert columns", "(?s)INSERT INTO \\{db\\}\\.results (\\([^)]*\\))", scratchInsert},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := regexp.MustCompile(tc.pattern).FindStringSubmatch(src)
			if m == nil {
				t.Fatalf("store/chstore has no statement matching %s: update the benchmark's copy and this test", tc.pattern)
			}
			want := squash(m[1])
			if got := squash(tc.copyText); !strings.Contains(got, want) {
				t.Errorf("the benchmark's copy differs from store/chstore's:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// chstoreSource is the text of store/chstore's non-test Go files.
func chstoreSource(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "store", "chstore", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("find store/chstore sources: %v (%d files)", err, len(files))
	}
	var b strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

// squash collapses every run of white space to one space.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }
