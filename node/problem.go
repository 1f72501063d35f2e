package node

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/publiccode"
	"github.com/interlink-project/interlink-node/storage"
)

// apiError is an error that knows its problem name and HTTP status;
// writeProblem renders it as an api.Problem.
type apiError struct {
	status int
	name   string // problem type name, e.g. "malformed-json"
	title  string
	detail string
	errs   []protocol.FieldError
	extra  string // key-exists: the object that holds the key (api.Problem.Existing)
}

func (e *apiError) Error() string { return e.name + ": " + e.detail }

func errorf(status int, name, title, format string, args ...any) *apiError {
	return &apiError{status: status, name: name, title: title, detail: fmt.Sprintf(format, args...)}
}

func fieldError(status int, name, title, field, rule, format string, args ...any) *apiError {
	msg := fmt.Sprintf(format, args...)
	return &apiError{status: status, name: name, title: title, detail: field + ": " + msg,
		errs: []protocol.FieldError{{Field: field, Rule: rule, Message: msg}}}
}

// problemFor classifies any error into a problem. Unknown errors are
// internal: they are logged, and their text is not shown to the client.
func problemFor(err error) (*apiError, bool) {
	var ae *apiError
	var ve *protocol.ValidationError
	var ke *storage.KeyExistsError
	var ce *storage.ConflictError
	var ye *publiccode.SyntaxError
	var pe *accounts.PolicyError   // a password breaking the policy
	var de *storage.DuplicateError // a unique field taken (a username)
	var fe *storage.FieldError     // a malformed field of an account
	switch {
	case errors.As(err, &ae):
		return ae, true
	case errors.As(err, &ve):
		return &apiError{status: http.StatusUnprocessableEntity, name: "validation", title: "The object is invalid",
			detail: ve.Error(), errs: ve.Errors}, true
	case errors.As(err, &ye):
		return yamlProblem(ye), true
	case errors.Is(err, catalogue.ErrNotOwner):
		return &apiError{status: http.StatusForbidden, name: "not-owner", title: "Not this node's object", detail: err.Error()}, true
	case errors.Is(err, catalogue.ErrNoSuchTask):
		return fieldError(http.StatusNotFound, "not-found", "No such task", "task", "exists", "%v", err), true
	case errors.Is(err, catalogue.ErrCosignFailed):
		return fieldError(http.StatusBadGateway, "cosign-failed", "The co-producers could not be asked to sign", "coproduced_by", "reachable", "%v", err), true
	case errors.As(err, &pe):
		return fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "password", pe.Rule, "%s", pe.Message), true
	case errors.As(err, &de):
		return fieldError(http.StatusConflict, "conflict", "The value is taken", de.Field, "unique", "%s is already used", de.Field), true
	case errors.As(err, &fe):
		return fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", fe.Field, "invalid", "%s", fe.Reason), true
	case errors.As(err, &ke):
		return &apiError{status: http.StatusConflict, name: "key-exists", title: "An object with this key exists",
			detail: fmt.Sprintf("a live %s with key %q already exists at %s: update it instead", ke.Type, ke.Key, ke.IRI),
			errs:   []protocol.FieldError{{Field: protocol.KeyField(ke.Type), Rule: "unique", Message: "already used by " + ke.IRI}},
			extra:  ke.IRI}, true
	case errors.As(err, &ce):
		return &apiError{status: http.StatusConflict, name: "conflict", title: "The object changed meanwhile",
			detail: fmt.Sprintf("%s is at version %d, not %d: fetch it again and retry", ce.IRI, ce.Have, ce.Want)}, true
	case errors.Is(err, storage.ErrConflict):
		return &apiError{status: http.StatusConflict, name: "conflict", title: "The object changed meanwhile", detail: err.Error()}, true
	case errors.Is(err, storage.ErrGone):
		return &apiError{status: http.StatusGone, name: "gone", title: "The object was deleted", detail: err.Error()}, true
	case errors.Is(err, storage.ErrNotFound):
		return &apiError{status: http.StatusNotFound, name: "not-found", title: "No such object", detail: "nothing is stored under this identifier"}, true
	case errors.Is(err, storage.ErrBadCursor):
		msg := "not a cursor this node gave, or its object is gone: start again without it"
		return &apiError{status: http.StatusBadRequest, name: "bad-query", title: "Bad query", detail: "cursor: " + msg,
			errs: []protocol.FieldError{{Field: "cursor", Rule: "syntax", Message: msg}}}, true
	case errors.Is(err, storage.ErrInvalidQuery):
		return &apiError{status: http.StatusBadRequest, name: "bad-query", title: "Bad query", detail: err.Error()}, true
	case errors.Is(err, storage.ErrInvalidObject):
		return &apiError{status: http.StatusUnprocessableEntity, name: "validation", title: "The object is invalid", detail: err.Error()}, true
	case errors.Is(err, trust.ErrNotAuthority):
		return &apiError{status: http.StatusConflict, name: "not-an-authority", title: "This node does not vouch for others", detail: err.Error()}, true
	case errors.Is(err, trust.ErrNotSubordinate):
		return &apiError{status: http.StatusNotFound, name: "not-subordinate", title: "Not enrolled here", detail: err.Error()}, true
	case errors.Is(err, trust.ErrRequest):
		return &apiError{status: http.StatusUnprocessableEntity, name: "trust-request", title: "The trust request is refused", detail: err.Error()}, true
	case errors.Is(err, errKeyRing):
		return &apiError{status: http.StatusConflict, name: "key-operation", title: "The key operation is refused", detail: err.Error()}, true
	case errors.Is(err, storage.ErrClosed):
		return &apiError{status: http.StatusServiceUnavailable, name: "not-ready", title: "The node is not ready", detail: "the database is closed (restoring or shutting down): retry shortly"}, true
	}
	return &apiError{status: http.StatusInternalServerError, name: "internal", title: "Internal error",
		detail: "the node failed to handle the request; its log has the details under this request_id"}, false
}

// yamlProblem is a 400 naming the line of a YAML syntax error (the
// client's document, not a fault of the node).
func yamlProblem(e *publiccode.SyntaxError) *apiError {
	msg := e.Msg
	if e.Line > 0 {
		msg = fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fieldError(http.StatusBadRequest, "malformed-yaml", "The body is not well-formed YAML", "body", "yaml_syntax", "%s", msg)
}

// web is what every handler type shares: problem rendering (the log for
// unknown errors, the URIs that name problem types) and the request body
// cap. Handler types embed it and hold, beside it, only the services they
// call.
type web struct {
	log       *slog.Logger
	uris      protocol.URIs
	bodyLimit int64 // api.body_limit
}

// writeProblem renders err as application/problem+json.
func (h web) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	ae, known := problemFor(err)
	rid := requestID(r.Context())
	noteProblem(r.Context(), ae.name)
	if !known {
		h.log.ErrorContext(r.Context(), "request failed", "err", err, "method", r.Method, "path", r.URL.Path, "request_id", rid)
	}
	p := api.Problem{
		Type: h.uris.Problem(ae.name), Title: ae.title, Status: ae.status, Detail: ae.detail,
		Instance: r.URL.Path, RequestID: rid, Errors: ae.errs, Existing: ae.extra,
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	if ae.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="interlink"`)
	}
	w.WriteHeader(ae.status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(p)
}

// writeCached renders v (200) with an ETag of prefix and a digest of the
// bytes (an object's is its version first, so that If-Match takes it), and
// answers 304 without a body when If-None-Match names it: the stored
// verification of an object changes without a new version, so the digest,
// not the version alone, says whether a client's copy is current.
func writeCached(w http.ResponseWriter, r *http.Request, prefix string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		writeJSON(w, http.StatusOK, v) // cannot happen for the API's types; answer uncached
		return
	}
	sum := sha256.Sum256(buf.Bytes())
	tag := `"` + prefix + hex.EncodeToString(sum[:12]) + `"`
	w.Header().Set("ETag", tag)
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && etagListed(r.Header.Get("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// etagListed reports whether an If-None-Match header names tag (weak
// comparison, RFC 9110 §13.1.2) or is "*".
func etagListed(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == tag {
			return true
		}
	}
	return false
}

// writeJSON renders v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// mediaType returns the lower-cased media type of a Content-Type header.
func mediaType(h string) string {
	mt, _, _ := strings.Cut(h, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}
