package accept

import "testing"

func TestQuality(t *testing.T) {
	for _, tc := range []struct {
		header, offer string
		want          float64
	}{
		{"text/turtle", "text/turtle", 1},
		{"text/*;q=0.5, text/turtle;q=0.2", "text/turtle", 0.2}, // the most specific range decides
		{"text/*;q=0.5", "text/turtle", 0.5},
		{"*/*;q=0.1", "application/rdf+xml", 0.1},
		{"application/json", "text/turtle", 0},
		{"Text/Turtle", "text/turtle", 1},
		{"text/turtle;q=2", "text/turtle", 1}, // out of range: as if absent
		{"text/turtle;q=x", "text/turtle", 1},
		{"gzip;q=0, *", "gzip", 0},
		{"*;q=0, gzip", "gzip", 1}, // a coding named beats the wildcard, wherever it stands
		{"deflate, *;q=0.3", "gzip", 0.3},
		{"", "gzip", 0},
		{"garbage;;, gzip", "gzip", 1},
	} {
		if got := Quality(Parse(tc.header), tc.offer); got != tc.want {
			t.Errorf("Quality(%q, %q) = %v, want %v", tc.header, tc.offer, got, tc.want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	offers := []string{"application/ld+json", "text/turtle", "application/rdf+xml"}
	for _, tc := range []struct {
		header, want string
		ok           bool
	}{
		{"", "application/ld+json", true},
		{"text/turtle", "text/turtle", true},
		{"application/rdf+xml;q=0.9, text/turtle;q=0.8", "application/rdf+xml", true},
		{"*/*", "application/ld+json", true}, // ties: the first offer
		{"text/html", "", false},
	} {
		got, ok := Negotiate(tc.header, offers...)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Negotiate(%q) = %q, %v; want %q, %v", tc.header, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "gzip, deflate, br;q=0", `a/b;p="x,y";q=0.5`, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		for _, r := range Parse(header) {
			if r.Q < 0 || r.Q > 1 {
				t.Fatalf("q %v out of range for %q", r.Q, header)
			}
		}
		_ = Quality(Parse(header), "text/html")
	})
}
