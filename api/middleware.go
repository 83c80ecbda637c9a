package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
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
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
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
	a.metrics.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	a.metrics.duration.WithLabelValues(route).Observe(elapsed.Seconds())
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
