package api

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/auth"
)

// codeRateLimited is the error code of a 429.
const codeRateLimited = "rate_limited"

// KeyAuthenticator turns an API key as a client sends it into the
// principal it acts as (auth.Authenticator is one). Its error wraps
// auth.ErrUnauthenticated when the key is not valid; any other error is
// the store's and is answered 503.
type KeyAuthenticator interface {
	Authenticate(ctx context.Context, secret string) (auth.Principal, error)
}

// authenticate is the middleware of every route that needs an API key. It
// finds the key (see credential), answers 401 without a valid one, 429
// with Retry-After when the key is over its rate limit, and otherwise sets
// the key's principal on the request's context (auth.FromContext) and
// goes on. Routes then check the scope with require and the page with
// auth.Principal.MayPage.
func (a *API) authenticate(c *gin.Context) {
	secret, status := credential(c.Request)
	if status == http.StatusRequestEntityTooLarge {
		abortError(c, status, codeTooLarge, "the request body is over 1 MiB")
		return
	}
	if secret == "" || a.keys == nil {
		unauthorized(c)
		return
	}
	ctx := c.Request.Context()
	p, err := a.keys.Authenticate(ctx, secret)
	if errors.Is(err, auth.ErrUnauthenticated) {
		unauthorized(c)
		return
	}
	if err != nil {
		a.storeFailed(c, err)
		return
	}
	if ok, wait := a.limiter.Allow(p.ID); !ok {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(max(wait.Seconds(), 1)))))
		abortError(c, http.StatusTooManyRequests, codeRateLimited,
			"this API key is over its rate limit; retry after the number of seconds in Retry-After")
		return
	}
	c.Request = c.Request.WithContext(auth.WithPrincipal(ctx, p))
	c.Next()
}

// require returns the middleware that lets through only requests whose
// principal's scope includes need: 401 without a principal (authenticate
// did not run or failed), 403 with a weaker scope.
func (a *API) require(need auth.Scope) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, ok := auth.FromContext(c.Request.Context())
		if !ok {
			unauthorized(c)
			return
		}
		if !p.Scope.Includes(need) {
			abortError(c, http.StatusForbidden, codeForbidden,
				"this API key has the "+string(p.Scope)+" scope; this needs "+string(need))
			return
		}
		c.Next()
	}
}

// unauthorized answers 401, never saying whether the key was missing,
// malformed, unknown or revoked.
func unauthorized(c *gin.Context) {
	c.Header("WWW-Authenticate", `Bearer realm="statusd"`)
	abortError(c, http.StatusUnauthorized, codeUnauthorized,
		"a valid API key is required: send it as Authorization: Bearer KEY, as the Basic user, or as api_key")
}
