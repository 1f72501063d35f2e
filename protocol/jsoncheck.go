package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

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
	if errs := strictjson.DecodeAll(raw, v, strictOptions); len(errs) > 0 {
		return addJSONErrors(&ValidationError{}, errs)
	}
	return nil
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

// addJSONErrors adds the failures errs (strictjson.CheckAll's or
// DecodeAll's) to ve and returns ve; or the malformed-JSON error when the
// first is fatal; or, for a value a type's own decoding refused (not a
// JSON type error), that error.
func addJSONErrors(ve *ValidationError, errs []*strictjson.Error) error {
	for _, e := range errs {
		rule, ok := jsonRules[e.Rule]
		if !ok {
			return fmt.Errorf("protocol: decode JSON: %w: %w", ErrMalformedJSON, e)
		}
		var te *json.UnmarshalTypeError
		if cause := e.Unwrap(); cause != nil && !errors.As(cause, &te) {
			return fmt.Errorf("protocol: decode JSON: %w", cause)
		}
		ve.Add(e.Path, rule, "%s", e.Detail)
	}
	return ve
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
