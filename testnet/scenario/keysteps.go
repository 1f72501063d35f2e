package scenario

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/testnet"
)

// Key steps: rotate-key and revoke-key drive a node's key API and remember
// which content key each retired or revoked, for the forge steps
// (forgesteps.go) to steal.

// keySteps does the rotate-key and revoke-key steps.
type keySteps struct {
	fl    *fleet
	c     *testnet.Client
	out   printer
	hist  map[string]*keyHistory // by node, shared with forgery
	marks *marks
}

// keyHistory is what rotate-key and revoke-key did on one node.
type keyHistory struct {
	retired    string               // the content key the last rotate-key retired
	rotated    time.Time            // when that rotate-key step asked for it
	revoked    string               // the content key the last revoke-key revoked
	revokeStep time.Time            // when that revoke-key step asked for it
	retiredAt  map[string]time.Time // by kid, as the node recorded it
}

func (ks *keySteps) history(node string) *keyHistory {
	h := ks.hist[node]
	if h == nil {
		h = &keyHistory{retiredAt: map[string]time.Time{}}
		ks.hist[node] = h
	}
	return h
}

func findKey(keys []api.Key, kid string) (api.Key, bool) {
	for _, k := range keys {
		if k.Kid == kid {
			return k, true
		}
	}
	return api.Key{}, false
}

func activeKid(keys []api.Key) string {
	for _, k := range keys {
		if k.State == "active" {
			return k.Kid
		}
	}
	return ""
}

// rotateKey rotates the node's content key and remembers the retired one.
func (ks *keySteps) rotateKey(ctx context.Context, k *RotateKey) error {
	n, err := ks.fl.node(k.Node)
	if err != nil {
		return err
	}
	tok, err := n.Token()
	if err != nil {
		return err
	}
	var before api.TrustStatus
	if _, err := ks.c.Do(ctx, http.MethodGet, n.URL+"/api/v1/trust", tok, nil, &before); err != nil {
		return fmt.Errorf("the content keys of %s: %w", n.Name, err)
	}
	old := activeKid(before.ContentKeys)
	if old == "" {
		return fmt.Errorf("%s shows no active content key (GET /api/v1/trust)", n.Name)
	}
	start := time.Now()
	var ans api.KeySet
	if _, err := ks.c.Do(ctx, http.MethodPost, n.URL+"/api/v1/trust/keys/rotate", tok, api.KeyRotateRequest{Key: "content"}, &ans); err != nil {
		return fmt.Errorf("rotate the content key of %s: %w", n.Name, err)
	}
	was, ok := findKey(ans.ContentKeys, old)
	if !ok || was.State != "retired" || was.RetiredAt.IsZero() {
		return fmt.Errorf("after the rotation %s shows its previous content key %s as %+v, not retired", n.Name, old, was)
	}
	h := ks.history(n.Name)
	h.retired, h.rotated, h.retiredAt[old] = old, start, was.RetiredAt
	ks.out.printf("  %s: content key %s retired at %s; %s signs from now on", n.Name, old,
		was.RetiredAt.UTC().Format("15:04:05.000"), activeKid(ans.ContentKeys))
	return nil
}

// revokeKey revokes the content key the last rotate-key on the node retired.
func (ks *keySteps) revokeKey(ctx context.Context, k *RevokeKey) error {
	n, err := ks.fl.node(k.Node)
	if err != nil {
		return err
	}
	h := ks.hist[n.Name]
	if h == nil || h.retired == "" {
		return fmt.Errorf("no rotate-key on %s retired a content key to revoke", n.Name)
	}
	tok, err := n.Token()
	if err != nil {
		return err
	}
	start := time.Now()
	var ans api.KeySet
	if _, err := ks.c.Do(ctx, http.MethodPost, n.URL+"/api/v1/trust/keys/revoke", tok,
		api.KeyRevokeRequest{Kid: h.retired, Reason: k.Reason}, &ans); err != nil {
		return fmt.Errorf("revoke the content key %s of %s: %w", h.retired, n.Name, err)
	}
	was, ok := findKey(ans.ContentKeys, h.retired)
	if !ok || was.State != "revoked" || was.RevokedAt.IsZero() {
		return fmt.Errorf("after the revocation %s shows its content key %s as %+v, not revoked", n.Name, h.retired, was)
	}
	h.revoked, h.revokeStep = h.retired, start
	ks.marks.keyRevoke = start
	ks.out.printf("  %s: content key %s revoked at %s", n.Name, h.retired, was.RevokedAt.UTC().Format("15:04:05.000"))
	return nil
}
