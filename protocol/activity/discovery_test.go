package activity

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

func TestParseAcct(t *testing.T) {
	good := []struct{ in, name, host string }{
		{"acct:comune_re@reggioemilia.interlink.example", "comune_re", "reggioemilia.interlink.example"},
		{"acct:comune_re@127.0.0.2:8443", "comune_re", "127.0.0.2:8443"},
		{"ACCT:Zaragoza@Mastodon.Example", "Zaragoza", "mastodon.example"},
		{"zaragoza@mastodon.example", "zaragoza", "mastodon.example"},
		{"@zaragoza@mastodon.example", "zaragoza", "mastodon.example"},
		{"acct:a.b-c~d@[::1]:8080", "a.b-c~d", "[::1]:8080"},
		{"acct:x@[2001:db8::1]", "x", "[2001:db8::1]"},
		{"acct:civic-lab@xn--bcher-kva.example", "civic-lab", "xn--bcher-kva.example"},
		{"acct:node@localhost:65535", "node", "localhost:65535"},
	}
	for _, c := range good {
		name, host, err := ParseAcct(c.in)
		if err != nil || name != c.name || host != c.host {
			t.Errorf("ParseAcct(%q) = %q, %q, %v; want %q, %q", c.in, name, host, err, c.name, c.host)
		}
	}
	bad := []string{
		"", "acct:", "acct:@host.example", "acct:name@", "acct:name", "acct:na me@host.example",
		"acct:name@host.example/path", "acct:name@host.example?x=1", "acct:a@b@host.example",
		"acct:name@host.example:0", "acct:name@host.example:65536", "acct:name@host.example:", "acct:name@host.example:08",
		"acct:name@host.example:+80", "acct:name@-host.example", "acct:name@host..example", "acct:name@host.example.",
		"acct:name@bücher.example", "acct:name@[::1", "acct:name@[::1]x", "acct:name@[zz]", "acct:name@host:1:2",
		"https://host.example/users/name", "acct:name%40x@host.example", "acct:name@ho st.example",
		"acct:name@" + strings.Repeat("a", 64) + ".example", "acct:name\n@host.example",
	}
	for _, s := range bad {
		if n, h, err := ParseAcct(s); !errors.Is(err, ErrAcct) {
			t.Errorf("ParseAcct(%q) = %q, %q, %v; want ErrAcct", s, n, h, err)
		}
	}
}

func TestAcct(t *testing.T) {
	got, err := Acct(protocol.NewURIs("http://127.0.0.2:8080"), "node")
	if err != nil || got != "acct:node@127.0.0.2:8080" {
		t.Errorf("Acct = %q, %v", got, err)
	}
	if _, err := Acct(testURIs(), "bad name"); err == nil {
		t.Error("accepted a user name with a space")
	}
}

func TestWebFingerRoundTrip(t *testing.T) {
	u := testURIs()
	raw, err := WebFinger("acct:comune_re@reggioemilia.interlink.example", u.Actor(), u.Base())
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseWebFinger(raw)
	if err != nil || got != u.Actor() {
		t.Errorf("ParseWebFinger = %q, %v", got, err)
	}
	for _, bad := range [][]string{
		{"comune_re@reggioemilia.interlink.example", u.Actor(), ""}, // no acct: scheme
		{"acct:comune_re@reggioemilia.interlink.example", "/actor", ""},
		{"acct:comune_re@reggioemilia.interlink.example", u.Actor(), "ftp://x"},
	} {
		if _, err := WebFinger(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("WebFinger%v accepted", bad)
		}
	}
}

func TestParseWebFingerPeers(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"mastodon_webfinger.json", "https://mastodon.example/users/zaragoza"},
		{"ld_webfinger.json", "https://fedbox.example/actors/4a1f9c"},
	} {
		got, err := ParseWebFinger(readTestdata(t, "peers/"+c.file))
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.file, got, err, c.want)
		}
	}
	for _, doc := range []string{
		`{"subject":"acct:x@y.example","links":[]}`,
		`{"links":[{"rel":"self","type":"text/html","href":"https://y.example/x"}]}`,
		`{"links":[{"rel":"self","type":"application/activity+json","href":"/relative"}]}`,
		`{"links":{"rel":"self"}}`,
		`[]`,
	} {
		if got, err := ParseWebFinger([]byte(doc)); err == nil {
			t.Errorf("%s: accepted (%q)", doc, got)
		}
	}
	// A self link without a type is a fallback.
	got, err := ParseWebFinger([]byte(`{"links":[{"rel":"self","href":"https://y.example/x"}]}`))
	if err != nil || got != "https://y.example/x" {
		t.Errorf("untyped self link: %q, %v", got, err)
	}
}

func TestNodeInfo(t *testing.T) {
	raw, err := NodeInfo(NodeInfoParams{Version: "1.0.0", Counts: map[protocol.Kind]int{protocol.KindRating: 3, protocol.KindAdoption: 2}})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version           string
		Software          struct{ Name, Version string }
		Protocols         []string
		Services          struct{ Inbound, Outbound []string }
		OpenRegistrations *bool
		Usage             struct {
			Users      struct{ Total int }
			LocalPosts int
		}
		Metadata struct{ Objects map[string]int }
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	// The NodeInfo 2.1 schema: required members, software name pattern, protocol enum.
	if doc.Version != "2.1" || doc.Software.Name != "interlink" || doc.Software.Version != "1.0.0" ||
		len(doc.Protocols) != 1 || doc.Protocols[0] != "activitypub" || doc.Services.Inbound == nil || doc.Services.Outbound == nil ||
		doc.OpenRegistrations == nil || *doc.OpenRegistrations || doc.Usage.Users.Total != 1 || doc.Usage.LocalPosts != 5 ||
		len(doc.Metadata.Objects) != len(protocol.Kinds) || doc.Metadata.Objects["Rating"] != 3 {
		t.Errorf("%s", raw)
	}
	if _, err := NodeInfo(NodeInfoParams{}); err == nil {
		t.Error("no version accepted")
	}
	if _, err := NodeInfo(NodeInfoParams{Version: "1", Counts: map[protocol.Kind]int{"Widget": 1}}); err == nil {
		t.Error("unknown kind accepted")
	}
	links, err := NodeInfoLinks(testURIs().NodeInfo(), testBase+"/nodeinfo/2.0")
	if err != nil || !strings.Contains(string(links), `"rel":"`+NodeInfoSchema+`"`) || !strings.Contains(string(links), testBase+"/nodeinfo/2.1") {
		t.Errorf("%s %v", links, err)
	}
}

// NodeInfo 2.0 has the 2.1 facts, its own version, and a software object
// with only name and version (the 2.0 schema allows no more).
func TestNodeInfo20(t *testing.T) {
	raw, err := NodeInfo20(NodeInfoParams{Version: "1.0.0", Repository: "https://example.org/repo", Counts: map[protocol.Kind]int{protocol.KindRating: 3}})
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	sw := d["software"].(map[string]any)
	if d["version"] != "2.0" || len(sw) != 2 || sw["name"] != "interlink" || sw["version"] != "1.0.0" {
		t.Fatalf("nodeinfo 2.0: %s", raw)
	}
	if d["usage"].(map[string]any)["localPosts"] != float64(3) {
		t.Fatalf("usage: %s", raw)
	}
	links, err := NodeInfoLinks(testURIs().NodeInfo(), testBase+"/nodeinfo/2.0")
	if err != nil || !strings.Contains(string(links), `{"rel":"`+NodeInfoSchema20+`","href":"`+testBase+`/nodeinfo/2.0"}`) {
		t.Fatalf("links %s, %v", links, err)
	}
	if _, err := NodeInfoLinks(testURIs().NodeInfo(), "ftp://x"); err == nil {
		t.Fatal("a non-http 2.0 link was accepted")
	}
}
