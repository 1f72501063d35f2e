package trustchain

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/signedobject"
)

// BenchmarkResolveCold3Level resolves leaf -> municipality -> anchor over
// loopback HTTP with the cache cleared every iteration (5 GETs, 5 parses,
// 7 signature checks): cold resolution latency.
// go test -run '^$' -bench 'ResolveCold' -cpu 1 ./protocol/trustchain/
func BenchmarkResolveCold3Level(b *testing.B) {
	f, srv, anchor, _, leaf := loopbackFed(b)
	defer srv.Close()
	defer srv.Client().CloseIdleConnections()
	r := f.httpResolver(b, srv, anchor)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r.Invalidate(leaf)
		if _, err := r.Resolve(ctx, leaf); err != nil {
			b.Fatal(err)
		}
	}
}

// warmObject is a single-signer object of about 2 KB signed with leafPA's
// content key, and a resolver whose chain for leafPA is warm.
func warmObject(b *testing.B) (*fed, *Resolver, []byte) {
	f := newFed(b)
	r := f.resolver(anchorIT)
	p := signedobject.Payload{
		Iss: leafPA, Sub: leafPA + "/objects/01JNRX3ZQ8M6T7V9W2Y4B5C6D7",
		Iat: t0.Unix(), Exp: t0.Add(24 * time.Hour).Unix(), Jti: "01JNRX3ZQ8M6T7V9W2Y4B5C6D8", Ver: 1,
		Type: "PublicService", Cosigners: []string{leafPA},
		Body: json.RawMessage(`{"title":{"en":"Waste collection booking"},"description":{"en":"` + strings.Repeat("Book a bulky waste pickup online. ", 30) + `"}}`),
	}
	doc, err := signedobject.Sign(p, signedobject.Signer{EntityID: leafPA, Key: f.nodes[leafPA].contentKey})
	if err != nil {
		b.Fatal(err)
	}
	if n := len(doc); n < 1800 || n > 2400 {
		b.Fatalf("object is %d bytes, want about 2 KB", n)
	}
	if _, err := r.Resolve(context.Background(), leafPA); err != nil {
		b.Fatal(err)
	}
	return f, r, doc
}

// BenchmarkVerifyWarm verifies the object with signedobject.Verify and a
// KeyResolver backed by the resolver's warm cached chain (Resolve, then
// Chain.ContentKey). Compare with BenchmarkRawEd25519Verify in the same run:
// go test -run '^$' -bench 'VerifyWarm|RawEd25519' -cpu 1 ./protocol/trustchain/
func BenchmarkVerifyWarm(b *testing.B) {
	f, r, doc := warmObject(b)
	ctx := context.Background()
	resolve := func(entityID, kid string, at time.Time) (ed25519.PublicKey, error) {
		c, err := r.Resolve(ctx, entityID)
		if err != nil {
			return nil, err
		}
		return c.ContentKeyAt(kid, at, time.Time{})
	}
	hits := f.f.total()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := signedobject.Verify(doc, resolve, f.now, signedobject.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	if f.f.total() != hits {
		b.Fatal("the warm benchmark fetched")
	}
}

// BenchmarkRawEd25519Verify is the floor: ed25519.Verify over the same
// object's signing input.
func BenchmarkRawEd25519Verify(b *testing.B) {
	f, _, doc := warmObject(b)
	var env struct {
		Payload    string `json:"payload"`
		Signatures []struct {
			Protected string `json:"protected"`
			Signature string `json:"signature"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(doc, &env); err != nil {
		b.Fatal(err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(env.Signatures[0].Signature)
	if err != nil {
		b.Fatal(err)
	}
	in := []byte(env.Signatures[0].Protected + "." + env.Payload)
	pub := f.nodes[leafPA].contentKey.Public().(ed25519.PublicKey)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if !ed25519.Verify(pub, in, sig) {
			b.Fatal("raw verify failed")
		}
	}
}
