package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
)

// ErrLocked is returned by LockPartitions when another process holds one of
// the partitions.
var ErrLocked = errors.New("partition is locked by another writer")

// PartitionLock is the exclusive right to write the state and time series
// of some partitions of a source, held until Release. On PostgreSQL it is a
// set of session advisory locks on one dedicated connection, so it ends at
// the latest when that process dies; on SQLite, whose file has one writer
// process, it is nothing.
type PartitionLock struct {
	conn *sql.Conn // nil on SQLite
	keys []int64
}

// LockPartitions takes the lock of every partition at once, or none and
// ErrLocked. The lock is keyed by topic and partition, not by consumer
// group: two aggregators of different groups on the same databases still
// exclude each other.
func (s *Store) LockPartitions(ctx context.Context, topic string, partitions []int) (*PartitionLock, error) {
	if s.d.name != "postgres" {
		return &PartitionLock{}, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock partitions of %s: connect: %w", topic, err)
	}
	l := &PartitionLock{conn: conn}
	for _, p := range partitions {
		key := partitionKey(topic, p)
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
			return nil, errors.Join(fmt.Errorf("lock partition %s/%d: %w", topic, p, err), l.Release())
		}
		if !got {
			return nil, errors.Join(fmt.Errorf("lock partition %s/%d: %w", topic, p, ErrLocked), l.Release())
		}
		l.keys = append(l.keys, key)
	}
	return l, nil
}

// Check reports an error when the lock may be lost: its connection no
// longer answers.
func (l *PartitionLock) Check(ctx context.Context) error {
	if l.conn == nil {
		return nil
	}
	if err := l.conn.PingContext(ctx); err != nil {
		return fmt.Errorf("check partition lock: %w", err)
	}
	return nil
}

// Release gives the partitions up.
func (l *PartitionLock) Release() error {
	if l.conn == nil {
		return nil
	}
	var errs []error
	if _, err := l.conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock_all()`); err != nil {
		errs = append(errs, fmt.Errorf("unlock partitions: %w", err))
		// Never hand a connection that may still hold the locks back to
		// the pool: discard it, which ends its session.
		_ = l.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	if err := l.conn.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close lock connection: %w", err))
	}
	l.conn, l.keys = nil, nil
	return errors.Join(errs...)
}

// partitionKey is the advisory lock key of a partition: a hash of the
// topic and partition, so it is the same in every process.
func partitionKey(topic string, partition int) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "statusd partition %s/%d", topic, partition)
	return int64(h.Sum64())
}
