package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/catalog/checkdef"
)

// DefaultMaxBodyBytes is the default limit of a request body.
const DefaultMaxBodyBytes = 1 << 20

// decodeBody decodes the JSON body of c into v, strictly: one object, no
// unknown field. On failure it has answered 413 or 422 and returns false.
func (a *API) decodeBody(c *gin.Context, v any) bool {
	if c.Request.ContentLength > a.maxBody {
		a.tooLarge(c)
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, a.maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("trailing data")
		}
	}
	if err == nil {
		return true
	}
	var (
		tooBig *http.MaxBytesError
		typ    *json.UnmarshalTypeError
		syn    *json.SyntaxError
	)
	switch {
	case errors.As(err, &tooBig):
		a.tooLarge(c)
	case errors.As(err, &typ):
		// checkJSON embeds checkdef.Check, whose name the path starts with.
		field := strings.TrimPrefix(typ.Field, "Check.")
		if field == "" {
			field = "body"
		}
		abortFields(c, map[string]string{field: typeMessage(typ)})
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		abortFields(c, map[string]string{"body": "is not valid JSON"})
	case errors.Is(err, io.EOF):
		abortFields(c, map[string]string{"body": "is required: a JSON object"})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		abortFields(c, map[string]string{catalog.Truncate(name): "is not a known field"})
	default:
		abortFields(c, map[string]string{"body": "is not a valid JSON object"})
	}
	return false
}

func (a *API) tooLarge(c *gin.Context) {
	abortError(c, http.StatusRequestEntityTooLarge, codeTooLarge,
		fmt.Sprintf("the request body is larger than the limit of %d bytes", a.maxBody))
}

var durationType = reflect.TypeOf(checkdef.Duration(0))

// typeMessage says what a field of the wrong JSON type must be.
func typeMessage(e *json.UnmarshalTypeError) string {
	if e.Type == durationType {
		return `must be a duration such as "30s"`
	}
	switch e.Type.Kind() {
	case reflect.String:
		return "must be a string"
	case reflect.Bool:
		return "must be true or false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "must be an integer in range"
	case reflect.Slice:
		return "must be a list"
	case reflect.Map, reflect.Struct, reflect.Pointer:
		return "must be an object"
	}
	return "has the wrong type"
}

// fieldMap turns field errors into the "errors" object of a 422.
func fieldMap(errs []catalog.FieldError) map[string]string {
	out := make(map[string]string, len(errs))
	for _, e := range errs {
		if prev, ok := out[e.Field]; ok {
			out[e.Field] = prev + "; " + e.Message
			continue
		}
		out[e.Field] = e.Message
	}
	return out
}
