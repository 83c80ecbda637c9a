package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// unmatchedRoute labels requests that matched no route, so that scanners
// cannot grow the metrics without bound.
const unmatchedRoute = "unmatched"

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// dayReads counts the components whose day buckets a measure took
	// from memory (api/daycache) or read from the store; daysKept and
	// daysRead are its two series, bound once.
	dayReads           *prometheus.CounterVec
	daysKept, daysRead prometheus.Counter
	// routes holds each route template's series, bound once (bindRoutes,
	// before serving; read-only after), so that a request pays a map
	// lookup instead of two label lookups.
	routes map[string]*routeMetrics
}

// routeMetrics are one route's series: the duration histogram and the
// counter of each status code it answered, bound on first use (so that
// /metrics lists only the routes and codes seen, as WithLabelValues did).
type routeMetrics struct {
	m        *metrics
	route    string
	once     sync.Once
	duration prometheus.Observer
	codes    atomic.Pointer[[]codeCounter] // copied on write: a route answers few codes
	mu       sync.Mutex                    // serializes writers of codes
}

// codeCounter is the request counter of one route and status code.
type codeCounter struct {
	code    int
	counter prometheus.Counter
}

// bindRoutes prepares the series of every route template and of
// unmatched requests. Call it once, before serving.
func (m *metrics) bindRoutes(routes gin.RoutesInfo) {
	m.routes = map[string]*routeMetrics{unmatchedRoute: {m: m, route: unmatchedRoute}}
	for _, r := range routes {
		if _, ok := m.routes[r.Path]; !ok {
			m.routes[r.Path] = &routeMetrics{m: m, route: r.Path}
		}
	}
}

// route is the series of route; a template bindRoutes did not see gets
// series bound for this request only.
func (m *metrics) route(route string) *routeMetrics {
	if rm, ok := m.routes[route]; ok {
		return rm
	}
	return &routeMetrics{m: m, route: route}
}

// observe counts one answer with code that took elapsed.
func (rm *routeMetrics) observe(code int, elapsed time.Duration) {
	rm.once.Do(func() { rm.duration = rm.m.duration.WithLabelValues(rm.route) })
	rm.duration.Observe(elapsed.Seconds())
	rm.counter(code).Inc()
}

// counter is the request counter of code, bound on its first request.
func (rm *routeMetrics) counter(code int) prometheus.Counter {
	if list := rm.codes.Load(); list != nil {
		for _, c := range *list {
			if c.code == code {
				return c.counter
			}
		}
	}
	rm.mu.Lock()
	defer rm.mu.Unlock()
	var list []codeCounter
	if old := rm.codes.Load(); old != nil {
		for _, c := range *old {
			if c.code == code { // bound by another request meanwhile
				return c.counter
			}
		}
		list = append(list, *old...)
	}
	c := rm.m.requests.WithLabelValues(rm.route, strconv.Itoa(code))
	list = append(list, codeCounter{code: code, counter: c})
	rm.codes.Store(&list)
	return c
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "statusd_http_requests_total",
			Help: "HTTP requests answered, by route template and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "statusd_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route template.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		dayReads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "statusd_api_day_bucket_reads_total",
			Help: "Components whose day buckets a measure (metrics, summaries) took from memory or read from the store, by where from.",
		}, []string{"from"}),
	}
	m.daysKept, m.daysRead = m.dayReads.WithLabelValues("memory"), m.dayReads.WithLabelValues("store")
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.dayReads} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register http metrics: %w", err)
		}
	}
	return m, nil
}

// observe counts and times every request and logs it at debug level,
// with any api_key in the query redacted.
func (a *API) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	elapsed := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = unmatchedRoute
	}
	code := c.Writer.Status()
	a.metrics.route(route).observe(code, elapsed)
	ctx := c.Request.Context()
	if a.log.Enabled(ctx, slog.LevelDebug) {
		a.log.LogAttrs(ctx, slog.LevelDebug, "http request",
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.String("query", redactQuery(c.Request.URL.RawQuery)), // never an API key
			slog.String("route", route),
			slog.Int("status", code),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", elapsed),
			slog.String("remote", c.ClientIP()),
		)
	}
}

// recoverPanic turns a panic in a handler into a JSON 500 that reveals nothing,
// and logs the panic with its stack.
func (a *API) recoverPanic(c *gin.Context) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if p == http.ErrAbortHandler { // the handler chose to drop the connection
			c.Abort()
			return
		}
		a.log.Error("handler panicked", "method", c.Request.Method, "path", c.Request.URL.Path,
			"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		if c.Writer.Written() {
			c.Abort()
			return
		}
		abortError(c, http.StatusInternalServerError, codeInternal, "internal server error")
	}()
	c.Next()
}
