// Package benchproc runs the real statusd binary as an OS process for the
// development benchmarks (deploy/dev/benchagent, deploy/dev/benchaggregator)
// and observes it only from outside: it builds or locates the binary, finds
// a free loopback port, starts a statusd subcommand with its output in a
// log file, stops it with SIGTERM and then SIGKILL, and reads its CPU time
// and peak RSS from /proc.
//
// It is a development package: the statusd binary never imports it.
package benchproc

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"net"
	"os/exec"
)

// BuildStatusd builds the statusd binary of the module in moduleDir to out.
func BuildStatusd(ctx context.Context, moduleDir, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/statusd")
	cmd.Dir = moduleDir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/statusd: %w\n%s", err, b)
	}
	return nil
}

// BinaryRevision is the VCS revision the binary was built from, with
// "+dirty" if the tree had changes; "" when the binary does not say (built
// with -buildvcs=false).
func BinaryRevision(path string) string {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return ""
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "+dirty"
		}
	}
	if rev == "" {
		return ""
	}
	return rev[:min(12, len(rev))] + dirty
}

// FreeAddr returns a loopback address whose port was free just now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	return addr, nil
}
