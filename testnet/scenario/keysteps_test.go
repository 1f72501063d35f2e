package scenario

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/testnet"
)

func writeKey(t *testing.T, path string, k crypto.Signer) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// keysDir writes a node's DATA/keys as the node does: a retired and an
// active content key listed in keys.json, and the HTTP key.
func keysDir(t *testing.T) (n *testnet.NodeState, retired, active ed25519.PrivateKey) {
	t.Helper()
	data := t.TempDir()
	dir := filepath.Join(data, "keys")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	var entries []map[string]string
	for i, state := range []string{"retired", "active"} {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		kid, err := signedobject.Thumbprint(k.Public().(ed25519.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		file := "content-" + kid + ".pem"
		writeKey(t, filepath.Join(dir, file), k)
		entries = append(entries, map[string]string{"file": file, "kid": kid, "state": state})
		if i == 0 {
			retired = k
		} else {
			active = k
		}
	}
	raw, err := json.Marshal(map[string]any{"version": 1, "content": entries, "federation": []any{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys.json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	hk, err := rsa.GenerateKey(rand.Reader, 1024) // only loaded here, never used on a network
	if err != nil {
		t.Fatal(err)
	}
	writeKey(t, filepath.Join(dir, "http-rsa.pem"), hk)
	url := "http://127.0.0.9:4321"
	return &testnet.NodeState{Name: "x", DisplayName: "X", Country: "IT", URL: url, EntityID: url, Data: data}, retired, active
}

func kidOf(t *testing.T, k ed25519.PrivateKey) string {
	t.Helper()
	kid, err := signedobject.Thumbprint(k.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return kid
}

func TestNewForger(t *testing.T) {
	n, retired, active := keysDir(t)
	tests := []struct {
		name, kid string
		want      ed25519.PrivateKey
		err       string
	}{
		{"retired by kid", kidOf(t, retired), retired, ""},
		{"active by default", "", active, ""},
		{"unknown kid", "nope", nil, `no content key "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := newForger(n, tt.kid)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !f.content.Equal(tt.want) || f.http == nil || f.iss != n.URL || f.u.Base() != n.URL {
				t.Fatalf("forger %+v", f)
			}
		})
	}
	// A key file that does not hold the key keys.json names is refused.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	writeKey(t, filepath.Join(n.Data, "keys", "content-"+kidOf(t, retired)+".pem"), other)
	if _, err := newForger(n, kidOf(t, retired)); err == nil || !strings.Contains(err.Error(), "keys.json says") {
		t.Fatalf("a mismatched key file: %v", err)
	}
}

func TestForgedObjectAndTombstone(t *testing.T) {
	n, retired, active := keysDir(t)
	f, err := newForger(n, kidOf(t, retired))
	if err != nil {
		t.Fatal(err)
	}
	var ids protocol.ULIDSource
	iat := time.Now().Add(-time.Hour)
	it, act, err := f.object(&ids, "forged", "run1", 2, iat)
	if err != nil {
		t.Fatal(err)
	}
	if it.Node != "x" || it.Key != "forged-run1-3" || !strings.HasPrefix(it.IRI, n.URL+"/objects/") || it.ID != lastSegment(it.IRI) {
		t.Fatalf("item %+v", it)
	}
	a, ok, err := activity.ParseSigned(act)
	if !ok || err != nil {
		t.Fatalf("the Create does not parse as a signed activity: %v %v", ok, err)
	}
	if a.Type != "Create" || a.Actor != n.URL+"/actor" || !strings.HasPrefix(a.ID, n.URL+"/activities/") ||
		a.Object == nil || !bytes.Equal(a.Object.JWS, it.Forged) {
		t.Fatalf("activity %+v", a)
	}
	keyOf := func(k ed25519.PrivateKey) signedobject.KeyResolver {
		return func(ent, kid string, _ time.Time) (ed25519.PublicKey, error) {
			if ent != n.URL || kid != kidOf(t, k) {
				return nil, errors.New("unexpected signer " + ent + " " + kid)
			}
			return k.Public().(ed25519.PublicKey), nil
		}
	}
	v, err := signedobject.Verify(it.Forged, keyOf(retired), time.Now(), signedobject.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := v.Payload
	if p.Iat != iat.Unix() || p.Ver != 1 || p.Sub != it.IRI || p.Iss != n.URL || p.Type != string(protocol.KindInterlinker) {
		t.Fatalf("payload %+v", p)
	}
	if e, err := protocol.DecodeEntity(p.Body); err != nil || e.NaturalKey() != it.Key {
		t.Fatalf("body: %v %v", e, err)
	}

	g, err := newForger(n, "")
	if err != nil {
		t.Fatal(err)
	}
	del, err := g.tombstone(&ids, it)
	if err != nil {
		t.Fatal(err)
	}
	d, ok, err := activity.ParseSigned(del)
	if !ok || err != nil || d.Type != "Delete" || d.Object == nil {
		t.Fatalf("the Delete: %v %v %+v", ok, err, d)
	}
	tv, err := signedobject.Verify(d.Object.JWS, keyOf(active), time.Now(), signedobject.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tv.Payload.Type != signedobject.TombstoneType || tv.Payload.Ver != 2 {
		t.Fatalf("tombstone payload %+v", tv.Payload)
	}
	if err := signedobject.CheckSuccessor(v.Raw, v.Payload, tv.Payload); err != nil {
		t.Fatalf("the tombstone does not follow the forged version: %v", err)
	}
}
