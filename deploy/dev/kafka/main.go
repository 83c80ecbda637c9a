// Command kafka runs an in-memory Kafka-protocol broker (franz-go's kfake) on
// loopback for development and tests. It is never part of the statusd binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kafka", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("listen", "127.0.0.1:9092", "loopback address the broker listens on")
	probe := fs.Bool("probe", false, "only check that a Kafka-protocol broker answers on -listen; exit 0 if so")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	host, portText, ok := strings.Cut(*addr, ":")
	port, err := strconv.Atoi(portText)
	if !ok || err != nil || (host != "127.0.0.1" && host != "localhost") {
		fmt.Fprintf(stderr, "kafka: -listen must be a loopback host:port, got %q\n", *addr)
		return 2
	}
	if *probe {
		return probeBroker(ctx, *addr, stderr)
	}
	c, err := kfake.NewCluster(kfake.Ports(port), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(12))
	if err != nil {
		fmt.Fprintf(stderr, "kafka: start broker: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "kafka: broker listening on %s\n", c.ListenAddrs()[0])
	<-ctx.Done()
	c.Close()
	return 0
}

// probeBroker asks the broker at addr for its API versions.
func probeBroker(ctx context.Context, addr string, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := kafka.DialContext(ctx, "tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "kafka: probe %s: %v\n", addr, err)
		return 1
	}
	_, verr := conn.ApiVersions()
	if cerr := conn.Close(); verr == nil {
		verr = cerr
	}
	if verr != nil {
		fmt.Fprintf(stderr, "kafka: probe %s: %v\n", addr, verr)
		return 1
	}
	return 0
}
