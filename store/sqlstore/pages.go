package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/statusd/statusd/catalog"
)

// pageColumns are the columns of a page, in the order of pageArgs and
// scanPage.
const pageColumns = `id, name, url, time_zone, subdomain, custom_domain, private, password_hash, allowed_cidrs,
	disabled, logo_url, favicon_url, brand_color, background_color, text_color, dark_theme, hide_powered_by,
	website_url, support_url, privacy_url, robots_meta, analytics_id, no_subscriptions,
	alert_enabled, alert_title, alert_message, managed`

func pageArgs(p catalog.Page) []any {
	b, l, a := p.Branding, p.Links, p.Alert
	return []any{p.ID, p.Name, p.URL, p.TimeZone, p.Subdomain, p.CustomDomain, p.Private, p.PasswordHash,
		strings.Join(p.AllowedCIDRs, ","), p.Disabled, b.LogoURL, b.FaviconURL, b.BrandColor, b.BackgroundColor,
		b.TextColor, b.DarkTheme, b.HidePoweredBy, l.Website, l.Support, l.Privacy, p.RobotsMeta, p.AnalyticsID,
		p.NoSubscriptions, a.Enabled, a.Title, a.Message, p.Managed}
}

type scanner interface{ Scan(dest ...any) error }

func scanPage(r scanner) (catalog.Page, error) {
	var (
		p     catalog.Page
		cidrs string
	)
	b, l, a := &p.Branding, &p.Links, &p.Alert
	err := r.Scan(&p.ID, &p.Name, &p.URL, &p.TimeZone, &p.Subdomain, &p.CustomDomain, &p.Private, &p.PasswordHash,
		&cidrs, &p.Disabled, &b.LogoURL, &b.FaviconURL, &b.BrandColor, &b.BackgroundColor, &b.TextColor,
		&b.DarkTheme, &b.HidePoweredBy, &l.Website, &l.Support, &l.Privacy, &p.RobotsMeta, &p.AnalyticsID,
		&p.NoSubscriptions, &a.Enabled, &a.Title, &a.Message, &p.Managed)
	if cidrs != "" {
		p.AllowedCIDRs = strings.Split(cidrs, ",")
	}
	return p, err
}

// Pages lists every page, sorted by ID.
func (s *Store) Pages(ctx context.Context) ([]catalog.Page, error) {
	return s.pages(ctx, s.db)
}

func (s *Store) pages(ctx context.Context, q querier) ([]catalog.Page, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+pageColumns+` FROM pages ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	var out []catalog.Page
	for rows.Next() {
		p, err := scanPage(rows)
		if err != nil {
			return nil, closeRows(rows, fmt.Errorf("scan page: %w", err))
		}
		out = append(out, p)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	return out, nil
}

// Page returns one page, or a *catalog.NotFoundError.
func (s *Store) Page(ctx context.Context, id string) (catalog.Page, error) {
	p, ok, err := s.page(ctx, s.db, id)
	if err == nil && !ok {
		err = &catalog.NotFoundError{Kind: kindPage, ID: id}
	}
	return p, err
}

func (s *Store) page(ctx context.Context, q querier, id string) (catalog.Page, bool, error) {
	p, err := scanPage(q.QueryRowContext(ctx, s.d.rebind(`SELECT `+pageColumns+` FROM pages WHERE id = ?`), id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return catalog.Page{}, false, nil
	case err != nil:
		return catalog.Page{}, false, fmt.Errorf("read page %s: %w", id, err)
	}
	return p, true, nil
}

// savePage inserts or updates p.
func (s *Store) savePage(ctx context.Context, tx *sql.Tx, p catalog.Page, now time.Time) error {
	if err := s.uniquePageFields(ctx, tx, p); err != nil {
		return err
	}
	cols := strings.Fields(strings.ReplaceAll(pageColumns, ",", " "))
	set := make([]string, 0, len(cols))
	for _, c := range cols[1:] {
		set = append(set, c+" = excluded."+c)
	}
	args := append(pageArgs(p), ms(now), ms(now))
	if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO pages (`+pageColumns+`, created_at, updated_at)
		VALUES (`+placeholders(len(args))+`)
		ON CONFLICT (id) DO UPDATE SET `+strings.Join(set, ", ")+`, updated_at = excluded.updated_at`), args...); err != nil {
		return fmt.Errorf("save page %s: %w", p.ID, err)
	}
	return nil
}

// uniquePageFields fails with a *catalog.ConflictError when another page
// has p's subdomain or custom domain.
func (s *Store) uniquePageFields(ctx context.Context, tx *sql.Tx, p catalog.Page) error {
	for _, f := range [...]struct{ column, field, value string }{
		{"subdomain", "subdomain", p.Subdomain}, {"custom_domain", "custom_domain", p.CustomDomain},
	} {
		if f.value == "" {
			continue
		}
		var other string
		err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT id FROM pages WHERE `+f.column+` = ? AND id <> ?`),
			f.value, p.ID).Scan(&other)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return fmt.Errorf("look up %s of page %s: %w", f.field, p.ID, err)
		}
		return &catalog.ConflictError{Kind: kindPage, ID: p.ID, Field: f.field,
			Message: fmt.Sprintf("%q is used by page %q", catalog.Truncate(f.value), other)}
	}
	return nil
}

// deletePage deletes a page; its components (those whose primary page it
// is) go with it, with their checks and states, by the foreign keys.
func (s *Store) deletePage(ctx context.Context, tx *sql.Tx, id string) error {
	for _, stmt := range []string{
		`DELETE FROM component_states WHERE component_id IN (SELECT id FROM components WHERE page_id = ?)`,
		`DELETE FROM checks WHERE component_id IN (SELECT id FROM components WHERE page_id = ?)`,
		`DELETE FROM page_components WHERE component_id IN (SELECT id FROM components WHERE page_id = ?)`,
		`DELETE FROM components WHERE page_id = ?`,
		`DELETE FROM page_components WHERE page_id = ?`,
		`DELETE FROM pages WHERE id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, s.d.rebind(stmt), id); err != nil {
			return fmt.Errorf("delete page %s: %w", id, err)
		}
	}
	return nil
}
