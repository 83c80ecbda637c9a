package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/segmentio/kafka-go"

	"github.com/statusd/statusd/transport/kafkabus"
)

// cleanupTimeout bounds each clean-up step, which runs even after an
// interrupt cancelled the run.
const cleanupTimeout = 30 * time.Second

// cleanups runs clean-up steps in the reverse order of their adding.
type cleanups struct {
	log   *slog.Logger
	steps []cleanupStep
}

type cleanupStep struct {
	name string
	fn   func(context.Context) error
}

func (c *cleanups) add(name string, fn func(context.Context) error) {
	c.steps = append(c.steps, cleanupStep{name, fn})
}

// run runs every step, each with a fresh context, and joins their errors.
func (c *cleanups) run() error {
	var errs []error
	for i := len(c.steps) - 1; i >= 0; i-- {
		s := c.steps[i]
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		err := s.fn(ctx)
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("clean up %s: %w", s.name, err))
			continue
		}
		c.log.Info("cleaned up", "what", s.name)
	}
	c.steps = nil
	return errors.Join(errs...)
}

// names are the fresh names of one run.
type names struct {
	database    string // PostgreSQL and ClickHouse
	topicPrefix string
	groupID     string
}

func newNames() names {
	id := strings.ToLower(rand.Text()[:10])
	return names{database: "statusd_bench_" + id, topicPrefix: "bench" + id + ".statusd.", groupID: "bench" + id + "-aggregator"}
}

// createPostgres creates the run's database on the server of admin.
func createPostgres(ctx context.Context, admin *sql.DB, database string, c *cleanups) error {
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+database); err != nil {
		return fmt.Errorf("create postgres database %s: %w", database, err)
	}
	c.add("postgres database "+database, func(ctx context.Context) error {
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+database+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop: %w", err)
		}
		return nil
	})
	return nil
}

// databaseURL is the admin URL with another database.
func databaseURL(admin, database string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil {
		return "", fmt.Errorf("parse postgres URL: %w", err)
	}
	u.Path = "/" + database
	return u.String(), nil
}

// openClickHouse connects as chstore does (LZ4, native protocol).
func openClickHouse(ctx context.Context, addr string) (driver.Conn, error) {
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, DialTimeout: 5 * time.Second,
		ReadTimeout: 60 * time.Second, Compression: &clickhouse.Compression{Method: clickhouse.CompressionLZ4}})
	if err != nil {
		return nil, fmt.Errorf("open clickhouse %s: %w", addr, err)
	}
	if err := conn.Ping(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("ping clickhouse %s: %w", addr, err), conn.Close())
	}
	return conn, nil
}

// createClickHouse creates the run's database; conn stays open until the
// clean-up dropped it.
func createClickHouse(ctx context.Context, conn driver.Conn, database string, c *cleanups) error {
	if err := conn.Exec(ctx, "CREATE DATABASE "+database); err != nil {
		return fmt.Errorf("create clickhouse database %s: %w", database, err)
	}
	c.add("clickhouse database "+database, func(ctx context.Context) error {
		if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+database); err != nil {
			return fmt.Errorf("drop: %w", err)
		}
		return nil
	})
	return nil
}

// createTopics creates the run's topics as the aggregator does; the
// clean-up deletes them and the consumer group.
func createTopics(ctx context.Context, broker string, n names, partitions int, c *cleanups) error {
	topics := kafkabus.TopicsWithPrefix(n.topicPrefix)
	// Registered first, so a part-way creation is cleaned up too.
	c.add("kafka topics "+n.topicPrefix+"* and group "+n.groupID, func(ctx context.Context) error {
		return deleteTopics(ctx, broker, n, topics)
	})
	if err := kafkabus.EnsureTopics(ctx, []string{broker}, topics, partitions); err != nil {
		return fmt.Errorf("create topics: %w", err)
	}
	return nil
}

func deleteTopics(ctx context.Context, broker string, n names, topics kafkabus.Topics) error {
	client := &kafka.Client{Addr: kafka.TCP(broker), Timeout: 10 * time.Second}
	var errs []error
	resp, err := client.DeleteGroups(ctx, &kafka.DeleteGroupsRequest{GroupIDs: []string{n.groupID}})
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("delete group: %w", err))
	case resp.Errors[n.groupID] != nil && !errors.Is(resp.Errors[n.groupID], kafka.GroupIdNotFound):
		errs = append(errs, fmt.Errorf("delete group: %w", resp.Errors[n.groupID]))
	}
	// The heartbeats topic is the aggregator's to create; delete it if it did.
	names := []string{topics.Results, topics.Checks, n.topicPrefix + "heartbeats"}
	tresp, err := client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: names})
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("delete topics: %w", err))...)
	}
	for topic, err := range tresp.Errors {
		if err != nil && !errors.Is(err, kafka.UnknownTopicOrPartition) {
			errs = append(errs, fmt.Errorf("delete topic %s: %w", topic, err))
		}
	}
	return errors.Join(errs...)
}
