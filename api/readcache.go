package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/catalog"
)

// CatalogVersioner counts the writes of the catalog this process made
// (sqlstore.Store.CatalogVersion does). When Options.Store is one, the
// read routes answer from an in-memory read model (api/readmodel) that
// sees this process's writes at once and everything else within
// Options.ReadMaxAge; otherwise each read takes a new snapshot.
type CatalogVersioner interface {
	CatalogVersion() uint64
}

// StoredVersioner is a store that versions what the read model holds, as
// written by any process, and the catalog apart (sqlstore.Store does);
// with it, reads never go back in time, and a new snapshot keeps the
// catalog it has while only states moved.
type StoredVersioner interface {
	StoredVersions(ctx context.Context) (all, catalog, frozen int64, err error)
}

// newReadModel returns the read model over opts' stores.
func newReadModel(opts Options, clock func() time.Time) (*readmodel.Model, error) {
	ro := readmodel.Options{Catalog: opts.Store, States: opts.Store, MaxAge: opts.ReadMaxAge, Clock: clock}
	if opts.Entities != nil {
		ro.Checks = opts.Entities
	}
	if opts.Statuses != nil {
		ro.Shown = opts.Statuses
	}
	if v, ok := opts.Store.(StoredVersioner); ok {
		ro.Stored = func(ctx context.Context) (readmodel.Versions, error) {
			all, cat, frozen, err := v.StoredVersions(ctx)
			return readmodel.Versions{All: all, Catalog: cat, Frozen: frozen}, err
		}
		if sv, ok := opts.Store.(readmodel.StateVersionReader); ok {
			ro.StateVersions = sv
		}
	}
	if v, ok := opts.Store.(CatalogVersioner); ok {
		ro.Version = v.CatalogVersion
	} else {
		ro.MaxAge = -1 // nothing tells this process's writes: read afresh
	}
	return readmodel.New(ro)
}

// answer is an encoded answer: its status and JSON body.
type answer struct {
	code int
	body []byte
}

// answerBuilder computes an answer from a snapshot; its error is the
// store's, answered 503. It may depend on the snapshot and on what the
// answer's key names alone: it is also run for later snapshots.
type answerBuilder func(ctx context.Context, snap *readmodel.Snapshot) (code int, body any, err error)

// answerRead answers a read from the current snapshot, once per snapshot
// for each key: key must name everything of the request the answer
// depends on besides the principal's scope and page, which are added.
func (a *API) answerRead(c *gin.Context, key string, build answerBuilder) {
	ctx := c.Request.Context()
	snap, err := a.model.Snapshot(ctx)
	if err != nil {
		a.storeFailed(c, err)
		return
	}
	p := principalOf(c)
	key = fmt.Sprintf("%s\x00%s\x00%s", p.Scope, p.PageID, key)
	v, err := snap.Memo(ctx, key, func(ctx context.Context, snap *readmodel.Snapshot) (any, error) {
		code, body, err := build(ctx, snap)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode answer: %w", err)
		}
		return answer{code: code, body: b}, nil
	})
	if err != nil {
		a.storeFailed(c, err)
		return
	}
	ans := v.(answer)
	c.Data(ans.code, "application/json; charset=utf-8", ans.body)
	if ans.code >= http.StatusBadRequest {
		c.Abort()
	}
}

// componentNotFound is the answer to a read of an unknown component.
func componentNotFound(id string) (int, any, error) {
	return http.StatusNotFound, errorBody{Error: errorDetail{Code: codeNotFound,
		Message: fmt.Sprintf("component %q not found", catalog.Truncate(id))}}, nil
}
