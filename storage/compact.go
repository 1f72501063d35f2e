package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.etcd.io/bbolt"
)

// compactAfter is the first schema whose migration rewrites so much of the
// file in place (the schema-7 index and every header) that the pages it
// frees would stay in bbolt's freelist: about 1.1 KB an object, which every
// later commit sorts and writes out again (at a million objects, 2 MB and
// most of a commit's time). Open compacts the file after such a migration.
const compactAfter = 7

// compactTxSize bounds what one transaction of the compaction copies.
const compactTxSize = 64 << 20

// compactFile rewrites the closed database at path without its free pages:
// a copy beside it with every page filled, made durable, then renamed over
// it. On any failure the original stays as it was and the copy goes.
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
