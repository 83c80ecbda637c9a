package main

import (
	"context"
	"fmt"
	"io"
)

func runValidate(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate", " FILE", stderr)
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	path := fs.Arg(0)
	cfg, ok := loadConfig(path, stderr)
	if !ok {
		return exitUsage
	}
	cat := cfg.Catalog()
	fmt.Fprintf(stdout, "%s: valid: %d pages, %d components, %d checks\n", path, len(cat.Pages), len(cat.Components), len(cat.Checks))
	return exitOK
}
