// Package testenv finds the real services that tests run against (Kafka,
// ClickHouse, PostgreSQL, DNS), started by `make services`, and gives each test
// its own database. Without a service a test fails; only under -short may it
// skip.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// The environment variables `make services` sets for tests.
const (
	EnvKafka      = "STATUSD_TEST_KAFKA"      // host:port of the Kafka-protocol broker
	EnvClickHouse = "STATUSD_TEST_CLICKHOUSE" // host:port of ClickHouse's native protocol
	EnvPostgres   = "STATUSD_TEST_POSTGRES"   // URL of a PostgreSQL database with CREATE DATABASE rights
	EnvDNS        = "STATUSD_TEST_DNS"        // host:port (UDP and TCP) of a DNS server authoritative for deploy/dev/dns's zones
)

func lookup(t testing.TB, env string) string {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		if testing.Short() {
			t.Skipf("%s is not set; run `make services` (skipped under -short only)", env)
		}
		t.Fatalf("%s is not set: service tests need the real service; run them with `make test`", env)
	}
	return v
}

// Name returns a random identifier with the prefix, safe as a database,
// topic or group name.
func Name(prefix string) string {
	return prefix + strings.ToLower(rand.Text()[:12])
}

// Kafka returns the broker address.
func Kafka(t testing.TB) string { return lookup(t, EnvKafka) }

// DNS returns the address of the authoritative DNS server serving the test
// zones of deploy/dev/dns (statusd.test, cname.test, sub.cname.test, and
// broken.test, which answers SERVFAIL). The zones are shared and read-only.
func DNS(t testing.TB) string { return lookup(t, EnvDNS) }

// ClickHouse returns the server address and a fresh database on it, dropped
// when the test ends.
func ClickHouse(t testing.TB) (addr, database string) {
	t.Helper()
	addr = lookup(t, EnvClickHouse)
	database = Name("statusd_test_")
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("open clickhouse %s: %v", addr, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := conn.Exec(ctx, "CREATE DATABASE "+database); err != nil {
		t.Fatalf("create clickhouse database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+database); err != nil {
			t.Errorf("drop clickhouse database: %v", err)
		}
		if err := conn.Close(); err != nil {
			t.Errorf("close clickhouse: %v", err)
		}
	})
	return addr, database
}

// Postgres returns the URL of a fresh PostgreSQL database, dropped when the
// test ends.
func Postgres(t testing.TB) string {
	t.Helper()
	admin := lookup(t, EnvPostgres)
	name := Name("statusd_test_")
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create postgres database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop postgres database: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("close postgres: %v", err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	u.Path = "/" + name
	return u.String()
}

// TopicPrefix returns a fresh Kafka topic prefix such as "t3f2a.statusd.".
func TopicPrefix() string { return Name("t") + ".statusd." }
