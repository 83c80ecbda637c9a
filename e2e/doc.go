// Package e2e holds the end-to-end tests: `statusd agent` and `statusd
// aggregator` as separate processes against the real Kafka-protocol broker,
// ClickHouse and PostgreSQL that `make services` starts.
package e2e
