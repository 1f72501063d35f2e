package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// loneSurrogate reports whether a string of the (valid) JSON document
// escapes half of a UTF-16 surrogate pair alone.
func loneSurrogate(data []byte) bool {
	unit := func(i int) (uint64, bool) { // the code unit of a \uXXXX at i
		if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
			return 0, false
		}
		u, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 16)
		return u, err == nil
	}
	in := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			in = !in
		case in && c == '\\' && data[i+1] == 'u':
			u, _ := unit(i)
			if u >= 0xDC00 && u <= 0xDFFF {
				return true
			}
			if u >= 0xD800 && u <= 0xDBFF {
				if low, ok := unit(i + 6); !ok || low < 0xDC00 || low > 0xDFFF {
					return true
				}
				i += 6
			}
			i += 5
		case in && c == '\\':
			i++
		}
	}
	return false
}

// judge is an independent reading of the rules on top of encoding/json's
// own tokenizer: the document is JSON (json.Valid), valid UTF-8, no object
// repeats a name (compared as encoding/json unescapes them), and nothing
// nests deeper than maxDepth.
func judge(data []byte, maxDepth int) bool {
	if !json.Valid(data) || !utf8.Valid(data) || loneSurrogate(data) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // a number beyond float64 ("1E700") is still JSON
	type frame struct {
		obj     bool
		keys    map[string]bool
		wantKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
		if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
			top := stack[n-1]
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:n-1]
				if len(stack) > 0 && stack[len(stack)-1].obj {
					stack[len(stack)-1].wantKey = true
				}
				continue
			}
			k := tok.(string)
			if top.keys[k] {
				return false
			}
			top.keys[k] = true
			top.wantKey = false
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) >= maxDepth {
				return false
			}
			stack = append(stack, &frame{obj: tok == json.Delim('{'), keys: map[string]bool{}, wantKey: tok == json.Delim('{')})
			continue
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].wantKey = true
		}
	}
}

// fuzzTarget is a type with a field of every kind the shapes know.
type fuzzTarget struct {
	S  string            `json:"s"`
	I  int8              `json:"i"`
	U  uint32            `json:"u"`
	F  float64           `json:"f"`
	B  bool              `json:"b"`
	L  []fuzzTarget      `json:"l"`
	M  map[string]string `json:"m"`
	P  *fuzzTarget       `json:"p"`
	R  json.RawMessage   `json:"r"`
	X  any               `json:"x"`
	A  [2]string         `json:"a"`
	By []byte            `json:"by"`
}

// prefilled is a target that holds data in every kind of field.
func prefilled() fuzzTarget {
	return fuzzTarget{S: "old", I: 3, L: []fuzzTarget{{S: "a"}, {S: "b", M: map[string]string{"q": "r"}}}, M: map[string]string{"x": "y"},
		P: &fuzzTarget{I: 3, S: "p"}, R: json.RawMessage(`{"old":1}`), X: map[string]any{"o": 1.0}, A: [2]string{"p", "q"}, By: []byte{1}}
}

// FuzzCheck holds the decoder to encoding/json: Check accepts exactly what
// judge does; every refusal is an *Error with a rule and a path; for a
// target type, a document Decode accepts decodes with encoding/json
// (unknown members refused) to the same value; Members and Elements read a
// checked document as encoding/json does.
func FuzzCheck(f *testing.F) {
	for _, seed := range []string{
		`{"a":[1,-2.5e+3,true,false,null,"s\u00e8",{"b":{}}],"c":[]}`,
		`{"s":"x","i":-128,"u":4294967295,"f":1e308,"b":true,"l":[{"s":"y"},null],"m":{"k":"v"},"p":{"i":1},"r":{"z":[1]},"x":[1,"2"],"a":["p","q"],"by":"AAEC"}`,
		`{"s":"x","S":"y"}`, `{"i":128}`, `{"a":["1","2","3"]}`, `{"a":1,"\u0061":2}`, "{\"\xff\":1}", `[1,]`, `"\ud800"`,
		strings.Repeat("[", 65) + strings.Repeat("]", 65), `{"m":{"k":1}}`, ` null `, `{} x`, `{"by":"!"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := Check(data, Any, Options{})
		if ok := judge(data, DefaultMaxDepth); (err == nil) != ok {
			t.Fatalf("Check(%q) = %v, judge says ok %v", data, err, ok)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Rule == 0 || e.Path == "" || e.Detail == "" || e.Offset < 0 || e.Offset > len(data) {
				t.Fatalf("Check(%q): incomplete error %#v", data, err)
			}
		}
		all := CheckAll(data, Any, Options{})
		if (len(all) == 0) != (err == nil) {
			t.Fatalf("CheckAll(%q) = %v, Check %v", data, all, err)
		}
		if err == nil {
			var m map[string]json.RawMessage
			if json.Unmarshal(data, &m) == nil && m != nil {
				n := 0
				for k, v := range Members(data) {
					n++
					if w, ok := m[string(k)]; !ok || !bytes.Equal(w, v) {
						t.Fatalf("Members(%q): %q = %q, encoding/json %q", data, k, v, w)
					}
				}
				if n != len(m) {
					t.Fatalf("Members(%q): %d members, encoding/json %d", data, n, len(m))
				}
			}
			var a []json.RawMessage
			if json.Unmarshal(data, &a) == nil && a != nil {
				i := 0
				for v := range Elements(data) {
					if i >= len(a) || !bytes.Equal(a[i], v) {
						t.Fatalf("Elements(%q)[%d] = %q", data, i, v)
					}
					i++
				}
				if i != len(a) {
					t.Fatalf("Elements(%q): %d elements, encoding/json %d", data, i, len(a))
				}
			}
			var s string
			if tr := bytes.TrimSpace(data); len(tr) > 0 && tr[0] == '"' && json.Unmarshal(data, &s) == nil {
				if got, ok := String(bytes.TrimSpace(data)); !ok || got != s {
					t.Fatalf("String(%q) = %q, encoding/json %q", data, got, s)
				}
			}
		}
		var got fuzzTarget
		derr := Decode(data, &got, Options{})
		if derr == nil {
			var want fuzzTarget
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if jerr := dec.Decode(&want); jerr != nil {
				t.Fatalf("Decode(%q) accepted, encoding/json: %v", data, jerr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Decode(%q) = %#v, encoding/json %#v", data, got, want)
			}
			// Into values that hold data already, merged as encoding/json
			// merges; and the same with unknown members skipped.
			got, want = prefilled(), prefilled()
			if err := Decode(data, &got, Options{}); err != nil || json.Unmarshal(data, &want) != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("Decode(%q) into a filled value = %v %#v, encoding/json %#v", data, err, got, want)
			}
			var ign fuzzTarget
			if err := Decode(data, &ign, Options{IgnoreUnknown: true}); err != nil {
				t.Fatalf("Decode(%q) with IgnoreUnknown: %v", data, err)
			}
			got = fuzzTarget{}
			_ = Decode(data, &got, Options{})
			if !reflect.DeepEqual(ign, got) {
				t.Fatalf("Decode(%q) with IgnoreUnknown = %#v, without %#v", data, ign, got)
			}
		} else if err == nil {
			// Refused for the target alone: a member name in another case
			// or that no field has (encoding/json would take or drop it),
			// a Go array's excess elements (dropped), or what encoding/json
			// refuses too.
			var e *Error
			if !errors.As(derr, &e) || (e.Rule != UnknownMember && e.Rule != WrongType) {
				t.Fatalf("Decode(%q) = %v, a checked document refused for another rule", data, derr)
			}
			var want fuzzTarget
			if e.Rule == WrongType && !strings.Contains(e.Detail, "at most") && json.Unmarshal(data, &want) == nil {
				t.Fatalf("Decode(%q) = %v, encoding/json accepts it", data, derr)
			}
		}
	})
}
