package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
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

// CheckBackup opens a candidate file read-only and checks that it is an
// intact node database whose schema this code can read or migrate.
func CheckBackup(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("storage: check backup %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("storage: check backup %s: %w: not a regular file", path, ErrIncompatible)
	}
	size := fi.Size()
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("storage: check backup %s: %w", path, err)
	}
	err = checkPages(f, size)
	_ = f.Close()
	if err != nil {
		return fmt.Errorf("storage: check backup %s: %w: not an intact bbolt file: %w", path, ErrIncompatible, err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: DefaultLockTimeout})
	if err != nil {
		return fmt.Errorf("storage: check backup: %w", openError(path, err))
	}
	defer db.Close()
	known := uint64(len(migrations()))
	err = viewUntrusted(db, func(tx *bbolt.Tx) error {
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
	if err != nil {
		return fmt.Errorf("storage: check backup %s: %w", path, err)
	}
	return nil
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
	if err := renewEpoch(staged); err != nil {
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

// renewEpoch gives the database at path a new epoch, durably.
func renewEpoch(path string) error {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: DefaultLockTimeout, NoFreelistSync: true, FreelistType: bbolt.FreelistMapType})
	if err != nil {
		return fmt.Errorf("open the candidate: %w", openError(path, err))
	}
	epoch, err := newEpoch()
	if err == nil {
		err = db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bMeta).Put(mEpoch, []byte(epoch)) })
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("set a new epoch in the candidate: %w", err)
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
