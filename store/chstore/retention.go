package chstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Default retentions.
const (
	DefaultRawRetention    = 30 * 24 * time.Hour
	DefaultRollupRetention = 400 * 24 * time.Hour
)

// partitioned are the tables retention drops partitions of, with their
// partition keys (see schema): a day, toYYYYMMDD, or a month, toYYYYMM.
var partitioned = []struct {
	table  string
	raw    bool // kept RawRetention, else RollupRetention
	months bool // partitioned by month
}{
	{"results", true, false},
	{"results_offsets", true, false},
	{"results_1m", false, false},
	{"results_1h", false, true},
}

// DropExpired drops, with ALTER TABLE … DROP PARTITION, every partition of
// the result tables that lies wholly before its table's retention at now,
// and returns how many it dropped. Days and months are the server's (its
// partition keys), so the cut has a day of margin; a partition straddling
// it is kept: data is kept at least its retention. Several aggregators may run it at once.
func (s *Store) DropExpired(ctx context.Context, now time.Time) (int, error) {
	rows, err := s.conn.Query(ctx, `SELECT DISTINCT table, partition FROM system.parts
		WHERE database = ? AND active AND table IN ('results', 'results_offsets', 'results_1m', 'results_1h')`,
		strings.Trim(s.db, "`"))
	if err != nil {
		return 0, fmt.Errorf("list partitions: %w", err)
	}
	type part struct{ table, id string }
	var parts []part
	for rows.Next() {
		var p part
		if err := rows.Scan(&p.table, &p.id); err != nil {
			return 0, closeRows(rows, fmt.Errorf("scan partition: %w", err))
		}
		parts = append(parts, p)
	}
	if err := closeRows(rows, rows.Err()); err != nil {
		return 0, fmt.Errorf("list partitions: %w", err)
	}
	dropped := 0
	for _, p := range parts {
		if !s.expired(p.table, p.id, now) {
			continue
		}
		// The key is an integer expression: the partition is its literal.
		if err := s.conn.Exec(ctx, s.q(`ALTER TABLE {db}.`+p.table+` DROP PARTITION `+p.id)); err != nil {
			return dropped, fmt.Errorf("drop partition %s of %s: %w", p.id, p.table, err)
		}
		s.log.Info("dropped a partition past the retention", "table", p.table, "partition", p.id)
		dropped++
	}
	return dropped, nil
}

// expired reports whether partition id of table lies wholly before the
// table's retention.
func (s *Store) expired(table, id string, now time.Time) bool {
	n, err := strconv.Atoi(id)
	if err != nil {
		return false // not one of ours
	}
	for _, t := range partitioned {
		if t.table != table {
			continue
		}
		keep := s.rollup
		if t.raw {
			keep = s.raw
		}
		// A day of margin: the server's days are not necessarily UTC's.
		cut := now.Add(-keep - 24*time.Hour).UTC()
		y, m, d := cut.Date()
		if t.months {
			return n < y*100+int(m)
		}
		return n < y*10000+int(m)*100+d
	}
	return false
}
