package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
)

// checkPages validates the page structure of a bbolt file (version 2, the
// machine's byte order) without bbolt: every page and element that a
// reader could follow from a valid meta page must lie inside the file.
// bbolt trusts these offsets (it reads through unsafe pointers, some of it
// in goroutines of its own), so a damaged or hostile file would crash the
// process instead of failing; after this check it can only fail cleanly.
func checkPages(r io.ReaderAt, size int64) error {
	if size < 1024 {
		return fmt.Errorf("%d bytes is too small for a bbolt file", size)
	}
	var metas []pageMeta
	var firstErr error
	for _, off := range metaOffsets(r) {
		m, err := readMeta(r, off, size)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		metas = append(metas, m)
	}
	if len(metas) == 0 {
		return fmt.Errorf("no valid meta page: %w", firstErr)
	}
	for _, m := range metas {
		w := pageWalker{r: r, m: m, visited: map[uint64]bool{}}
		if _, err := w.page(m.root, nil, nil, 0); err != nil {
			return fmt.Errorf("meta of transaction %d: %w", m.txid, err)
		}
		if m.freelist != noFreelist {
			if err := w.freelist(m.freelist); err != nil {
				return fmt.Errorf("meta of transaction %d: %w", m.txid, err)
			}
		}
	}
	return nil
}

const (
	boltMagic     = 0xED0CDAED
	boltVersion   = 2
	noFreelist    = ^uint64(0)
	pageHeader    = 16
	elementSize   = 16
	bucketHeader  = 16
	flagBranch    = 0x01
	flagLeaf      = 0x02
	flagMeta      = 0x04
	flagFreelist  = 0x10
	flagBucketVal = 0x01
	maxTreeDepth  = 64
)

var ne = binary.NativeEndian

type pageMeta struct {
	pageSize uint64
	root     uint64
	freelist uint64
	pgid     uint64 // high water mark: pages [0, pgid) exist
	txid     uint64
}

// metaOffsets lists where the two meta pages may start: page 0, and page 1
// at the page size meta 0 claims or at common page sizes.
func metaOffsets(r io.ReaderAt) []int64 {
	offs := []int64{0}
	var b [pageHeader + 12]byte
	if _, err := r.ReadAt(b[:], 0); err == nil {
		if ps := int64(ne.Uint32(b[pageHeader+8:])); validPageSize(uint64(ps)) {
			offs = append(offs, ps)
		}
	}
	for _, ps := range []int64{4096, 16384, 65536} {
		if len(offs) < 2 || offs[1] != ps {
			offs = append(offs, ps)
		}
	}
	return offs
}

func validPageSize(ps uint64) bool { return ps >= 512 && ps <= 1<<16 && ps&(ps-1) == 0 }

func readMeta(r io.ReaderAt, off, size int64) (pageMeta, error) {
	var b [pageHeader + 64]byte
	if _, err := r.ReadAt(b[:], off); err != nil {
		return pageMeta{}, fmt.Errorf("read meta page at %d: %w", off, err)
	}
	if ne.Uint16(b[8:]) != flagMeta {
		return pageMeta{}, fmt.Errorf("meta page at %d: not a meta page", off)
	}
	m := b[pageHeader:]
	if ne.Uint32(m[0:]) != boltMagic || ne.Uint32(m[4:]) != boltVersion {
		return pageMeta{}, fmt.Errorf("meta page at %d: not a bbolt version 2 file", off)
	}
	h := fnv.New64a()
	_, _ = h.Write(m[:56])
	if h.Sum64() != ne.Uint64(m[56:]) {
		return pageMeta{}, fmt.Errorf("meta page at %d: bad checksum", off)
	}
	pm := pageMeta{pageSize: uint64(ne.Uint32(m[8:])), root: ne.Uint64(m[16:]), freelist: ne.Uint64(m[32:]),
		pgid: ne.Uint64(m[40:]), txid: ne.Uint64(m[48:])}
	switch {
	case !validPageSize(pm.pageSize):
		return pageMeta{}, fmt.Errorf("meta page at %d: page size %d", off, pm.pageSize)
	case pm.pgid < 3 || pm.pgid > uint64(size)/pm.pageSize:
		return pageMeta{}, fmt.Errorf("meta page at %d: %d pages of %d bytes do not fit in %d bytes", off, pm.pgid, pm.pageSize, size)
	case pm.root < 2 || pm.root >= pm.pgid:
		return pageMeta{}, fmt.Errorf("meta page at %d: root page %d out of range", off, pm.root)
	case pm.freelist != noFreelist && (pm.freelist < 2 || pm.freelist >= pm.pgid):
		return pageMeta{}, fmt.Errorf("meta page at %d: freelist page %d out of range", off, pm.freelist)
	}
	return pm, nil
}

type pageWalker struct {
	r       io.ReaderAt
	m       pageMeta
	visited map[uint64]bool
}

var errPage = errors.New("damaged page")

// read returns page id with its overflow pages.
func (w *pageWalker) read(id uint64, want uint16) ([]byte, error) {
	if id < 2 || id >= w.m.pgid {
		return nil, fmt.Errorf("%w: page id %d outside 2..%d", errPage, id, w.m.pgid-1)
	}
	var h [pageHeader]byte
	if _, err := w.r.ReadAt(h[:], int64(id*w.m.pageSize)); err != nil {
		return nil, fmt.Errorf("read page %d: %w", id, err)
	}
	overflow := uint64(ne.Uint32(h[12:]))
	switch {
	case ne.Uint64(h[0:]) != id:
		return nil, fmt.Errorf("%w: page %d says it is page %d", errPage, id, ne.Uint64(h[0:]))
	case want != 0 && ne.Uint16(h[8:]) != want:
		return nil, fmt.Errorf("%w: page %d has type %#x, want %#x", errPage, id, ne.Uint16(h[8:]), want)
	case id+overflow >= w.m.pgid:
		return nil, fmt.Errorf("%w: page %d overflows past the last page", errPage, id)
	}
	for p := id; p <= id+overflow; p++ {
		if w.visited[p] {
			return nil, fmt.Errorf("%w: page %d is referenced twice", errPage, p)
		}
		w.visited[p] = true
	}
	b := make([]byte, (overflow+1)*w.m.pageSize)
	if _, err := w.r.ReadAt(b, int64(id*w.m.pageSize)); err != nil {
		return nil, fmt.Errorf("read page %d: %w", id, err)
	}
	return b, nil
}

func (w *pageWalker) freelist(id uint64) error {
	b, err := w.read(id, flagFreelist)
	if err != nil {
		return err
	}
	n, start := uint64(ne.Uint16(b[10:])), uint64(pageHeader)
	if n == 0xFFFF {
		n, start = ne.Uint64(b[pageHeader:]), pageHeader+8
	}
	if n > (uint64(len(b))-start)/8 {
		return fmt.Errorf("%w: freelist page %d lists more ids than it holds", errPage, id)
	}
	for i := range n {
		free := ne.Uint64(b[start+8*i:])
		if free < 2 || free >= w.m.pgid || w.visited[free] {
			return fmt.Errorf("%w: freelist page %d lists page %d, which is out of range, in use or listed twice", errPage, id, free)
		}
		w.visited[free] = true
	}
	return nil
}

// page checks the subtree rooted at page id, whose keys must lie in
// [lo, hi) (nil: unbounded), and returns its largest key.
func (w *pageWalker) page(id uint64, lo, hi []byte, depth int) ([]byte, error) {
	b, err := w.read(id, 0)
	if err != nil {
		return nil, err
	}
	return w.node(b, fmt.Sprintf("page %d", id), lo, hi, depth, false)
}

// node checks one branch or leaf page image b (a page, or an inline
// bucket): element bounds, key order (as bbolt's own checker defines it),
// and, recursively, child pages and sub-buckets.
func (w *pageWalker) node(b []byte, where string, lo, hi []byte, depth int, inline bool) ([]byte, error) {
	if depth > maxTreeDepth {
		return nil, fmt.Errorf("%w: %s: tree deeper than %d", errPage, where, maxTreeDepth)
	}
	if len(b) < pageHeader {
		return nil, fmt.Errorf("%w: %s: shorter than a page header", errPage, where)
	}
	flags, count := ne.Uint16(b[8:]), uint64(ne.Uint16(b[10:]))
	if inline && flags != flagLeaf {
		return nil, fmt.Errorf("%w: %s: an inline bucket must be a leaf", errPage, where)
	}
	if pageHeader+count*elementSize > uint64(len(b)) {
		return nil, fmt.Errorf("%w: %s: %d elements do not fit", errPage, where, count)
	}
	slice := func(e, pos, n uint64) ([]byte, bool) {
		if e+pos+n > uint64(len(b)) {
			return nil, false
		}
		return b[e+pos : e+pos+n], true
	}
	inOrder := func(i uint64, key, prev []byte) bool {
		if prev != nil && (bytes.Compare(prev, key) > 0 || i > 0 && bytes.Equal(prev, key)) {
			return false
		}
		return hi == nil || bytes.Compare(key, hi) < 0
	}
	var last []byte
	switch flags {
	case flagBranch:
		if count == 0 {
			return nil, fmt.Errorf("%w: %s: empty branch", errPage, where)
		}
		keys := make([][]byte, count)
		for i := range count {
			e := pageHeader + i*elementSize
			k, ok := slice(e, uint64(ne.Uint32(b[e:])), uint64(ne.Uint32(b[e+4:])))
			if !ok {
				return nil, fmt.Errorf("%w: %s: branch key %d outside the page", errPage, where, i)
			}
			keys[i] = k
		}
		running := lo
		for i := range count {
			if !inOrder(i, keys[i], running) {
				return nil, fmt.Errorf("%w: %s: branch key %d out of order", errPage, where, i)
			}
			next := hi
			if i+1 < count {
				next = keys[i+1]
			}
			child := ne.Uint64(b[pageHeader+i*elementSize+8:])
			max, err := w.page(child, keys[i], next, depth+1)
			if err != nil {
				return nil, err
			}
			running, last = max, max
		}
	case flagLeaf:
		prev := lo
		for i := range count {
			e := pageHeader + i*elementSize
			eflags, pos := ne.Uint32(b[e:]), uint64(ne.Uint32(b[e+4:]))
			ksize, vsize := uint64(ne.Uint32(b[e+8:])), uint64(ne.Uint32(b[e+12:]))
			kv, ok := slice(e, pos, ksize+vsize)
			if !ok {
				return nil, fmt.Errorf("%w: %s: leaf element %d outside the page", errPage, where, i)
			}
			key, v := kv[:ksize], kv[ksize:]
			if !inOrder(i, key, prev) {
				return nil, fmt.Errorf("%w: %s: leaf key %d out of order", errPage, where, i)
			}
			prev, last = key, key
			if eflags&flagBucketVal == 0 {
				continue
			}
			if len(v) < bucketHeader {
				return nil, fmt.Errorf("%w: %s: bucket header %d too short", errPage, where, i)
			}
			var err error
			if root := ne.Uint64(v); root != 0 {
				_, err = w.page(root, nil, nil, depth+1)
			} else {
				_, err = w.node(v[bucketHeader:], where+" (inline bucket)", nil, nil, depth+1, true)
			}
			if err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("%w: %s: unexpected page type %#x", errPage, where, flags)
	}
	return last, nil
}
