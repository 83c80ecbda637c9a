// Package benchload is the load of the development benchmarks: keep-alive
// HTTP/1.1 connections, each sending one GET at a time and reading the
// answer to its end, with every latency kept in a histogram. Its client
// is a few lines over net.Conn, not net/http, so that the load costs the
// shared cores little next to the server measured, as wrk's does.
//
// It is a development package: the statusd binary never imports it.
package benchload

import (
	"math"
	"time"
)

// Histogram buckets: 10 µs wide up to 100 ms, then 1 ms wide up to 10 s;
// longer latencies fall in the last bucket.
const (
	fineWidth   = 10 * time.Microsecond
	fineBuckets = 10_000
	wideWidth   = time.Millisecond
	wideBuckets = 9_900
)

// Histogram counts latencies. The zero value is empty and ready.
type Histogram struct {
	counts [fineBuckets + wideBuckets]uint64
	n      uint64
	max    time.Duration
}

// Add counts one latency.
func (h *Histogram) Add(d time.Duration) {
	h.n++
	h.max = max(h.max, d)
	var i int
	if d < fineBuckets*fineWidth {
		i = int(d / fineWidth)
	} else {
		i = min(fineBuckets+int((d-fineBuckets*fineWidth)/wideWidth), fineBuckets+wideBuckets-1)
	}
	h.counts[max(i, 0)]++
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// Count is how many latencies were added.
func (h *Histogram) Count() uint64 { return h.n }

// Max is the longest latency added.
func (h *Histogram) Max() time.Duration { return h.max }

// Percentile is the nearest-rank p-th percentile (0 < p <= 100), as the
// upper bound of its bucket; 0 when empty.
func (h *Histogram) Percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(p / 100 * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(upper(i), h.max)
		}
	}
	return h.max
}

// upper is the upper bound of bucket i.
func upper(i int) time.Duration {
	if i < fineBuckets {
		return time.Duration(i+1) * fineWidth
	}
	return fineBuckets*fineWidth + time.Duration(i-fineBuckets+1)*wideWidth
}

// Millis is d in milliseconds, rounded to the microsecond.
func Millis(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Microsecond)) / 1000
}
