package entity

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// utf8Boundaries holds both sides of every boundary of UTF-8 decoding
// (RFC 3629), as signedobject's test of its own strict decoder: a sequence let
// through would reach json.Unmarshal, which turns it into U+FFFD, and the
// claims read would no longer be the claims signed.
var utf8Boundaries = []struct {
	name  string
	seq   string
	valid bool
}{
	{"U+007F (last ASCII)", "\x7f", true},
	{"U+0080 (first two-byte)", "\xc2\x80", true},
	{"U+07FF (last two-byte)", "\xdf\xbf", true},
	{"U+0800 (first three-byte)", "\xe0\xa0\x80", true},
	{"U+D7FF (before the surrogates)", "\xed\x9f\xbf", true},
	{"U+E000 (after the surrogates)", "\xee\x80\x80", true},
	{"U+FFFF (last three-byte)", "\xef\xbf\xbf", true},
	{"U+10000 (first four-byte)", "\xf0\x90\x80\x80", true},
	{"U+10FFFF (last code point)", "\xf4\x8f\xbf\xbf", true},

	{"lone 0x80", "\x80", false},
	{"lone 0xBF", "\xbf", false},
	{"0x80 after a valid rune", "\xc3\xa8\x80", false},
	{"0xC0 0x80 (overlong NUL)", "\xc0\x80", false},
	{"0xC1 0xBF (overlong U+007F)", "\xc1\xbf", false},
	{"0xE0 0x80 0x80 (overlong three-byte)", "\xe0\x80\x80", false},
	{"0xED 0xA0 0x80 (surrogate U+D800)", "\xed\xa0\x80", false},
	{"0xED 0xBF 0xBF (surrogate U+DFFF)", "\xed\xbf\xbf", false},
	{"0xF0 0x80 0x80 0x80 (overlong four-byte)", "\xf0\x80\x80\x80", false},
	{"0xF4 0x90 0x80 0x80 (U+110000)", "\xf4\x90\x80\x80", false},
	{"0xF5 lead byte", "\xf5\x80\x80\x80", false},
	{"0xF8 five-byte lead", "\xf8\x88\x80\x80\x80", false},
	{"0xFF", "\xff", false},
	{"two-byte lead at the end of the string", "\xc3", false},
	{"three-byte sequence cut after two bytes", "\xe2\x82", false},
	{"four-byte sequence cut after three bytes", "\xf0\x9f\x98", false},
	{"lead byte followed by ASCII", "\xc3A", false},
}

// TestParseRefusesInvalidUTF8 signs statements and lists that carry each
// boundary sequence in a member name and in a value of the claims (at the
// top and nested, in members the package reads and in members it ignores)
// and of the protected header: an invalid one is always ErrMalformed, a
// valid one is read as any other text.
func TestParseRefusesInvalidUTF8(t *testing.T) {
	key := testKey("leaf")
	for _, c := range utf8Boundaries {
		if utf8.ValidString(c.seq) != c.valid {
			t.Fatalf("%s: valid %v, utf8.ValidString says otherwise", c.name, c.valid)
		}
	}
	claims := string(mustJSON(t, config(t, key)))
	list := string(mustJSON(t, List{Iss: anchorIT, Iat: t0.Unix(), Exp: t0.Add(time.Hour).Unix(),
		Revoked: []Revocation{{Sub: leafRE, RevokedAt: t0.Unix(), Reason: "compromised"}}}))
	inClaims := func(old, new string) func(string) []byte {
		return func(seq string) []byte {
			return craft(stdHeader(key, Type), []byte(strings.Replace(claims, old, strings.ReplaceAll(new, "SEQ", seq), 1)), key)
		}
	}
	inHeader := func(old, new string) func(string) []byte {
		return func(seq string) []byte {
			return craft(strings.Replace(stdHeader(key, Type), old, strings.ReplaceAll(new, "SEQ", seq), 1), []byte(claims), key)
		}
	}
	places := []struct {
		name      string
		raw       func(seq string) []byte
		list      bool
		validWant error // the reason for a valid sequence (nil: accepted)
	}{
		{"organization name", inClaims(`"Comune`, `"SEQComune`), false, nil},
		{"unknown claim name", inClaims(`{"iss":`, `{"SEQ":1,"iss":`), false, nil},
		{"unknown claim value", inClaims(`{"iss":`, `{"x":"SEQ","iss":`), false, nil},
		{"name in ignored metadata", inClaims(`"metadata":{`, `"metadata":{"other":{"SEQ":[1]},`), false, nil},
		{"iss", inClaims(`"iss":"https://`, `"iss":"https://SEQ`), false, ErrInvalidClaims},
		{"header value", inHeader(`"typ":"`, `"x":"SEQ","typ":"`), false, ErrHeader},
		{"header name", inHeader(`"typ":`, `"SEQ":1,"typ":`), false, ErrHeader},
		{"typ", inHeader(`"typ":"`, `"typ":"SEQ`), false, ErrType},
		{"denylist reason", func(seq string) []byte {
			return craft(stdHeader(key, ListType), []byte(strings.Replace(list, `"compromised`, `"`+seq+`compromised`, 1)), key)
		}, true, nil},
		{"denylist member name", func(seq string) []byte {
			return craft(stdHeader(key, ListType), []byte(strings.Replace(list, `{"iss":`, `{"`+seq+`":1,"iss":`, 1)), key)
		}, true, nil},
	}
	for _, pl := range places {
		for _, c := range utf8Boundaries {
			t.Run(pl.name+"/"+c.name, func(t *testing.T) {
				want := ErrMalformed
				if c.valid {
					want = pl.validWant
				}
				var err error
				if pl.list {
					_, err = ParseList(pl.raw(c.seq))
				} else {
					_, err = Parse(pl.raw(c.seq))
				}
				wantReason(t, err, want)
			})
		}
	}
}
