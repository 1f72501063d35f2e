package main

import (
	"crypto/ed25519"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
)

// The step a refusal is reported under names what failed: an object whose
// signer's entity configuration expired is refused at "signature" (its
// key cannot be trusted), not at "expiry", which is the object's own
// validity.
func TestVerifyStepOfARefusal(t *testing.T) {
	const ent = "https://comune.example"
	_, fedKey, _ := ed25519.GenerateKey(nil)
	_, contentKey, _ := ed25519.GenerateKey(nil)
	fedJWK, _ := entity.NewJWK(fedKey.Public().(ed25519.PublicKey))
	contentJWK, _ := entity.NewJWK(contentKey.Public().(ed25519.PublicKey))
	now := time.Now()
	ec := func(exp time.Time) []byte {
		b, err := entity.Sign(entity.Statement{Iss: ent, Sub: ent, Iat: now.Add(-2 * time.Hour).Unix(), Exp: exp.Unix(),
			JWKS:     &entity.JWKS{Keys: []entity.JWK{fedJWK}},
			Metadata: &entity.Metadata{InterlinkNode: &entity.InterlinkNode{Actor: ent + "/actor", ContentKeys: []entity.JWK{contentJWK}}}}, fedKey)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	object := func(iat, exp time.Time) []byte {
		body, _ := json.Marshal(map[string]any{"type": "Interlinker", "title": "x"})
		jws, err := signedobject.Sign(signedobject.Payload{Iss: ent, Sub: ent + "/objects/01ST", Iat: iat.Unix(), Exp: exp.Unix(), Jti: "j",
			Ver: 1, Type: "Interlinker", Cosigners: []string{ent}, Body: body}, signedobject.Signer{EntityID: ent, Key: contentKey})
		if err != nil {
			t.Fatal(err)
		}
		return jws
	}
	tests := []struct {
		name  string
		ec    []byte
		jws   []byte
		step  string
		valid bool
	}{
		{"the signer's configuration expired", ec(now.Add(-time.Hour)), object(now.Add(-time.Minute), now.Add(time.Hour)), "signature", false},
		{"the object expired", ec(now.Add(time.Hour)), object(now.Add(-90*time.Minute), now.Add(-time.Hour)), "expiry", false},
		{"both valid (unverified: no anchor)", ec(now.Add(time.Hour)), object(now.Add(-time.Minute), now.Add(time.Hour)), "chain", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := verify(t.Context(), tc.jws, nil, mapFetcher{ent + entity.WellKnownPath: tc.ec}, time.Minute)
			last := rep.Steps[len(rep.Steps)-1]
			if last.Step != tc.step || last.OK {
				t.Fatalf("last step %s (ok %v): %s; want %s failed", last.Step, last.OK, last.Detail, tc.step)
			}
			if got := rep.Result == "unverified"; got != tc.valid {
				t.Fatalf("result %s", rep.Result)
			}
		})
	}
}

// A document that cannot be fetched is not a refusal: verify exits 5
// (nothing judged), not 1, whether it is the object at a URL or a signer's
// entity configuration.
func TestVerifyFetchErrorHasItsOwnExitCode(t *testing.T) {
	isolate(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() // nothing answers there once closed
	ln.Close()

	r := runCLI(t, "", "verify", closed+"/objects/01ST", "--allow-private-networks")
	if r.code != exitFetch || strings.Count(r.stderr, closed+"/objects/01ST") != 1 {
		t.Errorf("verify of an unreachable URL: exit %d, %q", r.code, r.stderr)
	}

	// A well-formed object whose signer's configuration cannot be fetched.
	_, contentKey, _ := ed25519.GenerateKey(nil)
	now := time.Now()
	body, _ := json.Marshal(map[string]any{"type": "Interlinker", "title": "x"})
	jws, err := signedobject.Sign(signedobject.Payload{Iss: closed, Sub: closed + "/objects/01ST", Iat: now.Unix(), Exp: now.Add(time.Hour).Unix(),
		Jti: "j", Ver: 1, Type: "Interlinker", Cosigners: []string{closed}, Body: body}, signedobject.Signer{EntityID: closed, Key: contentKey})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "object.jws")
	if err := os.WriteFile(file, jws, 0o600); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "", "verify", file, "--allow-private-networks")
	if r.code != exitFetch || !strings.Contains(r.stdout, "NOT JUDGED") || !strings.Contains(r.stderr, "could not be fetched") {
		t.Errorf("verify with an unreachable signer: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "verify", file, "--allow-private-networks", "--json")
	var rep struct{ Result string }
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Result != "fetch-failed" || r.code != exitFetch {
		t.Errorf("verify --json with an unreachable signer: exit %d, %q (%v)", r.code, r.stdout, err)
	}
	// A file that is not there is no fetch error.
	if r := runCLI(t, "", "verify", filepath.Join(t.TempDir(), "none")); r.code != exitError {
		t.Errorf("verify of a missing file: exit %d", r.code)
	}
}
