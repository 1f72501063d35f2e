package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"
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

// decodeRequest reads a JSON request body into v, refusing unknown fields.
func (h web) decodeRequest(w http.ResponseWriter, r *http.Request, v any) error {
	raw, err := h.readJSON(w, r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "", "type", "%v", err)
	}
	return nil
}

// readBody reads at most limit bytes of the request body.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
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

// checkJSON refuses invalid UTF-8 and malformed JSON with the byte offset.
func checkJSON(raw []byte) error {
	if len(raw) == 0 {
		return errorf(http.StatusBadRequest, "malformed-json", "The body is not JSON", "the request body is empty: send a JSON object")
	}
	if !utf8.Valid(raw) {
		off := 0
		for off < len(raw) {
			r, size := utf8.DecodeRune(raw[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return errorf(http.StatusBadRequest, "invalid-utf8", "The body is not valid UTF-8",
			"invalid UTF-8 at byte offset %d: text must be UTF-8", off)
	}
	if !json.Valid(raw) {
		var v any
		err := json.Unmarshal(raw, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return errorf(http.StatusBadRequest, "malformed-json", "The body is not JSON", "syntax error at byte offset %d: %v", se.Offset, se)
		}
		return errorf(http.StatusBadRequest, "malformed-json", "The body is not JSON", "%v", fmt.Sprint(err))
	}
	return nil
}
