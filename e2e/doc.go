// Package e2e holds the end-to-end tests: `statusd agent` and `statusd
// aggregator` as separate processes against the real Kafka-protocol broker,
// ClickHouse and PostgreSQL that `make services` starts. The tests observe
// only from outside: processes and signals, Kafka topics and group offsets,
// ClickHouse rows, PostgreSQL rows and the HTTP APIs.
//
//   - TestPipeline: real agent and aggregator; detection and recovery times,
//     malformed messages, rows across an aggregator SIGKILL.
//   - TestExactlyOnceForcedRedelivery: group offsets reset to the start and
//     a second group on the same databases; every result stored once, on
//     raw rows (witnessed by a plain MergeTree view, which merges cannot
//     fold) and in the rollup sums, each row carrying its Kafka position.
//   - TestAggregatorSIGKILLMatchesUninterruptedRun: three simulated agents
//     with scripted outages, the aggregator SIGKILLed at seeded random points
//     (STATUSD_E2E_SEED=<seed> replays a run); rows, states and incidents
//     equal those of a fresh uninterrupted run over the same topic.
//   - TestTwoAggregatorsTakeover: one of two group members is SIGKILLed; the
//     survivor owns every partition and shows the change within 30 s, and
//     neither API ever serves a status older than one persisted.
//
// Simulated agents (sim_test.go) derive every result, its ID included,
// from (component, region, tick), so a run can be predicted and replayed.
package e2e
