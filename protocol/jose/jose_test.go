package jose

import (
	"encoding/json"
	"testing"
)

func TestDecodeB64(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"aGk", "hi", true},
		{"", "", true},
		{"aGk=", "", false},  // padding
		{"aG\nk", "", false}, // a line break Go's decoder would skip
		{"aGl", "", false},   // non-zero trailing bits: a second encoding of "hi"
		{"a+/k", "", false},  // the standard alphabet
	}
	for _, tt := range tests {
		got, err := DecodeB64(tt.in)
		if (err == nil) != tt.ok || tt.ok && string(got) != tt.want {
			t.Errorf("DecodeB64(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if gotB, errB := DecodeB64([]byte(tt.in)); (errB == nil) != (err == nil) || string(gotB) != string(got) {
			t.Errorf("DecodeB64([]byte(%q)) differs from the string form", tt.in)
		}
	}
}

func TestStringMember(t *testing.T) {
	hdr := map[string]json.RawMessage{"plain": []byte(`"EdDSA"`), "escaped": []byte(`"a\u0062c"`), "number": []byte(`1`), "bad": []byte(`"a\q"`)}
	for name, want := range map[string]string{"plain": "EdDSA", "escaped": "abc"} {
		if got, ok := StringMember(hdr, name); !ok || got != want {
			t.Errorf("StringMember(%s) = %q, %v", name, got, ok)
		}
	}
	for _, name := range []string{"number", "bad", "missing"} {
		if _, ok := StringMember(hdr, name); ok {
			t.Errorf("StringMember(%s) accepted", name)
		}
	}
	if ShowMember(hdr, "missing") != "missing" || len(Shorten(string(make([]byte, 100)))) != 67 {
		t.Error("ShowMember/Shorten")
	}
}
