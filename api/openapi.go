package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openAPIDocument is the OpenAPI 3 document of every route the API
// serves, written by hand; openapi_test.go fails when a served route is
// missing from it or it names one that is not served, and validates real
// requests and answers against its schemas.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the OpenAPI 3 document served at
// /api/v1/openapi.json: a copy, which the caller may change.
func OpenAPIDocument() []byte { return append([]byte(nil), openAPIDocument...) }

func (a *API) openAPI(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/json", openAPIDocument)
}
