package httpsig

import (
	"context"
	"crypto"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// validSignatureHeaders are well-formed Signature values of every shape the
// parser reads: go-fed's, bare integer created and expires, whitespace
// around the separators, unknown parameters, a parameter after the
// signature.
func validSignatureHeaders(tb testing.TB) []string {
	a, _ := testKeys(tb)
	return []string{
		signedPost(tb, a, testNow).Header.Get("Signature"),
		`keyId="https://127.0.0.1:8443/actor#main-key",algorithm="hs2019",created=1748779200,expires=1748779500,headers="(request-target) (created) (expires) host digest",signature="Zm9vYmFy"`,
		`keyId = "k" , algorithm="rsa-sha256",	headers= "(request-target) host date" ,signature =  "Zm9v",x-extension=token`,
		`signature="Zm9v",keyId="k"`,
		`keyId="k",signature="Zm9v",created=1`,
		`keyId="k",signature="Zm9v",z="y"`,
	}
}

// TestParseTruncated cuts valid Signature headers at every byte: the parser
// must return an error or a consistent result, never panic (a panic fails
// the test), and Verify must refuse every cut of a real signature with one
// of the sentinel errors.
func TestParseTruncated(t *testing.T) {
	for _, h := range validSignatureHeaders(t) {
		full, err := parseSignature(h)
		if err != nil {
			t.Fatalf("parseSignature(%q): %v", h, err)
		}
		checkParsed(t, h, full)
		for i := range len(h) {
			cut := h[:i]
			p, err := parseSignature(cut)
			if err != nil {
				if p != nil {
					t.Fatalf("parseSignature(%q) returned parameters and an error", cut)
				}
				continue
			}
			checkParsed(t, cut, p)
		}
	}
	// Verify each cut of a real signature: never accepted, never a panic.
	a, _ := testKeys(t)
	valid := signedPost(t, a, testNow)
	sig := valid.Header.Get("Signature")
	v := newVerifier(&resolver{keys: []crypto.PublicKey{&a.PublicKey}})
	for i := range len(sig) {
		req := valid.Clone(context.Background())
		req.Header.Set("Signature", sig[:i])
		_, err := v.Verify(context.Background(), req, testBody)
		if err == nil {
			t.Fatalf("Signature cut at byte %d verified: %q", i, sig[:i])
		}
		if !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrMissingHeaders) && !errors.Is(err, ErrUnsigned) {
			t.Fatalf("Signature cut at byte %d: %v", i, err)
		}
	}
}

// TestParseSignatureErrors: inputs that end where a name, an '=', a value or
// a separator is expected, and other malformed forms, are errors.
func TestParseSignatureErrors(t *testing.T) {
	for _, s := range malformedSignatures {
		if p, err := parseSignature(s); err == nil {
			t.Errorf("parseSignature(%q) = %+v, want an error", s, p)
		}
	}
}

// malformedSignatures are refused by the parser; they are fuzz seeds too.
var malformedSignatures = []string{
	"",
	" ",
	",",
	"=",
	`"`,
	"keyId",
	"keyId ",
	"keyId\t",
	"keyId=",
	"keyId= ",
	`keyId="`,
	`keyId="k`,
	`keyId="k"`,
	`keyId="k",`,
	`keyId="k" ,`,
	`keyId="k",signature`,
	`keyId="k",signature=`,
	`keyId="k",signature="`,
	`keyId="k",signature="Zm9v`,
	`keyId="k",signature="Zm9v",headers`,
	`keyId="k",signature="Zm9v",headers=`,
	`keyId="k",signature="Zm9v",headers=""`,
	`keyId="k",signature="Zm9v",headers=" "`,
	`keyId="k",signature="Zm9v",created`,
	`keyId="k",signature="Zm9v",created=`,
	`keyId="k",signature="Zm9v",created=""`,
	`keyId="k",signature="Zm9v",created=0`,
	`keyId="k",signature="Zm9v",created=-1`,
	`keyId="k",signature="Zm9v",created=1.5`,
	`keyId="k",signature="Zm9v",created=99999999999999999999`,
	`keyId="k",signature="Zm9v",expires=x`,
	`keyId="k",signature="Zm9v",expires=0`,
	`keyId="k",signature="Zm9v";headers="date"`,
	`keyId="k" signature="Zm9v"`,
	`keyId="k",,signature="Zm9v"`,
	`,keyId="k",signature="Zm9v"`,
	`keyId="k",signature="Zm9v",keyId="k"`,
	`keyId="k",signature="Zm9v",signature="Zm9v"`,
	`keyId="k",signature="Zm9v",algorithm="a",algorithm="a"`,
	`keyId="k",signature="Zm9v",created=1,created=1`,
	`keyId="k",signature="Zm9v",expires=1,expires=1`,
	`keyId="k",signature="Zm9v",headers="date",headers="date"`,
	`keyId="k",signature="Zm9v",x=1,x=1`,
	`signature="Zm9v"`,
	`keyId="",signature="Zm9v"`,
	`keyId="k"`,
	`keyId="k",signature=""`,
	`keyId="k",signature="Zm9v!"`,
	`keyId="k",signature="Zm9"`,
	`keyId="k\"",signature="Zm9v"`,
	"keyId=\"k\r\n\",signature=\"Zm9v\"",
	"keyId=\"k\n\",signature=\"Zm9v\"",
	`keyId="k",signature="Zm9v",headers="date date"`,
	`keyId="k",signature="Zm9v",headers="date Date"`,
	`keyId="k",signature="Zm9v",headers="x,y"`,
	`keyId="k",signature="Zm9v",headers="(foo)"`,
	`keyId="k",signature=Zm9v=`,
	`"keyId"="k",signature="Zm9v"`,
	`keyId:"k",signature="Zm9v"`,
	`keyId="k",signature="Zm9v",headers="h` + strings.Repeat(" x", 2) + `"`,
	`keyId="k",signature="Zm9v",` + strings.Repeat("x", maxSignatureHeader),
}

// checkParsed checks the invariants of a successful parse, and that the
// canonical form handed to go-fed parses back to the same parameters.
func checkParsed(t testing.TB, in string, p *sigParams) {
	t.Helper()
	if p.keyID == "" || p.sigB64 == "" {
		t.Fatalf("parseSignature(%q) succeeded without keyId or signature: %+v", in, p)
	}
	if _, err := base64.StdEncoding.DecodeString(p.sigB64); err != nil {
		t.Fatalf("parseSignature(%q) accepted a non-base64 signature", in)
	}
	if len(p.headers) == 0 || len(p.headers) > maxSignedHeaders {
		t.Fatalf("parseSignature(%q) gave %d headers", in, len(p.headers))
	}
	for i, h := range p.headers {
		if !validHeaderName(h) || h != strings.ToLower(h) || slices.Contains(p.headers[:i], h) {
			t.Fatalf("parseSignature(%q) gave header %q in %q", in, h, p.headers)
		}
	}
	if p.algorithm != strings.ToLower(p.algorithm) {
		t.Fatalf("algorithm %q not lower-cased", p.algorithm)
	}
	if (p.hasCreated && p.created <= 0) || (p.hasExpires && p.expires <= 0) {
		t.Fatalf("parseSignature(%q): created %d, expires %d", in, p.created, p.expires)
	}
	c := p.canonical()
	back, err := parseSignature(c)
	if err != nil {
		t.Fatalf("canonical form %q of %q does not parse: %v", c, in, err)
	}
	if !slices.Equal(back.headers, p.headers) || back.sigB64 != p.sigB64 ||
		back.hasCreated != (p.hasCreated && p.signs(hdrCreated)) || back.created != map[bool]int64{true: p.created}[back.hasCreated] ||
		back.hasExpires != (p.hasExpires && p.signs(hdrExpires)) || back.expires != map[bool]int64{true: p.expires}[back.hasExpires] {
		t.Fatalf("canonical form %q of %q parses to %+v, from %+v", c, in, back, p)
	}
	if strings.Contains(c, ", ") || strings.Count(c, "keyId=") != 1 {
		t.Fatalf("canonical form %q is not in go-fed's form", c)
	}
}

// TestParseSignatureForms pins what the parser reads from valid headers.
func TestParseSignatureForms(t *testing.T) {
	tests := []struct {
		in   string
		want sigParams
	}{
		{`keyId="https://a.example/actor#k",algorithm="RSA-SHA256",headers="(request-target) Host DATE",signature="Zm9v"`,
			sigParams{keyID: "https://a.example/actor#k", algorithm: "rsa-sha256", headers: []string{"(request-target)", "host", "date"}, sigB64: "Zm9v"}},
		{`keyId="k",signature="Zm9v"`, // headers defaults to date
			sigParams{keyID: "k", headers: []string{"date"}, sigB64: "Zm9v"}},
		{" \tkeyId = \"k\" ,\tsignature=\"Zm9v\" , created=12 ,expires=34 , headers=\"  date   host \" \t",
			sigParams{keyID: "k", headers: []string{"date", "host"}, sigB64: "Zm9v", created: 12, expires: 34, hasCreated: true, hasExpires: true}},
		{`keyId="a,b=c d",signature="Zm9v",unknown=tok,other="x y"`,
			sigParams{keyID: "a,b=c d", headers: []string{"date"}, sigB64: "Zm9v"}},
		{`keyId=k,signature=Zm9v`, // token values
			sigParams{keyID: "k", headers: []string{"date"}, sigB64: "Zm9v"}},
		{`keyId="k",signature="Zm9v", `, // one trailing comma is tolerated (an empty list element)
			sigParams{keyID: "k", headers: []string{"date"}, sigB64: "Zm9v"}},
		{`keyId="k",algorithm="",signature="Zm9v",x=""`, // empty quoted values are values
			sigParams{keyID: "k", headers: []string{"date"}, sigB64: "Zm9v"}},
		{`keyId="k",signature="Zm9v",x="",y=""`,
			sigParams{keyID: "k", headers: []string{"date"}, sigB64: "Zm9v"}},
		{`keyId="",signature="Zm9v"`, sigParams{}}, // empty keyId: error below
		{`keyId="k",signature="Zm9v",headers="` + strings.TrimSuffix(strings.Repeat("h ", maxSignedHeaders), " ") + `"`, sigParams{}}, // duplicates: error below
	}
	for i, tt := range tests {
		p, err := parseSignature(tt.in)
		if tt.want.keyID == "" {
			if err == nil {
				t.Errorf("%d: parseSignature(%q) accepted", i, tt.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("%d: parseSignature(%q): %v", i, tt.in, err)
			continue
		}
		if p.keyID != tt.want.keyID || p.algorithm != tt.want.algorithm || !slices.Equal(p.headers, tt.want.headers) ||
			p.sigB64 != tt.want.sigB64 || p.created != tt.want.created || p.expires != tt.want.expires ||
			p.hasCreated != tt.want.hasCreated || p.hasExpires != tt.want.hasExpires {
			t.Errorf("%d: parseSignature(%q) = %+v, want %+v", i, tt.in, *p, tt.want)
		}
	}
	// The limits: maxSignedHeaders names pass, one more does not; a header
	// of maxSignatureHeader bytes passes, one more byte does not.
	names := make([]string, maxSignedHeaders+1)
	for i := range names {
		names[i] = "h" + strings.Repeat("x", i)
	}
	for n, ok := range map[int]bool{maxSignedHeaders: true, maxSignedHeaders + 1: false} {
		_, err := parseSignature(`keyId="k",signature="Zm9v",headers="` + strings.Join(names[:n], " ") + `"`)
		if (err == nil) != ok {
			t.Errorf("%d signed headers: %v, want ok=%t", n, err, ok)
		}
	}
	base := `keyId="k",signature="Zm9v",x="`
	for n, ok := range map[int]bool{maxSignatureHeader: true, maxSignatureHeader + 1: false} {
		s := base + strings.Repeat("y", n-len(base)-1) + `"`
		if _, err := parseSignature(s); (err == nil) != ok {
			t.Errorf("header of %d bytes: %v, want ok=%t", len(s), err, ok)
		}
	}
}

// FuzzParseSignature: the parser never panics, and what it accepts keeps
// its invariants and survives the canonical form go-fed is handed.
func FuzzParseSignature(f *testing.F) {
	for _, s := range validSignatureHeaders(f) {
		f.Add(s)
		f.Add(s[:len(s)/2])
		f.Add(s[:len(s)-1])
	}
	for _, s := range malformedSignatures {
		if len(s) < 1024 {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseSignature(s)
		if err != nil {
			if p != nil {
				t.Fatal("parameters and an error")
			}
			return
		}
		checkParsed(t, s, p)
	})
}

// TestIsTokenChar checks every byte against RFC 9110's tchar, written out.
func TestIsTokenChar(t *testing.T) {
	const tchar = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	for c := range 256 {
		if got, want := isTokenChar(byte(c)), strings.IndexByte(tchar, byte(c)) >= 0; got != want {
			t.Errorf("isTokenChar(%q) = %t, want %t", rune(c), got, want)
		}
	}
}

// TestSignatureHeader: exactly one signature, from a Signature header or an
// "Authorization: Signature" one (scheme case-insensitive), is read;
// several are refused, none is ErrUnsigned.
func TestSignatureHeader(t *testing.T) {
	tests := []struct {
		name      string
		sig, auth []string
		want      string
		err       error
	}{
		{"none", nil, nil, "", ErrUnsigned},
		{"Bearer only", nil, []string{"Bearer x"}, "", ErrUnsigned},
		{"bare scheme", nil, []string{"Signature "}, "", ErrUnsigned},
		{"bare scheme after a signature is no second one", nil, []string{"Signature b", "Signature "}, "b", nil},
		{"bare scheme before a signature", nil, []string{"Signature ", "Signature b"}, "b", nil},
		{"scheme without a space", nil, []string{"Signaturex"}, "", ErrUnsigned},
		{"Signature header", []string{"a"}, nil, "a", nil},
		{"Signature header beside a Bearer", []string{"a"}, []string{"Bearer x"}, "a", nil},
		{"Authorization", nil, []string{"Signature b"}, "b", nil},
		{"Authorization, lower-case scheme", nil, []string{"signature b"}, "b", nil},
		{"Authorization beside a Bearer", nil, []string{"Bearer x", "SIGNATURE b"}, "b", nil},
		{"two Signature headers", []string{"a", "a"}, nil, "", ErrBadSignature},
		{"Signature and Authorization", []string{"a"}, []string{"Signature b"}, "", ErrBadSignature},
		{"two Authorization signatures", nil, []string{"Signature b", "Signature c"}, "", ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.sig {
				h.Add("Signature", v)
			}
			for _, v := range tt.auth {
				h.Add("Authorization", v)
			}
			got, err := signatureHeader(h)
			if got != tt.want || (tt.err == nil) != (err == nil) || (tt.err != nil && !errors.Is(err, tt.err)) {
				t.Fatalf("signatureHeader = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

// TestClip: error messages quote at most 40 bytes of untrusted input.
func TestClip(t *testing.T) {
	forty := strings.Repeat("k", 40)
	tests := []struct{ in, want string }{
		{"", ""},
		{"short", "short"},
		{forty[:39], forty[:39]},
		{forty, forty},
		{forty + "x", forty + "…"},
		{forty + strings.Repeat("x", 1000), forty + "…"},
	}
	for _, tt := range tests {
		if got := clip(tt.in); got != tt.want {
			t.Errorf("clip(%d bytes) = %q, want %q", len(tt.in), got, tt.want)
		}
	}
}
