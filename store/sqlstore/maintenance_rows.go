package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/statusd/statusd/maintenance"
)

// maintenanceColumns are the columns of maintenances in the order
// insertMaintenance and scanMaintenance use.
const maintenanceColumns = `page_id, title, body, status, starts_at, ends_at, started_at, completed_at, cancelled_at,
	auto_start, auto_end, private, reminders, sent, notify, tweet, custom_tweet,
	recurrence, recurrence_start, recurrence_ms, series_id, occurrence, spawned, created_at, updated_at`

func maintenanceValues(w maintenance.Window) []any {
	rec, recStart, recMS := "", int64(0), int64(0)
	if w.Recurrence != nil {
		rec, recStart, recMS = w.Recurrence.Text, ms(w.Recurrence.Start), w.Recurrence.Duration.Milliseconds()
	}
	return []any{w.PageID, w.Title, w.Body, string(w.Status), ms(w.StartsAt), ms(w.EndsAt), ms(w.StartedAt),
		ms(w.CompletedAt), ms(w.CancelledAt), w.AutoStart, w.AutoEnd, w.Private, encodeReminders(w.Reminders),
		encodeSent(w.Sent), w.Notify.Deliver, w.Notify.Tweet, w.Notify.CustomTweet,
		rec, recStart, recMS, w.SeriesID, w.Occurrence, w.Spawned, ms(w.CreatedAt), ms(w.UpdatedAt)}
}

// insertMaintenance writes a new window with its components and updates
// and sets the IDs it got.
func (s *Store) insertMaintenance(ctx context.Context, tx *sql.Tx, w *maintenance.Window) error {
	if err := tx.QueryRowContext(ctx, s.d.rebind(`INSERT INTO maintenances (`+maintenanceColumns+`, version)
		VALUES (`+placeholders(25)+`, 1) RETURNING id`), maintenanceValues(*w)...).Scan(&w.ID); err != nil {
		return fmt.Errorf("insert maintenance: %w", err)
	}
	if err := s.writeMaintenanceComponents(ctx, tx, w.ID, w.ComponentIDs); err != nil {
		return err
	}
	for i := len(w.Updates) - 1; i >= 0; i-- { // oldest first, so IDs follow time
		if err := s.insertMaintenanceUpdate(ctx, tx, w.ID, &w.Updates[i]); err != nil {
			return err
		}
	}
	return nil
}

// writeMaintenance stores after over before: the window's row, its
// components when they changed, and the updates after has beyond before's
// (updates are only ever added, newest first).
func (s *Store) writeMaintenance(ctx context.Context, tx *sql.Tx, before maintenance.Window, after *maintenance.Window) error {
	cols := strings.Split(strings.Join(strings.Fields(maintenanceColumns), ""), ",")
	set := make([]string, len(cols))
	for i, c := range cols {
		set[i] = c + " = ?"
	}
	args := append(maintenanceValues(*after), after.ID)
	res, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE maintenances SET `+strings.Join(set, ", ")+
		`, version = version + 1 WHERE id = ?`), args...)
	if err != nil {
		return fmt.Errorf("update maintenance %d: %w", after.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("update maintenance %d: %d rows changed (%v)", after.ID, n, err)
	}
	if strings.Join(before.ComponentIDs, "\x00") != strings.Join(after.ComponentIDs, "\x00") {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM maintenance_components WHERE maintenance_id = ?`), after.ID); err != nil {
			return fmt.Errorf("replace components of maintenance %d: %w", after.ID, err)
		}
		if err := s.writeMaintenanceComponents(ctx, tx, after.ID, after.ComponentIDs); err != nil {
			return err
		}
	}
	added := len(after.Updates) - len(before.Updates)
	for i := added - 1; i >= 0; i-- {
		if err := s.insertMaintenanceUpdate(ctx, tx, after.ID, &after.Updates[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) writeMaintenanceComponents(ctx context.Context, tx *sql.Tx, id int64, comps []string) error {
	for i, c := range comps {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`
			INSERT INTO maintenance_components (maintenance_id, component_id, position) VALUES (?, ?, ?)`), id, c, i); err != nil {
			return fmt.Errorf("insert component %s of maintenance %d: %w", c, id, err)
		}
	}
	return nil
}

func (s *Store) insertMaintenanceUpdate(ctx context.Context, tx *sql.Tx, id int64, u *maintenance.Update) error {
	if err := tx.QueryRowContext(ctx, s.d.rebind(`
		INSERT INTO maintenance_updates (maintenance_id, status, body, created_at, display_at, private, by_person)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), id, string(u.Status), u.Body, ms(u.CreatedAt), ms(u.DisplayAt),
		u.Private, u.ByPerson).Scan(&u.ID); err != nil {
		return fmt.Errorf("insert update of maintenance %d: %w", id, err)
	}
	return nil
}

// loadMaintenances reads the windows cond selects, with their components,
// updates (newest first) and recurrence in their page's time zone.
func (s *Store) loadMaintenances(ctx context.Context, q querier, cond string, args []any, order string,
	limit, offset int) ([]maintenance.Window, error) {
	if order == "" {
		order = "m.id"
	}
	cols := strings.Split(strings.Join(strings.Fields(maintenanceColumns), ""), ",")
	for i, c := range cols {
		cols[i] = "m." + c
	}
	rows, err := q.QueryContext(ctx, s.d.rebind(`SELECT m.id, `+strings.Join(cols, ", ")+`, p.time_zone
		FROM maintenances m JOIN pages p ON p.id = m.page_id WHERE `+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`),
		append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("query maintenances: %w", err)
	}
	var (
		out   []maintenance.Window
		index = map[int64]int{}
	)
	for rows.Next() {
		w, err := scanMaintenance(rows)
		if err != nil {
			return nil, closeRows(rows, err)
		}
		index[w.ID] = len(out)
		out = append(out, w)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("read maintenances: %w", err)
	}
	if len(out) == 0 {
		return []maintenance.Window{}, nil
	}
	if err := s.loadMaintenanceParts(ctx, q, out, index); err != nil {
		return nil, err
	}
	return out, nil
}

func scanMaintenance(rows *sql.Rows) (maintenance.Window, error) {
	var (
		w                                                            maintenance.Window
		st, reminders, sent, rec, tz                                 string
		starts, ends, started, completed, cancelled, recStart, recMS int64
		created, updated                                             int64
	)
	if err := rows.Scan(&w.ID, &w.PageID, &w.Title, &w.Body, &st, &starts, &ends, &started, &completed, &cancelled,
		&w.AutoStart, &w.AutoEnd, &w.Private, &reminders, &sent, &w.Notify.Deliver, &w.Notify.Tweet, &w.Notify.CustomTweet,
		&rec, &recStart, &recMS, &w.SeriesID, &w.Occurrence, &w.Spawned, &created, &updated, &tz); err != nil {
		return w, fmt.Errorf("scan maintenance: %w", err)
	}
	w.Status, w.Reminders, w.Sent = maintenance.Status(st), decodeReminders(reminders), decodeSent(sent)
	w.StartsAt, w.EndsAt, w.StartedAt = fromMS(starts), fromMS(ends), fromMS(started)
	w.CompletedAt, w.CancelledAt, w.CreatedAt, w.UpdatedAt = fromMS(completed), fromMS(cancelled), fromMS(created), fromMS(updated)
	if rec != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			loc = time.UTC
		}
		r, err := maintenance.ParseRecurrence(rec, fromMS(recStart), time.Duration(recMS)*time.Millisecond, loc)
		if err != nil {
			return w, fmt.Errorf("read recurrence of maintenance %d: %w", w.ID, err)
		}
		w.Recurrence = r
	}
	return w, nil
}

// loadMaintenanceParts reads the components and updates of ws.
func (s *Store) loadMaintenanceParts(ctx context.Context, q querier, ws []maintenance.Window, index map[int64]int) error {
	ids := make([]any, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	in := "(" + placeholders(len(ids)) + ")"
	rows, err := q.QueryContext(ctx, s.d.rebind(`SELECT maintenance_id, component_id FROM maintenance_components
		WHERE maintenance_id IN `+in+` ORDER BY maintenance_id, position`), ids...)
	if err != nil {
		return fmt.Errorf("query maintenance components: %w", err)
	}
	for rows.Next() {
		var (
			id   int64
			comp string
		)
		if err := rows.Scan(&id, &comp); err != nil {
			return closeRows(rows, fmt.Errorf("scan maintenance component: %w", err))
		}
		ws[index[id]].ComponentIDs = append(ws[index[id]].ComponentIDs, comp)
	}
	if err := closeRows(rows, nil); err != nil {
		return fmt.Errorf("read maintenance components: %w", err)
	}
	rows, err = q.QueryContext(ctx, s.d.rebind(`SELECT maintenance_id, id, status, body, created_at, display_at, private, by_person
		FROM maintenance_updates WHERE maintenance_id IN `+in+` ORDER BY maintenance_id, id DESC`), ids...)
	if err != nil {
		return fmt.Errorf("query maintenance updates: %w", err)
	}
	for rows.Next() {
		var (
			id, created, display int64
			u                    maintenance.Update
			st                   string
		)
		if err := rows.Scan(&id, &u.ID, &st, &u.Body, &created, &display, &u.Private, &u.ByPerson); err != nil {
			return closeRows(rows, fmt.Errorf("scan maintenance update: %w", err))
		}
		u.Status, u.CreatedAt, u.DisplayAt = maintenance.Status(st), fromMS(created), fromMS(display)
		ws[index[id]].Updates = append(ws[index[id]].Updates, u)
	}
	if err := closeRows(rows, nil); err != nil {
		return fmt.Errorf("read maintenance updates: %w", err)
	}
	return nil
}

func encodeReminders(r maintenance.Reminders) string {
	return encodeSent(r.Names())
}

func decodeReminders(s string) maintenance.Reminders {
	var r maintenance.Reminders
	for _, name := range decodeSent(s) {
		r.Set(name)
	}
	return r
}

func encodeSent(sent []maintenance.Reminder) string {
	out := make([]string, len(sent))
	for i, r := range sent {
		out[i] = string(r)
	}
	return strings.Join(out, ",")
}

func decodeSent(s string) []maintenance.Reminder {
	if s == "" {
		return nil
	}
	var out []maintenance.Reminder
	for _, p := range strings.Split(s, ",") {
		out = append(out, maintenance.Reminder(p))
	}
	return out
}
