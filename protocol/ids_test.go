package protocol

import (
	"net/url"
	"sort"
	"testing"
	"time"
)

func TestULIDMonotonicAndValid(t *testing.T) {
	var src ULIDSource
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = src.New(now) // same millisecond: must still increase
		if !ValidULID(ids[i]) {
			t.Fatalf("invalid ULID %q", ids[i])
		}
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatal("ULIDs made in one millisecond do not sort in creation order")
	}
	later := src.New(now.Add(time.Millisecond))
	if later <= ids[len(ids)-1] {
		t.Fatalf("later ULID %s sorts before %s", later, ids[len(ids)-1])
	}
	if got := encodeULID([16]byte{}); got != "00000000000000000000000000" {
		t.Fatalf("zero ULID = %s", got)
	}
	var max [16]byte
	for i := range max {
		max[i] = 0xff
	}
	if got := encodeULID(max); got != "7ZZZZZZZZZZZZZZZZZZZZZZZZZ" {
		t.Fatalf("max ULID = %s", got)
	}
}

func TestURIsObjectID(t *testing.T) {
	u := NewURIs("http://127.0.0.1:8080/")
	id := "01JDQ3Z6W1N6Y5ZV4Q5M3X8K2A"
	tests := []struct {
		iri  string
		want bool
	}{
		{u.Object(id), true},
		{"http://127.0.0.1:8080/objects/" + id, true},
		{"HTTP://127.0.0.1:8080/objects/" + id, true},
		{"http://127.0.0.1:8081/objects/" + id, false},  // other port
		{"https://127.0.0.1:8080/objects/" + id, false}, // other scheme
		{"http://127.0.0.2:8080/objects/" + id, false},  // other host
		{"http://127.0.0.1:8080/evil/objects/" + id, false},
		{"http://127.0.0.1:8080/objects/" + id + "?x=1", false},
		{"http://127.0.0.1:8080/objects/not-a-ulid", false},
		{"http://127.0.0.1:8080.evil.example/objects/" + id, false},
	}
	for _, tt := range tests {
		if _, got := u.ObjectID(tt.iri); got != tt.want {
			t.Errorf("ObjectID(%q) = %v, want %v", tt.iri, got, tt.want)
		}
	}
}

func TestSameOriginDefaultPorts(t *testing.T) {
	a, _ := url.Parse("https://example.org/x")
	b, _ := url.Parse("https://EXAMPLE.org:443/y")
	c, _ := url.Parse("http://example.org:443/y")
	if !SameOrigin(a, b) || SameOrigin(a, c) {
		t.Fatal("SameOrigin must make default ports explicit and compare schemes")
	}
}
