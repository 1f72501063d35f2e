package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

// MaxJSONDepth is how deeply objects and arrays may nest in a document the
// strict decoder accepts.
const MaxJSONDepth = strictjson.DefaultMaxDepth

// RootField is the Field of a failure that concerns the whole document.
const RootField = strictjson.Root

// ErrMalformedJSON is wrapped by the errors DecodeStrict and DecodeEntity
// return for input that is not one JSON value (beside the
// *strictjson.Error that says where, which wraps io.ErrUnexpectedEOF when
// the input ends inside a value).
var ErrMalformedJSON = errors.New("malformed JSON")

// strictOptions are protocol's limits for strictjson: nesting at most
// MaxJSONDepth; no size cap (the callers cap what they read).
var strictOptions = strictjson.Options{MaxDepth: MaxJSONDepth}

// DecodeStrict decodes the JSON document raw into v (a pointer) and refuses
// what encoding/json lets through (strictjson.CheckAll checks it against
// v's type first). It returns:
//   - an error wrapping ErrMalformedJSON when raw is not one JSON value;
//   - a *ValidationError naming every failure with its JSON path: invalid
//     UTF-8 ("utf8"), a key repeated in one object ("duplicate_key"), objects
//     or arrays nested deeper than MaxJSONDepth ("depth"), a member the
//     target type does not have — names match exactly, not case-insensitively
//     ("unknown_field"), and a value of the wrong JSON type or out of range
//     for its field ("type");
//   - nil when v holds the document.
//
// null is accepted for any field and leaves it unset, as in encoding/json
// (a json.RawMessage field keeps the literal null). DecodeStrict does not
// validate the decoded value.
func DecodeStrict(raw []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("protocol: decode strict: target is %T, not a non-nil pointer", v)
	}
	ve := &ValidationError{}
	if errs := strictjson.CheckAll(raw, strictjson.ShapeOf(rv.Type().Elem()), strictOptions); len(errs) > 0 {
		return addJSONErrors(ve, errs)
	}
	return decodeChecked(raw, v, ve)
}

// JSONError turns a failure of the strict decoder (strictjson.Check's
// error) into the error protocol's decoders return, for the parsers that
// check with strictjson directly: for a document that is not JSON (syntax,
// trailing data) an error wrapping ErrMalformedJSON and the
// *strictjson.Error; else a *ValidationError naming the failure's field and
// rule, as DecodeStrict names them. Any other error is returned as it is.
func JSONError(err error) error {
	var e *strictjson.Error
	if !errors.As(err, &e) {
		return err
	}
	if _, ok := jsonRules[e.Rule]; !ok {
		return fmt.Errorf("%w: %w", ErrMalformedJSON, e)
	}
	return addJSONErrors(&ValidationError{}, []*strictjson.Error{e})
}

// jsonRules names strictjson's rules as field failures.
var jsonRules = map[strictjson.Rule]string{
	strictjson.InvalidUTF8:   "utf8",
	strictjson.DuplicateKey:  "duplicate_key",
	strictjson.TooDeep:       "depth",
	strictjson.TooLarge:      "max_length",
	strictjson.UnknownMember: "unknown_field",
	strictjson.WrongType:     "type",
}

// addJSONErrors adds the failures errs (strictjson.CheckAll's) to ve and
// returns ve, or the malformed-JSON error when the first is fatal.
func addJSONErrors(ve *ValidationError, errs []*strictjson.Error) error {
	for _, e := range errs {
		rule, ok := jsonRules[e.Rule]
		if !ok {
			return fmt.Errorf("protocol: decode JSON: %w: %w", ErrMalformedJSON, e)
		}
		ve.Add(e.Path, rule, "%s", e.Detail)
	}
	return ve
}

// decodeChecked finishes a decoding once raw passed the checks against v's
// type.
func decodeChecked(raw []byte, v any, ve *ValidationError) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		// The checks should have caught everything encoding/json
		// refuses but a type's own decoding; map what is left all the same.
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				field = RootField
			}
			ve.Add(field, "type", "must not be a JSON %s", te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name, uerr := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
			if uerr != nil {
				name = RootField
			}
			ve.Add(name, "unknown_field", "is not a field of this type")
		default:
			return fmt.Errorf("protocol: decode JSON: %w", err)
		}
		return ve
	}
	return nil
}

// jsonTypeAt names the JSON type of the value that starts with the byte c.
func jsonTypeAt(c byte) string {
	switch c {
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case '[':
		return "array"
	case '{':
		return "object"
	case 'n':
		return "null"
	}
	return "number"
}
