package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.etcd.io/bbolt"
)

// The schema-7 migration rewrites so much of the file in place (the index
// and every header) that the pages it frees would stay in bbolt's
// freelist: about 1.1 KB an object, which every later commit sorts and
// writes out again (at a million objects, 2 MB and most of a commit's
// time). It leaves meta "compact" behind, and Open compacts the file while
// that key is there.

// compactTxSize bounds what one transaction of the compaction copies.
const compactTxSize = 64 << 20

// compactFile rewrites the closed database at path without its free pages:
// a copy beside it with every page filled and without meta "compact", made
// durable, then renamed over it. On any failure the original stays as it
// was (its "compact" key included, so the next start tries again) and the
// copy goes; a copy left by a process that stopped midway goes first.
func compactFile(path string) (err error) {
	tmp := path + ".compact"
	_ = os.Remove(tmp)
	defer func() {
		if err != nil {
			err = errors.Join(err, removeIfExists(tmp))
		}
	}()
	src, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: DefaultLockTimeout})
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer src.Close()
	dst, err := bbolt.Open(tmp, 0o600, &bbolt.Options{NoSync: true, FreelistType: bbolt.FreelistMapType})
	if err != nil {
		return fmt.Errorf("create the copy: %w", err)
	}
	if err := bbolt.Compact(dst, src, compactTxSize); err != nil {
		_ = dst.Close()
		return fmt.Errorf("copy: %w", err)
	}
	if err := dst.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bMeta).Delete(mCompact) }); err != nil {
		_ = dst.Close()
		return fmt.Errorf("mark the copy compacted: %w", err)
	}
	if err := errors.Join(dst.Sync(), dst.Close()); err != nil {
		return fmt.Errorf("write the copy: %w", err)
	}
	if err := src.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replace: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
