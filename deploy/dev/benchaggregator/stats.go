package main

import (
	"math"
	"slices"
)

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of
// values; NaN for none. +Inf values (timeouts) sort last, so a percentile
// that reaches them is +Inf.
func percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(values))
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(rank, 1), len(s))-1]
}

// num is v rounded to digits decimals for JSON, nil (null) when it is not
// a finite number: unmeasured, or beyond a timeout.
func num(v float64, digits int) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	scale := math.Pow10(digits)
	r := math.Round(v*scale) / scale
	return &r
}

// rate is n per second of d seconds; NaN when d is not positive.
func rate(n int64, seconds float64) float64 {
	if seconds <= 0 {
		return math.NaN()
	}
	return float64(n) / seconds
}

// countInf is how many values are +Inf.
func countInf(values []float64) int {
	n := 0
	for _, v := range values {
		if math.IsInf(v, 1) {
			n++
		}
	}
	return n
}
