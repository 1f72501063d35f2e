package coproduction

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
)

// Verifier checks every signature of a JWS against the signers' trusted keys
// and returns the verified payload. The node's verifier judges each key at
// the document's own iat (a log is append-only: what was valid when the
// host ordered it stays valid); `interlink verify` builds one from pinned
// anchors.
type Verifier func(ctx context.Context, jws []byte) (*signedobject.Verified, error)

// Applied is one entry that verified and applied.
type Applied struct {
	Entry     Entry
	Change    Change
	ChangeIRI string // the change's sub: its id on its author's node
	Author    string // the change's verified iss
	Host      string // the entry's verified iss
	Hash      string // PayloadHash of the entry: the next entry's prev
	At        time.Time
}

// EntryIRI is the id of a process's seq-th entry.
func EntryIRI(process string, seq uint64) string {
	return process + "/history/" + strconv.FormatUint(seq, 10)
}

// Step verifies entryJWS as the entry after p (nil: the first) of process,
// and applies its change. It checks, cheapest first: the entry's signature
// and that the host signed it, its process, seq and link to the previous
// entry, the change's signature, that the change is for this process, and
// then everything Apply checks (permissions, revisions). assetLimit is the
// host's cap on files (0 when replaying what a host accepted).
func Step(ctx context.Context, verify Verifier, p *Process, process string, entryJWS []byte, assetLimit int) (*Process, *Applied, error) {
	ve, err := verify(ctx, entryJWS)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: entry: %w", ErrHistory, err)
	}
	if ve.Payload.Type != EntryType {
		return nil, nil, fmt.Errorf("%w: entry: type %q is not %s", ErrHistory, ve.Payload.Type, EntryType)
	}
	e, err := DecodeEntry(ve.Payload.Body)
	if err != nil {
		return nil, nil, err
	}
	var wantSeq uint64 = 1
	head := ""
	if p != nil {
		wantSeq, head = p.Seq+1, p.Head
	}
	switch {
	case e.Process != process:
		return nil, nil, fmt.Errorf("%w: entry %d is of process %s, not %s", ErrHistory, e.Seq, e.Process, process)
	case e.Seq != wantSeq:
		return nil, nil, fmt.Errorf("%w: entry %d where %d was expected", ErrHistory, e.Seq, wantSeq)
	case e.Prev != head:
		return nil, nil, fmt.Errorf("%w: entry %d does not link to entry %d", ErrHistory, e.Seq, e.Seq-1)
	case ve.Payload.Sub != EntryIRI(process, e.Seq):
		return nil, nil, fmt.Errorf("%w: entry %d has sub %s", ErrHistory, e.Seq, ve.Payload.Sub)
	case p != nil && ve.Payload.Iss != p.Host:
		return nil, nil, fmt.Errorf("%w: entry %d is signed by %s, not the host %s", ErrHistory, e.Seq, ve.Payload.Iss, p.Host)
	case p == nil && !sameOrigin(ve.Payload.Iss, process):
		return nil, nil, fmt.Errorf("%w: the process %s is not on the origin of its host %s", ErrHistory, process, ve.Payload.Iss)
	}
	vc, err := verify(ctx, e.Change)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: the change of entry %d: %w", ErrHistory, e.Seq, err)
	}
	if vc.Payload.Type != ChangeType {
		return nil, nil, fmt.Errorf("%w: entry %d: type %q is not %s", ErrHistory, e.Seq, vc.Payload.Type, ChangeType)
	}
	c, err := DecodeChange(vc.Payload.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("entry %d: %w", e.Seq, err)
	}
	if c.Process != process {
		return nil, nil, fmt.Errorf("%w: the change of entry %d is for %s", ErrHistory, e.Seq, c.Process)
	}
	if p == nil && vc.Payload.Iss != ve.Payload.Iss {
		return nil, nil, fmt.Errorf("%w: the process was created by %s but ordered by %s", ErrHistory, vc.Payload.Iss, ve.Payload.Iss)
	}
	at := time.Unix(ve.Payload.Iat, 0).UTC()
	np, err := Apply(p, c, Meta{Author: vc.Payload.Iss, Seq: e.Seq, At: at, AssetLimit: assetLimit})
	if err != nil {
		return nil, nil, err
	}
	hash := signedobject.PayloadHash(ve.Raw)
	np.Head = hash
	return np, &Applied{Entry: e, Change: c, ChangeIRI: vc.Payload.Sub, Author: vc.Payload.Iss, Host: ve.Payload.Iss, Hash: hash, At: at}, nil
}

// Replay verifies and folds a whole history from its first entry.
func Replay(ctx context.Context, verify Verifier, process string, entries [][]byte) (*Process, error) {
	var p *Process
	for i, raw := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		np, _, err := Step(ctx, verify, p, process, raw, 0)
		if err != nil {
			return nil, fmt.Errorf("coproduction: replay %s at entry %d: %w", process, i+1, err)
		}
		p = np
	}
	if p == nil {
		return nil, fmt.Errorf("coproduction: replay %s: %w: no entries", process, ErrHistory)
	}
	return p, nil
}

// Clone returns a deep copy of p (through JSON: the state is plain data).
func Clone(p *Process) (*Process, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	var q Process
	if err := json.Unmarshal(b, &q); err != nil {
		return nil, err
	}
	return &q, nil
}

func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && protocol.SameOrigin(ua, ub)
}
