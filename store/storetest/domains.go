package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/domains"
)

// DomainStore is what RunDomainSuite exercises: the state of pages'
// custom domains and the history of their checks.
type DomainStore interface {
	SyncCatalog(ctx context.Context, c catalog.Catalog, now time.Time) error
	DomainState(ctx context.Context, pageID string) (domains.State, bool, error)
	DomainStates(ctx context.Context) ([]domains.State, error)
	RecordDomainCheck(ctx context.Context, st domains.State, r domains.Result, keep int) error
	DomainChecks(ctx context.Context, pageID string, limit int) ([]domains.Result, error)
}

// RunDomainSuite runs the domain cases, each against a fresh, empty,
// migrated store from open.
func RunDomainSuite(t *testing.T, open func(t *testing.T) DomainStore) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s DomainStore)
	}{
		{"state round trip", domainStateRoundTrip},
		{"history newest first, trimmed", domainHistoryTrimmed},
		{"unknown page", domainUnknownPage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			must(t, "sync", s.SyncCatalog(t.Context(), catalog.Catalog{Pages: []catalog.Page{
				{ID: "acme", Name: "Acme", TimeZone: "Etc/UTC", CustomDomain: "status.acme.test"},
				{ID: "beta", Name: "Beta", TimeZone: "Etc/UTC", CustomDomain: "status.beta.test"},
			}}, T0))
			tc.run(t, s)
		})
	}
}

func domainResult(st domains.Status, n int) domains.Result {
	return domains.Result{Domain: "status.acme.test", Expected: "pages.example.net", Status: st,
		Chain: []string{"status.acme.test", fmt.Sprintf("hop%d.acme.test", n)}, Reason: fmt.Sprintf("check %d", n), CheckedAt: at(n)}
}

func domainStateRoundTrip(t *testing.T, s DomainStore) {
	if _, ok, err := s.DomainState(t.Context(), "acme"); err != nil || ok {
		t.Fatalf("state before any check: ok %v, err %v; want none", ok, err)
	}
	r := domainResult(domains.Verified, 1)
	st := domains.Next(domains.State{}, "acme", r)
	must(t, "record", s.RecordDomainCheck(t.Context(), st, r, 100))
	r2 := domainResult(domains.Indeterminate, 2)
	r2.Chain = nil
	st2 := domains.Next(st, "acme", r2)
	must(t, "record again", s.RecordDomainCheck(t.Context(), st2, r2, 100))
	got, ok, err := s.DomainState(t.Context(), "acme")
	must(t, "read state", err)
	st2.Chain = []string{}
	equal(t, "state", got, st2)
	if !ok || got.Status != domains.Verified || got.LastResult != domains.Indeterminate || !got.VerifiedAt.Equal(at(1)) {
		t.Errorf("state %+v: want verified, kept through the indeterminate check", got)
	}
	rb := domains.Result{Domain: "status.beta.test", Expected: "pages.example.net", Status: domains.NoCNAME,
		Chain: []string{"status.beta.test"}, CheckedAt: at(3)}
	must(t, "record beta", s.RecordDomainCheck(t.Context(), domains.Next(domains.State{}, "beta", rb), rb, 100))
	all, err := s.DomainStates(t.Context())
	must(t, "read states", err)
	if len(all) != 2 || all[0].PageID != "acme" || all[1].PageID != "beta" || all[1].Status != domains.NoCNAME {
		t.Errorf("states: %+v, want acme's and beta's", all)
	}
}

func domainHistoryTrimmed(t *testing.T, s DomainStore) {
	var st domains.State
	for n := range 7 {
		r := domainResult([]domains.Status{domains.Verified, domains.Indeterminate}[n%2], n)
		st = domains.Next(st, "acme", r)
		must(t, "record", s.RecordDomainCheck(t.Context(), st, r, 5))
	}
	got, err := s.DomainChecks(t.Context(), "acme", 10)
	must(t, "list checks", err)
	if len(got) != 5 {
		t.Fatalf("%d checks kept, want the newest 5", len(got))
	}
	for i, r := range got {
		equal(t, fmt.Sprintf("check %d", i), r, domainResult([]domains.Status{domains.Verified, domains.Indeterminate}[(6-i)%2], 6-i))
	}
	if got, err := s.DomainChecks(t.Context(), "acme", 2); err != nil || len(got) != 2 || got[0].Reason != "check 6" {
		t.Errorf("limit 2: %+v, %v; want checks 6 and 5", got, err)
	}
	if got, err := s.DomainChecks(t.Context(), "beta", 10); err != nil || len(got) != 0 {
		t.Errorf("another page's checks: %+v, %v; want none", got, err)
	}
}

func domainUnknownPage(t *testing.T, s DomainStore) {
	r := domainResult(domains.Verified, 1)
	err := s.RecordDomainCheck(t.Context(), domains.Next(domains.State{}, "nope", r), r, 100)
	var nf *catalog.NotFoundError
	if !errors.As(err, &nf) || nf.ID != "nope" {
		t.Errorf("record for an unknown page: %v, want page not found", err)
	}
}
