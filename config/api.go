package config

import (
	"fmt"
	"net/netip"
)

// API configures the operators' API under /api/v1.
type API struct {
	// RateLimit is how many requests per second one API key may make on
	// average, and RateBurst how many it may make at once; beyond them the
	// answer is 429 with Retry-After.
	RateLimit int `yaml:"rate_limit"`
	RateBurst int `yaml:"rate_burst"`
	// SessionKey signs the session cookies of private pages: at least 32
	// bytes of secret (e.g. `openssl rand -base64 32`). Empty means a
	// random key at each start, so sessions end with the process, and
	// aggregators behind one load balancer need the same key.
	SessionKey string `yaml:"session_key"`
	// TrustedProxies are the networks or addresses of the reverse proxies
	// in front: from them, X-Forwarded-For names the client (for private
	// pages' ip_allowlist) and X-Forwarded-Proto https marks TLS.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// The defaults of API.
const (
	DefaultRateLimit = 10
	DefaultRateBurst = 20
	maxRate          = 100000
	// MinSessionKeyLen is the shortest session_key accepted.
	MinSessionKeyLen = 32
)

func (a API) validate() problems {
	var p problems
	p.between("rate_limit", a.RateLimit, 1, maxRate)
	p.between("rate_burst", a.RateBurst, 1, maxRate)
	if a.SessionKey != "" && len(a.SessionKey) < MinSessionKeyLen {
		p.add("session_key", "must be at least %d bytes of secret, got %d", MinSessionKeyLen, len(a.SessionKey))
	}
	for i, s := range a.TrustedProxies {
		if _, err := netip.ParsePrefix(s); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(s); err != nil {
			p.add(fmt.Sprintf("trusted_proxies[%d]", i), "must be an IP address or a network in CIDR notation, got %q", s)
		}
	}
	return p
}
