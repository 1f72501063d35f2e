package activity

import "testing"

func TestIsActivityJSON(t *testing.T) {
	cases := []struct {
		ct   string
		want bool
	}{
		{"application/activity+json", true},
		{"application/activity+json; charset=utf-8", true},
		{"Application/Activity+JSON", true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, true},
		{`application/ld+json;profile="https://www.w3.org/ns/activitystreams"`, true},
		{`application/ld+json; profile=https://www.w3.org/ns/activitystreams`, true},
		{`application/ld+json;profile=https://www.w3.org/ns/activitystreams`, true},
		{`APPLICATION/LD+JSON; PROFILE="https://www.w3.org/ns/activitystreams"`, true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams#"`, true},
		{`application/ld+json; profile="https://w3id.org/security/v1 https://www.w3.org/ns/activitystreams"`, true},
		{`application/ld+json; charset=utf-8; profile="https://www.w3.org/ns/activitystreams"`, true},
		{"application/ld+json", false},
		{`application/ld+json; profile="https://schema.org"`, false},
		{"application/json", false},
		{"text/html", false},
		{"", false},
		{"activity+json", false},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams-evil"`, false},
	}
	for _, c := range cases {
		if got := IsActivityJSON(c.ct); got != c.want {
			t.Errorf("IsActivityJSON(%q) = %v, want %v", c.ct, got, c.want)
		}
	}
	for _, ct := range []string{ContentType, LDContentType} {
		if !IsActivityJSON(ct) {
			t.Errorf("our own %q is not recognised", ct)
		}
	}
}

func TestWantsActivityJSON(t *testing.T) {
	cases := []struct {
		accept string
		want   bool
	}{
		{AcceptHeader, true},
		{"application/activity+json", true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, true},
		{`application/ld+json;profile=https://www.w3.org/ns/activitystreams`, true},
		{"application/ld+json", true},
		{"application/json", false},
		{"application/json, application/activity+json;q=0.9", false},
		{"application/activity+json, application/json;q=0.9", true},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
		{"*/*", false},
		{"", false},
		{"application/activity+json;q=0", false},
		{"text/html, application/activity+json", true},
		{"*/*, application/activity+json;q=0.5", false},
		{"application/activity+json, */*;q=0.1", true},
		{`application/ld+json; profile="https://schema.org", application/json`, false},
		{"application/activity+json;q=bogus", false},
		{"application/activity+json;q=2", false},
		{`text/plain; x="a,b", application/activity+json`, true},
	}
	for _, c := range cases {
		if got := WantsActivityJSON(c.accept); got != c.want {
			t.Errorf("WantsActivityJSON(%q) = %v, want %v", c.accept, got, c.want)
		}
	}
}
