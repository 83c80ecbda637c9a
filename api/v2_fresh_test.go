package api_test

import (
	"context"
	"sync/atomic"

	"github.com/statusd/statusd/incident"
)

// versionedStore is a fakeStore that versions what it holds, as the SQL
// store does, so that the API keeps its read model between requests:
// bump moves the stored version (another process's write), and reads
// counts the incident reads, which the read model does not hold.
type versionedStore struct {
	*fakeStore
	stored atomic.Int64
	reads  atomic.Int64
}

func (s *versionedStore) StoredVersion(context.Context) (int64, error) { return s.stored.Load(), nil }

func (s *versionedStore) CatalogVersion() uint64 { return 0 }

func (s *versionedStore) bump() { s.stored.Add(1) }

func (s *versionedStore) Incidents(ctx context.Context, pageID string, unresolvedOnly bool, limit int) ([]incident.Incident, error) {
	s.reads.Add(1)
	return s.fakeStore.Incidents(ctx, pageID, unresolvedOnly, limit)
}
