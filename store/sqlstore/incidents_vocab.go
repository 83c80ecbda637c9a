package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/incident"
)

// IncidentStatuses returns the custom incident statuses of a page, in
// order; the zero Vocabulary when it has none.
func (s *Store) IncidentStatuses(ctx context.Context, pageID string) (incident.Vocabulary, error) {
	return s.vocabulary(ctx, s.db, pageID)
}

func (s *Store) vocabulary(ctx context.Context, q querier, pageID string) (incident.Vocabulary, error) {
	rows, err := q.QueryContext(ctx, s.d.rebind(`SELECT name, standard FROM incident_statuses
		WHERE page_id = ? ORDER BY position`), pageID)
	if err != nil {
		return incident.Vocabulary{}, fmt.Errorf("read incident statuses of page %s: %w", pageID, err)
	}
	var v incident.Vocabulary
	for rows.Next() {
		var c incident.CustomStatus
		var std string
		if err := rows.Scan(&c.Name, &std); err != nil {
			return v, closeRows(rows, fmt.Errorf("scan incident status: %w", err))
		}
		c.Standard = incident.Status(std)
		v.Custom = append(v.Custom, c)
	}
	if err := closeRows(rows, nil); err != nil {
		return v, fmt.Errorf("read incident statuses of page %s: %w", pageID, err)
	}
	return v, nil
}

// SetIncidentStatuses replaces the custom incident statuses of a page,
// audited. An invalid vocabulary is a *incident.FieldError; an unknown
// page a *catalog.NotFoundError.
func (s *Store) SetIncidentStatuses(ctx context.Context, pageID string, v incident.Vocabulary, now time.Time) error {
	if err := v.Validate(); err != nil {
		return err
	}
	return s.write(ctx, "set incident statuses", func(tx *sql.Tx, p auth.Principal) error {
		if _, ok, err := s.page(ctx, tx, pageID); err != nil || !ok {
			if err == nil {
				err = &catalog.NotFoundError{Kind: kindPage, ID: pageID}
			}
			return err
		}
		prev, err := s.vocabulary(ctx, tx, pageID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM incident_statuses WHERE page_id = ?`), pageID); err != nil {
			return fmt.Errorf("clear incident statuses of page %s: %w", pageID, err)
		}
		for i, c := range v.Custom {
			if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO incident_statuses (page_id, name, standard, position)
				VALUES (?, ?, ?, ?)`), pageID, c.Name, string(c.Standard), i); err != nil {
				return fmt.Errorf("insert incident status %q of page %s: %w", c.Name, pageID, err)
			}
		}
		return s.appendAudit(ctx, tx, p, "set_incident_statuses", kindPage, pageID, prev.Custom, v.Custom, now)
	})
}
