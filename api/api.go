// Package api owns statusd's HTTP API as the aggregator and standalone serve
// it: the native REST API under /api/v1, the public Atlassian Statuspage v2
// documents under /api/v2 (and /pages/:page_id/api/v2), and the operational
// endpoints /healthz, /readyz and /metrics. Every answer is JSON, errors
// included: {"error":{"code":...,"message":...}}.
package api

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/statusd/statusd/api/daycache"
	"github.com/statusd/statusd/api/frozencache"
	"github.com/statusd/statusd/api/ratelimit"
	"github.com/statusd/statusd/api/readmodel"
	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/uptime"
)

// The per-key rate limit when Options leave it out.
const (
	defaultRateLimit = 10
	defaultRateBurst = 20
)

// Options configure an API.
type Options struct {
	// Store is what the API reads. Required.
	Store Store
	// Logger receives request logs (debug), store errors and panics.
	// Nil discards them.
	Logger *slog.Logger
	// Registerer receives the HTTP metrics. Required.
	Registerer prometheus.Registerer
	// Gatherer is served on /metrics. Nil means the Registerer, which must
	// then also be a Gatherer (a *prometheus.Registry is).
	Gatherer prometheus.Gatherer
	// Ready reports whether the process is ready to serve, for /readyz.
	// Nil means always ready.
	Ready func() bool
	// Version is the build's version, shown on /healthz.
	Version string
	// Clock tells the time; nil means time.Now. Its reading in New is the
	// origin used for component times the store does not know.
	Clock func() time.Time
	// Fleet is the live set of agents and regions for /api/v1/agents and
	// /api/v1/regions; nil shows none.
	Fleet Fleet
	// Entities serves the operators' routes (pages, components, checks
	// and their writes, the audit log), behind an API key (Keys); nil
	// serves none of them.
	Entities EntityStore
	// MaxBodyBytes is the largest request body accepted; larger is a 413.
	// 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// OnCatalogChange is called after a write that changes components or
	// checks, so that agents and the evaluator follow at once; nil for
	// none. It must not block.
	OnCatalogChange func()
	// Incidents serves /api/v1/incidents, reads and writes, behind an API
	// key (Keys); nil serves none of them.
	Incidents IncidentStore
	// Keys authenticates the API keys of every /api/v1 route but
	// openapi.json; nil means no key is valid, so those routes answer 401.
	Keys KeyAuthenticator
	// Statuses serves the components' overrides and status history, and
	// tells the status each component shows by a person's decision; nil
	// serves neither and shows the probes' statuses.
	Statuses StatusStore
	// Maintenances serves /api/v1/maintenances and the windows of the v2
	// documents (scheduled-maintenances*.json, summary.json); nil serves
	// the first not at all and lists no windows in the second.
	Maintenances MaintenanceStore
	// KeyStore and AdminStore serve /api/v1/keys and /api/v1/admins, which
	// are served only when both are set.
	KeyStore   KeyStore
	AdminStore AdminStore
	// RateLimit is how many requests per second one key may make on
	// average, RateBurst how many at once; zero means 10 and 20.
	RateLimit int
	RateBurst int
	// ImpactWeights weigh outage time as impact, as the aggregator does;
	// uptime.DefaultWeights when zero. Metrics are served when Store is
	// also a BucketReader.
	ImpactWeights uptime.Weights
	// Domains serves /api/v1/pages/{id}/domain and its check; nil serves
	// neither.
	Domains DomainService
	// Series serves /api/v1/components/{id}/timeseries; nil answers 404.
	Series SeriesReader
	// ReadMaxAge is how old, at most, what the native read routes show
	// may be: they answer from an in-memory read model (api/readmodel),
	// which sees this process's writes at once when Store is a
	// CatalogVersioner, and states and other processes' writes within
	// ReadMaxAge. Zero means readmodel.DefaultMaxAge (1 s); negative reads
	// the store for every request.
	ReadMaxAge time.Duration
	// SessionKey signs the session cookies of private pages (at least
	// MinSessionKeyLen bytes). Nil means a random key made in New:
	// sessions then end with the process, and aggregators behind one
	// load balancer each refuse the others' cookies, so give them all the
	// same key (config api.session_key). SessionMaxAge is how long a
	// session lasts; zero means DefaultSessionMaxAge (7 days).
	SessionKey    []byte
	SessionMaxAge time.Duration
	// TrustedProxies are the networks or addresses of the reverse proxies
	// in front of the API: from them, X-Forwarded-For names the client
	// (which private pages' allowlists check) and X-Forwarded-Proto https
	// marks the visit as TLS (Secure cookies). Nil trusts no forwarding
	// header.
	TrustedProxies []string
}

// API serves statusd's HTTP API.
type API struct {
	store   Store
	fleet   Fleet
	clock   func() time.Time
	log     *slog.Logger
	ready   func() bool
	version string
	origin  time.Time
	weights uptime.Weights
	series  SeriesReader
	metrics *metrics
	engine  *gin.Engine
	keys    KeyAuthenticator
	limiter *ratelimit.Limiter
	keyDB   KeyStore
	adminDB AdminStore

	entities  EntityStore
	statuses  StatusStore
	incidents IncidentStore
	maint     MaintenanceStore
	domains   DomainService
	maxBody   int64
	onChange  func()
	model     *readmodel.Model
	// frozen keeps the frozen months read (nil when the store keeps
	// none); frozenSnap is the snapshot it last followed.
	frozen     *frozencache.Cache
	frozenSnap atomic.Pointer[readmodel.Snapshot]
	frozenSeen atomic.Int64 // the frozen months' stored version last followed
	// days keeps the day buckets of closed days read (nil with frozen).
	days *daycache.Cache
	// pindex is the index of the last catalog's pages (page_index.go).
	pindex atomic.Pointer[pageIndex]

	// Private pages: session cookies, sign-in attempts per address,
	// trusted proxies (page_access.go, page_session.go, page_login.go).
	sessions     *sessions
	loginLimiter *ratelimit.Limiter
	proxies      []netip.Prefix

	mu        sync.Mutex
	locations map[string]*time.Location // time zone name → location, UTC when unknown
}

// New returns an API serving opts.Store.
func New(opts Options) (*API, error) {
	if opts.Store == nil {
		return nil, errors.New("new api: Store is required")
	}
	if opts.Registerer == nil {
		return nil, errors.New("new api: Registerer is required")
	}
	gatherer := opts.Gatherer
	if gatherer == nil {
		g, ok := opts.Registerer.(prometheus.Gatherer)
		if !ok {
			return nil, errors.New("new api: Gatherer is required when the Registerer is not a Gatherer")
		}
		gatherer = g
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, fmt.Errorf("new api: %w", err)
	}
	a := &API{
		store: opts.Store, fleet: opts.Fleet, log: opts.Logger, ready: opts.Ready, version: opts.Version,
		metrics: m, locations: map[string]*time.Location{}, weights: opts.ImpactWeights,
		entities: opts.Entities, statuses: opts.Statuses, incidents: opts.Incidents, maint: opts.Maintenances,
		series: opts.Series, domains: opts.Domains,
		maxBody: opts.MaxBodyBytes, onChange: opts.OnCatalogChange,
	}
	if a.weights == (uptime.Weights{}) {
		a.weights = uptime.DefaultWeights()
	}
	if a.maxBody <= 0 {
		a.maxBody = DefaultMaxBodyBytes
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.ready == nil {
		a.ready = func() bool { return true }
	}
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	a.clock = clock
	a.origin = clock()
	if a.model, err = newReadModel(opts, clock); err != nil {
		return nil, fmt.Errorf("new api: %w", err)
	}
	if fr, ok := opts.Store.(FrozenReader); ok {
		if a.frozen, err = frozencache.New(frozencache.Options{Reader: fr, Clock: clock}); err != nil {
			return nil, fmt.Errorf("new api: %w", err)
		}
		a.days = daycache.New(daycache.Options{})
	}
	a.keys, a.keyDB, a.adminDB = opts.Keys, opts.KeyStore, opts.AdminStore
	rate, burst := cmp.Or(opts.RateLimit, defaultRateLimit), cmp.Or(opts.RateBurst, defaultRateBurst)
	if a.limiter, err = ratelimit.New(ratelimit.Options{PerSecond: float64(rate), Burst: burst, Clock: clock}); err != nil {
		return nil, fmt.Errorf("new api: %w", err)
	}
	if err = a.initPrivatePages(opts); err != nil {
		return nil, fmt.Errorf("new api: %w", err)
	}
	a.engine = a.routes(gatherer)
	a.metrics.bindRoutes(a.engine.Routes())
	return a, nil
}

// Handler returns the HTTP handler serving every route.
func (a *API) Handler() http.Handler { return a.engine }

func (a *API) routes(gatherer prometheus.Gatherer) *gin.Engine {
	gin.SetMode(gin.ReleaseMode) // no route dump or debug warnings on stdout
	e := gin.New()
	e.HandleMethodNotAllowed = true
	// Forwarding headers only from Options.TrustedProxies (none by default).
	if err := e.SetTrustedProxies(a.trustedProxies()); err != nil {
		a.log.Error("set trusted proxies", "err", err)
	}
	e.Use(a.observe, a.recoverPanic)
	e.RedirectTrailingSlash = false // noRoute redirects, in JSON
	e.NoRoute(noRoute)
	e.NoMethod(func(c *gin.Context) {
		abortError(c, http.StatusMethodNotAllowed, codeMethodNotAllowed,
			"method "+c.Request.Method+" is not allowed here")
	})

	get := func(path string, h gin.HandlerFunc) {
		e.GET(path, h)
		e.HEAD(path, h)
	}
	get("/healthz", a.healthz)
	get("/readyz", a.readyz)
	a.pageRoutes(e, get) // the HTML status page: /, /history, /incidents/:id; POST /login, /logout
	a.feedRoutes(get)    // its feeds, badges and widget: /history.rss, /badge.svg, /widget.js, …
	get("/metrics", gin.WrapH(promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{
		ErrorLog: promLogger{a.log}, ErrorHandling: promhttp.ContinueOnError,
	})))

	for _, prefix := range []string{"/api/v2", "/pages/:page_id/api/v2"} {
		a.v2Routes(e, prefix, get)
	}

	v1 := e.Group("/api/v1")
	v1.GET("/openapi.json", a.openAPI) // the one open route of /api/v1
	v1.HEAD("/openapi.json", a.openAPI)
	// The live views show raw probe errors, agents and clock offsets: for
	// operators with a key. The public surface is /api/v2.
	read := v1.Group("", a.authenticate, a.require(auth.ScopeRead))
	readGet := func(path string, h gin.HandlerFunc) {
		read.GET(path, h)
		read.HEAD(path, h)
	}
	readGet("/components", a.v1Components)
	readGet("/components/:id", a.v1Component)
	readGet("/components/:id/metrics", a.v1ComponentMetrics)
	readGet("/components/:id/timeseries", a.v1ComponentTimeseries)
	readGet("/agents", a.v1Agents)
	readGet("/regions", a.v1Regions)
	a.operatorRoutes(v1)
	a.statusRoutes(v1)
	a.incidentRoutes(v1)
	a.maintenanceRoutes(v1)
	a.domainRoutes(v1)
	if a.keyDB != nil && a.adminDB != nil {
		a.credentialRoutes(v1.Group("", a.authenticate, a.require(auth.ScopeAdmin)))
	}
	return e
}

func (a *API) healthz(c *gin.Context) {
	body := gin.H{"status": "ok"}
	if a.version != "" {
		body["version"] = a.version
	}
	c.JSON(http.StatusOK, body)
}

func (a *API) readyz(c *gin.Context) {
	if !a.ready() {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "not ready"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// location returns the time zone named tz, or UTC (logged once) when the
// name is unknown to this system's time zone database.
func (a *API) location(tz string) *time.Location {
	a.mu.Lock()
	defer a.mu.Unlock()
	if loc, ok := a.locations[tz]; ok {
		return loc
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		a.log.Warn("load page time zone; showing times in UTC", "time_zone", tz, "err", err)
		loc = time.UTC
	}
	a.locations[tz] = loc
	return loc
}

// promLogger adapts a slog.Logger to promhttp's error log.
type promLogger struct{ log *slog.Logger }

func (l promLogger) Println(v ...any) { l.log.Error("serve metrics", "err", fmt.Sprint(v...)) }
