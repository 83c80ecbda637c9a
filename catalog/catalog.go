// Package catalog owns what users declare: status pages, the components shown
// on them and the checks that probe those components, with their defaults and
// validation rules.
package catalog

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/statusd/statusd/catalog/field"
	"github.com/statusd/statusd/probes/dnsprobe"
	"github.com/statusd/statusd/probes/icmpprobe"
	"github.com/statusd/statusd/probes/tcpprobe"
	"github.com/statusd/statusd/probes/tlsprobe"
)

// Catalog is the full set of declared entities.
type Catalog struct {
	Pages      []Page
	Components []Component
	Checks     []Check
}

// Type is the kind of probe a check runs.
type Type string

// The check types.
const (
	TypeHTTP Type = "http"
	TypeDNS  Type = "dns"
	TypeTCP  Type = "tcp"
	TypeTLS  Type = "tls"
	TypeICMP Type = "icmp"
)

// Types lists the check types in the order error messages name them.
var Types = []Type{TypeHTTP, TypeDNS, TypeTCP, TypeTLS, TypeICMP}

// OnlyType returns the type whose block is the only one given, or "" when
// none or several are: the encodings of a check (the file, the stored
// definition) name a check's type by the block they carry.
func OnlyType(http, dns, tcp, tls, icmp bool) Type {
	var t Type
	n := 0
	for i, set := range []bool{http, dns, tcp, tls, icmp} {
		if set {
			t, n = Types[i], n+1
		}
	}
	if n != 1 {
		return ""
	}
	return t
}

// Check is a probe definition for one component.
type Check struct {
	ID          string
	ComponentID string
	Type        Type
	Interval    time.Duration
	Timeout     time.Duration
	Regions     []string // regions that run it; empty means every region
	// FailureThreshold consecutive failures mark the check down in a region;
	// SuccessThreshold consecutive successes mark it up again.
	FailureThreshold int
	SuccessThreshold int
	// DegradedLatency marks a successful but slower run as degraded; 0 disables.
	DegradedLatency time.Duration
	// IncidentOn is the worst status that opens an automatic incident:
	// IncidentOnMajor (the default) or IncidentOnPartial.
	IncidentOn string
	// Exactly one of the type blocks is set: the one of Type.
	HTTP *HTTPSpec
	DNS  *dnsprobe.Spec
	TCP  *tcpprobe.Spec
	TLS  *tlsprobe.Spec
	ICMP *icmpprobe.Spec
	// Version increases whenever the definition changes; set by the store.
	Version int64
	// Managed is the configuration file that declares the check, which is
	// then read-only through the API; empty when the API owns it.
	Managed string
}

// The values of Check.IncidentOn.
const (
	IncidentOnMajor   = "major"   // only a major outage (quorum reached) opens an incident
	IncidentOnPartial = "partial" // a partial outage does too
)

// Defaults for checks whose fields are left zero.
const (
	DefaultInterval         = 30 * time.Second
	DefaultTimeout          = 10 * time.Second
	DefaultFailureThreshold = 3
	DefaultSuccessThreshold = 2
	MinInterval             = time.Second
)

// ApplyDefaults fills the zero fields of c with their defaults.
func (c *Check) ApplyDefaults() {
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Timeout == 0 {
		c.Timeout = min(DefaultTimeout, c.Interval)
	}
	if c.FailureThreshold == 0 {
		c.FailureThreshold = DefaultFailureThreshold
	}
	if c.SuccessThreshold == 0 {
		c.SuccessThreshold = DefaultSuccessThreshold
	}
	if c.IncidentOn == "" {
		c.IncidentOn = IncidentOnMajor
	}
	if c.HTTP != nil {
		c.HTTP.ApplyDefaults()
	}
	if c.DNS != nil {
		c.DNS.ApplyDefaults()
	}
	if c.TCP != nil {
		c.TCP.ApplyDefaults()
	}
	if c.TLS != nil {
		c.TLS.ApplyDefaults()
	}
	if c.ICMP != nil {
		c.ICMP.ApplyDefaults()
	}
}

// FieldError is a validation error of one field, named by its path in the
// configuration's words relative to the entity, for example "http.url".
// It is field.Error, shared with the probe packages whose specs a check
// embeds.
type FieldError = field.Error

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,62}$`)

// ValidID reports whether id is a valid page, component or check ID: lower
// case letters, digits, '.', '_' and '-', starting with a letter or digit,
// at most 63 characters.
func ValidID(id string) bool { return idPattern.MatchString(id) }

const idRule = "must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"

// Validate checks a defaulted check and returns every problem found.
func (c *Check) Validate() []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !ValidID(c.ID) {
		add("id", "%s", idRule)
	}
	if c.Interval < MinInterval {
		add("interval", "must be at least %s, got %s", MinInterval, c.Interval)
	}
	if c.Timeout <= 0 || c.Timeout > c.Interval {
		add("timeout", "must be positive and at most the interval (%s), got %s", c.Interval, c.Timeout)
	}
	if c.FailureThreshold < 1 || c.FailureThreshold > 100 {
		add("failure_threshold", "must be between 1 and 100, got %d", c.FailureThreshold)
	}
	if c.SuccessThreshold < 1 || c.SuccessThreshold > 100 {
		add("success_threshold", "must be between 1 and 100, got %d", c.SuccessThreshold)
	}
	if c.DegradedLatency < 0 {
		add("degraded_latency", "must not be negative, got %s", c.DegradedLatency)
	}
	if c.IncidentOn != "" && c.IncidentOn != IncidentOnMajor && c.IncidentOn != IncidentOnPartial {
		add("incident_on", "must be major or partial, got %q", c.IncidentOn)
	}
	for i, r := range c.Regions {
		if !ValidID(r) {
			add(fmt.Sprintf("regions[%d]", i), "%s", idRule)
		}
	}
	errs = append(errs, c.validateBlocks()...)
	return errs
}

// validateBlocks checks that the block of the check's type is given and
// valid and that no block of another type is, reporting every problem.
func (c *Check) validateBlocks() []FieldError {
	var errs []FieldError
	known := slices.Contains(Types, c.Type)
	switch {
	case c.Type == "":
		errs = append(errs, FieldError{Field: "type", Message: "is required (one of: " + typeList() + ")"})
	case !known:
		errs = append(errs, FieldError{Field: "type", Message: fmt.Sprintf("must be one of: %s; got %q", typeList(), c.Type)})
	}
	for _, b := range []struct {
		typ      Type
		set      bool
		validate func() []FieldError
	}{
		{TypeHTTP, c.HTTP != nil, func() []FieldError { return c.HTTP.validate() }},
		{TypeDNS, c.DNS != nil, func() []FieldError { return c.DNS.Validate() }},
		{TypeTCP, c.TCP != nil, func() []FieldError { return c.TCP.Validate() }},
		{TypeTLS, c.TLS != nil, func() []FieldError { return c.TLS.Validate() }},
		{TypeICMP, c.ICMP != nil, func() []FieldError { return c.ICMP.Validate() }},
	} {
		mine := b.typ == c.Type
		switch {
		case mine && !b.set:
			errs = append(errs, FieldError{Field: string(b.typ), Message: fmt.Sprintf("is required for a check of type %s", b.typ)})
		case known && !mine && b.set:
			errs = append(errs, FieldError{Field: string(b.typ), Message: fmt.Sprintf("is not allowed in a check of type %q", c.Type)})
		}
		if b.set {
			// The block is validated even when it is the wrong one, so every
			// error of the check is reported at once.
			errs = append(errs, b.validate()...)
		}
	}
	return errs
}

func typeList() string {
	s := ""
	for i, t := range Types {
		if i > 0 {
			s += ", "
		}
		s += string(t)
	}
	return s
}

// SetManaged marks every entity of c as managed by the configuration file
// source.
func (c *Catalog) SetManaged(source string) {
	for i := range c.Pages {
		c.Pages[i].Managed = source
	}
	for i := range c.Components {
		c.Components[i].Managed = source
	}
	for i := range c.Checks {
		c.Checks[i].Managed = source
	}
}
