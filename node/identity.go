package node

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// settingIdentity is the setting that says which node a database (and so
// each backup of it) belongs to.
const settingIdentity = "identity"

// nodeIdentity identifies a node across its data directory: its public URL
// and the RFC 7638 thumbprint of its federation key (DATA/keys).
type nodeIdentity struct {
	PublicURL     string `json:"public_url"`
	FederationKey string `json:"federation_key"`
}

func (id nodeIdentity) String() string {
	return fmt.Sprintf("%s (federation key %s)", id.PublicURL, id.FederationKey)
}

// identityBook says which node this is, and keeps it in the database (and
// so in every backup) and across restores.
type identityBook struct {
	uris protocol.URIs
	ring *keyRing
	data string // the data directory, holding the local credential
}

// current is this node's identity: its public URL and active federation key.
func (b identityBook) current() nodeIdentity {
	id := nodeIdentity{PublicURL: b.uris.Base()}
	for _, k := range b.ring.Snapshot().Federation {
		if k.State == keyStateActive {
			id.FederationKey = k.Kid
		}
	}
	return id
}

// isOwn reports whether id is this node's: the same public URL, and a
// federation key this node holds (a backup taken before a key rotation
// names a key that is retired now).
func (b identityBook) isOwn(id nodeIdentity) bool {
	if id.PublicURL != b.uris.Base() {
		return false
	}
	return slices.ContainsFunc(b.ring.Snapshot().Federation, func(k trust.Key) bool { return k.Kid == id.FederationKey })
}

// record writes this node's identity into its database st, so that every
// backup says where it comes from.
func (b identityBook) record(ctx context.Context, st *storage.Store) error {
	want, err := json.Marshal(b.current())
	if err != nil {
		return fmt.Errorf("node identity: %w", err)
	}
	have, err := st.GetSetting(ctx, settingIdentity)
	if err == nil && bytes.Equal(have, want) {
		return nil
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("node identity: %w", err)
	}
	if err := st.PutSetting(ctx, settingIdentity, want); err != nil {
		return fmt.Errorf("node identity: %w", err)
	}
	return nil
}

// backupIdentity reads the identity a backup candidate says it brings; nil
// when it says none (a backup made before identities were recorded).
func backupIdentity(path string) (*nodeIdentity, error) {
	raw, err := storage.ReadBackupSetting(path, settingIdentity)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var id nodeIdentity
	if err := json.Unmarshal(raw, &id); err != nil || id.PublicURL == "" {
		return nil, &storage.BackupError{Path: path, Reason: fmt.Errorf("%w: its identity setting is malformed", storage.ErrIncompatible)}
	}
	return &id, nil
}

// restoreKeep is what a restore carries over from st into the restored
// database: this node's identity, and the local credential the CLI on this
// machine uses (DATA/local-credential), so that no restore locks the
// operator out.
func (b identityBook) restoreKeep(ctx context.Context, st *storage.Store) (storage.RestoreKeep, error) {
	id, err := json.Marshal(b.current())
	if err != nil {
		return storage.RestoreKeep{}, fmt.Errorf("node identity: %w", err)
	}
	keep := storage.RestoreKeep{Settings: map[string][]byte{settingIdentity: id}}
	cred, err := os.ReadFile(filepath.Join(b.data, localCredentialFile))
	if errors.Is(err, os.ErrNotExist) {
		return keep, nil
	}
	if err != nil {
		return storage.RestoreKeep{}, fmt.Errorf("read the local credential: %w", err)
	}
	t, err := st.Tokens().ByHash(ctx, hashToken(strings.TrimSpace(string(cred))))
	if errors.Is(err, storage.ErrNotFound) {
		return keep, nil // revoked: not brought back
	}
	if err != nil {
		return storage.RestoreKeep{}, fmt.Errorf("find the local credential: %w", err)
	}
	keep.Tokens = []storage.Token{t}
	return keep, nil
}

// identityText names a backup's identity for the log.
func identityText(id *nodeIdentity) string {
	if id == nil {
		return "unknown"
	}
	return id.String()
}
