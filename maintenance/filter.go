package maintenance

// Filter selects maintenance windows for a listing.
type Filter struct {
	PageID   string   // "" for every page
	Statuses []Status // none for every status
	Public   bool     // only windows that are not private
	Limit    int      // 0: 100
	Offset   int
}
