package maintenance

import "time"

// wall returns the instant the wall-clock time y-mo-d h:mi:s shows in loc,
// as RFC 5545 resolves it: a time that occurs twice (clocks set back) is the
// first occurrence; a time that does not occur (clocks set forward) is read
// with the offset before the change, so it falls as far after the change as
// it was meant after its start (02:30 in a 02:00→03:00 gap is 03:30).
func wall(y int, mo time.Month, d, h, mi, s int, loc *time.Location) time.Time {
	naive := time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	_, before := naive.Add(-36 * time.Hour).In(loc).Zone()
	_, after := naive.Add(36 * time.Hour).In(loc).Zone()
	var best time.Time
	for _, off := range []int{before, after} {
		t := naive.Add(-time.Duration(off) * time.Second)
		if sameWall(t.In(loc), naive) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	if !best.IsZero() {
		return best.In(loc)
	}
	return naive.Add(-time.Duration(before) * time.Second).In(loc)
}

func sameWall(t, naive time.Time) bool {
	y, mo, d := t.Date()
	ny, nmo, nd := naive.Date()
	return y == ny && mo == nmo && d == nd && t.Hour() == naive.Hour() && t.Minute() == naive.Minute() && t.Second() == naive.Second()
}
