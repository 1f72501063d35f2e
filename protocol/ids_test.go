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
	// The clock steps back: ids still increase.
	earlier := src.New(now.Add(-time.Second))
	if earlier <= later {
		t.Fatalf("a ULID made after the clock stepped back (%s) sorts before %s", earlier, later)
	}
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{"00000000000000000000000000", true}, {"7ZZZZZZZZZZZZZZZZZZZZZZZZZ", true},
		{"8ZZZZZZZZZZZZZZZZZZZZZZZZZ", false}, // past 128 bits
		{"01jdq3z6w1n6y5zv4q5m3x8k2a", false}, // lower case
		{"01JDQ3Z6W1N6Y5ZV4Q5M3X8K2", false},  // 25 digits
		{"01JDQ3Z6W1N6Y5ZV4Q5M3X8K2U", false}, // U is not Crockford
		{"01JDQ3Z6W1N6Y5ZV4Q5M3X8K2I", false}, // nor I
	} {
		if got := ValidULID(tt.s); got != tt.want {
			t.Errorf("ValidULID(%q) = %v, want %v", tt.s, got, tt.want)
		}
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

// BenchmarkULIDNew: one id, as the node mints one per object version and
// activity.
func BenchmarkULIDNew(b *testing.B) {
	var src ULIDSource
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		src.New(now)
	}
}
