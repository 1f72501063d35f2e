package search

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// cursorVersion is bumped when the cursor format changes; older cursors
// are rejected as invalid.
const cursorVersion = 1

// maxCursorBytes bounds the encoded cursor a client may send.
const maxCursorBytes = 2048

// cursor is the opaque page token: the stage of the query, the sort values
// of the last hit of the previous page (bleve SearchAfter), and a hash of
// the query it belongs to.
type cursor struct {
	Version int      `json:"v"`
	Stage   int      `json:"s"`
	Hash    string   `json:"h"`
	After   []string `json:"a"`
	// Fuzzy holds, in the fuzzy and relaxed stages, the edit distance of
	// each query word the index does not know, -1 for the words it knows.
	Fuzzy []int `json:"f,omitempty"`
}

func (c cursor) encode() string {
	raw, err := json.Marshal(c)
	if err != nil {
		// A struct of ints and strings always marshals.
		panic("search: marshal cursor: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

// decodeCursor parses a client-supplied cursor; every error wraps ErrInvalidQuery.
func decodeCursor(s string) (cursor, error) {
	if len(s) > maxCursorBytes {
		return cursor{}, invalid("cursor", "syntax", "cursor is %d bytes long, the maximum is %d", len(s), maxCursorBytes)
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, invalid("cursor", "syntax", "cursor is not base64url: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var c cursor
	if err := dec.Decode(&c); err != nil {
		return cursor{}, invalid("cursor", "syntax", "cursor is not valid: %v", err)
	}
	if dec.More() {
		return cursor{}, invalid("cursor", "syntax", "cursor has trailing data")
	}
	if c.Version != cursorVersion {
		return cursor{}, invalid("cursor", "syntax", "cursor version %d is not supported", c.Version)
	}
	if len(c.After) != 2 {
		return cursor{}, invalid("cursor", "syntax", "cursor holds %d sort values, want 2", len(c.After))
	}
	for _, v := range c.After {
		if !utf8.ValidString(v) {
			return cursor{}, invalid("cursor", "syntax", "cursor sort value is not valid UTF-8")
		}
	}
	if c.After[1] == "" {
		return cursor{}, invalid("cursor", "syntax", "cursor lacks the last document id")
	}
	if len(c.Fuzzy) > maxWords {
		return cursor{}, invalid("cursor", "syntax", "cursor holds %d edit distances", len(c.Fuzzy))
	}
	for _, f := range c.Fuzzy {
		if f < -1 || f > 2 {
			return cursor{}, invalid("cursor", "syntax", "cursor edit distance %d is out of range", f)
		}
	}
	switch c.Stage {
	case stageAll:
	case stageExact, stageFuzzy, stageRelaxed:
		f, err := strconv.ParseFloat(c.After[0], 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return cursor{}, invalid("cursor", "syntax", "cursor score %q is not a finite number", c.After[0])
		}
	default:
		return cursor{}, invalid("cursor", "syntax", "cursor stage %d is unknown", c.Stage)
	}
	return c, nil
}

func formatScore(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
