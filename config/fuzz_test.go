package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: Parse never panics; every error names the file and, when it
// has a line, one inside the input; a configuration it accepts yields a
// catalog whose checks all validate.
func FuzzParse(f *testing.F) {
	// The seed corpus is testdata/fuzz/FuzzParse; the test cases add to it.
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data, nil)
		if err != nil {
			checkErrors(t, data, err)
			return
		}
		// As the daemons do, name the bound address before the catalog.
		cfg.HTTP.Addr = validationAddr(cfg.HTTP.Addr)
		cat := cfg.Catalog()
		for _, ch := range cat.Checks {
			if errs := ch.Validate(); len(errs) > 0 {
				t.Fatalf("accepted check %q does not validate: %v", ch.ID, errs)
			}
		}
		ids := map[string]bool{}
		for _, c := range cat.Components {
			if ids[c.ID] {
				t.Fatalf("accepted duplicate component id %q", c.ID)
			}
			ids[c.ID] = true
		}
	})
}

func checkErrors(t *testing.T, data []byte, err error) {
	t.Helper()
	var errs Errors
	if !errors.As(err, &errs) || len(errs) == 0 {
		t.Fatalf("error %v (%T) is not a non-empty Errors", err, err)
	}
	// yaml.v3 breaks lines at \n, \r, NEL, LS and PS.
	lines := 1 + bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) +
		bytes.Count(data, []byte("\u0085")) + bytes.Count(data, []byte("\u2028")) + bytes.Count(data, []byte("\u2029"))
	for _, e := range errs {
		if e.File != "fuzz.yaml" {
			t.Fatalf("error %q does not name the file", e)
		}
		if e.Line < 0 || e.Line > lines {
			t.Fatalf("error %q is at line %d of %d", e, e.Line, lines)
		}
		if e.Message == "" {
			t.Fatalf("error %q has no message", e)
		}
	}
}
