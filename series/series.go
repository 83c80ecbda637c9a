// Package series owns the shape of the chart data statusd serves: a
// query over a component's probe results (a time range cut into steps)
// and the points it returns, counts and latency per step. It knows
// nothing of where the rollups are stored: ClickHouse keeps minute and
// hour rollups, standalone's SQLite sums its results table.
package series

import (
	"fmt"
	"time"
)

// Rollups and limits.
const (
	Minute = time.Minute
	Hour   = time.Hour
	// MaxStep is the longest step; MaxPoints the most steps one query
	// may ask for; MaxRange the longest time range (the rollups' default
	// retention).
	MaxStep   = 24 * time.Hour
	MaxPoints = 1440
	MaxRange  = 400 * 24 * time.Hour
)

// Query asks for the results of some components from From (inclusive)
// to To (exclusive), summed per Step. From and To are multiples of Step
// since the Unix epoch.
type Query struct {
	ComponentIDs []string
	From, To     time.Time
	Step         time.Duration
}

// Rollup is the finest rollup a query is served from: the hour rollup
// when its step is whole hours, the minute rollup otherwise.
func (q Query) Rollup() time.Duration {
	if q.Step%Hour == 0 {
		return Hour
	}
	return Minute
}

// Points is how many steps the query spans.
func (q Query) Points() int { return int(q.To.Sub(q.From) / q.Step) }

// Check names the first thing wrong with the query, as a field of the
// timeseries request and a message; "" when it is sound.
func (q Query) Check() (field, msg string) {
	switch {
	case q.Step < Minute || q.Step > MaxStep || q.Step%Minute != 0:
		return "step", fmt.Sprintf("must be whole minutes from 1m to 24h, got %s", q.Step)
	case !q.To.After(q.From):
		return "from", "must be before to"
	case q.To.Sub(q.From) > MaxRange:
		return "from", fmt.Sprintf("must be at most %d days before to", int(MaxRange/(24*time.Hour)))
	case q.Points() > MaxPoints:
		return "step", fmt.Sprintf("gives %d points from from to to, more than %d: use a longer step", q.Points(), MaxPoints)
	}
	return "", ""
}

// Point is what one step holds: results counted, successful, and the sum
// of their durations. A step without results has Total 0.
type Point struct {
	Time          time.Time
	Total         int64
	Successes     int64
	DurationSumUS int64
}

// Dense returns one point per step of q, in order, with the given points
// in their steps (points outside q are dropped) and the others empty.
func Dense(q Query, pts []Point) []Point {
	n := q.Points()
	out := make([]Point, n)
	for i := range out {
		out[i].Time = q.From.Add(time.Duration(i) * q.Step)
	}
	for _, p := range pts {
		i := int(p.Time.Sub(q.From) / q.Step)
		if p.Time.Before(q.From) || i >= n {
			continue
		}
		out[i].Total += p.Total
		out[i].Successes += p.Successes
		out[i].DurationSumUS += p.DurationSumUS
	}
	return out
}
