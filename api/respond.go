package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

// The error codes of {"error":{"code":...}}.
const (
	codeNotFound         = "not_found"
	codeMethodNotAllowed = "method_not_allowed"
	codeInvalid          = "invalid"
	codeUnavailable      = "unavailable"
	codeInternal         = "internal"
	codeTooLarge         = "too_large"
	codeConflict         = "conflict"
	codeForbidden        = "forbidden"
	codeUnauthorized     = "unauthorized"
)

// errorBody is every error answer: {"error":{...}}; a 422 also carries
// {"errors":{field: message}} at the top level.
type errorBody struct {
	Error  errorDetail       `json:"error"`
	Errors map[string]string `json:"errors,omitempty"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Fields maps each invalid input field to what is wrong with it.
	Fields map[string]string `json:"fields,omitempty"`
}

func abortError(c *gin.Context, code int, errCode, message string) {
	c.AbortWithStatusJSON(code, errorBody{Error: errorDetail{Code: errCode, Message: message}})
}

func abortInvalid(c *gin.Context, fields map[string]string) {
	c.AbortWithStatusJSON(http.StatusUnprocessableEntity, errorBody{Error: errorDetail{
		Code: codeInvalid, Message: "invalid query parameters", Fields: fields,
	}, Errors: fields})
}

// abortFields answers 422 for an invalid request body.
func abortFields(c *gin.Context, fields map[string]string) {
	c.AbortWithStatusJSON(http.StatusUnprocessableEntity, errorBody{Error: errorDetail{
		Code: codeInvalid, Message: "the request is invalid; see errors", Fields: fields,
	}, Errors: fields})
}

// storeRetryAfter is the Retry-After, in seconds, of an answer to a failed
// store read.
const storeRetryAfter = "5"

// storeFailed answers a failed store read with a 503 that says nothing of
// the cause, and logs the cause.
func (a *API) storeFailed(c *gin.Context, err error) {
	level := slog.LevelError
	if errors.Is(err, context.Canceled) { // the client went away
		level = slog.LevelDebug
	}
	a.log.Log(c.Request.Context(), level, "read store", "route", c.FullPath(), "err", err)
	c.Header("Retry-After", storeRetryAfter)
	abortError(c, http.StatusServiceUnavailable, codeUnavailable,
		"status data is temporarily unavailable; try again shortly")
}
