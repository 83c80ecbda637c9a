// Command statusd is the status-page system in one binary: `statusd agent`
// probes from a region, `statusd aggregator` decides and serves, `statusd
// standalone` runs both in one process on SQLite. `statusd help` lists all.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
