package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

func nest(n int) string { return strings.Repeat(`[`, n) + strings.Repeat(`]`, n) }

// TestCheckRules holds each rule on the smallest documents that show it:
// the rule broken and the path named.
func TestCheckRules(t *testing.T) {
	type inner struct {
		B string `json:"b"`
	}
	type target struct {
		A  int64             `json:"a"`
		U  uint8             `json:"u"`
		F  float32           `json:"f"`
		S  string            `json:"s"`
		L  []inner           `json:"l"`
		M  map[string]bool   `json:"m"`
		R  json.RawMessage   `json:"r"`
		X  any               `json:"x"`
		P  *inner            `json:"p"`
		Ar [2]int            `json:"ar"`
		By []byte            `json:"by"`
		H  map[string]string `json:"h"`
	}
	tshape := ShapeOf(reflect.TypeFor[target]())
	tests := []struct {
		name  string
		doc   string
		shape *Shape
		rule  Rule // 0: accepted
		path  string
	}{
		{"object", `{"a":[1,-2.5e+3,true,false,null,"s",{}]}`, Any, 0, ""},
		{"empty", ``, Any, Syntax, "$"},
		{"two values", `{} {}`, Any, TrailingData, "$"},
		{"trailing comma", `{"a":1,}`, Any, Syntax, "a"},
		{"control character", "[\"a\tb\"]", Any, Syntax, "$[0]"},
		{"invalid UTF-8 in a value", "{\"a\":{\"b\":\"\xff\"}}", Any, InvalidUTF8, "a.b"},
		{"invalid UTF-8 in a key", "{\"a\":{\"\xff\":1}}", Any, InvalidUTF8, "a[\"\ufffd\"]"},
		{"invalid UTF-8 in an element", "[1,\"\xc3\"]", Any, InvalidUTF8, "$[1]"},
		{"UTF-8 outside strings", "{}\xc3\xa8", Any, TrailingData, "$"},
		{"a lone high surrogate escape", `{"t":"x\ud800y"}`, Any, InvalidUTF8, "t"},
		{"a lone low surrogate escape", `["\udc00"]`, Any, InvalidUTF8, "$[0]"},
		{"a high surrogate escape at the end", `["\ud83d"]`, Any, InvalidUTF8, "$[0]"},
		{"two high surrogate escapes", `["\ud83d\ud83d"]`, Any, InvalidUTF8, "$[0]"},
		{"a surrogate pair", `["\ud83d\ude00 \u00e8"]`, Any, 0, ""},
		{"an escaped backslash before u", `["\\ud800"]`, Any, 0, ""},
		{"duplicate key", `{"a":1,"b":{"c":1,"c":2}}`, Any, DuplicateKey, "b.c"},
		{"duplicate key through an escape", `{"alg":1,"\u0061lg":2}`, Any, DuplicateKey, "alg"},
		{"duplicate field", `{"s":"x","s":"y"}`, tshape, DuplicateKey, "s"},
		{"duplicate key with a space", `{"a b":1,"a b":2}`, Any, DuplicateKey, `["a b"]`},
		{"depth 64", nest(64), Any, 0, ""},
		{"depth 65", nest(65), Any, TooDeep, "$" + strings.Repeat("[0]", 64)},
		{"unknown member", `{"s":"x","S":"y"}`, tshape, UnknownMember, "S"},
		{"unknown nested member", `{"l":[{"b":"x"},{"c":1}]}`, tshape, UnknownMember, "l[1].c"},
		{"string for an int", `{"a":"1"}`, tshape, WrongType, "a"},
		{"float for an int", `{"a":1.0}`, tshape, WrongType, "a"},
		{"int out of range", `{"a":9223372036854775808}`, tshape, WrongType, "a"},
		{"int at its range", `{"a":-9223372036854775808}`, tshape, 0, ""},
		{"negative uint", `{"u":-1}`, tshape, WrongType, "u"},
		{"uint8 out of range", `{"u":256}`, tshape, WrongType, "u"},
		{"uint8 at its range", `{"u":255}`, tshape, 0, ""},
		{"float32 out of range", `{"f":1e39}`, tshape, WrongType, "f"},
		{"float32", `{"f":-1.5e38}`, tshape, 0, ""},
		{"map value", `{"m":{"x":true,"y":1}}`, tshape, WrongType, "m.y"},
		{"raw and interface take anything", `{"r":{"Z":[1,{"q":null}]},"x":[{"any":1}]}`, tshape, 0, ""},
		{"pointer", `{"p":{"b":"x"}}`, tshape, 0, ""},
		{"pointer member", `{"p":{"B":"x"}}`, tshape, UnknownMember, "p.B"},
		{"array too long", `{"ar":[1,2,3]}`, tshape, WrongType, "ar"},
		{"bytes as a string", `{"by":"AAEC"}`, tshape, 0, ""},
		{"bytes as an array", `{"by":[0,1]}`, tshape, WrongType, "by"},
		{"nulls everywhere", `{"a":null,"l":[null],"m":{"x":null},"p":null,"ar":[null]}`, tshape, 0, ""},
		{"null document", `null`, tshape, 0, ""},
		{"array document", `[]`, tshape, WrongType, "$"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check([]byte(tc.doc), tc.shape, Options{})
			if tc.rule == 0 {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tc.doc, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Check(%q) = %v, want a %s error", tc.doc, err, tc.rule)
			}
			if e.Rule != tc.rule || e.Path != tc.path {
				t.Fatalf("Check(%q) = %v, want %s at %s", tc.doc, err, tc.rule, tc.path)
			}
		})
	}
}

// TestCheckErrors: an error names what is wrong and where, so that a
// refused document can be diagnosed from the log alone.
func TestCheckErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"bad escape names its letter", `"ab\x41"`, `$: invalid escape 'x' in a string (syntax, offset 3)`},
		{"bad escape after an escape", `"\n\q"`, `$: invalid escape 'q' in a string (syntax, offset 3)`},
		{"short unicode escape", `"\u00e"`, `$: invalid \u escape in a string (syntax, offset 1)`},
		{"unicode escape cut after 3 digits", `"\u00e`, `$: invalid \u escape in a string (syntax, offset 1)`},
		{"input ends right after a unicode escape", `"\u00e8`, `$: unexpected end of JSON input in a string (syntax, offset 7)`},
		{"input ends after a backslash", `"\`, `$: unexpected end of JSON input in a string (syntax, offset 2)`},
		{"literal cut short", `[nul`, `$[0]: invalid literal, want null (syntax, offset 1)`},
		{"duplicate key", `{"a":1,"a":2}`, `a: appears more than once in the object (duplicate-key, offset 7)`},
		{"too deep", nest(DefaultMaxDepth + 1), fmt.Sprintf("$%s: nests deeper than %d levels (too-deep, offset %d)", strings.Repeat("[0]", DefaultMaxDepth), DefaultMaxDepth, DefaultMaxDepth)},
		{"invalid UTF-8", "{\"k\":\"ab\xffc\"}", `k: holds invalid UTF-8 (invalid-utf8, offset 8)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check([]byte(tc.doc), Any, Options{})
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Check(%q) = %v, want %q", tc.doc, err, tc.want)
			}
		})
	}
}

// TestLimits: the size cap and the depth are the caller's.
func TestLimits(t *testing.T) {
	var e *Error
	if err := Check([]byte(`[1,2,3]`), Any, Options{MaxBytes: 6}); !errors.As(err, &e) || e.Rule != TooLarge {
		t.Fatalf("7 bytes, cap 6: %v", err)
	}
	if err := Check([]byte(`[1,2,3]`), Any, Options{MaxBytes: 7}); err != nil {
		t.Fatalf("7 bytes, cap 7: %v", err)
	}
	if err := Check([]byte(nest(3)), Any, Options{MaxDepth: 2}); !errors.As(err, &e) || e.Rule != TooDeep || e.Path != "$[0][0]" {
		t.Fatalf("depth 3, limit 2: %v", err)
	}
	if err := Check([]byte(nest(2)), Any, Options{MaxDepth: 2}); err != nil {
		t.Fatalf("depth 2, limit 2: %v", err)
	}
	// Input that ends inside a value wraps io.ErrUnexpectedEOF.
	if err := Check([]byte(`{"a":[1,`), Any, Options{}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated: %v", err)
	}
	if err := Check([]byte(`{"a":[1,}`), Any, Options{}); err == nil || errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("a syntax error that is not the end: %v", err)
	}
}

// TestCheckAll: every failure, byte rules before shape rules, shape rules
// in name order.
func TestCheckAll(t *testing.T) {
	type inner struct {
		B string `json:"b"`
	}
	type target struct {
		A  int     `json:"a"`
		C  []int   `json:"c"`
		I  inner   `json:"i"`
		Is []inner `json:"is"`
	}
	s := ShapeOf(reflect.TypeFor[target]())
	tests := []struct {
		name, doc string
		want      []string // rule at path
	}{
		{"ok", `{"a":1}`, nil},
		{"shape rules sorted", `{"is":[{"b":1},{"z":1}],"c":[1,"x"],"a":"1","B":2,"i":{"b":true}}`,
			[]string{"unknown-member at B", "wrong-type at a", "wrong-type at c[1]", "wrong-type at i.b", "wrong-type at is[0].b", "unknown-member at is[1].z"}},
		{"byte rules first, in document order", "{\"a\":\"x\",\"z\":\"\xff\",\"a\":1,\"c\":[\"\xff\"]}",
			[]string{"invalid-utf8 at z", "duplicate-key at a", "invalid-utf8 at c[0]"}},
		{"invalid UTF-8 once per path", "{\"\xff\":\"\xfe\"}", []string{"invalid-utf8 at [\"\ufffd\"]"}},
		{"names compared as encoding/json reads them", "{\"\xff\":1,\"\xfe\":2}",
			[]string{"invalid-utf8 at [\"\ufffd\"]", "duplicate-key at [\"\ufffd\"]"}},
		{"too deep ends the list", `{"a":"x","a":1,"c":` + nest(70) + `,"a":2}`,
			[]string{"duplicate-key at a", "too-deep at c" + strings.Repeat("[0]", 63)}},
		{"syntax alone", `{"a":"x","a":1,"c":[1,}`, []string{"syntax at c[1]"}},
		{"trailing data alone", `{"a":"x","a":1} 1`, []string{"trailing-data at $"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, e := range CheckAll([]byte(tc.doc), s, Options{}) {
				got = append(got, e.Rule.String()+" at "+e.Path)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("CheckAll(%q) =\n%q\nwant\n%q", tc.doc, got, tc.want)
			}
		})
	}
}

// TestDecode decodes as encoding/json does, with exact names.
func TestDecode(t *testing.T) {
	type claims struct {
		Iss  string   `json:"iss"`
		Exp  int64    `json:"exp"`
		Keys []string `json:"keys"`
	}
	var c claims
	if err := Decode([]byte(`{"iss":"a","exp":7,"keys":["k"]}`), &c, Options{}); err != nil || c.Iss != "a" || c.Exp != 7 || len(c.Keys) != 1 {
		t.Fatalf("Decode = %v, %+v", err, c)
	}
	// A member named in another case is refused, or skipped with
	// IgnoreUnknown: never decoded into the field it folds to.
	var e *Error
	if err := Decode([]byte(`{"iss":"a","ISS":"b"}`), &c, Options{}); !errors.As(err, &e) || e.Rule != UnknownMember {
		t.Fatalf("ISS beside iss: %v", err)
	}
	c = claims{}
	if err := Decode([]byte(`{"iss":"a","ISS":"b","Exp":9,"other":{"x":1}}`), &c, Options{IgnoreUnknown: true}); err != nil || c.Iss != "a" || c.Exp != 0 {
		t.Fatalf("IgnoreUnknown: %v, %+v", err, c)
	}
	if err := Decode([]byte(`{"iss":"a","iss":"b"}`), &c, Options{IgnoreUnknown: true}); !errors.As(err, &e) || e.Rule != DuplicateKey {
		t.Fatalf("duplicate with IgnoreUnknown: %v", err)
	}
	if err := Decode([]byte(`{"x":"a","x":"b"}`), &c, Options{IgnoreUnknown: true}); !errors.As(err, &e) || e.Rule != DuplicateKey {
		t.Fatalf("duplicate unknown member: %v", err)
	}
	// What encoding/json still refuses after the checks.
	var b struct {
		B []byte `json:"b"`
	}
	if err := Decode([]byte(`{"b":"!!"}`), &b, Options{}); !errors.As(err, &e) || e.Rule != WrongType || errors.Unwrap(err) == nil {
		t.Fatalf("bad base64: %v", err)
	}
	if err := Decode([]byte(`{}`), c, Options{}); err == nil {
		t.Fatal("a non-pointer target was accepted")
	}
}

// TestMembers reads the parts of a checked document.
func TestMembers(t *testing.T) {
	doc := []byte(` { "a" : "x\"y" , "b\u0063":[1, {"d":[]}] ,"e":null,"f":-1.5e3, "g":true} `)
	if err := Check(doc, Any, Options{}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for k, v := range Members(doc) {
		got = append(got, string(k)+"="+string(v))
	}
	want := []string{`a="x\"y"`, `bc=[1, {"d":[]}]`, `e=null`, `f=-1.5e3`, `g=true`}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Members = %q, want %q", got, want)
	}
	got = nil
	for v := range Elements([]byte(`[ "a\\" ,{"b":"]"}, [] ,3 ]`)) {
		got = append(got, string(v))
	}
	if want := []string{`"a\\"`, `{"b":"]"}`, `[]`, `3`}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Elements = %q, want %q", got, want)
	}
	if s, ok := String([]byte(`"x\"y\u00e8"`)); !ok || s != "x\"yè" {
		t.Fatalf("String = %q %v", s, ok)
	}
	if _, ok := String([]byte(`12`)); ok {
		t.Fatal("a number is a string")
	}
	if !IsNull([]byte(" null ")) || IsNull([]byte("nul")) || IsNull([]byte(`"null"`)) {
		t.Fatal("IsNull")
	}
	var n int
	for range Members([]byte(`{"a":1,"b":`)) { // not checked: stops, no panic
		n++
	}
	if n != 1 {
		t.Fatalf("a cut object yields %d members", n)
	}
}

// TestOnMember sees every member at every depth, once checked.
func TestOnMember(t *testing.T) {
	var got []string
	doc := []byte(`{"a":{"b":[{"c":1}]},"d":"e"}`)
	o := Options{OnMember: func(k []byte, start, end int) { got = append(got, string(k)+"="+string(doc[start:end])) }}
	if err := Check(doc, Any, o); err != nil {
		t.Fatal(err)
	}
	want := []string{"c=1", `b=[{"c":1}]`, `a={"b":[{"c":1}]}`, `d="e"`}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("OnMember saw %q, want %q", got, want)
	}
}

// objectOf returns an object of n distinct members, without escapes.
func objectOf(n int) []byte {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	return []byte(b.String() + "}")
}

// TestDuplicateCheckCost holds the cost the decoder promises: an object of
// fewer than dupMapAt members is checked for duplicate keys by a scan of
// its names, without allocating for them; from dupMapAt members on, by a
// map, made once and sized for 2*dupMapAt members, into which each name is
// copied (one allocation a member). A struct's members cost nothing.
func TestDuplicateCheckCost(t *testing.T) {
	allocs := func(n int) int {
		doc := objectOf(n)
		if err := Check(doc, Any, Options{}); err != nil {
			t.Fatalf("%d members: %v", n, err)
		}
		return int(testing.AllocsPerRun(20, func() { _ = Check(doc, Any, Options{}) }))
	}
	below, at, twice := allocs(dupMapAt-1), allocs(dupMapAt), allocs(2*dupMapAt)
	// From dupMapAt-1 to dupMapAt members: the map and the dupMapAt names
	// copied into it.
	if at-below < dupMapAt {
		t.Errorf("%d members: %d allocations, %d members: %d; want the map from %d members on", dupMapAt-1, below, dupMapAt, at, dupMapAt)
	}
	// From dupMapAt to 2*dupMapAt members: dupMapAt more names, and keys
	// (an append-grown slice) grows once; the map does not grow.
	if twice-at > dupMapAt+1 {
		t.Errorf("%d members: %d allocations, %d members: %d; want the map sized at once", dupMapAt, at, 2*dupMapAt, twice)
	}
	type many struct {
		A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T int
	}
	doc := []byte(`{"A":1,"B":1,"C":1,"D":1,"E":1,"F":1,"G":1,"H":1,"I":1,"J":1,"K":1,"L":1,"M":1,"N":1,"O":1,"P":1,"Q":1,"R":1,"S":1,"T":1}`)
	s := ShapeOf(reflect.TypeFor[many]())
	if err := Check(doc, s, Options{}); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { _ = Check(doc, s, Options{}) }); n > 1 {
		t.Errorf("a struct of 20 members: %v allocations", n)
	}
}
