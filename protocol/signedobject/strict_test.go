package signedobject

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

// payloadShape is what strictjson.Decode checks a payload against.
var payloadShape = strictjson.ShapeOf(reflect.TypeFor[Payload]())

// anyShape takes any JSON value; dupMapAt is the member count from which
// strictjson checks an object's names for duplicates with a map.
var anyShape = strictjson.Any

const dupMapAt = 16

// checkStrict checks doc against s with this package's limits.
func checkStrict(doc []byte, s *strictjson.Shape) error {
	return strictjson.Check(doc, s, strictOptions(0))
}

// TestCheckStrict holds the rules of the strict decoder on the shapes of
// this package, each on the smallest document that shows it.
func TestCheckStrict(t *testing.T) {
	nest := func(n int) string { return strings.Repeat(`[`, n) + strings.Repeat(`]`, n) }
	nestObj := func(n int) string { return strings.Repeat(`{"x":`, n) + `1` + strings.Repeat(`}`, n) }
	many := func(n int, dupAt int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			k := i
			if i == dupAt {
				k = 0
			}
			b.WriteString(`"k` + strings.Repeat("x", k) + `":1`)
		}
		return b.String() + "}"
	}
	tests := []struct {
		name  string
		doc   string
		shape *strictjson.Shape
		ok    bool
	}{
		{"object", `{"a":[1,-2.5e+3,true,false,null,"s",{}]}`, anyShape, true},
		{"space around", " \t\r\n{ \"a\" : 1 } \n", anyShape, true},
		{"empty input", ``, anyShape, false},
		{"only space", `  `, anyShape, false},
		{"two values", `{} {}`, anyShape, false},
		{"trailing comma in object", `{"a":1,}`, anyShape, false},
		{"trailing comma in array", `[1,]`, anyShape, false},
		{"missing colon", `{"a" 1}`, anyShape, false},
		{"single quotes", `{'a':1}`, anyShape, false},
		{"unquoted key", `{a:1}`, anyShape, false},
		{"leading zero", `01`, anyShape, false},
		// Every digit begins a value (a range test with '0' and '9' at
		// its ends) and continues one.
		{"each leading digit", `[0,1,2,3,4,5,6,7,8,9,-9,90,99.9,9e9,9E-9,-0.0,9e+09]`, anyShape, true},
		{"nine alone", `9`, anyShape, true},
		{"nine as a payload number", `{"iat":9,"exp":99,"ver":9}`, payloadShape, true},
		{"colon after a digit", `[9:]`, anyShape, false},
		{"slash before a digit", `[/9]`, anyShape, false},
		{"leading zero then nine", `09`, anyShape, false},
		{"dot first", `.9`, anyShape, false},
		{"two dots", `9..9`, anyShape, false},
		{"bare minus", `-`, anyShape, false},
		{"dot without digits", `1.`, anyShape, false},
		{"exponent without digits", `1e+`, anyShape, false},
		{"plus sign", `+1`, anyShape, false},
		{"NaN", `NaN`, anyShape, false},
		{"truncated literal", `tru`, anyShape, false},
		{"unterminated string", `"abc`, anyShape, false},
		{"backslash at the end", `"abc\`, anyShape, false},
		{"bad escape", `"\x41"`, anyShape, false},
		{"short unicode escape", `"\u00e"`, anyShape, false},
		{"control character", "\"a\tb\"", anyShape, false},
		{"escapes", `"\"\\\/\b\f\n\r\t\u00e8\ud83d\ude00"`, anyShape, true},
		{"multilingual UTF-8", `{"lv":"ķēniņš, ģimene, ūdens","it":"è così"}`, anyShape, true},
		{"invalid UTF-8 in a value", "{\"a\":\"\xff\"}", anyShape, false},
		{"invalid UTF-8 in a key", "{\"\xc3\":1}", anyShape, false},
		{"UTF-8 surrogate half", "\"\xed\xa0\x80\"", anyShape, false},
		{"overlong UTF-8", "\"\xc0\xaf\"", anyShape, false},
		{"UTF-8 outside strings", "{\"a\":1}\xc3\xa8", anyShape, false},
		{"duplicate key", `{"a":1,"b":2,"a":3}`, anyShape, false},
		{"duplicate key through an escape", `{"alg":1,"\u0061lg":2}`, anyShape, false},
		{"duplicate key in a nested object", `{"a":{"b":1,"b":1}}`, anyShape, false},
		{"same key in sibling objects", `[{"a":1},{"a":1}]`, anyShape, true},
		{"same key in nested objects", `{"a":{"a":{"a":1}}}`, anyShape, true},
		{"many keys", many(100, -1), anyShape, true},
		{"duplicate among many keys", many(100, 70), anyShape, false},
		{"duplicate at the map switch", many(dupMapAt+1, dupMapAt-1), anyShape, false},
		// Literals ending the input, where no byte follows their last one.
		{"true alone", `true`, anyShape, true},
		{"false alone", `false`, anyShape, true},
		{"null alone", `null`, anyShape, true},
		{"null alone as a payload", `null`, payloadShape, true},
		{"literal cut at its last byte", `nul`, anyShape, false},
		// Hex digits of a \u escape at both ends of each range.
		{"hex digits a f A F", `"\u00af\u00AF\u0fa0\u0FA0"`, anyShape, true},
		{"hex digit g", `"\u00ag"`, anyShape, false},
		{"hex digit G", `"\u00AG"`, anyShape, false},
		{"hex digit before 0", `"\u00/0"`, anyShape, false},
		{"hex digit after 9", `"\u00:0"`, anyShape, false},
		{"hex digit before a", "\"\\u00`0\"", anyShape, false},
		{"hex digit before A", `"\u00@0"`, anyShape, false},
		{"hex digits in a key", `{"\u00af\u00AF":1}`, anyShape, true},
		// Closing a container restores the depth: siblings, however many,
		// do not add up to a nesting.
		{"many sibling empty arrays", "[" + strings.Repeat(`[],`, 2*protocol.MaxJSONDepth) + "[]]", anyShape, true},
		{"many sibling arrays", "[" + strings.Repeat(`[1],`, 2*protocol.MaxJSONDepth) + "[1]]", anyShape, true},
		{"many sibling empty objects", "[" + strings.Repeat(`{},`, 2*protocol.MaxJSONDepth) + "{}]", anyShape, true},
		{"many sibling objects", "[" + strings.Repeat(`{"a":1},`, 2*protocol.MaxJSONDepth) + `{"a":1}]`, anyShape, true},
		{"depth 64 after many siblings", "[" + strings.Repeat(`[[1],{"a":{}},[],{}],`, 2*protocol.MaxJSONDepth) + nest(protocol.MaxJSONDepth-1) + "]", anyShape, true},
		{"depth 64", nest(64), anyShape, true},
		{"depth 65", nest(65), anyShape, false},
		{"object depth 64", nestObj(64), anyShape, true},
		{"object depth 65", nestObj(65), anyShape, false},
		{"payload fields", `{"iss":"a","sub":"b","iat":1,"exp":2,"jti":"j","ver":1,"prev":"p","type":"t","cosigners":["a"],"body":{"any":[1]}}`, payloadShape, true},
		{"payload nulls", `{"iss":null,"cosigners":[null],"body":null}`, payloadShape, true},
		{"payload field in another case", `{"ISS":"a"}`, payloadShape, false},
		{"payload field through an escape", `{"\u0069ss":"a"}`, payloadShape, true},
		{"unknown payload field", `{"iss":"a","admin":true}`, payloadShape, false},
		{"payload number as string", `{"iat":"1"}`, payloadShape, false},
		{"payload string as number", `{"iss":1}`, payloadShape, false},
		{"cosigners as string", `{"cosigners":"a"}`, payloadShape, false},
		{"cosigner as object", `{"cosigners":[{}]}`, payloadShape, false},
		{"payload as array", `[]`, payloadShape, false},
		{"header with any members", `{"Alg":1,"x":{"y":[true]}}`, headerShape, true},
		{"header as string", `"x"`, headerShape, false},
		{"flattened envelope", `{"payload":"e30","protected":"e30","signature":"AA"}`, envelopeShape, false},
		{"envelope member in another case", `{"Payload":"e30","signatures":[]}`, envelopeShape, false},
		{"signature member in another case", `{"payload":"e30","signatures":[{"Signature":""}]}`, envelopeShape, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkStrict([]byte(tc.doc), tc.shape)
			if (err == nil) != tc.ok {
				t.Fatalf("checkStrict(%q) = %v, want ok %v", tc.doc, err, tc.ok)
			}
			// protocol.DecodeStrict agrees.
			var v any
			switch tc.shape {
			case payloadShape:
				v = new(Payload)
			case headerShape:
				v = new(map[string]json.RawMessage)
			case envelopeShape:
				v = new(rawEnvelope)
			default:
				v = new(json.RawMessage)
			}
			if perr := protocol.DecodeStrict([]byte(tc.doc), v); (perr == nil) != tc.ok {
				t.Errorf("protocol.DecodeStrict = %v, want ok %v", perr, tc.ok)
			}
		})
	}
}

// TestVerifyRefusesCaseVariants: encoding/json matches member names case
// insensitively; the strict decoder must not.
func TestVerifyRefusesCaseVariants(t *testing.T) {
	a := newParty(t, entA)
	dir := newDirectory(a)
	raw := mustJSON(t, payloadFor(entA))
	good := string(craft(t, raw, rawSigSpec{protected: hdr(a), key: a.Key}))
	if _, err := Verify([]byte(good), dir.resolve, t0, Options{}); err != nil {
		t.Fatalf("control document refused: %v", err)
	}
	tests := []struct {
		name string
		jws  []byte
		want error
	}{
		{"Payload", []byte(strings.Replace(good, `"payload"`, `"Payload"`, 1)), ErrMalformed},
		{"SIGNATURES", []byte(strings.Replace(good, `"signatures"`, `"SIGNATURES"`, 1)), ErrMalformed},
		{"Protected", []byte(strings.Replace(good, `"protected"`, `"Protected"`, 1)), ErrMalformed},
		{"Signature", []byte(strings.Replace(good, `"signature"`, `"Signature"`, 1)), ErrMalformed},
		{"payload twice", []byte(strings.Replace(good, `"payload"`, `"payload":"e30","payload"`, 1)), ErrMalformed},
		{"payload twice through an escape", []byte(strings.Replace(good, `"payload"`, `"payload":"e30","p\u0061yload"`, 1)), ErrMalformed},
		{"Alg in the protected header", craft(t, raw, rawSigSpec{protected: strings.Replace(hdr(a), `"alg"`, `"Alg"`, 1), key: a.Key}), ErrAlgorithm},
		{"Alg beside alg", craft(t, raw, rawSigSpec{protected: strings.Replace(hdr(a), `{`, `{"Alg":"none",`, 1), key: a.Key}), ErrHeader},
		{"alg twice", craft(t, raw, rawSigSpec{protected: strings.Replace(hdr(a), `{`, `{"alg":"none",`, 1), key: a.Key}), ErrMalformed},
		{"Kid unprotected", craft(t, raw, rawSigSpec{protected: hdr(a), header: `{"Kid":"x","kid":"y"}`, key: a.Key}), ErrHeader},
		{"header member twice", craft(t, raw, rawSigSpec{protected: hdr(a), header: `{"x":1,"x":2}`, key: a.Key}), ErrMalformed},
		{"ISS in the payload", craft(t, []byte(strings.Replace(string(raw), `"iss"`, `"ISS"`, 1)), rawSigSpec{protected: hdr(a), key: a.Key}), ErrMalformed},
		{"Body in the payload", craft(t, []byte(strings.Replace(string(raw), `"body"`, `"Body"`, 1)), rawSigSpec{protected: hdr(a), key: a.Key}), ErrMalformed},
		{"sub twice in the payload", craft(t, []byte(strings.Replace(string(raw), `"sub"`, `"sub":"`+entA+`/objects/X","sub"`, 1)), rawSigSpec{protected: hdr(a), key: a.Key}), ErrMalformed},
		{"invalid UTF-8 in the body", craft(t, []byte(strings.Replace(string(raw), "Waste", "W\xffste", 1)), rawSigSpec{protected: hdr(a), key: a.Key}), ErrMalformed},
		{"body nested too deeply", craft(t, []byte(strings.Replace(string(raw), `"body":{`, `"body":{"d":`+strings.Repeat("[", 64)+strings.Repeat("]", 64)+`,`, 1)), rawSigSpec{protected: hdr(a), key: a.Key}), ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Verify(tc.jws, dir.resolve, t0, Options{})
			if v != nil || !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, %v; want %v", v, err, tc.want)
			}
			if got := reasons(err); len(got) != 1 {
				t.Errorf("error %q wraps %d reasons %v", err, len(got), got)
			}
		})
	}
}

// FuzzStrictDecode holds the decoders of the verify path to
// protocol.DecodeStrict (which decodes with encoding/json): for the
// envelope, a JOSE header and the payload, both accept the same documents
// and decode them to the same values.
func FuzzStrictDecode(f *testing.F) {
	a := newParty(f, entA)
	raw := mustJSON(f, payloadFor(entA))
	f.Add(mustSign(f, payloadFor(entA), a))
	f.Add(raw)
	f.Add([]byte(hdr(a)))
	f.Add(craft(f, raw, rawSigSpec{protected: hdr(a), header: `{"x":{"y":[1,"\u00e8"]}}`, key: a.Key}))
	f.Add([]byte(`{"payload":null,"signatures":[null,{"protected":"\u0041"}]}`))
	f.Add([]byte(`{"iss":"a","iat":1e3,"ver":-1,"cosigners":[null],"body":{"a":1,"\u0061":2}}`))
	// Documents cut short, ending in every state of the scanner.
	for _, doc := range [][]byte{mustSign(f, payloadFor(entA), a), raw, []byte(hdr(a)),
		[]byte(`{"a":[1,-2.5e+3,true,false,null,"s\u00e8",{"b":{}}],"c":[]}`)} {
		for _, cut := range truncatedSeeds(doc) {
			f.Add(cut)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var env, wantEnv rawEnvelope
		err := decodeEnvelope(data, &env, DefaultMaxBytes)
		werr := protocol.DecodeStrict(data, &wantEnv)
		if (err == nil) != (werr == nil) {
			t.Fatalf("envelope: decodeEnvelope %v, protocol.DecodeStrict %v", err, werr)
		}
		if err == nil && !reflect.DeepEqual(env, wantEnv) {
			t.Fatalf("envelope: decoded %#v, protocol.DecodeStrict %#v", env, wantEnv)
		}
		var wantHdr map[string]json.RawMessage
		hdr, err := decodeHeader(data)
		werr = protocol.DecodeStrict(data, &wantHdr)
		if (err == nil) != (werr == nil) {
			t.Fatalf("header: decodeHeader %v, protocol.DecodeStrict %v", err, werr)
		}
		if err == nil && !reflect.DeepEqual(hdr, wantHdr) {
			t.Fatalf("header: decoded %#v, protocol.DecodeStrict %#v", hdr, wantHdr)
		}
		var p, wantP Payload
		err = strictjson.Decode(data, &p, strictOptions(0))
		werr = protocol.DecodeStrict(data, &wantP)
		if (err == nil) != (werr == nil) {
			t.Fatalf("payload: strictjson.Decode %v, protocol.DecodeStrict %v", err, werr)
		}
		if err == nil && !reflect.DeepEqual(p, wantP) {
			t.Fatalf("payload: decoded %#v, protocol.DecodeStrict %#v", p, wantP)
		}
	})
}
