package icmpprobe

import (
	"fmt"
	"strings"
	"time"

	"github.com/statusd/statusd/catalog/field"
)

// Defaults and limits of a spec.
const (
	DefaultCount                = 3
	MaxCount                    = 100
	DefaultInterval             = 200 * time.Millisecond
	MinInterval                 = 10 * time.Millisecond
	MaxInterval                 = 10 * time.Second
	DefaultLossThresholdPercent = 100
)

// Spec is the definition of an ICMP check.
type Spec struct {
	// Host is a name or an IP literal.
	Host string
	// Family restricts the resolution of a name: 4, 6, or 0 for either
	// (IPv4 preferred).
	Family int
	// Count is how many echo requests are sent; DefaultCount when 0.
	Count int
	// Interval is the time between two echo requests; DefaultInterval
	// when 0.
	Interval time.Duration
	// LossThresholdPercent: the run fails when at least this percentage of
	// the requests got no reply. DefaultLossThresholdPercent (fail only
	// when every request is lost) when 0.
	LossThresholdPercent int
}

// ApplyDefaults fills the zero fields of s with their defaults.
func (s *Spec) ApplyDefaults() {
	if s.Count == 0 {
		s.Count = DefaultCount
	}
	if s.Interval == 0 {
		s.Interval = DefaultInterval
	}
	if s.LossThresholdPercent == 0 {
		s.LossThresholdPercent = DefaultLossThresholdPercent
	}
}

// Validate checks a defaulted spec and returns every problem found, with
// fields named "icmp.<field>". That the requests fit in the check's timeout
// is checked by the probe, which knows the timeout.
func (s *Spec) Validate() []field.Error {
	var errs []field.Error
	add := func(name, format string, args ...any) {
		errs = append(errs, field.Error{Field: "icmp." + name, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case s.Host == "":
		add("host", "is required")
	case len(s.Host) > 253 || strings.ContainsFunc(s.Host, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '/' }):
		add("host", "must be a host name or IP address of at most 253 printable ASCII characters, got %q", s.Host)
	}
	if s.Family != 0 && s.Family != 4 && s.Family != 6 {
		add("family", "must be 4, 6 or 0 (either), got %d", s.Family)
	}
	if s.Count < 1 || s.Count > MaxCount {
		add("count", "must be between 1 and %d, got %d", MaxCount, s.Count)
	}
	if s.Interval < MinInterval || s.Interval > MaxInterval {
		add("interval", "must be between %s and %s, got %s", MinInterval, MaxInterval, s.Interval)
	}
	if s.LossThresholdPercent < 1 || s.LossThresholdPercent > 100 {
		add("loss_threshold_percent", "must be between 1 and 100, got %d", s.LossThresholdPercent)
	}
	return errs
}
