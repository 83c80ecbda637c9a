package readmodel

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestCached: Cached answers only what Memo computed without error on
// this snapshot, and a value read through Cached counts as read again, so
// it is computed ahead for the snapshot that replaces this one for its age.
func TestCached(t *testing.T) {
	st := &memStore{}
	now := t0
	m, err := New(Options{Catalog: st, States: st, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	computed := 0
	compute := func(_ context.Context, s *Snapshot) (any, error) { computed++; return s, nil }
	fail := func(context.Context, *Snapshot) (any, error) { return nil, errors.New("store down") }
	if v, ok := s.Cached("k"); ok {
		t.Fatalf("before Memo: Cached = %v, true", v)
	}
	if _, err := s.Memo(t.Context(), "bad", fail); err == nil {
		t.Fatal("Memo of a failing computation: no error")
	}
	if v, ok := s.Cached("bad"); ok {
		t.Errorf("after a failed Memo: Cached = %v, true", v)
	}
	if _, err := s.Memo(t.Context(), "k", compute); err != nil {
		t.Fatal(err)
	}
	if v, ok := s.Cached("k"); !ok || v.(*Snapshot) != s {
		t.Fatalf("after Memo: Cached = %v, %v; want this snapshot's value", v, ok)
	}
	now = now.Add(DefaultMaxAge / 2) // replaced for its age: the hot value is computed ahead
	next, err := m.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if next == s {
		t.Fatal("the snapshot was not replaced")
	}
	if v, ok := next.Cached("k"); !ok || v.(*Snapshot) != next || computed != 2 {
		t.Errorf("next snapshot: Cached = %v, %v after %d computations; want its own value, computed ahead (2)", v, ok, computed)
	}
}
