package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// storeTimeout bounds one query of a test.
const storeTimeout = 10 * time.Second

func openClickHouse(t *testing.T, addr string) clickhouse.Conn {
	t.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := conn.Close(); err != nil {
			t.Error(err)
		}
	})
	return conn
}

// series reads what the aggregators wrote to one ClickHouse database. It
// counts raw rows as they are: no FINAL, no OPTIMIZE, so a duplicate that
// a merge would fold away later is still seen.
type series struct {
	conn clickhouse.Conn
	db   string
}

func openSeries(t *testing.T, s *stack) *series {
	t.Helper()
	return &series{conn: openClickHouse(t, s.chAddr), db: s.chDB}
}

func (s *series) q(query string) string { return strings.ReplaceAll(query, "{db}", s.db) }

// counts returns the raw rows and the distinct result IDs; zero before the
// aggregator created the table.
func (s *series) counts(t *testing.T) (rows, distinct uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	err := s.conn.QueryRow(ctx, s.q("SELECT count(), uniqExact(result_id) FROM {db}.results")).Scan(&rows, &distinct)
	if err != nil && !strings.Contains(err.Error(), "doesn't exist") {
		t.Fatalf("count results in clickhouse: %v", err)
	}
	return rows, distinct
}

// waitComplete waits until the database holds want distinct results and
// returns the raw row count seen at that moment.
func (s *series) waitComplete(t *testing.T, timeout time.Duration, want int) (rows uint64) {
	t.Helper()
	waitFor(t, timeout, fmt.Sprintf("ClickHouse %s to hold all %d results", s.db, want), func() bool {
		var distinct uint64
		rows, distinct = s.counts(t)
		return distinct >= uint64(want)
	})
	return rows
}

// witnessInserts adds a materialized view that copies the result ID of
// every row inserted into results from now on into a plain MergeTree,
// which never folds rows: a duplicate that the ReplacingMergeTree merges
// away stays visible there. insertedSince counts it.
func (s *series) witnessInserts(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	err := s.conn.Exec(ctx, s.q(`CREATE MATERIALIZED VIEW {db}.e2e_inserted ENGINE = MergeTree() ORDER BY result_id
		AS SELECT result_id FROM {db}.results`))
	if err != nil {
		t.Fatalf("create the insert witness: %v", err)
	}
}

// insertedSince returns the rows inserted into results since
// witnessInserts, and their distinct result IDs.
func (s *series) insertedSince(t *testing.T) (rows, distinct uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := s.conn.QueryRow(ctx, s.q("SELECT count(), uniqExact(result_id) FROM {db}.e2e_inserted")).Scan(&rows, &distinct); err != nil {
		t.Fatalf("count witnessed inserts: %v", err)
	}
	return rows, distinct
}

// insertedTwice returns the result IDs inserted more than once since
// witnessInserts.
func (s *series) insertedTwice(t *testing.T) map[string]uint64 {
	return s.perComponent(t, "SELECT result_id, count() AS n FROM {db}.e2e_inserted GROUP BY result_id HAVING n > 1")
}

// waitSettled waits until done holds or the raw row count stayed the same
// for 3 s, at most timeout, and returns the row count then: a late
// duplicate from a second writer has landed by then.
func (s *series) waitSettled(t *testing.T, timeout time.Duration, done func() bool) (rows uint64) {
	t.Helper()
	var last uint64
	stable := time.Now()
	pollUntil(timeout, func() bool {
		if rows, _ = s.counts(t); rows != last {
			last, stable = rows, time.Now()
		}
		return done() || time.Since(stable) >= 3*time.Second
	})
	return rows
}

// perComponent runs a query returning (component_id, UInt64) rows.
func (s *series) perComponent(t *testing.T, query string) map[string]uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	rows, err := s.conn.Query(ctx, s.q(query))
	if err != nil {
		t.Fatalf("query clickhouse: %v", err)
	}
	defer rows.Close()
	out := map[string]uint64{}
	for rows.Next() {
		var id string
		var n uint64
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatalf("scan: %v", err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read rows: %v", err)
	}
	return out
}

// rawSuccesses sums success per component over the raw rows.
func (s *series) rawSuccesses(t *testing.T) map[string]uint64 {
	return s.perComponent(t, "SELECT component_id, toUInt64(sum(success)) FROM {db}.results GROUP BY component_id")
}

// rollup returns sum(total) of the per-minute rollup and its successes per
// component, summed as a SummingMergeTree must be read.
func (s *series) rollup(t *testing.T) (total uint64, successes map[string]uint64) {
	t.Helper()
	totals := s.perComponent(t, "SELECT component_id, toUInt64(sum(total)) FROM {db}.results_1m GROUP BY component_id")
	for _, n := range totals {
		total += n
	}
	return total, s.perComponent(t, "SELECT component_id, toUInt64(sum(successes)) FROM {db}.results_1m GROUP BY component_id")
}

// rowsPerID returns how many raw rows each result ID has.
func (s *series) rowsPerID(t *testing.T) map[string]uint64 {
	return s.perComponent(t, "SELECT result_id, count() FROM {db}.results GROUP BY result_id")
}

// position is where a row says its result sat on the results topic.
type position struct {
	partition int64
	offset    int64
}

// positions returns the Kafka position each row carries, per result ID.
func (s *series) positions(ctx context.Context) (map[string][]position, error) {
	rows, err := s.conn.Query(ctx, s.q(`SELECT result_id, toInt64(kafka_partition), toInt64(kafka_offset) FROM {db}.results`))
	if err != nil {
		return nil, fmt.Errorf("query kafka positions of rows: %w", err)
	}
	defer rows.Close()
	out := map[string][]position{}
	for rows.Next() {
		var id string
		var p position
		if err := rows.Scan(&id, &p.partition, &p.offset); err != nil {
			return nil, fmt.Errorf("scan kafka position: %w", err)
		}
		out[id] = append(out[id], p)
	}
	return out, rows.Err()
}

// entities reads the aggregators' state in one PostgreSQL database.
type entities struct{ db *sql.DB }

func openEntities(t *testing.T, s *stack) *entities {
	t.Helper()
	db, err := sql.Open("pgx", s.pg)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close postgres: %v", err)
		}
	})
	return &entities{db: db}
}

// componentRow is a stored component state; times in Unix ms.
type componentRow struct {
	id, status       string
	since, updatedAt int64
}

// componentStates returns every stored component state by component ID.
func (e *entities) componentStates(ctx context.Context) (map[string]componentRow, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT component_id, status, since, updated_at FROM component_states`)
	if err != nil {
		return nil, fmt.Errorf("query component states: %w", err)
	}
	defer rows.Close()
	out := map[string]componentRow{}
	for rows.Next() {
		var r componentRow
		if err := rows.Scan(&r.id, &r.status, &r.since, &r.updatedAt); err != nil {
			return nil, fmt.Errorf("scan component state: %w", err)
		}
		out[r.id] = r
	}
	return out, rows.Err()
}

// incidentRow is a stored automatic incident of one component.
type incidentRow struct {
	component, status, impact string
	createdAt                 int64
	resolvedAt                sql.NullInt64
	updates                   int
}

func (r incidentRow) String() string {
	resolved := "open"
	if r.resolvedAt.Valid {
		resolved = msTime(r.resolvedAt.Int64)
	}
	return fmt.Sprintf("%s %s/%s created %s resolved %s, %d updates",
		r.component, r.status, r.impact, msTime(r.createdAt), resolved, r.updates)
}

// incidents returns the automatic incidents per component, oldest first.
func (e *entities) incidents(ctx context.Context) ([]incidentRow, error) {
	rows, err := e.db.QueryContext(ctx, `
		SELECT ic.component_id, i.status, i.impact, i.created_at, i.resolved_at,
			(SELECT count(*) FROM incident_updates u WHERE u.incident_id = i.id)
		FROM incidents i JOIN incident_components ic ON ic.incident_id = i.id
		WHERE i.automatic
		ORDER BY ic.component_id, i.created_at, i.id`)
	if err != nil {
		return nil, fmt.Errorf("query incidents: %w", err)
	}
	defer rows.Close()
	var out []incidentRow
	for rows.Next() {
		var r incidentRow
		if err := rows.Scan(&r.component, &r.status, &r.impact, &r.createdAt, &r.resolvedAt, &r.updates); err != nil {
			return nil, fmt.Errorf("scan incident: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// msTime renders Unix ms as a UTC time with ms.
func msTime(ms int64) string { return time.UnixMilli(ms).UTC().Format("15:04:05.000") }
