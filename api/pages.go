package api

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/catalog"
)

// pageJSON is a page in the native API, read and written. password is
// write-only (null keeps it, "" clears it); password_set and managed are
// read-only.
type pageJSON struct {
	ID            string       `json:"id"`
	Name          string       `json:"name"`
	URL           string       `json:"url"`
	TimeZone      string       `json:"time_zone"`
	Subdomain     string       `json:"subdomain"`
	CustomDomain  string       `json:"custom_domain"`
	Private       bool         `json:"private"`
	Password      *string      `json:"password,omitempty"`
	PasswordSet   bool         `json:"password_set"`
	IPAllowlist   []string     `json:"ip_allowlist"`
	Enabled       bool         `json:"enabled"`
	Branding      brandingJSON `json:"branding"`
	Links         linksJSON    `json:"links"`
	RobotsMeta    string       `json:"robots_meta"`
	AnalyticsID   string       `json:"analytics_id"`
	Subscriptions bool         `json:"subscriptions"`
	PlatformAlert alertJSON    `json:"platform_alert"`
	// Managed is the configuration file that manages the page; null when
	// the API owns it.
	Managed *string `json:"managed"`
}

type brandingJSON struct {
	LogoURL         string `json:"logo_url"`
	FaviconURL      string `json:"favicon_url"`
	BrandColor      string `json:"brand_color"`
	BackgroundColor string `json:"background_color"`
	TextColor       string `json:"text_color"`
	DarkTheme       bool   `json:"dark_theme"`
	HidePoweredBy   bool   `json:"hide_powered_by"`
}

type linksJSON struct {
	Website string `json:"website"`
	Support string `json:"support"`
	Privacy string `json:"privacy"`
}

type alertJSON struct {
	Enabled bool   `json:"enabled"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

func newPageJSON(p catalog.Page) pageJSON {
	b, l := p.Branding, p.Links
	out := pageJSON{ID: p.ID, Name: p.Name, URL: p.URL, TimeZone: p.TimeZone, Subdomain: p.Subdomain,
		CustomDomain: p.CustomDomain, Private: p.Private, PasswordSet: p.PasswordHash != "",
		IPAllowlist: slices.Clone(p.AllowedCIDRs), Enabled: !p.Disabled,
		Branding: brandingJSON{LogoURL: b.LogoURL, FaviconURL: b.FaviconURL, BrandColor: b.BrandColor,
			BackgroundColor: b.BackgroundColor, TextColor: b.TextColor, DarkTheme: b.DarkTheme, HidePoweredBy: b.HidePoweredBy},
		Links:      linksJSON{Website: l.Website, Support: l.Support, Privacy: l.Privacy},
		RobotsMeta: p.RobotsMeta, AnalyticsID: p.AnalyticsID, Subscriptions: !p.NoSubscriptions,
		PlatformAlert: alertJSON(p.Alert)}
	if out.IPAllowlist == nil {
		out.IPAllowlist = []string{}
	}
	if p.Managed != "" {
		out.Managed = &p.Managed
	}
	return out
}

// page returns the page the JSON describes, over prev (its stored
// version, which keeps the password hash when no password is given).
func (j pageJSON) page(prev catalog.Page) (catalog.Page, []catalog.FieldError) {
	b, l := j.Branding, j.Links
	p := catalog.Page{ID: j.ID, Name: j.Name, URL: j.URL, TimeZone: j.TimeZone, Subdomain: j.Subdomain,
		CustomDomain: j.CustomDomain, Private: j.Private, PasswordHash: prev.PasswordHash,
		AllowedCIDRs: slices.Clone(j.IPAllowlist), Disabled: !j.Enabled,
		Branding: catalog.Branding{LogoURL: b.LogoURL, FaviconURL: b.FaviconURL, BrandColor: b.BrandColor,
			BackgroundColor: b.BackgroundColor, TextColor: b.TextColor, DarkTheme: b.DarkTheme, HidePoweredBy: b.HidePoweredBy},
		Links:      catalog.Links{Website: l.Website, Support: l.Support, Privacy: l.Privacy},
		RobotsMeta: j.RobotsMeta, AnalyticsID: j.AnalyticsID, NoSubscriptions: !j.Subscriptions,
		Alert: catalog.PlatformAlert(j.PlatformAlert)}
	if len(p.AllowedCIDRs) == 0 {
		p.AllowedCIDRs = nil
	}
	if j.Password != nil {
		if err := p.SetPassword(*j.Password); err != nil {
			if fe, ok := err.(catalog.FieldError); ok {
				return p, append(p.Validate(), fe)
			}
			return p, []catalog.FieldError{{Field: "password", Message: "could not be hashed"}}
		}
	}
	return p, p.Validate()
}

// newPageDefaults is a new page before its body: enabled, with
// subscriptions, in UTC.
func newPageDefaults() pageJSON {
	return pageJSON{Enabled: true, Subscriptions: true, TimeZone: "Etc/UTC"}
}

func (a *API) listPages(c *gin.Context) {
	page, perPage, fields := parsePaging(c)
	if len(fields) > 0 {
		abortInvalid(c, fields)
		return
	}
	all, err := a.store.Pages(c.Request.Context())
	if err != nil {
		a.storeFailed(c, err)
		return
	}
	p := principalOf(c)
	out := []pageJSON{}
	for _, pg := range all {
		if p.MayPage(pg.ID) {
			out = append(out, newPageJSON(pg))
		}
	}
	listed(c, out, page, perPage)
}

func (a *API) getPage(c *gin.Context) {
	id := idParam(c)
	if !mayPages(c, id) {
		return
	}
	p, err := a.entities.Page(c.Request.Context(), id)
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"data": newPageJSON(p)})
}

func (a *API) createPage(c *gin.Context) {
	if !globalOnly(c) {
		return
	}
	body := newPageDefaults()
	if !a.decodeBody(c, &body) {
		return
	}
	p, errs := body.page(catalog.Page{})
	if len(errs) > 0 {
		abortFields(c, fieldMap(errs))
		return
	}
	got, err := a.entities.CreatePage(c.Request.Context(), p, a.clock())
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"data": newPageJSON(got)})
}

// updatePage changes the fields the body names, for PUT and PATCH alike.
func (a *API) updatePage(c *gin.Context) {
	id := idParam(c)
	if !mayPages(c, id) {
		return
	}
	ctx := c.Request.Context()
	prev, err := a.entities.Page(ctx, id)
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	body := newPageJSON(prev)
	if !a.decodeBody(c, &body) {
		return
	}
	if body.ID != prev.ID {
		abortFields(c, map[string]string{"id": "cannot be changed"})
		return
	}
	p, errs := body.page(prev)
	if len(errs) > 0 {
		abortFields(c, fieldMap(errs))
		return
	}
	got, err := a.entities.UpdatePage(ctx, p, a.clock())
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"data": newPageJSON(got)})
}

func (a *API) deletePage(c *gin.Context) {
	id := idParam(c)
	if !mayPages(c, id) {
		return
	}
	if err := a.entities.DeletePage(c.Request.Context(), id, a.clock()); err != nil {
		a.writeFailed(c, err)
		return
	}
	a.changed()
	c.Status(http.StatusNoContent)
}

func (a *API) enablePage(enabled bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := idParam(c)
		if !mayPages(c, id) {
			return
		}
		p, err := a.entities.SetPageEnabled(c.Request.Context(), id, enabled, a.clock())
		if err != nil {
			a.writeFailed(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"data": newPageJSON(p)})
	}
}

// setAlert sets the platform alert; "enabled" is true when left out.
func (a *API) setAlert(c *gin.Context) {
	id := idParam(c)
	if !mayPages(c, id) {
		return
	}
	body := alertJSON{Enabled: true}
	if !a.decodeBody(c, &body) {
		return
	}
	p, err := a.entities.SetPlatformAlert(c.Request.Context(), id, catalog.PlatformAlert(body), a.clock())
	if err != nil {
		a.writeFailed(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"data": newPageJSON(p)})
}

func (a *API) clearAlert(c *gin.Context) {
	id := idParam(c)
	if !mayPages(c, id) {
		return
	}
	if _, err := a.entities.SetPlatformAlert(c.Request.Context(), id, catalog.PlatformAlert{}, a.clock()); err != nil {
		a.writeFailed(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
