package node

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

// readJSONBody reads a JSON request body of at most limit bytes and checks
// that it is UTF-8 and well-formed JSON. Errors are problems naming the rule.
func readJSONBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	switch mt := mediaType(r.Header.Get("Content-Type")); mt {
	case "application/json", "application/ld+json", "application/activity+json", "":
	default:
		return nil, errorf(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
			"Content-Type %q is not accepted here: send application/json", mt)
	}
	raw, err := readBody(w, r, limit)
	if err != nil {
		return nil, err
	}
	if err := checkJSON(raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// readJSON reads a JSON request body within api.body_limit (readJSONBody).
func (h web) readJSON(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return readJSONBody(w, r, h.bodyLimit)
}

// decodeRequest reads a JSON request body into v with the strict decoder
// (protocol.DecodeStrict): unknown members and values of the wrong type
// are a validation problem naming each field.
func (h web) decodeRequest(w http.ResponseWriter, r *http.Request, v any) error {
	raw, err := h.readJSON(w, r)
	if err != nil {
		return err
	}
	return protocol.DecodeStrict(raw, v)
}

// readBody reads at most limit bytes of the request body.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	// A compressed body would be read as garbage and refused for what it
	// does not say (RFC 9110 §8.4.1: 415 for a coding the server does not
	// take). Nothing the node takes is sent compressed.
	if ce := r.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(strings.TrimSpace(ce), "identity") {
		return nil, errorf(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported content coding",
			"the body is sent with Content-Encoding %q: send it uncompressed (no Content-Encoding)", ce)
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, errorf(http.StatusRequestEntityTooLarge, "body-too-large", "The request body is too large",
			"the body exceeds the limit of %d bytes (setting api.body_limit)", limit)
	}
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "malformed-body", "The request body could not be read", "%v", err)
	}
	return raw, nil
}

// checkJSON checks a body with the strict decoder before anything reads
// it: not JSON is malformed-json and invalid UTF-8 is invalid-utf8, with
// the byte offset; a member named twice or nesting too deep is a
// validation problem naming the place (a body that two readers could read
// differently is refused wherever it goes next).
func checkJSON(raw []byte) error {
	if len(raw) == 0 {
		return errorf(http.StatusBadRequest, "malformed-json", "The body is not JSON", "the request body is empty: send a JSON object")
	}
	err := strictjson.Check(raw, strictjson.Any, strictjson.Options{})
	var e *strictjson.Error
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &e):
		return err
	case e.Rule == strictjson.InvalidUTF8:
		return errorf(http.StatusBadRequest, "invalid-utf8", "The body is not valid UTF-8",
			"invalid UTF-8 at byte offset %d: text must be UTF-8", e.Offset)
	case e.Rule.Fatal():
		return errorf(http.StatusBadRequest, "malformed-json", "The body is not JSON", "syntax error at byte offset %d: %s", e.Offset, e.Detail)
	}
	return protocol.JSONError(err)
}
