package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/statusd/statusd/maintenance"
)

// transitionKey is the row key of t: its Key, and for a reminder also its
// due time, since a rescheduled window's reminders fall due again.
func transitionKey(t maintenance.Transition) string {
	if t.Kind == maintenance.TransitionRemind {
		return t.Key() + "@" + strconv.FormatInt(ms(t.At), 10)
	}
	return t.Key()
}

// ApplyMaintenanceTransition carries out t at now in one transaction: it
// records t's key, reads the window holding its row, applies t
// (maintenance.Apply), stores the result, the series' next window of a
// spawn and the due reminder of a remind. It reports false, having written
// nothing, when the key was recorded already (another aggregator carried t
// out) or the window no longer fits t (a person acted first, or it is
// gone).
func (s *Store) ApplyMaintenanceTransition(ctx context.Context, t maintenance.Transition, now time.Time) (bool, error) {
	applied := false
	errSkip := errors.New("skip")
	err := s.inTx(ctx, "apply maintenance transition "+t.Key(), 0, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO maintenance_transitions
			(transition_key, maintenance_id, kind, due_at, applied_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (transition_key) DO NOTHING`), transitionKey(t), t.WindowID, string(t.Kind), ms(t.At), ms(now))
		if err != nil {
			return fmt.Errorf("record transition: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("record transition: %w", err)
		} else if n == 0 {
			return errSkip // another aggregator carried it out
		}
		before, err := s.maintenanceForUpdate(ctx, tx, t.WindowID)
		if err != nil {
			return err
		}
		after, next, err := maintenance.Apply(before, t, now)
		var fe *maintenance.FieldError
		if errors.As(err, &fe) {
			return errSkip // a person got there first
		}
		if err := s.writeMaintenance(ctx, tx, before, &after); err != nil {
			return err
		}
		if err := s.windowMoved(ctx, tx, before, &after, t.At); err != nil {
			return err
		}
		if next != nil {
			if err := s.insertMaintenance(ctx, tx, next); err != nil {
				return err
			}
		}
		if t.Kind == maintenance.TransitionRemind {
			if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO maintenance_reminders
				(maintenance_id, reminder, due_at, missed, recorded_at, delivered_at) VALUES (?, ?, ?, ?, ?, 0)`),
				t.WindowID, string(t.Reminder), ms(t.At), t.Missed, ms(now)); err != nil {
				return fmt.Errorf("record reminder: %w", err)
			}
		}
		applied = true
		return bumpStoredVersion(ctx, tx)
	})
	if errors.Is(err, errSkip) {
		return false, nil
	}
	return applied, err
}

// MaintenanceTransitions lists the transitions recorded for a window, in
// the order they were due (a reminder's Missed is not kept here).
func (s *Store) MaintenanceTransitions(ctx context.Context, id int64) ([]maintenance.Transition, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT transition_key, kind, due_at
		FROM maintenance_transitions WHERE maintenance_id = ? ORDER BY due_at, applied_at, transition_key`), id)
	if err != nil {
		return nil, fmt.Errorf("list transitions of maintenance %d: %w", id, err)
	}
	out := []maintenance.Transition{}
	for rows.Next() {
		var (
			key, kind string
			due       int64
		)
		if err := rows.Scan(&key, &kind, &due); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan transition: %w", err))
		}
		t := maintenance.Transition{WindowID: id, Kind: maintenance.TransitionKind(kind), At: fromMS(due)}
		if t.Kind == maintenance.TransitionRemind {
			name, _, _ := strings.Cut(strings.TrimPrefix(key, t.Key()+":"), "@")
			t.Reminder = maintenance.Reminder(name)
		}
		out = append(out, t)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list transitions of maintenance %d: %w", id, err)
	}
	return out, nil
}

// DueReminders lists the reminders recorded and not yet delivered, oldest
// first, as the remind transitions that recorded them.
func (s *Store) DueReminders(ctx context.Context) ([]maintenance.Transition, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT maintenance_id, reminder, due_at, missed
		FROM maintenance_reminders WHERE delivered_at = 0 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list due reminders: %w", err)
	}
	out := []maintenance.Transition{}
	for rows.Next() {
		var (
			t    = maintenance.Transition{Kind: maintenance.TransitionRemind}
			name string
			due  int64
		)
		if err := rows.Scan(&t.WindowID, &name, &due, &t.Missed); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan due reminder: %w", err))
		}
		t.Reminder, t.At = maintenance.Reminder(name), fromMS(due)
		out = append(out, t)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list due reminders: %w", err)
	}
	return out, nil
}
