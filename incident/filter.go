package incident

// Filter selects incidents from a store. Deleted incidents are never
// selected.
type Filter struct {
	PageID string // "" means every page
	// Private includes private incidents and private updates.
	Private bool
	// UnresolvedOnly leaves out resolved incidents (and postmortems).
	UnresolvedOnly bool
	// Status keeps the incidents in this standard status; "" keeps all.
	Status Status
	// Limit is the most returned, <= 0 for no limit; Offset skips that
	// many first.
	Limit, Offset int
}
