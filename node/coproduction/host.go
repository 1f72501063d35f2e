package coproduction

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/interlink-project/interlink-node/protocol"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/storage"
)

// Ordered is what the host answers a proposal: the entry that ordered it.
type Ordered struct {
	Process string `json:"process"`
	Seq     uint64 `json:"seq"`
	Change  string `json:"change"`
}

// commit orders a change as the host: the next seq, the entry signed, the
// state after it, its file assets and the announcements stored in one
// transaction. The caller holds the process's lock and gives the record
// and state it read under it (p is consumed).
func (s *Service) commit(ctx context.Context, rec storage.ProcessRecord, p *cp.Process, changeJWS []byte, changeIRI string) (*cp.Process, Ordered, error) {
	if seq, ok, err := s.d.Store.ChangeSeq(ctx, rec.IRI, changeIRI); err != nil {
		return nil, Ordered{}, err
	} else if ok {
		return p, Ordered{Process: rec.IRI, Seq: seq, Change: changeIRI}, nil // sent again: ordered once
	}
	seq, prev := uint64(1), ""
	var before []string
	if p != nil {
		seq, prev = p.Seq+1, p.Head
		before = p.Active()
	}
	body, err := json.Marshal(cp.Entry{Process: rec.IRI, Seq: seq, Prev: prev, Change: changeJWS})
	if err != nil {
		return nil, Ordered{}, err
	}
	entry, err := s.d.Signer.SignVersion(protocol.Object{Meta: protocol.Meta{IRI: cp.EntryIRI(rec.IRI, seq), Version: 1,
		Type: protocol.Kind(cp.EntryType)}, Body: body}, nil, nil)
	if err != nil {
		return nil, Ordered{}, fmt.Errorf("coproduction: sign entry %d: %w", seq, err)
	}
	np, ap, err := cp.Step(ctx, s.d.Verify, p, rec.IRI, entry, s.d.AssetLimit)
	if err != nil {
		return nil, Ordered{}, err
	}
	out, err := s.announcements(np, ap, entry, before)
	if err != nil {
		return nil, Ordered{}, err
	}
	rec.Seq, rec.Name, rec.Host, rec.Local = np.Seq, np.Name, np.Host, storage.LocalHost
	rec.Inbox = rec.IRI + "/inbox"
	if rec.State, err = json.Marshal(np); err != nil {
		return nil, Ordered{}, err
	}
	if err := s.d.Store.Append(ctx, rec, []storage.AppendEntry{{JWS: entry, Change: ap.ChangeIRI}}, assetsOf(ap.Change), out); err != nil {
		return nil, Ordered{}, err
	}
	if len(out) > 0 {
		s.d.Transport.Kick()
	}
	return np, Ordered{Process: rec.IRI, Seq: seq, Change: ap.ChangeIRI}, nil
}

// announcements are what the host sends after an entry: an Announce of it
// to every participant active before or after it (a removed participant
// learns it was removed, and nothing after), and an Invite to an invited
// organisation.
func (s *Service) announcements(p *cp.Process, ap *cp.Applied, entry []byte, before []string) ([]storage.Outbound, error) {
	self := s.Self()
	var to []string
	for _, e := range append(before, p.Active()...) {
		if e != self {
			to = append(to, inboxOf(e))
		}
	}
	var out []storage.Outbound
	if len(to) > 0 {
		body, err := json.Marshal(wireActivity{Context: asContext, ID: entryIRI(ap) + "/announce", Type: "Announce", Actor: p.IRI,
			To: []string{p.IRI + "/followers"}, Object: mustJSON(wireSigned{ID: entryIRI(ap), Type: "CoproductionEntry", JWS: entry})})
		if err != nil {
			return nil, err
		}
		out = append(out, storage.Outbound{Activity: storage.Activity{IRI: entryIRI(ap) + "/announce", Type: "Announce", Actor: p.IRI,
			ObjectIRI: entryIRI(ap), Body: body}, Inboxes: to})
	}
	if ap.Change.Op == cp.OpInvite {
		var in cp.Invite
		if err := json.Unmarshal(ap.Change.Data, &in); err == nil && in.Entity != self {
			id := entryIRI(ap) + "/invite"
			body, err := json.Marshal(wireActivity{Context: asContext, ID: id, Type: "Invite", Actor: p.IRI, To: []string{in.Actor},
				Object: mustJSON(p.IRI), Target: in.Actor})
			if err != nil {
				return nil, err
			}
			out = append(out, storage.Outbound{Activity: storage.Activity{IRI: id, Type: "Invite", Actor: p.IRI, ObjectIRI: p.IRI, Body: body},
				Inboxes: []string{inboxOf(in.Entity)}})
		}
	}
	return out, nil
}

func entryIRI(a *cp.Applied) string { return cp.EntryIRI(a.Entry.Process, a.Entry.Seq) }

// assetsOf returns the file of an add-asset change, by its hash.
func assetsOf(c cp.Change) map[string][]byte {
	if c.Op != cp.OpAddAsset {
		return nil
	}
	var a cp.AssetData
	if err := json.Unmarshal(c.Data, &a); err != nil || len(a.Content) == 0 {
		return nil
	}
	return map[string][]byte{sha256Hex(a.Content): a.Content}
}

// Receive handles a proposal sent to a group this node hosts: a Create
// whose object carries the author's signed change.
func (s *Service) Receive(ctx context.Context, processID string, body []byte) (Ordered, error) {
	act, err := parseActivity(body)
	if err != nil {
		return Ordered{}, err
	}
	if act.Type != "Create" || act.signed == nil {
		return Ordered{}, fmt.Errorf("%w: a group accepts Create activities carrying a signed change", cp.ErrInvalid)
	}
	jws := act.signed.JWS
	in, err := signedobject.Inspect(jws)
	if err != nil {
		return Ordered{}, fmt.Errorf("%w: %w", cp.ErrInvalid, err)
	}
	c, err := cp.DecodeChange(in.Payload.Body)
	if err != nil {
		return Ordered{}, err
	}
	if ProcessID(c.Process) != processID {
		return Ordered{}, fmt.Errorf("%w: the change is for %s", cp.ErrInvalid, c.Process)
	}
	rec, err := s.d.Store.Process(ctx, c.Process)
	if err != nil || rec.Local != storage.LocalHost {
		return Ordered{}, fmt.Errorf("%w: %s", ErrNoProcess, c.Process)
	}
	return s.order(ctx, c.Process, jws, in.Payload.Sub)
}

// order runs commit under the process's lock.
func (s *Service) order(ctx context.Context, iri string, jws []byte, changeIRI string) (Ordered, error) {
	unlock := s.lock(iri)
	defer unlock()
	rec, err := s.d.Store.Process(ctx, iri)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return Ordered{}, err
	}
	if err == nil && rec.Local != storage.LocalHost {
		return Ordered{}, fmt.Errorf("%w: %s", ErrNotHost, iri)
	}
	if err != nil {
		if !protocol.SameOriginURL(iri, s.Self()) {
			return Ordered{}, fmt.Errorf("%w: %s", ErrNoProcess, iri)
		}
		rec = storage.ProcessRecord{IRI: iri, Local: storage.LocalHost} // the create change
	}
	var p *cp.Process
	if c, ok := s.hosted.Load(iri); ok && c.(*cp.Process).Seq == rec.Seq {
		p = c.(*cp.Process)
	} else if p, err = state(rec); err != nil {
		return Ordered{}, err
	}
	if p == nil && rec.Seq > 0 {
		return Ordered{}, fmt.Errorf("coproduction: %s has entries but no state", iri)
	}
	np, o, err := s.commit(ctx, rec, p, jws, changeIRI)
	if err != nil {
		s.hosted.Delete(iri) // Apply leaves p as it was; a failed write may not
		return o, err
	}
	s.hosted.Store(iri, np)
	return o, nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain data
	}
	return b
}
