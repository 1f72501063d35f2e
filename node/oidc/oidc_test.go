package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
)

// The whole flow against a real provider is tested in node/web
// (oidc_test.go); these are the parts that need none.

func TestRoleMapping(t *testing.T) {
	m := RoleMapping{Claim: "groups", Admin: []string{"admins"}, Editor: []string{"editors", "redazione"}, Reader: []string{"staff"}}
	keycloak := RoleMapping{Claim: "realm_access.roles", Editor: []string{"interlink-editor"}, Default: accounts.RoleReader}
	uri := RoleMapping{Claim: "https://idp.example/roles", Admin: []string{"a"}}
	for _, c := range []struct {
		name   string
		m      RoleMapping
		claims string
		want   accounts.Role
		err    error
	}{
		{"one group", m, `{"groups":["staff"]}`, accounts.RoleReader, nil},
		{"highest wins", m, `{"groups":["staff","admins","editors"]}`, accounts.RoleAdmin, nil},
		{"string claim", m, `{"groups":"redazione"}`, accounts.RoleEditor, nil},
		{"case matters", m, `{"groups":["Admins"]}`, "", ErrUnmapped},
		{"no claim", m, `{"sub":"x"}`, "", ErrUnmapped},
		{"not strings", m, `{"groups":[1,{"a":"admins"},null,"staff"]}`, accounts.RoleReader, nil},
		{"number claim", m, `{"groups":7}`, "", ErrUnmapped},
		{"nested path", keycloak, `{"realm_access":{"roles":["offline_access","interlink-editor"]}}`, accounts.RoleEditor, nil},
		{"default", keycloak, `{"realm_access":{"roles":["offline_access"]}}`, accounts.RoleReader, nil},
		{"path through a string", keycloak, `{"realm_access":"roles"}`, accounts.RoleReader, nil},
		{"dotted name first", uri, `{"https://idp.example/roles":["a"]}`, accounts.RoleAdmin, nil},
		{"no claim, default only", RoleMapping{Default: accounts.RoleEditor}, `{"groups":["admins"]}`, accounts.RoleEditor, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			claims, err := ParseClaims([]byte(c.claims))
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.m.Role(claims)
			if got != c.want || !errors.Is(err, c.err) {
				t.Fatalf("Role = %q, %v; want %q, %v", got, err, c.want, c.err)
			}
		})
	}
}

func TestParseClaims(t *testing.T) {
	for _, bad := range []string{``, `null`, `[]`, `"x"`, `{"a":`, `{} {}x`, `{"a":1}` + strings.Repeat(" ", maxClaims)} {
		if _, err := ParseClaims([]byte(bad)); err == nil {
			t.Errorf("ParseClaims(%.20q) accepted", bad)
		}
	}
	c, err := ParseClaims([]byte(`{"preferred_username":" anna ","n":12345678901234567890,"o":{"p":"q"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.String("preferred_username") != "anna" || c.String("o.p") != "q" || c.String("n") != "" || c.String("missing") != "" {
		t.Fatalf("claims read wrong: %v", c)
	}
}

func FuzzClaims(f *testing.F) {
	f.Add([]byte(`{"groups":["staff","admins"],"preferred_username":"anna","realm_access":{"roles":["x"]}}`), "groups")
	f.Add([]byte(`{"a":{"b":{"c":"d"}}}`), "a.b.c")
	f.Add([]byte(`{"":""}`), ".")
	f.Fuzz(func(t *testing.T, raw []byte, claim string) {
		c, err := ParseClaims(raw)
		if err != nil {
			return
		}
		m := RoleMapping{Claim: claim, Admin: []string{"admins"}, Editor: []string{"d"}, Default: accounts.RoleReader}
		r, err := m.Role(c)
		if err != nil || !r.Allows(accounts.RoleReader) {
			t.Fatalf("with a default role: %q, %v", r, err)
		}
		_ = c.String(claim)
		for _, v := range c.Values(claim) {
			_ = v
		}
	})
}

func TestCheckIssuer(t *testing.T) {
	for issuer, ok := range map[string]bool{
		"https://id.example.gov/realms/city": true,
		"https://id.example.gov":             true,
		"http://127.0.0.1:5556":              true,
		"http://127.0.0.2:5556/dex":          true,
		"http://[::1]:8080":                  true,
		"http://localhost:8080":              false, // a name may resolve elsewhere
		"http://id.example.gov":              false,
		"ftp://id.example.gov":               false,
		"https://id.example.gov?x=1":         false,
		"https://user@id.example.gov":        false,
		"https://id.example.gov#f":           false,
		"/realms/city":                       false,
		"":                                   false,
	} {
		if err := CheckIssuer(issuer); (err == nil) != ok {
			t.Errorf("CheckIssuer(%q) = %v, want ok %v", issuer, err, ok)
		}
	}
}

func TestConfigCheck(t *testing.T) {
	good := Config{Issuer: "https://id.example.gov", ClientID: "node", RedirectURL: "https://node.example/login/oidc/callback",
		Roles: RoleMapping{Claim: "groups", Admin: []string{"a"}}}
	c := good
	if _, err := New(c); err != nil {
		t.Fatal(err)
	}
	if err := c.check(); err != nil || c.ProviderName != "id.example.gov" || strings.Join(c.Scopes, " ") != "openid profile email" ||
		c.UsernameClaim != "preferred_username" || c.FlowLifetime != DefaultFlowLifetime {
		t.Fatalf("defaults: %v %+v", err, c)
	}
	c = good
	c.Scopes = []string{"profile", "groups"}
	_ = c.check()
	if strings.Join(c.Scopes, " ") != "openid profile groups" {
		t.Fatalf("openid not added: %v", c.Scopes)
	}
	for name, edit := range map[string]func(*Config){
		"issuer":       func(c *Config) { c.Issuer = "http://id.example.gov" },
		"client_id":    func(c *Config) { c.ClientID = " " },
		"redirect URL": func(c *Config) { c.RedirectURL = "/login/oidc/callback" },
		"default role": func(c *Config) { c.Roles.Default = "owner" },
		"nobody":       func(c *Config) { c.Roles = RoleMapping{} },
	} {
		c := good
		edit(&c)
		if _, err := New(c); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v does not name it", name, err)
		}
	}
}

func TestFlows(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	fs := newFlows(3)
	put := func(id string, at time.Time) int {
		return fs.put(&flow{id: id, state: "s" + id, expires: at.Add(10 * time.Minute)}, at)
	}
	for i := range 3 {
		put(fmt.Sprint(i), now)
	}
	if d := put("3", now); d != 1 || fs.len() != 3 {
		t.Fatalf("full: dropped %d, %d kept", d, fs.len())
	}
	if _, ok := fs.take("0", now); ok {
		t.Fatal("the oldest flow was not dropped")
	}
	if f, ok := fs.take("1", now); !ok || f.state != "s1" {
		t.Fatal("flow 1 lost")
	}
	if _, ok := fs.take("1", now); ok {
		t.Fatal("a flow was taken twice")
	}
	if _, ok := fs.take("2", now.Add(10*time.Minute)); ok {
		t.Fatal("an expired flow was taken")
	}
	// Expired flows are dropped as new ones come (not counted as dropped).
	if d := put("4", now.Add(11*time.Minute)); d != 0 || fs.len() != 1 {
		t.Fatalf("after expiry: dropped %d, %d kept", d, fs.len())
	}
}

func TestSecretRedacted(t *testing.T) {
	s := ClientSecret("hunter2-very-secret")
	c := Config{ClientSecret: s}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%#v", s), fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), c.LogValue().String()} {
		if strings.Contains(out, "hunter2") {
			t.Fatalf("secret shown: %s", out)
		}
	}
	if b, _ := s.MarshalText(); strings.Contains(string(b), "hunter2") || s.Reveal() != "hunter2-very-secret" {
		t.Fatal("MarshalText or Reveal wrong")
	}
}

func TestDiscoveryRetry(t *testing.T) {
	var mu sync.Mutex
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c, err := New(Config{Issuer: srv.URL, ClientID: "x", RedirectURL: "http://127.0.0.1/cb",
		Roles: RoleMapping{Default: accounts.RoleReader}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return hits }
	for range 3 {
		if _, err := c.Start(context.Background(), "/"); !errors.Is(err, ErrProvider) {
			t.Fatalf("Start with the provider down: %v", err)
		}
	}
	if count() != 1 {
		t.Fatalf("%d discovery requests within %s, want 1", count(), retryDiscovery)
	}
	now = now.Add(retryDiscovery)
	if _, err := c.Start(context.Background(), "/"); !errors.Is(err, ErrProvider) || count() != 2 {
		t.Fatalf("after %s: %v, %d requests", retryDiscovery, err, count())
	}
	// A callback without a started flow is refused before the provider is asked.
	if _, err := c.Finish(context.Background(), "nope", url.Values{"state": {"x"}, "code": {"y"}}); !errors.Is(err, ErrState) || count() != 2 {
		t.Fatalf("Finish of an unknown flow: %v, %d requests", err, count())
	}
}

func TestFlowsConcurrent(t *testing.T) {
	fs := newFlows(50)
	now := time.Now()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				id := fmt.Sprint(g, "-", i)
				fs.put(&flow{id: id, expires: now.Add(time.Minute)}, now)
				fs.take(id, now)
			}
		})
	}
	wg.Wait()
	if n := fs.len(); n > 50 {
		t.Fatalf("%d flows kept, at most 50", n)
	}
}
