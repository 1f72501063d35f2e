package node

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
)

// The key ring: every Ed25519 key the node has signed with, in DATA/keys,
// with a manifest (keys.json) saying which key is active and when the others
// were retired or revoked. Content keys sign catalogue objects; federation
// keys sign the entity configuration. Retired keys stay listed (as
// historical keys) so that what they signed still verifies.
const (
	keyManifestFile     = "keys.json"
	federationKeyFile   = "federation-ed25519.pem"
	keyStateActive      = "active"
	keyStateNext        = "next" // a federation key waiting for its superior to list it
	keyStateRetired     = "retired"
	keyStateRevoked     = "revoked"
	keyKindContent      = "content"
	keyKindFederation   = "federation"
	keyManifestVersion1 = 1
)

type keyManifest struct {
	Version    int        `json:"version"`
	Content    []keyEntry `json:"content"`
	Federation []keyEntry `json:"federation"`
}

type keyEntry struct {
	File      string    `json:"file"`
	Kid       string    `json:"kid"`
	State     string    `json:"state"`
	Created   time.Time `json:"created"`
	RetiredAt time.Time `json:"retired_at,omitzero"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	Reason    string    `json:"reason,omitempty"`

	key ed25519.PrivateKey
}

// keyRing holds the manifest and the private keys; every change is written
// (key file, then manifest, each atomically) before it takes effect.
type keyRing struct {
	dir string
	now func() time.Time
	mu  sync.Mutex
	m   keyManifest
}

// openKeyRing loads DATA/keys/keys.json, creating it on first start (or
// after an upgrade from a data directory that had only the content key).
func openKeyRing(dir string, content ed25519.PrivateKey, now func() time.Time) (*keyRing, error) {
	r := &keyRing{dir: dir, now: now}
	raw, err := os.ReadFile(filepath.Join(dir, keyManifestFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		kid, err := signedobject.Thumbprint(content.Public().(ed25519.PublicKey))
		if err != nil {
			return nil, err
		}
		r.m = keyManifest{Version: keyManifestVersion1,
			Content: []keyEntry{{File: contentKeyFile, Kid: kid, State: keyStateActive, Created: now().UTC(), key: content}}}
		fed, err := r.newKey(keyKindFederation, federationKeyFile)
		if err != nil {
			return nil, err
		}
		r.m.Federation = []keyEntry{fed}
		if err := r.save(); err != nil {
			return nil, err
		}
		return r, nil
	case err != nil:
		return nil, fmt.Errorf("keys: read %s: %w", keyManifestFile, err)
	}
	if err := json.Unmarshal(raw, &r.m); err != nil {
		return nil, fmt.Errorf("keys: %s is not a key manifest: %w (restore it from a backup of DATA/keys)", filepath.Join(dir, keyManifestFile), err)
	}
	if r.m.Version != keyManifestVersion1 {
		return nil, fmt.Errorf("keys: %s has version %d; this node reads version %d", keyManifestFile, r.m.Version, keyManifestVersion1)
	}
	for _, list := range []*[]keyEntry{&r.m.Content, &r.m.Federation} {
		active := 0
		for i := range *list {
			e := &(*list)[i]
			if err := r.load(e); err != nil {
				return nil, err
			}
			if e.State == keyStateActive {
				active++
			}
		}
		if active != 1 {
			return nil, fmt.Errorf("keys: %s lists %d active keys of one kind; exactly one is needed", keyManifestFile, active)
		}
	}
	return r, nil
}

// load reads e's private key and checks it is the key the manifest names.
func (r *keyRing) load(e *keyEntry) error {
	if filepath.Base(e.File) != e.File || e.File == "" {
		return fmt.Errorf("keys: %s names the key file %q; only file names inside %s are allowed", keyManifestFile, e.File, r.dir)
	}
	k, _, err := loadOrCreateKey(filepath.Join(r.dir, e.File), func() (crypto.Signer, error) {
		return nil, fmt.Errorf("key file %s is missing (restore it from a backup of DATA/keys)", e.File)
	})
	if err != nil {
		return err
	}
	ed, ok := k.(ed25519.PrivateKey)
	if !ok {
		return fmt.Errorf("keys: %s holds a %T, want an Ed25519 key", e.File, k)
	}
	kid, err := signedobject.Thumbprint(ed.Public().(ed25519.PublicKey))
	if err != nil {
		return err
	}
	if kid != e.Kid {
		return fmt.Errorf("keys: %s holds the key %s, but %s says %s", e.File, kid, keyManifestFile, e.Kid)
	}
	e.key = ed
	return nil
}

// newKey generates an Ed25519 key and writes it to file (0600).
func (r *keyRing) newKey(kind, file string) (keyEntry, error) {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return keyEntry{}, fmt.Errorf("keys: generate a %s key: %w", kind, err)
	}
	kid, err := signedobject.Thumbprint(k.Public().(ed25519.PublicKey))
	if err != nil {
		return keyEntry{}, err
	}
	if file == "" {
		file = kind + "-" + kid + ".pem"
	}
	if err := writeKeyFile(filepath.Join(r.dir, file), k); err != nil {
		return keyEntry{}, err
	}
	return keyEntry{File: file, Kid: kid, State: keyStateActive, Created: r.now().UTC(), key: k}, nil
}

func (r *keyRing) save() error {
	raw, err := json.MarshalIndent(r.m, "", "  ")
	if err != nil {
		return fmt.Errorf("keys: encode manifest: %w", err)
	}
	return writeFileAtomic(filepath.Join(r.dir, keyManifestFile), append(raw, '\n'), 0o600)
}

// Snapshot is the key set the trust layer signs and publishes with.
func (r *keyRing) Snapshot() trust.KeySet {
	r.mu.Lock()
	defer r.mu.Unlock()
	conv := func(list []keyEntry) []trust.Key {
		out := make([]trust.Key, 0, len(list))
		for _, e := range list {
			out = append(out, trust.Key{Kid: e.Kid, Private: e.key, State: e.State, Created: e.Created,
				RetiredAt: e.RetiredAt, RevokedAt: e.RevokedAt, Reason: e.Reason})
		}
		return out
	}
	return trust.KeySet{Content: conv(r.m.Content), Federation: conv(r.m.Federation)}
}

// errKeyRing marks a refused key operation (a client mistake, not a fault).
var errKeyRing = errors.New("key operation refused")

// Rotate makes a new key of kind. A new content key is active at once and
// the previous one retired (what it signed keeps verifying). A federation
// key needs its superior to list it first: rotate adds it as "next" (listed
// in the entity configuration, not yet signing); promote then makes it
// active and retires the old one.
func (r *keyRing) Rotate(kind string, promote bool) (trust.KeySet, error) {
	r.mu.Lock()
	err := r.rotate(kind, promote)
	r.mu.Unlock()
	if err != nil {
		return trust.KeySet{}, err
	}
	return r.Snapshot(), nil
}

func (r *keyRing) rotate(kind string, promote bool) error {
	now := r.now().UTC()
	switch {
	case kind == keyKindContent && !promote:
		e, err := r.newKey(kind, "")
		if err != nil {
			return err
		}
		for i := range r.m.Content {
			if r.m.Content[i].State == keyStateActive {
				r.m.Content[i].State, r.m.Content[i].RetiredAt = keyStateRetired, now
			}
		}
		r.m.Content = append(r.m.Content, e)
	case kind == keyKindFederation && !promote:
		if slices.ContainsFunc(r.m.Federation, func(e keyEntry) bool { return e.State == keyStateNext }) {
			return fmt.Errorf("%w: a next federation key already waits; ask the superior to re-enrol this node, then promote it", errKeyRing)
		}
		e, err := r.newKey(kind, "")
		if err != nil {
			return err
		}
		e.State = keyStateNext
		r.m.Federation = append(r.m.Federation, e)
	case kind == keyKindFederation && promote:
		next := slices.IndexFunc(r.m.Federation, func(e keyEntry) bool { return e.State == keyStateNext })
		if next < 0 {
			return fmt.Errorf("%w: no next federation key to promote; rotate first", errKeyRing)
		}
		for i := range r.m.Federation {
			if r.m.Federation[i].State == keyStateActive {
				r.m.Federation[i].State, r.m.Federation[i].RetiredAt = keyStateRetired, now
			}
		}
		r.m.Federation[next].State = keyStateActive
	default:
		return fmt.Errorf("%w: kind %q with promote=%v: rotate content, or federation (then promote)", errKeyRing, kind, promote)
	}
	return r.save()
}

// Revoke marks a content key compromised from now: what it signed at or
// after this moment never verifies. The active key cannot be revoked
// before a rotation has replaced it.
func (r *keyRing) Revoke(kid, reason string) (trust.KeySet, error) {
	r.mu.Lock()
	err := func() error {
		for i := range r.m.Content {
			e := &r.m.Content[i]
			if e.Kid != kid {
				continue
			}
			if e.State == keyStateActive {
				return fmt.Errorf("%w: %s is the active content key; rotate first, then revoke it", errKeyRing, kid)
			}
			if e.State == keyStateRevoked {
				return fmt.Errorf("%w: %s is already revoked", errKeyRing, kid)
			}
			e.State, e.RevokedAt, e.Reason = keyStateRevoked, r.now().UTC(), reason
			return r.save()
		}
		return fmt.Errorf("%w: no content key %q (see GET /api/v1/trust)", errKeyRing, kid)
	}()
	r.mu.Unlock()
	if err != nil {
		return trust.KeySet{}, err
	}
	return r.Snapshot(), nil
}
