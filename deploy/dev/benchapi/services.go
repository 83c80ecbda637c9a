package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/segmentio/kafka-go"

	"github.com/statusd/statusd/transport/kafkabus"
)

// services are the dev services of the PostgreSQL run (the aggregator
// needs Kafka and ClickHouse besides), from .dev/services.env.
type services struct {
	postgres, kafka, clickhouse string
}

func servicesFromEnv(getenv func(string) string) (services, error) {
	s := services{postgres: getenv("STATUSD_TEST_POSTGRES"), kafka: getenv("STATUSD_TEST_KAFKA"),
		clickhouse: getenv("STATUSD_TEST_CLICKHOUSE")}
	if s.postgres == "" || s.kafka == "" || s.clickhouse == "" {
		return s, errors.New("the postgres store needs STATUSD_TEST_POSTGRES, STATUSD_TEST_KAFKA and STATUSD_TEST_CLICKHOUSE: run make services and source .dev/services.env (make bench-api does)")
	}
	return s, nil
}

// throwaway is one run's database (PostgreSQL and ClickHouse), topics and
// consumer group; drop removes them all.
type throwaway struct {
	name, topicPrefix, groupID string
	dsn                        string
	svc                        services
	created                    []func(context.Context) error
}

// create makes the run's databases; on failure it has dropped what it made.
func (svc services) create(ctx context.Context) (*throwaway, error) {
	id := strings.ToLower(rand.Text()[:10])
	t := &throwaway{name: "statusd_benchapi_" + id, topicPrefix: "benchapi" + id + ".statusd.",
		groupID: "benchapi" + id + "-aggregator", svc: svc}
	admin, err := sql.Open("pgx", svc.postgres)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+t.name); err != nil {
		return nil, errors.Join(fmt.Errorf("create postgres database: %w", err), admin.Close())
	}
	t.created = append(t.created, func(ctx context.Context) error {
		_, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+t.name+" WITH (FORCE)")
		return errors.Join(err, admin.Close())
	})
	u, err := url.Parse(svc.postgres)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("parse postgres URL: %w", err), t.drop())
	}
	u.Path = "/" + t.name
	t.dsn = u.String()
	ch, err := clickhouse.Open(&clickhouse.Options{Addr: []string{svc.clickhouse}, DialTimeout: 5 * time.Second})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open clickhouse: %w", err), t.drop())
	}
	if err := ch.Exec(ctx, "CREATE DATABASE "+t.name); err != nil {
		return nil, errors.Join(fmt.Errorf("create clickhouse database: %w", err), ch.Close(), t.drop())
	}
	t.created = append(t.created, func(ctx context.Context) error {
		return errors.Join(ch.Exec(ctx, "DROP DATABASE IF EXISTS "+t.name), ch.Close())
	})
	t.created = append(t.created, t.deleteTopics)
	return t, nil
}

// config is the services part of the aggregator's configuration.
func (t *throwaway) config() string {
	return fmt.Sprintf(`kafka: {brokers: [%q], topic_prefix: %q, results_partitions: 1}
clickhouse: {addr: [%q], database: %q}
postgres: {dsn: %q}
aggregator: {group_id: %q}
`, t.svc.kafka, t.topicPrefix, t.svc.clickhouse, t.name, t.dsn, t.groupID)
}

// deleteTopics deletes the topics the aggregator made and its group.
func (t *throwaway) deleteTopics(ctx context.Context) error {
	client := &kafka.Client{Addr: kafka.TCP(t.svc.kafka), Timeout: 10 * time.Second}
	topics := kafkabus.TopicsWithPrefix(t.topicPrefix)
	var errs []error
	if _, err := client.DeleteGroups(ctx, &kafka.DeleteGroupsRequest{GroupIDs: []string{t.groupID}}); err != nil {
		errs = append(errs, fmt.Errorf("delete group: %w", err))
	}
	resp, err := client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{
		Topics: []string{topics.Results, topics.Checks, topics.Heartbeats}})
	if err != nil {
		errs = append(errs, fmt.Errorf("delete topics: %w", err))
	} else {
		for name, e := range resp.Errors {
			if e != nil && !errors.Is(e, kafka.UnknownTopicOrPartition) {
				errs = append(errs, fmt.Errorf("delete topic %s: %w", name, e))
			}
		}
	}
	return errors.Join(errs...)
}

// drop removes what create made, last first, each with a fresh context.
func (t *throwaway) drop() error {
	var errs []error
	for i := len(t.created) - 1; i >= 0; i-- {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		errs = append(errs, t.created[i](ctx))
		cancel()
	}
	t.created = nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("clean up %s: %w", t.name, err)
	}
	return nil
}
