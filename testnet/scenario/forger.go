package scenario

import (
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/testnet"
)

// forger signs and delivers as a node, with one of its content keys.
type forger struct {
	node    *testnet.NodeState
	u       protocol.URIs
	iss     string
	kid     string
	content ed25519.PrivateKey
	http    *rsa.PrivateKey
}

// keyManifest is the part of DATA/keys/keys.json a forger reads.
type keyManifest struct {
	Content []struct {
		File  string `json:"file"`
		Kid   string `json:"kid"`
		State string `json:"state"`
	} `json:"content"`
}

// newForger reads, from n's data directory, the content key kid ("" for
// the active one) and the HTTP key.
func newForger(n *testnet.NodeState, kid string) (*forger, error) {
	dir := filepath.Join(n.Data, "keys")
	raw, err := os.ReadFile(filepath.Join(dir, "keys.json"))
	if err != nil {
		return nil, fmt.Errorf("node %s: key manifest: %w", n.Name, err)
	}
	var m keyManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("node %s: %s: %w", n.Name, filepath.Join(dir, "keys.json"), err)
	}
	file := ""
	for _, e := range m.Content {
		if (kid == "" && e.State == "active") || (kid != "" && e.Kid == kid) {
			kid, file = e.Kid, e.File
			break
		}
	}
	if file == "" || filepath.Base(file) != file {
		return nil, fmt.Errorf("node %s: keys.json lists no content key %q", n.Name, kid)
	}
	k, err := readPrivateKey(filepath.Join(dir, file))
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", n.Name, err)
	}
	content, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("node %s: %s holds a %T, not an Ed25519 key", n.Name, file, k)
	}
	if tp, err := signedobject.Thumbprint(content.Public().(ed25519.PublicKey)); err != nil || tp != kid {
		return nil, fmt.Errorf("node %s: %s holds the key %s, keys.json says %s (%v)", n.Name, file, tp, kid, err)
	}
	k, err = readPrivateKey(filepath.Join(dir, "http-rsa.pem"))
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", n.Name, err)
	}
	hk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("node %s: http-rsa.pem holds a %T, not an RSA key", n.Name, k)
	}
	iss := n.EntityID
	if iss == "" {
		iss = n.URL
	}
	return &forger{node: n, u: protocol.NewURIs(n.URL), iss: iss, kid: kid, content: content, http: hk}, nil
}

func readPrivateKey(path string) (any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s is not a PEM PRIVATE KEY (PKCS #8)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return k, nil
}

// objectTTL is how long a forged signature claims to be valid (the
// nodes' trust.object_ttl default).
const objectTTL = 365 * 24 * time.Hour

// object makes forged interlinker number i of set as, signed at iat, and
// the Create that carries it.
func (f *forger) object(ids *protocol.ULIDSource, as, run string, i int, iat time.Time) (item, []byte, error) {
	now := time.Now()
	id := ids.New(now)
	key := fmt.Sprintf("%s-%s-%d", as, run, i+1)
	e := testnet.Interlinker(f.node, key, i)
	body, err := protocol.EncodeEntity(e)
	if err != nil {
		return item{}, nil, err
	}
	if _, err := protocol.DecodeEntity(body); err != nil {
		return item{}, nil, fmt.Errorf("forged interlinker %s: %w", key, err)
	}
	iat = iat.Truncate(time.Second).UTC()
	p := signedobject.Payload{Iss: f.iss, Sub: f.u.Object(id), Iat: iat.Unix(), Exp: iat.Add(objectTTL).Unix(), Jti: ids.New(now),
		Ver: 1, Type: string(protocol.KindInterlinker), Body: body, Cosigners: []string{f.iss}}
	jws, err := signedobject.Sign(p, signedobject.Signer{EntityID: f.iss, Key: f.content})
	if err != nil {
		return item{}, nil, err
	}
	obj := protocol.Object{Meta: protocol.Meta{IRI: p.Sub, ID: id, Type: protocol.KindInterlinker, Version: 1,
		Origin: f.u.Base(), Key: e.NaturalKey(), Created: iat, Updated: iat}, Body: body, JWS: jws}
	act, err := activity.Create(f.u, ids.New(now), obj, activity.WithEntity(e))
	if err != nil {
		return item{}, nil, err
	}
	return item{Node: f.node.Name, Kind: "interlinker", Key: key, IRI: p.Sub, ID: id, Forged: jws}, act, nil
}

// tombstone makes the signed Delete of forged object it: version 2, a
// tombstone, following its version 1.
func (f *forger) tombstone(ids *protocol.ULIDSource, it item) ([]byte, error) {
	v1, err := signedobject.Inspect(it.Forged)
	if err != nil {
		return nil, err
	}
	now := time.Now().Truncate(time.Second).UTC()
	body, err := json.Marshal(map[string]any{"deleted": true, "former_type": protocol.KindInterlinker})
	if err != nil {
		return nil, err
	}
	p := signedobject.Payload{Iss: f.iss, Sub: it.IRI, Iat: now.Unix(), Exp: now.Add(objectTTL).Unix(), Jti: ids.New(now),
		Ver: 2, Prev: signedobject.PayloadHash(v1.Raw), Type: signedobject.TombstoneType, Body: body, Cosigners: []string{f.iss}}
	jws, err := signedobject.Sign(p, signedobject.Signer{EntityID: f.iss, Key: f.content})
	if err != nil {
		return nil, err
	}
	created := time.Unix(v1.Payload.Iat, 0).UTC()
	obj := protocol.Object{Meta: protocol.Meta{IRI: it.IRI, ID: it.ID, Type: protocol.KindInterlinker, Version: 2,
		Origin: f.u.Base(), Created: created, Updated: now, Deleted: true}, JWS: jws}
	return activity.Delete(f.u, ids.New(now), obj)
}
