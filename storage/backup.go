package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/interlink-project/interlink-node/protocol"
)

// BeforeRestoreSuffix names the copy ReplaceFile keeps of the replaced file.
const BeforeRestoreSuffix = ".before-restore"

// Backup writes a consistent snapshot of the whole database to w while
// writers continue (it holds one read transaction for the copy). It returns
// the bytes written.
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := s.view(ctx, "backup", func(tx *bbolt.Tx) error {
		var err error
		n, err = tx.WriteTo(ctxWriter{ctx: ctx, w: w})
		if err != nil {
			return fmt.Errorf("storage: backup of %s after %d bytes: %w", s.path, n, err)
		}
		return nil
	})
	return n, err
}

// ctxWriter stops a long copy when its context ends.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// BackupError is a refused backup candidate. Path is the candidate file;
// Reason says what is wrong with it without naming any path (it may be shown
// to a remote client); it wraps ErrIncompatible, ErrLocked or the I/O error.
type BackupError struct {
	Path   string
	Reason error
}

func (e *BackupError) Error() string {
	return fmt.Sprintf("storage: check backup %s: %v", e.Path, e.Reason)
}

func (e *BackupError) Unwrap() error { return e.Reason }

// pathless drops the path of an *fs.PathError (keeping the operation and
// the cause, so errors.Is still sees os.ErrNotExist and the like).
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// openReason is openError without the path.
func openReason(err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("open: %w", ErrLocked)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return fmt.Errorf("%w: not a bbolt database or damaged: %w", ErrIncompatible, err)
	}
	return fmt.Errorf("open: %w", pathless(err))
}

// CheckBackup opens a candidate file read-only and checks that it is an
// intact node database whose schema this code can read or migrate. A
// refusal is a *BackupError.
func CheckBackup(path string) error {
	if err := checkBackup(path); err != nil {
		return &BackupError{Path: path, Reason: err}
	}
	return nil
}

func checkBackup(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return pathless(err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: not a regular file", ErrIncompatible)
	}
	size := fi.Size()
	f, err := os.Open(path)
	if err != nil {
		return pathless(err)
	}
	err = checkPages(f, size)
	_ = f.Close()
	if err != nil {
		return fmt.Errorf("%w: not an intact bbolt file: %w", ErrIncompatible, pathless(err))
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: DefaultLockTimeout})
	if err != nil {
		return openReason(err)
	}
	defer db.Close()
	known := uint64(len(migrations()))
	return viewUntrusted(db, func(tx *bbolt.Tx) error {
		v, err := schemaVersion(tx)
		if err != nil {
			return err
		}
		if v == 0 {
			return fmt.Errorf("%w: the file is an empty database", ErrIncompatible)
		}
		if v > known {
			return fmt.Errorf("%w: schema version %d is newer than this program knows (%d)", ErrIncompatible, v, known)
		}
		if len(tx.Bucket(bMeta).Get(mEpoch)) == 0 {
			return fmt.Errorf("%w: the database has no epoch", ErrIncompatible)
		}
		if tx.Size() > size {
			return fmt.Errorf("%w: the file is truncated (%d bytes, its pages need %d)", ErrIncompatible, size, tx.Size())
		}
		// Touch every reachable page here, where a fault is recovered, before
		// bbolt's checker (which runs in a goroutine of its own) walks them.
		if err := walkAll(tx); err != nil {
			return err
		}
		var first error
		for cerr := range tx.Check() { // drain: the checker runs until it closes the channel
			if first == nil {
				first = cerr
			}
		}
		if first != nil {
			return fmt.Errorf("%w: the file is damaged: %w", ErrIncompatible, first)
		}
		if v < known {
			return nil // Open migrates it; the current invariants do not apply yet
		}
		problems, err := verifyTx(context.Background(), tx)
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			return fmt.Errorf("%w: the data is inconsistent (%d problems): %w", ErrIncompatible, len(problems), errors.Join(problems...))
		}
		return nil
	})
}

// ReadBackupSetting reads one setting (PutSetting) of a candidate file,
// which CheckBackup accepted, without opening it as a store: what a backup
// says about itself (the node it was taken from). ErrNotFound when the
// setting is absent; a *BackupError when the file cannot be read.
func ReadBackupSetting(path, name string) ([]byte, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: DefaultLockTimeout})
	if err != nil {
		return nil, &BackupError{Path: path, Reason: openReason(err)}
	}
	defer db.Close()
	var out []byte
	err = viewUntrusted(db, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bSettings)
		if b == nil {
			return fmt.Errorf("%w: the file has no settings", ErrIncompatible)
		}
		v := b.Get([]byte(name))
		if v == nil {
			return fmt.Errorf("storage: backup setting %q: %w", name, ErrNotFound)
		}
		out = bytes.Clone(v)
		return nil
	})
	if errors.Is(err, ErrIncompatible) {
		return nil, &BackupError{Path: path, Reason: err}
	}
	return out, err
}

// walkAll reads every key and value of every bucket, nested ones included.
func walkAll(tx *bbolt.Tx) error {
	var walk func(b *bbolt.Bucket, depth int) error
	walk = func(b *bbolt.Bucket, depth int) error {
		if depth > 8 {
			return fmt.Errorf("%w: buckets nested deeper than a node database nests them", ErrIncompatible)
		}
		var sum byte
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if v == nil {
				if nb := b.Bucket(k); nb != nil {
					if err := walk(nb, depth+1); err != nil {
						return err
					}
				}
				continue
			}
			for _, x := range v {
				sum ^= x
			}
		}
		runtime.KeepAlive(sum)
		return nil
	}
	return tx.ForEach(func(_ []byte, b *bbolt.Bucket) error { return walk(b, 0) })
}

// viewUntrusted runs fn in a read transaction of a database that may be
// damaged: a panic or a memory fault while reading it becomes an error.
func viewUntrusted(db *bbolt.DB, fn func(tx *bbolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: the file is damaged: reading it failed: %v", ErrIncompatible, p)
		}
	}()
	return db.View(fn)
}

// ReplaceFile restores a backup: with the store at dbPath closed by the
// caller, it checks candidate (CheckBackup), gives it a new epoch (so that
// indexes derived from the old data are detected as stale), keeps the
// current file as dbPath+BeforeRestoreSuffix and atomically renames the
// candidate over dbPath (fsyncing the directory). A candidate in another
// directory is copied next to dbPath first; one in the same directory is
// moved (it no longer exists afterwards). The caller then re-Opens dbPath.
func ReplaceFile(dbPath, candidate string) error {
	return ReplaceFileWith(dbPath, candidate, RestoreKeep{})
}

// RestoreKeep is what a restore carries over from the node into the
// restored database, written in the same transaction as its new epoch
// (before the swap, so that no reopened database lacks it).
type RestoreKeep struct {
	// Tokens are put into the restored token table: a token with the same
	// ID, or holding the same hash, is replaced (the local operator's
	// credential must keep working after any restore).
	Tokens []Token
	// Settings are put into the restored settings (the node's identity).
	Settings map[string][]byte
}

// ReplaceFileWith is ReplaceFile that also writes keep into the candidate.
func ReplaceFileWith(dbPath, candidate string, keep RestoreKeep) error {
	fail := func(err error) error { return fmt.Errorf("storage: restore %s from %s: %w", dbPath, candidate, err) }
	absDB, err := filepath.Abs(dbPath)
	if err != nil {
		return fail(err)
	}
	absCand, err := filepath.Abs(candidate)
	if err != nil {
		return fail(err)
	}
	if absDB == absCand {
		return fail(errors.New("the candidate is the database file itself"))
	}
	dir := filepath.Dir(absDB)
	_, statErr := os.Stat(absDB)
	exists := statErr == nil
	if exists {
		if err := ensureUnlocked(absDB); err != nil {
			return fail(err)
		}
	}

	staged := absCand
	if filepath.Dir(absCand) != dir {
		f, err := os.CreateTemp(dir, filepath.Base(absDB)+".restore-*")
		if err != nil {
			return fail(fmt.Errorf("stage the candidate: %w", err))
		}
		staged = f.Name()
		err = copyInto(f, absCand)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(staged)
			return fail(fmt.Errorf("stage the candidate: %w", err))
		}
	}
	cleanup := func() {
		if staged != absCand {
			_ = os.Remove(staged)
		}
	}
	if err := CheckBackup(staged); err != nil { // the staged copy is what goes live
		cleanup()
		return fail(err)
	}
	if err := renewEpoch(staged, keep); err != nil {
		cleanup()
		return fail(err)
	}
	if exists {
		before := absDB + BeforeRestoreSuffix
		if err := os.Remove(before); err != nil && !errors.Is(err, os.ErrNotExist) {
			cleanup()
			return fail(fmt.Errorf("remove the previous %s: %w", before, err))
		}
		if err := os.Link(absDB, before); err != nil {
			if err := copyFile(before, absDB); err != nil {
				cleanup()
				return fail(fmt.Errorf("keep the current database as %s: %w", before, err))
			}
		}
	}
	if err := os.Rename(staged, absDB); err != nil {
		cleanup()
		return fail(fmt.Errorf("rename the candidate into place: %w", err))
	}
	if err := syncDir(dir); err != nil {
		return fail(err)
	}
	return nil
}

// ensureUnlocked refuses to replace a file another process holds open.
func ensureUnlocked(path string) error {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: 100 * time.Millisecond})
	if errors.Is(err, berrors.ErrTimeout) {
		return ErrLocked
	}
	if err == nil {
		_ = db.Close()
	}
	return nil // a damaged current file is exactly what a restore replaces
}

// renewEpoch gives the database at path a new epoch and writes keep into
// it, in one transaction, durably.
func renewEpoch(path string, keep RestoreKeep) error {
	for i := range keep.Tokens {
		if err := checkToken(&keep.Tokens[i]); err != nil {
			return fmt.Errorf("keep token: %w: %w", ErrInvalidObject, err)
		}
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: DefaultLockTimeout, NoFreelistSync: true, FreelistType: bbolt.FreelistMapType})
	if err != nil {
		return fmt.Errorf("open the candidate: %w", openError(path, err))
	}
	epoch, err := newEpoch()
	if err == nil {
		err = db.Update(func(tx *bbolt.Tx) error {
			if err := tx.Bucket(bMeta).Put(mEpoch, []byte(epoch)); err != nil {
				return err
			}
			return keepInto(tx, keep)
		})
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("set a new epoch in the candidate: %w", err)
	}
	return nil
}

// keepInto writes keep's tokens and settings into a candidate's
// transaction, keeping the token table and its hash index consistent.
func keepInto(tx *bbolt.Tx, keep RestoreKeep) error {
	tokens, hashes, settings := tx.Bucket(bTokens), tx.Bucket(bTokenHash), tx.Bucket(bSettings)
	if tokens == nil || hashes == nil || settings == nil {
		return fmt.Errorf("%w: the candidate has no token or settings bucket", ErrIncompatible)
	}
	for _, t := range keep.Tokens {
		t.Created = t.Created.UTC()
		if owner := hashes.Get(t.Hash); owner != nil && string(owner) != t.ID {
			if err := tokens.Delete(bytes.Clone(owner)); err != nil {
				return err
			}
		}
		if old := tokens.Get([]byte(t.ID)); old != nil {
			var ot Token
			if err := json.Unmarshal(old, &ot); err != nil {
				return fmt.Errorf("keep token %s: read the candidate's: %w", t.ID, err)
			}
			if !bytes.Equal(ot.Hash, t.Hash) && string(hashes.Get(ot.Hash)) == t.ID {
				if err := hashes.Delete(ot.Hash); err != nil {
					return err
				}
			}
		}
		val, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("keep token %s: %w", t.ID, err)
		}
		if err := tokens.Put([]byte(t.ID), val); err != nil {
			return err
		}
		if err := hashes.Put(t.Hash, []byte(t.ID)); err != nil {
			return err
		}
	}
	// Nobody stays signed in across a restore: the backup's sessions may
	// have been signed out or revoked since it was taken.
	for _, name := range [][]byte{bSessions, bUserSessions, bSessionExp} {
		if tx.Bucket(name) == nil {
			continue // a backup from before schema 5: migrated at open
		}
		if err := tx.DeleteBucket(name); err != nil {
			return fmt.Errorf("end the backup's sessions: %w", err)
		}
		if _, err := tx.CreateBucket(name); err != nil {
			return fmt.Errorf("end the backup's sessions: %w", err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(keep.Settings)) {
		if name == "" || len(name) > maxSettingKey || !printable(name) {
			return fmt.Errorf("keep setting %q: %w: the name is empty, too long or not printable", protocol.Clip(name, 40), ErrInvalidObject)
		}
		v := keep.Settings[name]
		if v == nil {
			v = []byte{}
		}
		if err := settings.Put([]byte(name), v); err != nil {
			return err
		}
	}
	return nil
}

func copyInto(dst *os.File, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if _, err := io.Copy(dst, in); err != nil {
		return err
	}
	return dst.Sync()
}

func copyFile(dst, src string) error {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	err = copyInto(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(dst)
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
