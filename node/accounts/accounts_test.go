package accounts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/storage"
)

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

const (
	goodPassword  = "correct horse battery staple"
	otherPassword = "Tr0ub4dor&3 is not enough"
)

func TestDefaultHashFormat(t *testing.T) {
	h, err := hashPassword(DefaultParams, goodPassword, randReader())
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=32768,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(h) {
		t.Fatalf("not a PHC string of the default parameters: %s", h)
	}
	for _, c := range []struct {
		password string
		ok       bool
	}{{goodPassword, true}, {otherPassword, false}, {"", false}, {goodPassword + " ", false}} {
		ok, p, err := verifyPassword(h, c.password)
		if err != nil || ok != c.ok || p != DefaultParams {
			t.Errorf("verify %q: %v, %+v, %v", c.password, ok, p, err)
		}
	}
}

func TestParseHash(t *testing.T) {
	good, err := hashPassword(cheap, goodPassword, randReader())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	cases := []struct {
		name string
		hash string
		ok   bool
	}{
		{"made here", good, true},
		{"empty", "", false},
		{"argon2i", with(1, "argon2i"), false},
		{"version 16", with(2, "v=16"), false},
		{"params out of order", with(3, "t=1,m=64,p=1"), false},
		{"a leading zero", with(3, "m=064,t=1,p=1"), false},
		{"an extra param", with(3, "m=64,t=1,p=1,x=2"), false},
		{"memory below 8 KiB per thread", with(3, "m=7,t=1,p=1"), false},
		{"huge memory", with(3, "m=4194304,t=1,p=1"), false},
		{"zero time", with(3, "m=64,t=0,p=1"), false},
		{"many passes", with(3, "m=64,t=1000,p=1"), false},
		{"zero threads", with(3, "m=64,t=1,p=0"), false},
		{"threads overflow", with(3, "m=64,t=1,p=257"), false},
		{"negative", with(3, "m=-64,t=1,p=1"), false},
		{"padded salt", with(4, parts[4]+"=="), false},
		{"url-safe alphabet", with(5, strings.NewReplacer("+", "-", "/", "_").Replace(parts[5])+"-_"), false},
		{"short salt", with(4, "c2FsdA"), false},
		{"short key", with(5, "a2V5"), false},
		{"extra field", good + "$x", false},
		{"a newline in the key (the decoder would skip it)", with(5, parts[5][:7]+"\r\n"+parts[5][7:]), false},
	}
	for _, c := range cases {
		p, salt, key, err := parseHash(c.hash)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if c.ok && (p != cheap || len(salt) != 16 || len(key) != 32 || encodeHash(p, salt, key) != c.hash) {
			t.Errorf("%s: %+v", c.name, p)
		}
		if !c.ok && err != nil && strings.Contains(err.Error(), goodPassword) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func FuzzParseHash(f *testing.F) {
	good, err := hashPassword(cheap, goodPassword, randReader())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
	f.Add("$argon2id$v=19$m=1,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := parseHash(s)
		if err != nil {
			return
		}
		if err := p.check(); err != nil {
			t.Fatalf("accepted bad parameters %+v: %v", p, err)
		}
		if p.SaltLen != uint32(len(salt)) || p.KeyLen != uint32(len(key)) {
			t.Fatalf("lengths %+v vs %d, %d", p, len(salt), len(key))
		}
		if again := encodeHash(p, salt, key); again != s {
			t.Fatalf("accepted a non-canonical encoding: %q re-encodes to %q", s, again)
		}
	})
}

func TestCheckPassword(t *testing.T) {
	cases := []struct {
		password, username, rule string
	}{
		{goodPassword, "ana", ""},
		{"", "ana", RuleRequired},
		{"short", "ana", RuleMinLength},
		{"elevenchars", "ana", RuleMinLength},
		{"twelve chars", "ana", ""},
		{"ñandú ñandú!", "ana", ""},            // 12 characters, 14 bytes
		{"ñandúñandú", "ana", RuleMinLength},   // 10 characters, 14 bytes
		{strings.Repeat("x", 1024), "ana", ""}, // the maximum
		{strings.Repeat("x", 1025), "ana", RuleMaxLength},
		{"valid utf8?\xff\xfe\xfd", "ana", RuleUTF8},
		{"Ana.Lopez@example.org", "ana.lopez@example.org", RuleNotUsername},
		{"ana.lopez@example.org!", "ana.lopez@example.org", ""},
	}
	for _, c := range cases {
		err := CheckPassword(c.password, c.username)
		var pe *PolicyError
		switch {
		case c.rule == "" && err != nil:
			t.Errorf("%q refused: %v", c.password, err)
		case c.rule != "" && (!errors.As(err, &pe) || pe.Rule != c.rule || !errors.Is(err, ErrWeakPassword)):
			t.Errorf("%q: %v, want rule %s", c.password, err, c.rule)
		case c.rule != "" && (!strings.Contains(err.Error(), c.rule) || len(c.password) > 3 && strings.Contains(err.Error(), c.password)):
			t.Errorf("%q: the error does not name the rule, or shows the password: %v", c.password, err)
		}
	}
}

func TestCreateUser(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.user(t, "ana", goodPassword)
	cases := []struct {
		name  string
		n     NewUser
		check func(error) bool
	}{
		{"valid", NewUser{Username: "bea", Role: RoleReader, Password: goodPassword}, nil},
		{"role in capitals", NewUser{Username: "cai", Role: "Admin", Password: goodPassword}, nil},
		{"OIDC only", NewUser{Username: "dia", Role: RoleReader, OIDCIssuer: "https://id.example", OIDCSubject: "d"}, nil},
		{"taken username", NewUser{Username: "ANA", Role: RoleReader, Password: goodPassword}, func(err error) bool {
			var de *DuplicateError
			return errors.As(err, &de) && de.Field == "username" && errors.Is(err, ErrConflict)
		}},
		{"bad username", NewUser{Username: "a b", Role: RoleReader, Password: goodPassword}, func(err error) bool {
			var fe *FieldError
			return errors.As(err, &fe) && fe.Field == "username" && errors.Is(err, ErrInvalid)
		}},
		{"bad role", NewUser{Username: "eva", Role: "root", Password: goodPassword}, func(err error) bool {
			var fe *FieldError
			return errors.As(err, &fe) && fe.Field == "role"
		}},
		{"weak password", NewUser{Username: "fay", Role: RoleReader, Password: "short"}, func(err error) bool {
			var pe *PolicyError
			return errors.As(err, &pe) && pe.Rule == RuleMinLength
		}},
		{"password is the username", NewUser{Username: "gilbertgrape", Role: RoleReader, Password: "GilbertGrape"}, func(err error) bool {
			var pe *PolicyError
			return errors.As(err, &pe) && pe.Rule == RuleNotUsername
		}},
		{"no password, no OIDC", NewUser{Username: "hal", Role: RoleReader}, func(err error) bool {
			var pe *PolicyError
			return errors.As(err, &pe) && pe.Rule == RuleRequired
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := e.svc.CreateUser(ctx, c.n)
			if c.check == nil {
				if err != nil {
					t.Fatal(err)
				}
				if got, err := e.svc.User(ctx, u.ID); err != nil || got.Username != c.n.Username || got.HasPassword != (c.n.Password != "") || !got.Created.Equal(epoch) {
					t.Errorf("stored %+v, %v", got, err)
				}
				return
			}
			if !c.check(err) {
				t.Fatalf("unexpected error %v", err)
			}
			if c.n.Password != "" && strings.Contains(err.Error(), c.n.Password) {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
	us, err := e.svc.List(ctx)
	if err != nil || len(us) != 4 {
		t.Errorf("%d users, %v", len(us), err)
	}
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	ana := e.user(t, "ana", goodPassword)
	off := e.user(t, "off", goodPassword)
	if err := e.svc.Disable(ctx, off.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateUser(ctx, NewUser{Username: "oidc", Role: RoleReader, OIDCIssuer: "https://id.example", OIDCSubject: "o"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, username, password string
		want                     error // nil: signed in
	}{
		{"right password", "ana", goodPassword, nil},
		{"username in other case", "ANA", goodPassword, nil},
		{"wrong password", "ana", otherPassword, ErrInvalidCredentials},
		{"empty password", "ana", "", ErrInvalidCredentials},
		{"overlong password", "ana", strings.Repeat(goodPassword, 100), ErrInvalidCredentials},
		{"unknown user", "nobody", goodPassword, ErrInvalidCredentials},
		{"malformed username", "a b\x00", goodPassword, ErrInvalidCredentials},
		{"disabled user, right password", "off", goodPassword, ErrDisabled},
		{"disabled user, wrong password", "off", otherPassword, ErrInvalidCredentials},
		{"OIDC-only user", "oidc", goodPassword, ErrInvalidCredentials},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A fresh address each time: the limits are tested apart.
			client := Client{Address: fmt.Sprintf("198.51.100.%d:4711", i+1), UserAgent: "Firefox"}
			before := len(e.store.sessions)
			sec, u, err := e.svc.Authenticate(ctx, c.username, c.password, client)
			if c.want != nil {
				if !errors.Is(err, c.want) || sec != "" || u.ID != "" {
					t.Fatalf("got %v (%q, %+v), want %v", err, sec.Reveal(), u, c.want)
				}
				if len(e.store.sessions) != before {
					t.Errorf("a refused sign-in made a session")
				}
				if c.password != "" && strings.Contains(err.Error(), c.password) {
					t.Errorf("the error shows the password")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.ID != ana.ID || !u.LastSignIn.Equal(epoch) || !sec.wellFormed() {
				t.Errorf("user %+v, secret well formed %v", u, sec.wellFormed())
			}
			s, err := e.svc.Lookup(ctx, sec)
			if err != nil || s.User.ID != ana.ID || !s.Expires.Equal(epoch.Add(DefaultSessionLifetime)) ||
				s.Address != client.Address || s.UserAgent != "Firefox" {
				t.Errorf("session %+v, %v", s, err)
			}
			// Only the secret's hash is stored.
			for k, ss := range e.store.sessions {
				if strings.Contains(k, sec.Reveal()) || bytes.Contains(ss.ID, []byte(sec.Reveal())) {
					t.Errorf("the secret is stored")
				}
			}
		})
	}
}

func TestAccountLockout(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	e.user(t, "ana", goodPassword)
	addr := 0
	try := func(username, password string, n int) error {
		t.Helper()
		var err error
		for range n {
			// Each attempt from another address: only the account limit applies.
			addr++
			_, _, err = e.svc.Authenticate(ctx, username, password, Client{Address: fmt.Sprintf("10.0.%d.%d", addr/250, addr%250)})
		}
		return err
	}
	for _, username := range []string{"ana", "nobody"} { // unknown usernames lock the same way
		if err := try(username, otherPassword, DefaultMaxFailures); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("%s: the 5th failure: %v", username, err)
		}
		err := try(username, goodPassword, 1)
		var re *RetryError
		if !errors.As(err, &re) || re.Scope != ScopeAccount || re.RetryAfter != DefaultLockout || !errors.Is(err, ErrTooManyAttempts) {
			t.Fatalf("%s: locked: %v", username, err)
		}
	}
	// The lock expires; the right password then works and clears the count.
	e.clock.Advance(DefaultLockout - time.Second)
	var re *RetryError
	if err := try("ana", goodPassword, 1); !errors.As(err, &re) || re.RetryAfter != time.Second {
		t.Fatalf("a second before the end: %v", err)
	}
	e.clock.Advance(time.Second)
	if err := try("ana", goodPassword, 1); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// The back-off doubles with each lock that follows another.
	for i, want := range []time.Duration{DefaultLockout, 2 * DefaultLockout, 4 * DefaultLockout, 8 * DefaultLockout, DefaultMaxLockout, DefaultMaxLockout} {
		if err := try("ana", otherPassword, DefaultMaxFailures); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("lock %d: %v", i, err)
		}
		if err := try("ana", goodPassword, 1); !errors.As(err, &re) || re.RetryAfter != want {
			t.Fatalf("lock %d: %v, want a lock of %v", i, err, want)
		}
		e.clock.Advance(want)
	}
	// Failures spread wider than the window do not lock.
	e.clock.Advance(2 * DefaultMaxLockout)
	if err := try("ana", goodPassword, 1); err != nil {
		t.Fatal(err)
	}
	for range 3 * DefaultMaxFailures {
		if err := try("ana", otherPassword, 1); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("a failure per window locked: %v", err)
		}
		e.clock.Advance(DefaultFailureWindow/(DefaultMaxFailures-1) + time.Second)
	}
	if !strings.Contains(e.logs.String(), "locked") {
		t.Errorf("no lock was logged")
	}
}

func TestAddressLimit(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	e.user(t, "ana", goodPassword)
	users := 0
	try := func(addr string, n int, password string) error {
		var err error
		for range n {
			// Each failure against another username: only the address limit applies.
			users++
			user := fmt.Sprintf("user%d", users)
			if password == goodPassword {
				user = "ana"
			}
			_, _, err = e.svc.Authenticate(ctx, user, password, Client{Address: addr})
		}
		return err
	}
	cases := []struct {
		name, first, second string
		shared              bool
	}{
		{"same IPv4 address, other ports", "192.0.2.7:1000", "192.0.2.7:2000", true},
		{"IPv4-mapped IPv6 is IPv4", "192.0.2.8", "[::ffff:192.0.2.8]:443", true},
		{"same IPv6 /64", "[2001:db8:1:2::1]:443", "2001:db8:1:2:ffff::9", true},
		{"another IPv6 /64", "2001:db8:1:3::1", "2001:db8:1:4::1", false},
		{"another IPv4 address", "192.0.2.9", "192.0.2.10", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := try(c.first, DefaultAddressBurst, otherPassword); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("the last allowed failure: %v", err)
			}
			err := try(c.second, 1, goodPassword)
			var re *RetryError
			if c.shared != (errors.As(err, &re) && re.Scope == ScopeAddress) {
				t.Fatalf("from %s after failures from %s: %v", c.second, c.first, err)
			}
			if c.shared && re.RetryAfter != DefaultAddressRefill {
				t.Errorf("retry after %v", re.RetryAfter)
			}
		})
	}
	// The bucket refills one try per AddressRefill.
	e.clock.Advance(DefaultAddressRefill)
	if err := try("192.0.2.7", 1, otherPassword); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("after a refill: %v", err)
	}
	if err := try("192.0.2.7", 1, goodPassword); !errors.Is(err, ErrTooManyAttempts) {
		t.Fatalf("the refill was used: %v", err)
	}
}

func TestLimiterMemoryBounded(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *Config) { c.MaxTracked = 10 })
	for i := range 100 {
		_, _, _ = e.svc.Authenticate(ctx, fmt.Sprintf("user%d", i), otherPassword, Client{Address: fmt.Sprintf("10.0.%d.%d", i/250, i%250)})
	}
	if n, m := e.svc.accounts.m.len(), e.svc.addresses.m.len(); n != 10 || m != 10 {
		t.Errorf("tracked %d usernames and %d addresses, the bound is 10", n, m)
	}
}

func TestSessionExpiry(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *Config) { c.SessionLifetime, c.IdleTimeout = 2*time.Hour, 30*time.Minute })
	e.user(t, "ana", goodPassword)
	type step struct {
		advance time.Duration
		want    error
		touches int // TouchSession calls so far
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"used often: touched at most once a minute", []step{
			{0, nil, 0}, {20 * time.Second, nil, 0}, {20 * time.Second, nil, 0}, {20 * time.Second, nil, 1},
			{10 * time.Second, nil, 1}, {50 * time.Second, nil, 2},
		}},
		{"idle just under the timeout", []step{{30*time.Minute - time.Second, nil, 1}, {30*time.Minute - time.Second, nil, 2}}},
		{"idle too long", []step{{30 * time.Minute, ErrSessionExpired, 0}, {0, ErrNoSession, 0}}},
		{"active past the absolute lifetime", []step{
			{25 * time.Minute, nil, 1}, {25 * time.Minute, nil, 2}, {25 * time.Minute, nil, 3}, {25 * time.Minute, nil, 4},
			{20 * time.Minute, ErrSessionExpired, 4}, {0, ErrNoSession, 4},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sec := e.signIn(t, "ana", goodPassword)
			touches := e.store.touches
			for i, st := range c.steps {
				e.clock.Advance(st.advance)
				s, err := e.svc.Lookup(ctx, sec)
				if !errors.Is(err, st.want) || (st.want == nil && s.User.Username != "ana") {
					t.Fatalf("step %d: %v, want %v", i, err, st.want)
				}
				if got := e.store.touches - touches; got != st.touches {
					t.Errorf("step %d: %d touches, want %d", i, got, st.touches)
				}
			}
		})
	}
}

func TestSignOut(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	ana := e.user(t, "ana", goodPassword)
	bea := e.user(t, "bea", goodPassword)
	a1, a2, a3 := e.signIn(t, "ana", goodPassword), e.signIn(t, "ana", goodPassword), e.signIn(t, "ana", goodPassword)
	b1 := e.signIn(t, "bea", goodPassword)
	if a1 == a2 {
		t.Fatal("two sign-ins share a secret")
	}
	if err := e.svc.SignOut(ctx, a1); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SignOut(ctx, a1); err != nil {
		t.Errorf("signing out twice: %v", err)
	}
	if _, err := e.svc.Lookup(ctx, a1); !errors.Is(err, ErrNoSession) {
		t.Errorf("after sign-out: %v", err)
	}
	// Another user cannot end ana's session by its id.
	ss, err := e.svc.Sessions(ctx, ana.ID)
	if err != nil || len(ss) != 2 {
		t.Fatalf("%d sessions, %v", len(ss), err)
	}
	if err := e.svc.EndSession(ctx, bea.ID, ss[0].ID); !errors.Is(err, ErrNoSession) {
		t.Errorf("ending another's session: %v", err)
	}
	for _, bad := range []string{"", "zz", ss[0].ID[:10]} {
		if err := e.svc.EndSession(ctx, ana.ID, bad); !errors.Is(err, ErrNoSession) {
			t.Errorf("end session %q: %v", bad, err)
		}
	}
	if err := e.svc.EndSession(ctx, ana.ID, ss[0].ID); err != nil {
		t.Errorf("ending one's own session: %v", err)
	}
	if n, err := e.svc.SignOutEverywhere(ctx, ana.ID); err != nil || n != 1 {
		t.Errorf("sign out everywhere: %d, %v", n, err)
	}
	for _, sec := range []Secret{a2, a3} {
		if _, err := e.svc.Lookup(ctx, sec); !errors.Is(err, ErrNoSession) {
			t.Errorf("a session survived: %v", err)
		}
	}
	if _, err := e.svc.Lookup(ctx, b1); err != nil {
		t.Errorf("another user's session ended: %v", err)
	}
	// Garbage cookies cost nothing and find nothing.
	for _, bad := range []Secret{"", "x", Secret(strings.Repeat("A", 43)) + "=", Secret(strings.Repeat("A", 44))} {
		if _, err := e.svc.Lookup(ctx, bad); !errors.Is(err, ErrNoSession) {
			t.Errorf("lookup %q: %v", bad.Reveal(), err)
		}
	}
	// Expired sessions are pruned by the timer.
	e.clock.Advance(DefaultSessionLifetime)
	if n, err := e.svc.PruneSessions(ctx); err != nil || n != 1 {
		t.Errorf("prune: %d, %v", n, err)
	}
}

func TestDisable(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	ana := e.user(t, "ana", goodPassword)
	sec := e.signIn(t, "ana", goodPassword)
	if err := e.svc.Disable(ctx, ana.ID); err != nil {
		t.Fatal(err)
	}
	if n := e.store.sessionCount(ana.ID); n != 0 {
		t.Errorf("a disabled user keeps %d sessions", n)
	}
	if _, err := e.svc.Lookup(ctx, sec); !errors.Is(err, ErrNoSession) {
		t.Errorf("lookup after disabling: %v", err)
	}
	if _, _, err := e.svc.Authenticate(ctx, "ana", goodPassword, Client{}); !errors.Is(err, ErrDisabled) {
		t.Errorf("sign in while disabled: %v", err)
	}
	if err := e.svc.Enable(ctx, ana.ID); err != nil {
		t.Fatal(err)
	}
	sec = e.signIn(t, "ana", goodPassword)
	// A session found for a disabled user (disabled behind the service's
	// back) is refused and all of the user's sessions end.
	e.store.mu.Lock()
	u := e.store.users[ana.ID]
	u.Disabled = true
	e.store.users[ana.ID] = u
	e.store.mu.Unlock()
	if _, err := e.svc.Lookup(ctx, sec); !errors.Is(err, ErrDisabled) {
		t.Errorf("lookup of a disabled user's session: %v", err)
	}
	if n := e.store.sessionCount(ana.ID); n != 0 {
		t.Errorf("%d sessions left", n)
	}
	if err := e.svc.Disable(ctx, "01ARZ3NDEKTSV4RRFFQ69G5FAV"); !errors.Is(err, ErrNotFound) {
		t.Errorf("disable an unknown user: %v", err)
	}
}

func TestSetPassword(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	ana := e.user(t, "ana", goodPassword)
	mine, other := e.signIn(t, "ana", goodPassword), e.signIn(t, "ana", goodPassword)
	var pe *PolicyError
	if err := e.svc.SetPassword(ctx, ana.ID, "ANA", mine); !errors.As(err, &pe) || pe.Rule != RuleMinLength {
		t.Errorf("weak password: %v", err)
	}
	if err := e.svc.ChangePassword(ctx, ana.ID, otherPassword, "a brand new passphrase", mine); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("wrong current password: %v", err)
	}
	if err := e.svc.ChangePassword(ctx, ana.ID, goodPassword, "a brand new passphrase", mine); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Lookup(ctx, mine); err != nil {
		t.Errorf("the changer's own session ended: %v", err)
	}
	if _, err := e.svc.Lookup(ctx, other); !errors.Is(err, ErrNoSession) {
		t.Errorf("another session survived the change: %v", err)
	}
	if _, _, err := e.svc.Authenticate(ctx, "ana", goodPassword, Client{}); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("the old password still works: %v", err)
	}
	e.signIn(t, "ana", "a brand new passphrase")
	// An administrator's reset ends every session.
	if err := e.svc.SetPassword(ctx, ana.ID, "reset by the administrator", ""); err != nil {
		t.Fatal(err)
	}
	if n := e.store.sessionCount(ana.ID); n != 0 {
		t.Errorf("%d sessions after a reset", n)
	}
	// A wrong current password counts towards the lock.
	for range DefaultMaxFailures {
		_ = e.svc.ChangePassword(ctx, ana.ID, otherPassword, "whatever whatever", "")
	}
	if err := e.svc.ChangePassword(ctx, ana.ID, "reset by the administrator", "whatever whatever", ""); !errors.Is(err, ErrTooManyAttempts) {
		t.Errorf("after 5 wrong current passwords: %v", err)
	}
}

func TestRolesAndNames(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	ana := e.user(t, "ana", goodPassword)
	if err := e.svc.SetRole(ctx, ana.ID, "ADMIN"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetRole(ctx, ana.ID, "owner"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad role: %v", err)
	}
	if err := e.svc.SetDisplayName(ctx, ana.ID, "  Ana López "); err != nil {
		t.Fatal(err)
	}
	u, _ := e.svc.UserByUsername(ctx, "ANA")
	if u.Role != RoleAdmin || u.DisplayName != "Ana López" {
		t.Errorf("%+v", u)
	}
	for _, c := range []struct {
		have, need Role
		ok         bool
	}{
		{RoleAdmin, RoleEditor, true}, {RoleEditor, RoleEditor, true}, {RoleReader, RoleEditor, false},
		{"", RoleReader, false}, {"root", "root", false},
	} {
		if c.have.Allows(c.need) != c.ok {
			t.Errorf("%q allows %q: %v", c.have, c.need, !c.ok)
		}
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, nil)
	e.user(t, "ana", goodPassword)
	a, b := e.signIn(t, "ana", goodPassword), e.signIn(t, "ana", goodPassword)
	ta := e.svc.CSRFToken(a)
	other := newEnv(t, func(c *Config) { c.CSRFKey = []byte("another node's key, 32 bytes ...") })
	pre, err := e.svc.NewPreSession()
	if err != nil {
		t.Fatal(err)
	}
	pre2, _ := e.svc.NewPreSession()
	tpre, err := e.svc.AnonymousCSRFToken(pre)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		err  error
		ok   bool
	}{
		{"the session's own token", e.svc.CheckCSRF(a, ta), true},
		{"stable for the session", e.svc.CheckCSRF(a, e.svc.CSRFToken(a)), true},
		{"another session's token", e.svc.CheckCSRF(b, ta), false},
		{"no token", e.svc.CheckCSRF(a, ""), false},
		{"a truncated token", e.svc.CheckCSRF(a, ta[:20]), false},
		{"a padded token", e.svc.CheckCSRF(a, ta+"="), false},
		{"the secret as token", e.svc.CheckCSRF(a, a.Reveal()), false},
		{"another node's token", e.svc.CheckCSRF(a, other.svc.CSRFToken(a)), false},
		{"no session", e.svc.CheckCSRF("", e.svc.CSRFToken("")), false},
		{"the pre-session's token", e.svc.CheckAnonymousCSRF(pre, tpre), true},
		{"another pre-session's token", e.svc.CheckAnonymousCSRF(pre2, tpre), false},
		{"a session token as a pre-session token", e.svc.CheckAnonymousCSRF(a.Reveal(), ta), false},
		{"a pre-session token as a session token", e.svc.CheckCSRF(Secret(pre), tpre), false},
		{"a made-up pre-session", e.svc.CheckAnonymousCSRF("attacker-chosen", tpre), false},
	}
	for _, c := range cases {
		if (c.err == nil) != c.ok || (!c.ok && !errors.Is(c.err, ErrCSRF)) {
			t.Errorf("%s: %v", c.name, c.err)
		}
	}
	if _, err := e.svc.AnonymousCSRFToken("short"); !errors.Is(err, ErrCSRF) {
		t.Errorf("token for a malformed pre-session: %v", err)
	}
	if ta == e.svc.CSRFToken(b) || strings.Contains(ta, a.Reveal()) {
		t.Errorf("tokens are not per session, or show the secret")
	}
	if _, err := New(newFakeStore(), Config{Hash: cheap, CSRFKey: []byte("short")}); err == nil {
		t.Errorf("a short CSRF key was accepted")
	}
}

func TestParamsUpgradeOnSignIn(t *testing.T) {
	ctx := context.Background()
	weak := Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	strong := Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	e := newEnv(t, func(c *Config) { c.Hash = weak })
	ana := e.user(t, "ana", goodPassword)
	stored := func() Params {
		u, _ := e.store.User(ctx, ana.ID)
		p, _, _, err := parseHash(string(u.PasswordHash))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if stored() != weak {
		t.Fatalf("stored %+v", stored())
	}
	// The node now runs with stronger parameters.
	svc, err := New(e.store, Config{Hash: strong, CSRFKey: testKey, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		password string
		want     Params
	}{
		{"a failed sign-in changes nothing", otherPassword, weak},
		{"a sign-in upgrades", goodPassword, strong},
		{"and the new hash works", goodPassword, strong},
	}
	for _, c := range cases {
		_, _, _ = svc.Authenticate(ctx, "ana", c.password, Client{})
		if got := stored(); got != c.want {
			t.Errorf("%s: stored %+v, want %+v", c.name, got, c.want)
		}
	}
	if _, _, err := svc.Authenticate(ctx, "ana", goodPassword, Client{}); err != nil {
		t.Errorf("sign in with the upgraded hash: %v", err)
	}
	// Weaker parameters than the stored ones do not downgrade.
	back, err := New(e.store, Config{Hash: weak, CSRFKey: testKey, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := back.Authenticate(ctx, "ana", goodPassword, Client{}); err != nil || stored() != strong {
		t.Errorf("downgrade: %+v, %v", stored(), err)
	}
}

func TestAudit(t *testing.T) {
	e := newEnv(t, nil)
	ana := e.user(t, "ana", goodPassword)
	ctx := WithClient(context.Background(), Client{Address: "192.0.2.44"})
	for i, action := range []string{ActionUserCreate, ActionUserRole, "object.publish"} {
		e.clock.Advance(time.Second)
		if err := e.svc.Audit(ctx, ana, action, fmt.Sprintf("target-%d", i), "detail"); err != nil {
			t.Fatal(err)
		}
	}
	es, _, err := e.svc.ListAudit(ctx, 0, 10)
	if err != nil || len(es) != 3 {
		t.Fatalf("%d entries, %v", len(es), err)
	}
	if es[0].Action != "object.publish" || es[0].Username != "ana" || es[0].UserID != ana.ID ||
		es[0].Address != "192.0.2.44" || !es[0].Time.Equal(epoch.Add(3*time.Second)) {
		t.Errorf("newest %+v", es[0])
	}
}

// No error, log line or formatted value shows a password or a session
// secret.
func TestNoSecretsLeak(t *testing.T) {
	ctx := context.Background()
	const pw = "Sup3r-Secret-Passphrase-1"
	e := newEnv(t, nil)
	ana := e.user(t, "ana", pw)
	sec := e.signIn(t, "ana", pw)
	var texts []string
	add := func(err error) {
		if err != nil {
			texts = append(texts, err.Error())
		}
	}
	_, _, err := e.svc.Authenticate(ctx, "ana", pw+"x", Client{Address: "192.0.2.1"})
	add(err)
	_, _, err = e.svc.Authenticate(ctx, "nobody", pw, Client{Address: "192.0.2.1"})
	add(err)
	_, err = e.svc.CreateUser(ctx, NewUser{Username: "ana", Role: RoleReader, Password: pw})
	add(err)
	_, err = e.svc.CreateUser(ctx, NewUser{Username: strings.ToLower(pw), Role: RoleReader, Password: pw})
	add(err)
	add(e.svc.SetPassword(ctx, ana.ID, pw[:5], sec))
	add(e.svc.ChangePassword(ctx, ana.ID, pw+"y", pw+"z", sec))
	add(e.svc.CheckCSRF(sec, sec.Reveal()))
	for range DefaultMaxFailures {
		_, _, err = e.svc.Authenticate(ctx, "ana", pw+"!", Client{Address: "192.0.2.2"})
		add(err)
	}
	_, _, err = e.svc.Authenticate(ctx, "ana", pw, Client{Address: "192.0.2.3"})
	add(err)
	_, err = e.svc.Lookup(ctx, sec+"x")
	add(err)
	if len(texts) < 10 {
		t.Fatalf("only %d errors collected", len(texts))
	}
	cfg := Config{CSRFKey: testKey}
	js, _ := json.Marshal(map[string]any{"secret": sec})
	var logged bytes.Buffer
	newLogger(&logged).Info("values", "secret", sec, "new", NewUser{Username: "x", Password: pw}, "config", cfg)
	texts = append(texts, e.logs.String(), logged.String(), string(js),
		fmt.Sprint(sec), fmt.Sprintf("%v %s %q %x %#v %+v", sec, sec, sec, sec, sec, sec),
		fmt.Sprintf("%v %+v %#v", NewUser{Password: pw}, NewUser{Password: pw}, NewUser{Password: pw}),
		fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg),
		fmt.Sprintf("%+v", struct{ S Secret }{sec}))
	for _, text := range texts {
		if strings.Contains(text, pw[:10]) || strings.Contains(text, sec.Reveal()) || strings.Contains(text, string(testKey)) {
			t.Errorf("a secret leaks: %s", text)
		}
	}
}

// The service on the real storage: the seams fit and the storage keeps
// the promises the fake makes.
func TestWithStorage(t *testing.T) {
	ctx := context.Background()
	st, err := storage.Open(filepath.Join(t.TempDir(), "node.db"), storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := &clock{t: epoch}
	svc, err := New(st.Accounts(), Config{Hash: cheap, CSRFKey: testKey, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	ana, err := svc.CreateUser(ctx, NewUser{Username: "Ana", Role: RoleAdmin, Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, NewUser{Username: "ANA", Role: RoleAdmin, Password: goodPassword}); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate: %v", err)
	}
	sec, u, err := svc.Authenticate(ctx, "ana", goodPassword, Client{Address: "192.0.2.1", UserAgent: "Firefox"})
	if err != nil || u.ID != ana.ID {
		t.Fatalf("sign in: %v", err)
	}
	clk.Advance(2 * time.Minute)
	if s, err := svc.Lookup(ctx, sec); err != nil || !s.LastSeen.Equal(epoch.Add(2*time.Minute)) {
		t.Errorf("lookup: %+v, %v", s, err)
	}
	if got, _ := svc.User(ctx, ana.ID); !got.LastSignIn.Equal(epoch) {
		t.Errorf("last sign-in %v", got.LastSignIn)
	}
	if err := svc.Disable(ctx, ana.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Lookup(ctx, sec); !errors.Is(err, ErrNoSession) {
		t.Errorf("lookup after disabling: %v", err)
	}
	if err := svc.Audit(WithClient(ctx, Client{Address: "192.0.2.1"}), ana, ActionUserDisable, ana.ID, ""); err != nil {
		t.Fatal(err)
	}
	if es, _, err := svc.ListAudit(ctx, 0, 0); err != nil || len(es) != 1 || es[0].Address != "192.0.2.1" {
		t.Errorf("audit %+v, %v", es, err)
	}
	if err := st.Accounts().VerifyAccounts(ctx); err != nil {
		t.Error(err)
	}
}

func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := hashPassword(DefaultParams, goodPassword, randReader()); err != nil {
			b.Fatal(err)
		}
	}
}

// Sign-ins, lookups and sign-outs at once (run with -race).
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *Config) { c.MaxHashes = 2 })
	e.user(t, "ana", goodPassword)
	e.user(t, "bea", goodPassword)
	errs := make(chan error, 16)
	for i := range 8 {
		go func() {
			name, pw := "ana", goodPassword
			if i%2 == 1 {
				name, pw = "bea", otherPassword
			}
			for j := range 5 {
				sec, _, err := e.svc.Authenticate(ctx, name, pw, Client{Address: fmt.Sprintf("10.1.%d.%d", i, j)})
				if pw == otherPassword {
					if !errors.Is(err, ErrInvalidCredentials) && !errors.Is(err, ErrTooManyAttempts) {
						errs <- fmt.Errorf("wrong password: %w", err)
						return
					}
					continue
				}
				if err != nil {
					errs <- err
					return
				}
				e.clock.Advance(time.Minute)
				if _, err := e.svc.Lookup(ctx, sec); err != nil {
					errs <- err
					return
				}
				if err := e.svc.CheckCSRF(sec, e.svc.CSRFToken(sec)); err != nil {
					errs <- err
					return
				}
				if err := e.svc.SignOut(ctx, sec); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// The dummy an unknown username is checked against is a well-formed hash
// with the current parameters, so that checking it costs a real hash (as
// for a known user) and never matches.
func TestDummyHashCostsAHash(t *testing.T) {
	e := newEnv(t, nil)
	p, salt, key, err := parseHash(e.svc.dummy)
	if err != nil || p != e.svc.cfg.Hash || len(salt) != int(p.SaltLen) || len(key) != int(p.KeyLen) {
		t.Fatalf("dummy %q: %+v, %v; want the current parameters %+v", e.svc.dummy, p, err, e.svc.cfg.Hash)
	}
	if ok, _, err := verifyPassword(e.svc.dummy, ""); ok || err != nil {
		t.Fatalf("the dummy matched or failed: %v %v", ok, err)
	}
}
