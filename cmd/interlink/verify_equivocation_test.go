package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
)

// mapFetcher serves documents from memory.
type mapFetcher map[string][]byte

func (m mapFetcher) Fetch(_ context.Context, url string) ([]byte, error) {
	if b, ok := m[url]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("%s: not served", url)
}

// Equivocation evidence, as a node keeps it, verifies offline: two
// different payloads of one version signed by one signer.
func TestVerifyEquivocationEvidence(t *testing.T) {
	const ent = "https://comune.example"
	_, fedKey, _ := ed25519.GenerateKey(nil)
	_, contentKey, _ := ed25519.GenerateKey(nil)
	_, otherKey, _ := ed25519.GenerateKey(nil)
	fedJWK, _ := entity.NewJWK(fedKey.Public().(ed25519.PublicKey))
	contentJWK, _ := entity.NewJWK(contentKey.Public().(ed25519.PublicKey))
	now := time.Now()
	ec, err := entity.Sign(entity.Statement{Iss: ent, Sub: ent, Iat: now.Add(-time.Minute).Unix(), Exp: now.Add(time.Hour).Unix(),
		JWKS:     &entity.JWKS{Keys: []entity.JWK{fedJWK}},
		Metadata: &entity.Metadata{InterlinkNode: &entity.InterlinkNode{Actor: ent + "/actor", ContentKeys: []entity.JWK{contentJWK}}}}, fedKey)
	if err != nil {
		t.Fatal(err)
	}
	fetcher := mapFetcher{ent + entity.WellKnownPath: ec}
	sign := func(sub string, ver uint64, title string, key ed25519.PrivateKey) json.RawMessage {
		body, _ := json.Marshal(map[string]any{"type": "Interlinker", "title": title})
		jws, err := signedobject.Sign(signedobject.Payload{Iss: ent, Sub: sub, Iat: now.Unix(), Exp: now.Add(time.Hour).Unix(), Jti: title,
			Ver: ver, Type: "Interlinker", Cosigners: []string{ent}, Body: body}, signedobject.Signer{EntityID: ent, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		return jws
	}
	obj := ent + "/objects/01EQ"
	tests := []struct {
		name   string
		ev     api.Equivocation
		result string
	}{
		{"two payloads of one version", api.Equivocation{IRI: obj, Version: 3, Held: sign(obj, 3, "a", contentKey), Other: sign(obj, 3, "b", contentKey)}, "equivocation"},
		{"the same payload twice", api.Equivocation{IRI: obj, Version: 3, Held: sign(obj, 3, "a", contentKey), Other: sign(obj, 3, "a", contentKey)}, "refused"},
		{"two versions", api.Equivocation{IRI: obj, Version: 3, Held: sign(obj, 3, "a", contentKey), Other: sign(obj, 4, "b", contentKey)}, "refused"},
		{"two objects", api.Equivocation{IRI: obj, Version: 3, Held: sign(obj, 3, "a", contentKey), Other: sign(obj+"x", 3, "b", contentKey)}, "refused"},
		{"one document not the signer's", api.Equivocation{IRI: obj, Version: 3, Held: sign(obj, 3, "a", contentKey), Other: sign(obj, 3, "b", otherKey)}, "refused"},
		{"the evidence names another version", api.Equivocation{IRI: obj, Version: 2, Held: sign(obj, 3, "a", contentKey), Other: sign(obj, 3, "b", contentKey)}, "refused"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, _ := json.Marshal(tc.ev)
			rep := verify(t.Context(), raw, nil, fetcher, time.Minute)
			if rep.Result != tc.result {
				t.Fatalf("result %s, want %s: %+v (%v)", rep.Result, tc.result, rep.Steps, rep.verifyErr)
			}
		})
	}
}
