package catalog

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Page is a status page.
type Page struct {
	ID       string
	Name     string
	URL      string // public URL of the page, shown in API payloads
	TimeZone string // IANA name, "Etc/UTC" by default
	// Subdomain is the page's DNS label under the installation's domain;
	// CustomDomain is a host name of the operator's own pointing at it.
	// Each is unique among pages when set.
	Subdomain    string
	CustomDomain string
	// Private pages are shown only to visitors with the password (stored
	// as PasswordHash, see SetPassword) or from an address in AllowedCIDRs.
	Private      bool
	PasswordHash string
	AllowedCIDRs []string
	// Disabled pages are not served.
	Disabled bool
	Branding Branding
	Links    Links
	// RobotsMeta is the content of the page's robots meta tag, e.g.
	// "noindex, nofollow"; empty leaves the tag out.
	RobotsMeta  string
	AnalyticsID string
	// NoSubscriptions hides the page's subscribe form.
	NoSubscriptions bool
	// Alert is the banner shown across the top of the page.
	Alert PlatformAlert
	// Managed is the configuration file that declares the page, which is
	// then read-only through the API; empty when the API owns it.
	Managed string
}

// Branding is how a page looks.
type Branding struct {
	LogoURL    string
	FaviconURL string
	// Colours are "#rrggbb"; empty means the theme's.
	BrandColor      string
	BackgroundColor string
	TextColor       string
	DarkTheme       bool
	HidePoweredBy   bool
}

// Links are the page's links to the operator's sites.
type Links struct {
	Website string
	Support string
	Privacy string
}

// PlatformAlert is a banner across a page, set and cleared by operators.
type PlatformAlert struct {
	Enabled bool
	Title   string
	Message string
}

// Limits of page and component fields.
const (
	MaxNameLen        = 255
	MaxTextLen        = 10_000 // descriptions and alert messages
	MaxURLLen         = 2048
	MaxAllowedCIDRs   = 256
	MinPasswordLen    = 8
	MaxPasswordLen    = 72 // what bcrypt reads
	passwordHashCost  = bcrypt.DefaultCost
	maxShortFieldLen  = 255
	maxDomainNameLen  = 253
	maxSubdomainLabel = 63
)

var (
	labelPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// SetPassword stores the hash of password in p; an empty password clears
// it. It fails for a password shorter than MinPasswordLen or longer than
// MaxPasswordLen bytes.
func (p *Page) SetPassword(password string) error {
	if password == "" {
		p.PasswordHash = ""
		return nil
	}
	if len(password) < MinPasswordLen || len(password) > MaxPasswordLen {
		return FieldError{Field: "password", Message: fmt.Sprintf("must be %d to %d bytes long", MinPasswordLen, MaxPasswordLen)}
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), passwordHashCost)
	if err != nil {
		return fmt.Errorf("hash page password: %w", err)
	}
	p.PasswordHash = string(h)
	return nil
}

// PasswordMatches reports whether password is the page's password.
func (p Page) PasswordMatches(password string) bool {
	return p.PasswordHash != "" && bcrypt.CompareHashAndPassword([]byte(p.PasswordHash), []byte(password)) == nil
}

// Validate checks a page and returns every problem found, each naming its
// field in the configuration's and the API's words.
func (p *Page) Validate() []FieldError {
	v := &fields{}
	v.id("id", p.ID)
	v.name("name", p.Name)
	v.absURL("url", p.URL, "must be an absolute http or https URL, got %q")
	switch _, err := time.LoadLocation(p.TimeZone); {
	case p.TimeZone == "Local":
		v.add("time_zone", "must name a time zone, not the local one")
	case p.TimeZone == "":
		v.add("time_zone", "is required")
	case err != nil:
		v.add("time_zone", "unknown time zone %q", p.TimeZone)
	}
	if p.Subdomain != "" && !labelPattern.MatchString(p.Subdomain) {
		v.add("subdomain", "must be a DNS label: 1-63 lower-case letters, digits or '-', not starting or ending with '-'")
	}
	if p.CustomDomain != "" && !validHostname(p.CustomDomain) {
		v.add("custom_domain", "must be a lower-case host name such as status.example.com")
	}
	if len(p.AllowedCIDRs) > MaxAllowedCIDRs {
		v.add("ip_allowlist", "must list at most %d networks, got %d", MaxAllowedCIDRs, len(p.AllowedCIDRs))
	}
	for i, c := range p.AllowedCIDRs {
		if _, err := netip.ParsePrefix(c); err != nil {
			v.add(fmt.Sprintf("ip_allowlist[%d]", i), "must be a network in CIDR notation such as 192.0.2.0/24, got %q", truncate(c))
		}
	}
	if p.Private && p.PasswordHash == "" && len(p.AllowedCIDRs) == 0 {
		v.add("private", "a private page needs a password or an ip_allowlist")
	}
	v.absURL("branding.logo_url", p.Branding.LogoURL, "must be an absolute http or https URL, got %q")
	v.absURL("branding.favicon_url", p.Branding.FaviconURL, "must be an absolute http or https URL, got %q")
	for _, c := range [...]struct{ name, value string }{
		{"branding.brand_color", p.Branding.BrandColor}, {"branding.background_color", p.Branding.BackgroundColor},
		{"branding.text_color", p.Branding.TextColor},
	} {
		if c.value != "" && !colorPattern.MatchString(c.value) {
			v.add(c.name, "must be a colour as #rrggbb, got %q", truncate(c.value))
		}
	}
	v.absURL("links.website", p.Links.Website, "must be an absolute http or https URL, got %q")
	v.absURL("links.support", p.Links.Support, "must be an absolute http or https URL, got %q")
	v.absURL("links.privacy", p.Links.Privacy, "must be an absolute http or https URL, got %q")
	v.text("robots_meta", p.RobotsMeta, maxShortFieldLen)
	v.text("analytics_id", p.AnalyticsID, maxShortFieldLen)
	v.text("platform_alert.title", p.Alert.Title, MaxNameLen)
	v.text("platform_alert.message", p.Alert.Message, MaxTextLen)
	if p.Alert.Enabled && p.Alert.Title == "" && p.Alert.Message == "" {
		v.add("platform_alert", "an enabled alert needs a title or a message")
	}
	return v.errs
}

// validHostname reports whether h is a lower-case DNS name of at least two
// labels.
// ValidHostname reports whether h is a host name as a custom domain must
// be: lower-case DNS labels, at least two.
func ValidHostname(h string) bool { return validHostname(h) }

func validHostname(h string) bool {
	if len(h) > maxDomainNameLen || !strings.Contains(h, ".") {
		return false
	}
	for _, l := range strings.Split(h, ".") {
		if len(l) > maxSubdomainLabel || !labelPattern.MatchString(l) {
			return false
		}
	}
	return true
}

// fields collects the field errors of one entity.
type fields struct{ errs []FieldError }

func (v *fields) add(field, format string, args ...any) {
	v.errs = append(v.errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// id checks a required ID.
func (v *fields) id(field, id string) {
	switch {
	case id == "":
		v.add(field, "is required")
	case !ValidID(id):
		v.add(field, "%s", idRule)
	}
}

// name checks a required one-line name.
func (v *fields) name(field, s string) {
	if s == "" {
		v.add(field, "is required")
		return
	}
	v.text(field, s, MaxNameLen)
}

// text checks an optional string: valid UTF-8 without NUL bytes (which
// PostgreSQL cannot store), at most max bytes.
func (v *fields) text(field, s string, max int) {
	switch {
	case len(s) > max:
		v.add(field, "must be at most %d bytes, got %d", max, len(s))
	case !utf8.ValidString(s):
		v.add(field, "must be valid UTF-8")
	case strings.IndexByte(s, 0) >= 0:
		v.add(field, "must not contain a NUL byte")
	}
}

// absURL checks an optional absolute http or https URL.
func (v *fields) absURL(field, s, format string) {
	if s == "" {
		return
	}
	if len(s) > MaxURLLen {
		v.add(field, "must be at most %d bytes, got %d", MaxURLLen, len(s))
		return
	}
	if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.add(field, format, truncate(s))
	}
}

// maxQuoted is how much of a bad value an error message repeats.
const maxQuoted = 64

// truncate cuts s to maxQuoted bytes on a rune boundary, marking the cut.
func truncate(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
