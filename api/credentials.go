package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/statusd/statusd/auth"
	"github.com/statusd/statusd/catalog/field"
)

// KeyStore stores the API keys that /api/v1/keys manages (sqlstore.Store
// is one). Each write appends an audit entry naming the principal of ctx,
// in the same transaction. Errors wrap auth.ErrNotFound, auth.ErrUnknownAdmin or
// auth.ErrUnknownPage where they say so; any other is answered 503.
type KeyStore interface {
	// Keys lists every key, revoked ones included, oldest first.
	Keys(ctx context.Context) ([]auth.Key, error)
	// CreateKey stores a new key.
	CreateKey(ctx context.Context, k auth.Key) error
	// RevokeKey revokes a key at at, keeping an earlier revocation.
	RevokeKey(ctx context.Context, id string, at time.Time) (auth.Key, error)
}

// AdminStore stores the admins that /api/v1/admins manages. Errors wrap
// auth.ErrNotFound or auth.ErrEmailTaken where they say so.
type AdminStore interface {
	// Admins lists every admin, oldest first.
	Admins(ctx context.Context) ([]auth.Admin, error)
	// CreateAdmin stores a new admin.
	CreateAdmin(ctx context.Context, a auth.Admin) error
	// UpdateAdmin changes an admin by change in one transaction; an error
	// of change comes back as it is.
	UpdateAdmin(ctx context.Context, id string, change func(*auth.Admin) error) (auth.Admin, error)
	// DeleteAdmin deletes an admin and its keys at at.
	DeleteAdmin(ctx context.Context, id string, at time.Time) error
}

// credentialRoutes serves the keys and admins; r already demands an admin key.
func (a *API) credentialRoutes(r *gin.RouterGroup) {
	r.GET("/keys", a.listKeys)
	r.POST("/keys", a.createKey)
	r.GET("/keys/:id", a.getKey)
	r.DELETE("/keys/:id", a.revokeKey)
	r.GET("/admins", a.listAdmins)
	r.POST("/admins", a.requireGlobal, a.createAdmin)
	r.GET("/admins/:id", a.getAdmin)
	r.PATCH("/admins/:id", a.requireGlobal, a.updateAdmin)
	r.DELETE("/admins/:id", a.requireGlobal, a.deleteAdmin)
}

// v1Key is a key in the native API; Key, the secret, only in the answer
// that creates it.
type v1Key struct {
	ID         string  `json:"id"`
	AdminID    string  `json:"admin_id"`
	Name       string  `json:"name"`
	Scope      string  `json:"scope"`
	PageID     *string `json:"page_id"`
	CreatedAt  string  `json:"created_at"`
	LastUsedAt *string `json:"last_used_at"`
	RevokedAt  *string `json:"revoked_at"`
	Key        string  `json:"key,omitempty"`
}

func newV1Key(k auth.Key) v1Key {
	out := v1Key{ID: k.ID, AdminID: k.AdminID, Name: k.Name, Scope: string(k.Scope),
		CreatedAt: k.CreatedAt.UTC().Format(v1TimeLayout), LastUsedAt: v1TimePtr(k.LastUsedAt), RevokedAt: v1TimePtr(k.RevokedAt)}
	if k.PageID != "" {
		out.PageID = &k.PageID
	}
	return out
}

// v1Admin is an admin in the native API.
type v1Admin struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	Name      string `json:"name"`
	Disabled  bool   `json:"disabled"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func newV1Admin(ad auth.Admin) v1Admin {
	return v1Admin{ID: ad.ID, Email: ad.Email, Name: ad.Name, Disabled: ad.Disabled,
		CreatedAt: ad.CreatedAt.UTC().Format(v1TimeLayout), UpdatedAt: ad.UpdatedAt.UTC().Format(v1TimeLayout)}
}

// principal is the request's principal; the routes run after authenticate.
func principal(c *gin.Context) auth.Principal {
	p, _ := auth.FromContext(c.Request.Context())
	return p
}

// requireGlobal lets through only keys for every page: admins belong to
// the whole installation.
func (a *API) requireGlobal(c *gin.Context) {
	if p := principal(c); p.PageID != "" {
		abortError(c, http.StatusForbidden, codeForbidden, "a key for one page cannot change admins")
	}
}

// visibleKeys lists the keys the principal may see: all for a global key,
// those of its page for a page key. On failure it has answered.
func (a *API) visibleKeys(c *gin.Context) ([]auth.Key, bool) {
	all, err := a.keyDB.Keys(c.Request.Context())
	if err != nil {
		a.storeFailed(c, fmt.Errorf("list keys: %w", err))
		return nil, false
	}
	p := principal(c)
	var out []auth.Key
	for _, k := range all {
		if p.PageID == "" || k.PageID == p.PageID {
			out = append(out, k)
		}
	}
	return out, true
}

func (a *API) listKeys(c *gin.Context) {
	page, perPage, fields := parsePaging(c)
	if len(fields) > 0 {
		abortInvalid(c, fields)
		return
	}
	keys, ok := a.visibleKeys(c)
	if !ok {
		return
	}
	items, meta := pageOf(keys, page, perPage)
	data := make([]v1Key, 0, len(items))
	for _, k := range items {
		data = append(data, newV1Key(k))
	}
	c.JSON(http.StatusOK, gin.H{"data": data, "meta": meta})
}

func (a *API) getKey(c *gin.Context) {
	if k, ok := a.findKey(c); ok {
		c.JSON(http.StatusOK, gin.H{"data": newV1Key(k)})
	}
}

// findKey returns the key of the :id parameter if the principal may see
// it; otherwise it has answered (404 for a key of another page).
func (a *API) findKey(c *gin.Context) (auth.Key, bool) {
	id := c.Param("id")
	keys, ok := a.visibleKeys(c)
	if !ok {
		return auth.Key{}, false
	}
	for _, k := range keys {
		if k.ID == id {
			return k, true
		}
	}
	abortError(c, http.StatusNotFound, codeNotFound, fmt.Sprintf("key %q not found", cutID(id)))
	return auth.Key{}, false
}

func (a *API) revokeKey(c *gin.Context) {
	k, ok := a.findKey(c)
	if !ok {
		return
	}
	if _, err := a.keyDB.RevokeKey(c.Request.Context(), k.ID, a.clock()); err != nil {
		if errors.Is(err, auth.ErrNotFound) {
			abortError(c, http.StatusNotFound, codeNotFound, fmt.Sprintf("key %q not found", k.ID))
			return
		}
		a.storeFailed(c, fmt.Errorf("revoke key: %w", err))
		return
	}
	c.Status(http.StatusNoContent)
}

// keyInput is the body of POST /api/v1/keys.
type keyInput struct {
	AdminID *string `json:"admin_id"` // default: the admin of the calling key
	Name    string  `json:"name"`
	Scope   string  `json:"scope"`
	PageID  *string `json:"page_id"` // default: the page of the calling key, or every page
}

func (a *API) createKey(c *gin.Context) {
	var in keyInput
	if !decodeAuthBody(c, &in) {
		return
	}
	p := principal(c)
	req := auth.KeyRequest{AdminID: p.AdminID, Name: in.Name, Scope: auth.Scope(in.Scope), PageID: p.PageID}
	if in.AdminID != nil {
		req.AdminID = *in.AdminID
	}
	if in.PageID != nil {
		req.PageID = *in.PageID
	}
	if errs := req.Validate(); len(errs) > 0 {
		abortFieldErrors(c, errs)
		return
	}
	if err := p.MayGrant(req.Scope, req.PageID); err != nil {
		abortError(c, http.StatusForbidden, codeForbidden, strings.TrimPrefix(err.Error(), auth.ErrForbidden.Error()+": "))
		return
	}
	k, secret, err := auth.NewKey(req, a.clock())
	if err != nil {
		a.storeFailed(c, err)
		return
	}
	switch err := a.keyDB.CreateKey(c.Request.Context(), k); {
	case errors.Is(err, auth.ErrUnknownAdmin):
		abortFieldErrors(c, []field.Error{{Field: "admin_id", Message: "no admin has this id"}})
	case errors.Is(err, auth.ErrUnknownPage):
		abortFieldErrors(c, []field.Error{{Field: "page_id", Message: "no page has this id"}})
	case err != nil:
		a.storeFailed(c, fmt.Errorf("create key: %w", err))
	default:
		out := newV1Key(k)
		out.Key = secret
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusCreated, gin.H{"data": out})
	}
}

func (a *API) listAdmins(c *gin.Context) {
	page, perPage, fields := parsePaging(c)
	if len(fields) > 0 {
		abortInvalid(c, fields)
		return
	}
	admins, err := a.adminDB.Admins(c.Request.Context())
	if err != nil {
		a.storeFailed(c, fmt.Errorf("list admins: %w", err))
		return
	}
	items, meta := pageOf(admins, page, perPage)
	data := make([]v1Admin, 0, len(items))
	for _, ad := range items {
		data = append(data, newV1Admin(ad))
	}
	c.JSON(http.StatusOK, gin.H{"data": data, "meta": meta})
}

func (a *API) getAdmin(c *gin.Context) {
	id := c.Param("id")
	admins, err := a.adminDB.Admins(c.Request.Context())
	if err != nil {
		a.storeFailed(c, fmt.Errorf("list admins: %w", err))
		return
	}
	for _, ad := range admins {
		if ad.ID == id {
			c.JSON(http.StatusOK, gin.H{"data": newV1Admin(ad)})
			return
		}
	}
	adminNotFound(c, id)
}

// adminInput is the body of POST and PATCH /api/v1/admins.
type adminInput struct {
	Email    *string `json:"email"`
	Name     *string `json:"name"`
	Disabled *bool   `json:"disabled"`
}

func (a *API) createAdmin(c *gin.Context) {
	var in adminInput
	if !decodeAuthBody(c, &in) {
		return
	}
	ad, errs := auth.NewAdmin(deref(in.Email), deref(in.Name), a.clock())
	if errs != nil {
		abortFieldErrors(c, errs)
		return
	}
	if in.Disabled != nil {
		ad.Disabled = *in.Disabled
	}
	switch err := a.adminDB.CreateAdmin(c.Request.Context(), ad); {
	case errors.Is(err, auth.ErrEmailTaken):
		abortError(c, http.StatusConflict, codeConflict, "another admin has the email "+ad.Email)
	case err != nil:
		a.storeFailed(c, fmt.Errorf("create admin: %w", err))
	default:
		c.JSON(http.StatusCreated, gin.H{"data": newV1Admin(ad)})
	}
}

// fieldErrors is the error of a change that fails validation.
type fieldErrors []field.Error

func (f fieldErrors) Error() string { return "invalid: " + f[0].Error() }

func (a *API) updateAdmin(c *gin.Context) {
	var in adminInput
	if !decodeAuthBody(c, &in) {
		return
	}
	id := c.Param("id")
	ad, err := a.adminDB.UpdateAdmin(c.Request.Context(), id, func(ad *auth.Admin) error {
		if errs := (auth.AdminPatch{Email: in.Email, Name: in.Name, Disabled: in.Disabled}).Apply(ad, a.clock()); errs != nil {
			return fieldErrors(errs)
		}
		return nil
	})
	var invalid fieldErrors
	switch {
	case errors.As(err, &invalid):
		abortFieldErrors(c, invalid)
	case errors.Is(err, auth.ErrNotFound):
		adminNotFound(c, id)
	case errors.Is(err, auth.ErrEmailTaken):
		abortError(c, http.StatusConflict, codeConflict, "another admin has the email "+deref(in.Email))
	case err != nil:
		a.storeFailed(c, fmt.Errorf("update admin: %w", err))
	default:
		c.JSON(http.StatusOK, gin.H{"data": newV1Admin(ad)})
	}
}

func (a *API) deleteAdmin(c *gin.Context) {
	id := c.Param("id")
	switch err := a.adminDB.DeleteAdmin(c.Request.Context(), id, a.clock()); {
	case errors.Is(err, auth.ErrNotFound):
		adminNotFound(c, id)
	case err != nil:
		a.storeFailed(c, fmt.Errorf("delete admin: %w", err))
	default:
		c.Status(http.StatusNoContent)
	}
}

func adminNotFound(c *gin.Context, id string) {
	abortError(c, http.StatusNotFound, codeNotFound, fmt.Sprintf("admin %q not found", cutID(id)))
}

// decodeAuthBody decodes a JSON object body of at most maxAuthBody bytes
// into v, strictly. On failure it has answered 413 or 422 and returns false.
func decodeAuthBody(c *gin.Context, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxAuthBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	var (
		tooLarge *http.MaxBytesError
		typeErr  *json.UnmarshalTypeError
	)
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooLarge):
		abortError(c, http.StatusRequestEntityTooLarge, codeTooLarge, "the request body is over 1 MiB")
	case errors.As(err, &typeErr) && typeErr.Field != "":
		abortFieldErrors(c, []field.Error{{Field: typeErr.Field, Message: "must be a JSON " + typeErr.Type.String()}})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		abortFieldErrors(c, []field.Error{{Field: cutID(name), Message: "is not a known field"}})
	case errors.Is(err, io.EOF):
		abortFieldErrors(c, []field.Error{{Field: "body", Message: "must be a JSON object"}})
	default:
		abortFieldErrors(c, []field.Error{{Field: "body", Message: "must be one JSON object"}})
	}
	return false
}

// abortFieldErrors answers 422 naming each bad field, the first error of
// a field if it has several.
func abortFieldErrors(c *gin.Context, errs []field.Error) {
	fields := map[string]string{}
	for _, fe := range errs {
		if _, dup := fields[fe.Field]; !dup {
			fields[fe.Field] = fe.Message
		}
	}
	abortFields(c, fields)
}

// cutID shortens an id from a request for an error message.
func cutID(id string) string {
	const max = 64
	if len(id) <= max {
		return id
	}
	return strings.ToValidUTF8(id[:max], "") + "…"
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
