package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	oklogrun "github.com/oklog/run"
)

// group runs components until one stops or ctx ends, then stops them all.
type group struct {
	g      oklogrun.Group
	logger *slog.Logger
}

// add runs fn with a context that is cancelled when the group stops.
func (g *group) add(name string, fn func(ctx context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	g.g.Add(func() error {
		err := fn(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		g.logger.Debug("component stopped", "component", name)
		return nil
	}, func(error) { cancel() })
}

// run waits for ctx to end or a component to stop, then stops the rest.
func (g *group) run(ctx context.Context) error {
	// This actor returns when ctx ends, or when its interrupt cancels the
	// derived context because another component stopped first.
	ctx, cancel := context.WithCancel(ctx)
	g.g.Add(func() error { <-ctx.Done(); return nil }, func(error) { cancel() })
	return g.g.Run()
}

// pipeline runs first until ctx ends, and then stops second, so that what
// first produced while stopping still reaches second (the agent and its
// publisher: in-flight probes finish, then the queue is flushed).
func pipeline(first, second func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		secondCtx, stopSecond := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- second(secondCtx) }()
		err := first(ctx)
		stopSecond()
		return errors.Join(err, <-done)
	}
}

// listen binds the HTTP listener on addr.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// serveHTTP serves h on ln until ctx ends, then shuts down gracefully.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve http on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-done; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	if err != nil {
		return fmt.Errorf("shut down http server: %w", err)
	}
	return nil
}
