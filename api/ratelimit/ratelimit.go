// Package ratelimit owns the per-key rate limit of the operators' API: one
// token bucket per API key, refilled at a steady rate up to a burst, read
// off an injected clock.
package ratelimit

import (
	"errors"
	"sync"
	"time"
)

// sweepAt is the number of buckets beyond which full ones are forgotten: a
// full bucket is the same as none.
const sweepAt = 4096

// Options configure a Limiter.
type Options struct {
	// PerSecond is how many requests a key may make per second on average.
	// Required, positive.
	PerSecond float64
	// Burst is how many requests a key may make at once. Required, positive.
	Burst int
	// Clock tells the time; nil means time.Now.
	Clock func() time.Time
}

// Limiter holds a token bucket per key. It is safe for concurrent use.
type Limiter struct {
	rate  float64 // tokens per second
	burst float64
	clock func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time // when tokens was computed
}

// New returns a Limiter.
func New(opts Options) (*Limiter, error) {
	if opts.PerSecond <= 0 {
		return nil, errors.New("new rate limiter: PerSecond must be positive")
	}
	if opts.Burst <= 0 {
		return nil, errors.New("new rate limiter: Burst must be positive")
	}
	l := &Limiter{rate: opts.PerSecond, burst: float64(opts.Burst), clock: opts.Clock, buckets: map[string]*bucket{}}
	if l.clock == nil {
		l.clock = time.Now
	}
	return l, nil
}

// Allow takes a token from key's bucket. When it is empty, Allow returns
// false and how long until the next token.
func (l *Limiter) Allow(key string) (ok bool, wait time.Duration) {
	now := l.clock()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= sweepAt {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.refill(now, l.rate, l.burst)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// refill adds the tokens earned since b.last; a clock that went back
// earns nothing.
func (b *bucket) refill(now time.Time, rate, burst float64) {
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(burst, b.tokens+elapsed.Seconds()*rate)
		b.last = now
	}
}

// sweep forgets the buckets that are full by now.
func (l *Limiter) sweep(now time.Time) {
	for key, b := range l.buckets {
		b.refill(now, l.rate, l.burst)
		if b.tokens >= l.burst {
			delete(l.buckets, key)
		}
	}
}
