package node

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Keys are the node's private keys, made at first start and kept in
// DATA/keys with mode 0600.
type Keys struct {
	Content ed25519.PrivateKey // the first content key (the ring's may have rotated since)
	HTTP    *rsa.PrivateKey    // signs HTTP requests (draft-cavage, rsa-sha256)
	// Ring holds every content and federation key with its history
	// (keyring.go); the trust layer signs with its active keys.
	Ring *keyRing
}

const (
	contentKeyFile = "content-ed25519.pem"
	httpKeyFile    = "http-rsa.pem"
)

// loadOrCreateKeys reads the node's keys from dir, creating any that is
// missing. It refuses key files readable by others.
func loadOrCreateKeys(dir string, now func() time.Time) (*Keys, bool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("keys: create %s: %w", dir, err)
	}
	created := false
	content, made, err := loadOrCreateKey(filepath.Join(dir, contentKeyFile), func() (crypto.Signer, error) {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	})
	if err != nil {
		return nil, false, err
	}
	created = created || made
	httpKey, made, err := loadOrCreateKey(filepath.Join(dir, httpKeyFile), func() (crypto.Signer, error) {
		return rsa.GenerateKey(rand.Reader, 2048)
	})
	if err != nil {
		return nil, false, err
	}
	created = created || made
	ed, ok := content.(ed25519.PrivateKey)
	if !ok {
		return nil, false, fmt.Errorf("keys: %s holds a %T, want an Ed25519 key", contentKeyFile, content)
	}
	rk, ok := httpKey.(*rsa.PrivateKey)
	if !ok {
		return nil, false, fmt.Errorf("keys: %s holds a %T, want an RSA key", httpKeyFile, httpKey)
	}
	if rk.N.BitLen() < 2048 {
		return nil, false, fmt.Errorf("keys: %s is RSA-%d; at least 2048 bits are required", httpKeyFile, rk.N.BitLen())
	}
	ring, err := openKeyRing(dir, ed, now)
	if err != nil {
		return nil, false, err
	}
	return &Keys{Content: ed, HTTP: rk, Ring: ring}, created, nil
}

func loadOrCreateKey(path string, gen func() (crypto.Signer, error)) (crypto.Signer, bool, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		k, err := gen()
		if err != nil {
			return nil, false, fmt.Errorf("keys: generate %s: %w", filepath.Base(path), err)
		}
		if err := writeKeyFile(path, k); err != nil {
			return nil, false, err
		}
		return k, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("keys: read %s: %w", path, err)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("keys: %s has mode %v; private keys must be readable by the owner only (chmod 600 %s)", path, st.Mode().Perm(), path)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, false, fmt.Errorf("keys: %s is not a PEM \"PRIVATE KEY\" (PKCS #8) file", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, false, fmt.Errorf("keys: parse %s: %w", path, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, false, fmt.Errorf("keys: %s holds a %T, which cannot sign", path, k)
	}
	return s, false, nil
}

// writeKeyFile writes a private key as PKCS #8 PEM with mode 0600, atomically.
func writeKeyFile(path string, k crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return fmt.Errorf("keys: encode %s: %w", filepath.Base(path), err)
	}
	if err := writeFileAtomic(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	return nil
}

// writeFileAtomic writes data to a temporary file beside path, fsyncs it,
// renames it over path and fsyncs the directory: a crash leaves either the
// old file or the new one, never half of one.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: fsync: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}
