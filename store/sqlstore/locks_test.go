package sqlstore

import (
	"errors"
	"testing"

	"github.com/statusd/statusd/internal/testenv"
)

// TestPartitionLocks checks that two processes (two stores on one
// PostgreSQL database) never hold the same partition, whatever their
// consumer group, and that releasing frees it.
func TestPartitionLocks(t *testing.T) {
	opts := Options{Driver: "postgres", DSN: testenv.Postgres(t)}
	a, b := open(t, opts, true), open(t, opts, false)
	ctx := t.Context()
	la, err := a.LockPartitions(ctx, "statusd.results", []int{1, 2})
	if err != nil {
		t.Fatalf("first lock: %v", err)
	}
	if _, err := b.LockPartitions(ctx, "statusd.results", []int{3, 2}); !errors.Is(err, ErrLocked) {
		t.Fatalf("lock of a held partition: err = %v, want ErrLocked", err)
	}
	lb, err := b.LockPartitions(ctx, "other.results", []int{1, 2})
	if err != nil {
		t.Fatalf("lock of the same partitions of another topic: %v", err)
	}
	if err := la.Check(ctx); err != nil {
		t.Fatalf("check a held lock: %v", err)
	}
	if err := la.Release(); err != nil {
		t.Fatalf("release: %v", err)
	}
	lb3, err := b.LockPartitions(ctx, "statusd.results", []int{3, 2})
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	// The partial lock of the failed attempt (partition 3) was given back:
	// a holds nothing now, so it can take 1 but not 2 or 3.
	l1, err := a.LockPartitions(ctx, "statusd.results", []int{1})
	if err != nil {
		t.Fatalf("lock of a free partition: %v", err)
	}
	for _, l := range []*PartitionLock{lb, lb3, l1} {
		if err := l.Release(); err != nil {
			t.Fatalf("release: %v", err)
		}
	}
}
