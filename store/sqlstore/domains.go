package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/domains"
)

// DomainState returns the state of page pageID's custom domain; false when
// it was never checked.
func (s *Store) DomainState(ctx context.Context, pageID string) (domains.State, bool, error) {
	all, err := s.domainStates(ctx, "WHERE page_id = ?", pageID)
	if err != nil || len(all) == 0 {
		return domains.State{}, false, err
	}
	return all[0], true, nil
}

// DomainStates returns the state of every page's custom domain that was
// ever checked, by page ID.
func (s *Store) DomainStates(ctx context.Context) ([]domains.State, error) {
	return s.domainStates(ctx, "")
}

func (s *Store) domainStates(ctx context.Context, where string, args ...any) ([]domains.State, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT page_id, domain, expected, status, last_result, chain,
		reason, checked_at, verified_at FROM page_domains `+where+` ORDER BY page_id`), args...)
	if err != nil {
		return nil, fmt.Errorf("read domain states: %w", err)
	}
	out := []domains.State{}
	for rows.Next() {
		var (
			st                  domains.State
			status, last, chain string
			checked, verified   int64
		)
		if err := rows.Scan(&st.PageID, &st.Domain, &st.Expected, &status, &last, &chain, &st.Reason,
			&checked, &verified); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan domain state: %w", err))
		}
		if err := json.Unmarshal([]byte(chain), &st.Chain); err != nil {
			return nil, closeRows(rows, fmt.Errorf("decode domain chain of page %s: %w", st.PageID, err))
		}
		st.Status, st.LastResult = domains.Status(status), domains.Status(last)
		st.CheckedAt, st.VerifiedAt = fromMS(checked), fromMS(verified)
		out = append(out, st)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("read domain states: %w", err)
	}
	return out, nil
}

// RecordDomainCheck stores st as its page's domain state and appends r to
// the page's check history, keeping the newest keep checks, in one
// transaction. An unknown page is a *catalog.NotFoundError.
func (s *Store) RecordDomainCheck(ctx context.Context, st domains.State, r domains.Result, keep int) error {
	stateChain, err := json.Marshal(nonNil(st.Chain))
	if err != nil {
		return fmt.Errorf("encode domain chain: %w", err)
	}
	chain, err := json.Marshal(nonNil(r.Chain))
	if err != nil {
		return fmt.Errorf("encode domain chain: %w", err)
	}
	return s.inTx(ctx, "record domain check", 0, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT 1 FROM pages WHERE id = ?`), st.PageID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return &catalog.NotFoundError{Kind: "page", ID: st.PageID}
		} else if err != nil {
			return fmt.Errorf("find page %s: %w", st.PageID, err)
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO page_domains (page_id, domain, expected, status,
			last_result, chain, reason, checked_at, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (page_id) DO UPDATE SET domain = excluded.domain, expected = excluded.expected,
			status = excluded.status, last_result = excluded.last_result, chain = excluded.chain,
			reason = excluded.reason, checked_at = excluded.checked_at, verified_at = excluded.verified_at`),
			st.PageID, st.Domain, st.Expected, string(st.Status), string(st.LastResult), string(stateChain), st.Reason,
			ms(st.CheckedAt), ms(st.VerifiedAt)); err != nil {
			return fmt.Errorf("write domain state of page %s: %w", st.PageID, err)
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO page_domain_checks (page_id, domain, expected,
			result, chain, reason, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			st.PageID, r.Domain, r.Expected, string(r.Status), string(chain), r.Reason, ms(r.CheckedAt)); err != nil {
			return fmt.Errorf("append domain check of page %s: %w", st.PageID, err)
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM page_domain_checks WHERE page_id = ? AND id NOT IN
			(SELECT id FROM page_domain_checks WHERE page_id = ? ORDER BY id DESC LIMIT ?)`),
			st.PageID, st.PageID, keep); err != nil {
			return fmt.Errorf("trim domain checks of page %s: %w", st.PageID, err)
		}
		return nil
	})
}

// DomainChecks lists up to limit of page pageID's domain checks, newest
// first.
func (s *Store) DomainChecks(ctx context.Context, pageID string, limit int) ([]domains.Result, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT domain, expected, result, chain, reason, checked_at
		FROM page_domain_checks WHERE page_id = ? ORDER BY id DESC LIMIT ?`), pageID, limit)
	if err != nil {
		return nil, fmt.Errorf("list domain checks of page %s: %w", pageID, err)
	}
	out := []domains.Result{}
	for rows.Next() {
		var (
			r             domains.Result
			status, chain string
			at            int64
		)
		if err := rows.Scan(&r.Domain, &r.Expected, &status, &chain, &r.Reason, &at); err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan domain check: %w", err))
		}
		if err := json.Unmarshal([]byte(chain), &r.Chain); err != nil {
			return nil, closeRows(rows, fmt.Errorf("decode domain chain of page %s: %w", pageID, err))
		}
		r.Status, r.CheckedAt = domains.Status(status), fromMS(at)
		out = append(out, r)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list domain checks of page %s: %w", pageID, err)
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
