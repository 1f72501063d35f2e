package coproduction

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
	"github.com/interlink-project/interlink-node/storage"
)

// Errors of importing a bundle and of acting on an archive.
var (
	// ErrArchived: the process is an archive imported from a bundle; this
	// node holds it read-only and takes no change for it.
	ErrArchived = errors.New("the process is an archive imported from a bundle: it takes no change")
	// ErrHeld: this node hosts or takes part in the process (or did), so it
	// holds the live process and imports no bundle of it.
	ErrHeld = errors.New("this node already holds the live process")
)

// ConflictError is a bundle whose entry Seq differs from the entry this
// node holds at that place: the two histories forked.
type ConflictError struct {
	Process string
	Seq     uint64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("the bundle's entry %d of %s differs from the entry %d this node holds", e.Seq, e.Process, e.Seq)
}

// Imported is what importing a bundle came to.
type Imported struct {
	Process string `json:"process"`
	ID      string `json:"id"`
	Local   string `json:"local"`   // archived
	Changes uint64 `json:"changes"` // the entries held after the import
	Added   uint64 `json:"added"`   // the entries this import added (0: all were held)
}

// Import verifies a process bundle (cp.Bundle) through the node's trust
// verifier, whole: every host and author signature with its signer's
// chain, the chain of prev, every rule of the model, and that the stated
// state is what the history folds to. It then keeps the process as an
// archive (storage.LocalArchived): listed, shown, exported like any other,
// but read-only. Importing the same bundle again changes nothing; a longer
// bundle of the same process adds the entries after those held; a bundle
// whose entry differs from one held is refused (*ConflictError). A process
// this node hosts or takes part in (or did) is refused (ErrHeld).
func (s *Service) Import(ctx context.Context, raw []byte) (Imported, error) {
	b, err := cp.ReadBundle(raw)
	if err != nil {
		return Imported{}, err
	}
	iri := b.Process
	unlock := s.lock(iri)
	defer unlock()
	rec, err := s.d.Store.Process(ctx, iri)
	switch {
	case err == nil && rec.Local != storage.LocalArchived:
		return Imported{}, fmt.Errorf("%w: %s (this node: %s)", ErrHeld, iri, rec.Local)
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		return Imported{}, err
	}
	// Entries are kept compact, as the host stored them: a bundle
	// re-indented by some tool is the same history.
	entries := make([]json.RawMessage, len(b.Entries))
	for i, e := range b.Entries {
		var c bytes.Buffer
		if err := json.Compact(&c, e); err != nil {
			return Imported{}, fmt.Errorf("%w: entries[%d]: %w", cp.ErrInvalid, i, err)
		}
		entries[i] = c.Bytes()
	}
	verify := s.preverify(ctx, entries)
	var p *cp.Process
	batch := make([]storage.AppendEntry, 0, len(entries))
	assets := map[string][]byte{}
	for i, e := range entries {
		np, ap, err := cp.Step(ctx, verify, p, iri, e, 0)
		if err != nil {
			return Imported{}, fmt.Errorf("coproduction: bundle entries[%d]: %w", i, err)
		}
		p = np
		batch = append(batch, storage.AppendEntry{JWS: e, Change: ap.ChangeIRI})
		for h, b := range assetsOf(ap.Change) {
			assets[h] = b
		}
	}
	if err := b.CheckState(p); err != nil {
		return Imported{}, err
	}
	if p.Host == s.Self() {
		return Imported{}, fmt.Errorf("%w: %s is hosted by this node", ErrHeld, iri)
	}
	if x := p.Participant(s.Self()); x != nil && (x.Membership == cp.Active || x.Membership == cp.Invited || x.Membership == cp.Requested) {
		return Imported{}, fmt.Errorf("%w: this node is a participant (%s) of %s: it follows the group's history instead", ErrHeld, x.Membership, iri)
	}
	held := rec.Seq // 0 when not held
	for from := uint64(0); from < min(held, uint64(len(batch))); from += HistoryLimit {
		page, _, err := s.d.Store.History(ctx, iri, from, HistoryLimit)
		if err != nil {
			return Imported{}, err
		}
		for i, h := range page {
			seq := from + uint64(i) + 1
			if seq > uint64(len(batch)) {
				break
			}
			if !bytes.Equal(h, batch[seq-1].JWS) {
				return Imported{}, &ConflictError{Process: iri, Seq: seq}
			}
		}
	}
	out := Imported{Process: iri, ID: ProcessID(iri), Local: storage.LocalArchived, Changes: max(held, p.Seq)}
	if p.Seq <= held {
		return out, nil // every entry is held: nothing to add
	}
	rec = storage.ProcessRecord{IRI: iri, Host: p.Host, Inbox: iri + "/inbox", Local: storage.LocalArchived, Name: p.Name, Seq: p.Seq}
	if rec.State, err = json.Marshal(p); err != nil {
		return Imported{}, err
	}
	if err := s.d.Store.Append(ctx, rec, batch[held:], assets, nil); err != nil {
		return Imported{}, fmt.Errorf("coproduction: import %s: %w", iri, err)
	}
	out.Added = p.Seq - held
	return out, nil
}
