package activity

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestObjectCarriesJWS(t *testing.T) {
	u := testURIs()
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	obj := stored(t, testULID(1), participatoryCanvas(), 1, at, at)
	obj.JWS = []byte(`{"payload":"eyJpc3MiOiJ4In0","signatures":[{"protected":"e30","signature":"AAAA"}]}`)
	raw, err := Object(u, obj)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseObject(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.JWS, obj.JWS) {
		t.Fatalf("jws round trip: got %s", p.JWS)
	}
	unsigned := obj
	unsigned.JWS = nil
	raw, err = Object(u, unsigned)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = ParseObject(raw); err != nil || p.JWS != nil {
		t.Fatalf("unsigned object: jws %s, err %v", p.JWS, err)
	}
}

func TestParseObjectJWSShape(t *testing.T) {
	base := `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/objects/1","type":"Note","attributedTo":"https://a.example/actor"`
	cases := []struct {
		name, extra, field string
	}{
		{"string", `,"jws":"eyJ.x.y"`, "jws"},
		{"array", `,"jws":[1]`, "jws"},
		{"twice", `,"jws":{},"interlink:jws":{}`, "interlink:jws"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseObject([]byte(base + c.extra + "}"))
			if err == nil || !strings.Contains(err.Error(), c.field) {
				t.Fatalf("want an error naming %s, got %v", c.field, err)
			}
		})
	}
}
