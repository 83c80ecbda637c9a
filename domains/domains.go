// Package domains owns what statusd knows of a page's custom domain: the
// outcome of one CNAME check (Result) and the status the domain shows
// (State), with the rule that moves one to the next (Next). It knows
// nothing of DNS packets, SQL or HTTP: domains/cnamecheck asks DNS,
// domains/recheck schedules checks and keeps their history.
package domains

import (
	"strings"
	"time"
)

// Status is what a check found, or what a domain shows.
type Status string

// The statuses. Verified, Mismatch, NoCNAME and NotFound are conclusive:
// the domain's authoritative servers said so. Indeterminate is not: no
// authoritative answer came (timeout, SERVFAIL, REFUSED, a lame
// delegation, every server unreachable). Pending is only ever shown: the
// domain has not been checked yet.
const (
	// Verified: the domain's CNAME chain reaches the expected target.
	Verified Status = "verified"
	// Mismatch: the chain ends elsewhere, dangles, loops or is too long.
	Mismatch Status = "mismatch"
	// NoCNAME: the domain exists but has no CNAME record.
	NoCNAME Status = "no_cname"
	// NotFound: the domain does not exist (NXDOMAIN).
	NotFound Status = "not_found"
	// Indeterminate: no authoritative answer; Reason says why.
	Indeterminate Status = "indeterminate"
	// Pending: never checked (shown, never a Result's status).
	Pending Status = "pending"
)

// Conclusive reports whether s is an authoritative verdict.
func (s Status) Conclusive() bool {
	return s == Verified || s == Mismatch || s == NoCNAME || s == NotFound
}

// Valid reports whether s is a status a check can give.
func (s Status) Valid() bool { return s.Conclusive() || s == Indeterminate }

// Result is the outcome of one check of Domain against Expected.
type Result struct {
	Domain   string
	Expected string
	Status   Status
	// Chain is every name seen, the domain first, then each CNAME target
	// in order, without trailing dots; just the domain when it has no CNAME.
	Chain []string
	// Reason says in words why Status, e.g. "SERVFAIL from 192.0.2.1:53".
	Reason    string
	CheckedAt time.Time
}

// State is what a page's custom domain shows.
type State struct {
	PageID   string
	Domain   string
	Expected string
	// Status is the domain's status: the last conclusive result's, or
	// Indeterminate while no check was ever conclusive.
	Status Status
	// LastResult, Chain, Reason and CheckedAt are the last check's.
	LastResult Status
	Chain      []string
	Reason     string
	CheckedAt  time.Time
	// VerifiedAt is when a check last found the domain verified; zero if
	// none did since the domain or the target last changed.
	VerifiedAt time.Time
}

// Next is the state after result r, from prev (the zero State when there
// is none). The rules:
//   - a result for another domain or target than prev's starts afresh;
//   - an indeterminate result never changes a conclusive status: a
//     verified domain stays verified through timeouts and SERVFAILs (and
//     a mismatching one stays mismatching), the attempt is still recorded
//     as LastResult, Reason and CheckedAt;
//   - a conclusive result applies at once, both ways: the authoritative
//     servers said so (mismatch → verified as soon as the CNAME is fixed,
//     verified → mismatch as soon as it is changed).
func Next(prev State, pageID string, r Result) State {
	same := prev.Domain != "" && strings.EqualFold(prev.Domain, r.Domain) && strings.EqualFold(prev.Expected, r.Expected)
	next := State{PageID: pageID, Domain: r.Domain, Expected: r.Expected, Status: r.Status, LastResult: r.Status,
		Chain: r.Chain, Reason: r.Reason, CheckedAt: r.CheckedAt}
	if !same {
		if r.Status == Verified {
			next.VerifiedAt = r.CheckedAt
		}
		return next
	}
	next.VerifiedAt = prev.VerifiedAt
	switch {
	case r.Status == Verified:
		next.VerifiedAt = r.CheckedAt
	case !r.Status.Conclusive() && prev.Status.Conclusive():
		next.Status = prev.Status
	}
	return next
}

// Report is what is known of a page's custom domain, as the API shows it.
type Report struct {
	PageID string
	// Domain is the page's custom domain; empty when it has none.
	Domain string
	// Expected is the target it must point at; empty when none is
	// configured.
	Expected string
	// State is the domain's; its Status is Pending while the domain was
	// never checked against Expected.
	State State
	// History is the last checks, newest first, whatever domain each was of.
	History []Result
}
