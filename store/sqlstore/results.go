package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/statusd/statusd/result"
)

// resultColumns are the columns of results, in insert order.
const resultColumns = `result_id, check_id, component_id, agent_id, region, check_version, scheduled, started,
	duration_us, dns_us, connect_us, tls_us, first_byte_us, transfer_us, success, status_code, error_class, message,
	rcode, packet_loss, rtt_min_us, rtt_avg_us, rtt_max_us, cert_expiry_ms, cert_days_left, degraded`

const (
	resultArity = 26
	// resultRows per INSERT: 500 × 26 parameters stays under SQLite's and
	// PostgreSQL's limits on bound parameters.
	resultRows = 500
)

// WriteResults stores results idempotently by result ID, in one
// transaction, and returns how many were newly written: duplicates within
// rs or already stored are skipped, not errors. A result without an ID is
// an error.
func (s *Store) WriteResults(ctx context.Context, rs []result.Result) (int, error) {
	uniq, err := dedupe(rs)
	if err != nil || len(uniq) == 0 {
		return 0, err
	}
	var written int64
	err = s.inTx(ctx, "write results", 0, func(tx *sql.Tx) error {
		for start := 0; start < len(uniq); start += resultRows {
			n, err := s.insertResults(ctx, tx, uniq[start:min(start+resultRows, len(uniq))])
			if err != nil {
				return err
			}
			written += n
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return int(written), nil
}

// dedupe drops results whose ID appeared earlier in rs.
func dedupe(rs []result.Result) ([]result.Result, error) {
	seen := make(map[string]bool, len(rs))
	out := make([]result.Result, 0, len(rs))
	for i, r := range rs {
		if r.ID == "" {
			return nil, fmt.Errorf("write results: result %d (check %s): id is required", i, r.CheckID)
		}
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		out = append(out, r)
	}
	return out, nil
}

func (s *Store) insertResults(ctx context.Context, tx *sql.Tx, rs []result.Result) (int64, error) {
	var q strings.Builder
	q.WriteString(`INSERT INTO results (` + resultColumns + `) VALUES `)
	row := `(` + placeholders(resultArity) + `)`
	args := make([]any, 0, len(rs)*resultArity)
	for i, r := range rs {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
		args = append(args, r.ID, r.CheckID, r.ComponentID, r.AgentID, r.Region, r.CheckVersion,
			ms(r.Scheduled), ms(r.Started), us(r.Duration), us(r.Phases.DNS), us(r.Phases.Connect),
			us(r.Phases.TLS), us(r.Phases.FirstByte), us(r.Phases.Transfer), r.Success, r.StatusCode,
			string(r.ErrorClass), r.Message, r.RCode, r.PacketLoss, us(r.RTTMin), us(r.RTTAvg), us(r.RTTMax),
			ms(r.CertExpiry), r.CertDaysLeft, r.Degraded)
	}
	q.WriteString(` ON CONFLICT (result_id) DO NOTHING`)
	res, err := tx.ExecContext(ctx, s.d.rebind(q.String()), args...)
	if err != nil {
		return 0, fmt.Errorf("insert %d results: %w", len(rs), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("count inserted results: %w", err)
	}
	return n, nil
}

// us is a duration in whole microseconds.
func us(d time.Duration) int64 { return d.Microseconds() }

// CountResults returns the number of stored result rows and of distinct
// result IDs among them; equal unless de-duplication failed.
func (s *Store) CountResults(ctx context.Context) (rows int64, distinctIDs int64, err error) {
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT result_id) FROM results`).
		Scan(&rows, &distinctIDs); err != nil {
		return 0, 0, fmt.Errorf("count results: %w", err)
	}
	return rows, distinctIDs, nil
}

// StoredOffsets returns no offsets: results here are unique by result ID,
// so a result written twice is stored once without the caller's help.
func (s *Store) StoredOffsets(context.Context, int, int64, int64) ([]int64, error) { return nil, nil }
