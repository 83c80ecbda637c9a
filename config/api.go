package config

// API configures the operators' API under /api/v1.
type API struct {
	// RateLimit is how many requests per second one API key may make on
	// average, and RateBurst how many it may make at once; beyond them the
	// answer is 429 with Retry-After.
	RateLimit int `yaml:"rate_limit"`
	RateBurst int `yaml:"rate_burst"`
}

// The defaults of API.
const (
	DefaultRateLimit = 10
	DefaultRateBurst = 20
	maxRate          = 100000
)

func (a API) validate() problems {
	var p problems
	p.between("rate_limit", a.RateLimit, 1, maxRate)
	p.between("rate_burst", a.RateBurst, 1, maxRate)
	return p
}
