package accounts

import (
	"context"
	"errors"
	"strings"
	"testing"
)

const testIssuer = "https://id.example.gov/realms/city"

func TestSignInExternal(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	client := Client{Address: "192.0.2.7", UserAgent: "test"}
	id := ExternalIdentity{Issuer: testIssuer, Subject: "sub-1", Username: "anna.rossi", DisplayName: "Anna\x07 Rossi", Role: RoleEditor}

	secret, u, err := e.svc.SignInExternal(ctx, id, client)
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "anna.rossi" || u.DisplayName != "Anna Rossi" || u.Role != RoleEditor || u.HasPassword ||
		u.OIDCIssuer != testIssuer || u.OIDCSubject != "sub-1" || u.LastSignIn.IsZero() {
		t.Fatalf("user = %+v", u)
	}
	s, err := e.svc.Lookup(ctx, secret)
	if err != nil || s.User.ID != u.ID || s.Address != "192.0.2.7" {
		t.Fatalf("session = %+v, %v", s, err)
	}
	// An external account has no password to sign in with.
	if _, _, err := e.svc.Authenticate(ctx, "anna.rossi", "", client); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("password sign-in of an external account: %v", err)
	}

	// Same subject, another role and name: the same account, updated, audited.
	id.Role, id.DisplayName, id.Username = RoleReader, "Anna Maria Rossi", "anna"
	_, u2, err := e.svc.SignInExternal(ctx, id, client)
	if err != nil || u2.ID != u.ID || u2.Role != RoleReader || u2.DisplayName != "Anna Maria Rossi" || u2.Username != "anna.rossi" {
		t.Fatalf("second sign-in: %+v, %v", u2, err)
	}
	es, _, _ := e.svc.ListAudit(ctx, 0, 10)
	if len(es) != 2 || es[0].Action != ActionExternalRole || es[0].Detail != "editor → reader" || es[1].Action != ActionExternalCreate ||
		es[0].Address != "" {
		t.Fatalf("audit = %+v", es)
	}

	// Same role again: only the session is written, nothing audited.
	writes := e.store.writes
	if _, _, err := e.svc.SignInExternal(ctx, id, client); err != nil || e.store.writes != writes+1 {
		t.Fatalf("an unchanged sign-in wrote %d times (want the session only): %v", e.store.writes-writes, err)
	}
	if es, _, _ := e.svc.ListAudit(ctx, 0, 10); len(es) != 2 {
		t.Fatalf("an unchanged sign-in was audited: %+v", es)
	}

	// Disabled: refused, the account untouched.
	if err := e.svc.Disable(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	id.Role = RoleAdmin
	if _, _, err := e.svc.SignInExternal(ctx, id, client); !errors.Is(err, ErrDisabled) {
		t.Fatalf("disabled: %v", err)
	}
	if got, _ := e.svc.User(ctx, u.ID); got.Role != RoleReader {
		t.Fatalf("a refused sign-in changed the role to %s", got.Role)
	}
}

func TestSignInExternalUsernames(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	local := e.user(t, "mario", "a long password 1")
	for i, c := range []struct{ subject, username, want string }{
		{"s1", "mario", "mario-2"}, // a local account of that name is never taken over
		{"s2", "Mario", "Mario-3"}, // unique case-insensitively, kept as written
		{"s3", "José Ñúñez", "Jos-----ez"},
		{"s4", "", "s4"},
		{"ABC|123", "  ", "ABC-123"},
		{"s6", "--x", "x"},
		{"s7", strings.Repeat("a", 100), strings.Repeat("a", 64)},
		{"s8", strings.Repeat("a", 100), strings.Repeat("a", 62) + "-2"},
		{"@@@", "!!!", "user"},
	} {
		_, u, err := e.svc.SignInExternal(ctx, ExternalIdentity{Issuer: testIssuer, Subject: c.subject, Username: c.username, Role: RoleReader}, Client{})
		if err != nil || u.Username != c.want {
			t.Errorf("%d: username %q → %q, %v; want %q", i, c.username, u.Username, err, c.want)
		}
	}
	if got, _ := e.svc.User(ctx, local.ID); got.OIDCSubject != "" || !got.HasPassword {
		t.Fatalf("the local account changed: %+v", got)
	}
}

func TestSignInExternalRefusesBadIdentity(t *testing.T) {
	e := newEnv(t, nil)
	for _, id := range []ExternalIdentity{
		{Issuer: testIssuer, Subject: "s", Role: ""},
		{Issuer: testIssuer, Subject: "s", Role: "owner"},
		{Issuer: "", Subject: "s", Role: RoleReader},
		{Issuer: testIssuer, Subject: "", Role: RoleReader},
		{Issuer: testIssuer, Subject: strings.Repeat("s", 300), Role: RoleReader},
	} {
		if _, _, err := e.svc.SignInExternal(context.Background(), id, Client{}); !errors.Is(err, ErrExternalIdentity) {
			t.Errorf("%+v: %v", id, err)
		}
	}
	if us, _ := e.svc.List(context.Background()); len(us) != 0 {
		t.Fatalf("accounts made: %+v", us)
	}
}

func TestRefuseExternal(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	if n, err := e.svc.RefuseExternal(ctx, testIssuer, "nobody"); n != 0 || err != nil {
		t.Fatalf("no account: %d, %v", n, err)
	}
	id := ExternalIdentity{Issuer: testIssuer, Subject: "sub-9", Username: "ugo", Role: RoleAdmin}
	for range 2 {
		if _, _, err := e.svc.SignInExternal(ctx, id, Client{}); err != nil {
			t.Fatal(err)
		}
	}
	local := e.user(t, "lia", "a long password 2")
	e.signIn(t, "lia", "a long password 2")
	n, err := e.svc.RefuseExternal(ctx, testIssuer, "sub-9")
	if n != 2 || err != nil {
		t.Fatalf("RefuseExternal = %d, %v; want the 2 sessions ended", n, err)
	}
	if e.store.sessionCount(local.ID) != 1 {
		t.Fatal("another account's session ended")
	}
	es, _, _ := e.svc.ListAudit(ctx, 0, 1)
	if len(es) != 1 || es[0].Action != ActionExternalRefused || es[0].Username != "ugo" {
		t.Fatalf("audit = %+v", es)
	}
}
