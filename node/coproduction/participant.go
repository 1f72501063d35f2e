package coproduction

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"sync"

	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/storage"
)

// HistoryLimit is the most entries a history page holds.
const HistoryLimit = 500

// ReceiveInbox handles what a group sends this node: an Announce of an
// ordered entry (applied in order; a gap is fetched from the group's
// history), or an Invite (the group's history is fetched and verified,
// and the invitation waits for this node's admin).
func (s *Service) ReceiveInbox(ctx context.Context, body []byte) error {
	act, err := parseActivity(body)
	if err != nil {
		return err
	}
	switch act.Type {
	case "Announce":
		if act.signed == nil {
			return fmt.Errorf("%w: an Announce carries a signed entry", cp.ErrInvalid)
		}
		in, err := signedobject.Inspect(act.signed.JWS)
		if err != nil {
			return fmt.Errorf("%w: %w", cp.ErrInvalid, err)
		}
		e, err := cp.DecodeEntry(in.Payload.Body)
		if err != nil {
			return fmt.Errorf("%w: %w", cp.ErrInvalid, err)
		}
		rec, err := s.d.Store.Process(ctx, e.Process)
		if errors.Is(err, storage.ErrNotFound) {
			return nil // not a process this node follows: ignored
		}
		if err != nil {
			return err
		}
		if rec.Local == storage.LocalHost || rec.Local == storage.LocalLeft || rec.Local == storage.LocalArchived {
			return nil
		}
		if e.Seq > rec.Seq+1 {
			return s.CatchUp(ctx, rec.IRI) // a gap: fetch it in order
		}
		return s.ingest(ctx, rec.IRI, []json.RawMessage{act.signed.JWS})
	case "Invite":
		group := act.iri
		if group == "" || !protocolSameOrigin(group, act.Actor) {
			return fmt.Errorf("%w: an Invite names the group it comes from", cp.ErrInvalid)
		}
		return s.invited(ctx, group, act.Actor, false)
	}
	return fmt.Errorf("%w: %s is not handled here (Announce, Invite)", cp.ErrInvalid, act.Type)
}

// maxJoinPages bounds the history a node reads before it holds a process:
// 50 pages of HistoryLimit entries.
const maxJoinPages = 50

// invited records a process this node does not hold yet, after fetching
// and verifying its whole history: the history must invite this node (an
// Invite), or the process must be public (a request to join). Nothing is
// stored for a group that does neither.
func (s *Service) invited(ctx context.Context, group, by string, request bool) error {
	rec, err := s.d.Store.Process(ctx, group)
	if err == nil {
		return s.CatchUp(ctx, group)
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	var all []json.RawMessage
	for range maxJoinPages {
		page, err := s.fetchPage(ctx, group, uint64(len(all)))
		if err != nil {
			return err
		}
		all = append(all, page.OrderedItems...)
		if page.Next == "" || len(page.OrderedItems) == 0 {
			break
		}
	}
	verify := s.preverify(ctx, all)
	var p *cp.Process
	var batch []storage.AppendEntry
	assets := map[string][]byte{}
	for _, raw := range all {
		np, ap, err := cp.Step(ctx, verify, p, group, raw, 0)
		if err != nil {
			return fmt.Errorf("coproduction: the history of %s: %w", group, err)
		}
		p = np
		batch = append(batch, storage.AppendEntry{JWS: raw, Change: ap.ChangeIRI})
		for h, b := range assetsOf(ap.Change) {
			assets[h] = b
		}
	}
	if p == nil {
		return fmt.Errorf("%w: %s has no history", cp.ErrHistory, group)
	}
	x := p.Participant(s.Self())
	switch {
	case request && !p.Public:
		return fmt.Errorf("%w: %s is not public: ask its host for an invitation", cp.ErrForbidden, group)
	case !request && (x == nil || x.Membership != cp.Invited):
		return fmt.Errorf("%w: the history of %s does not invite this node", cp.ErrForbidden, group)
	}
	rec = storage.ProcessRecord{IRI: group, Host: p.Host, Inbox: group + "/inbox", Name: p.Name, Seq: p.Seq,
		Local: s.standing(p, storage.LocalInvited), InvitedBy: by}
	if rec.State, err = json.Marshal(p); err != nil {
		return err
	}
	return s.d.Store.Append(ctx, rec, batch, assets, nil)
}

// CatchUp fetches the entries of a group after the last one held, page by
// page, and applies them in order.
func (s *Service) CatchUp(ctx context.Context, iri string) error {
	for range 10000 {
		rec, err := s.d.Store.Process(ctx, iri)
		if err != nil {
			return err
		}
		if rec.Local == storage.LocalHost {
			return nil
		}
		page, err := s.fetchPage(ctx, iri, rec.Seq)
		if err != nil {
			return err
		}
		if len(page.OrderedItems) == 0 {
			return nil
		}
		if err := s.ingest(ctx, iri, page.OrderedItems); err != nil {
			return err
		}
		if page.Next == "" {
			return nil
		}
	}
	return nil
}

func (s *Service) fetchPage(ctx context.Context, iri string, after uint64) (*HistoryPage, error) {
	raw, err := s.d.Transport.FetchGroup(ctx, iri+"/history?after="+strconv.FormatUint(after, 10)+"&limit="+strconv.Itoa(HistoryLimit))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	var page HistoryPage
	if err := json.Unmarshal(raw, &page); err != nil {
		return nil, fmt.Errorf("%w: the history of %s: %w", cp.ErrHistory, iri, err)
	}
	return &page, nil
}

// ingest verifies and applies entries that follow the last one held (those
// already held are skipped), then stores them with the state after them in
// one transaction.
func (s *Service) ingest(ctx context.Context, iri string, entries []json.RawMessage) error {
	unlock := s.lock(iri)
	defer unlock()
	rec, err := s.d.Store.Process(ctx, iri)
	if err != nil {
		return err
	}
	p, err := state(rec)
	if err != nil {
		return err
	}
	var batch []storage.AppendEntry
	assets := map[string][]byte{}
	verify := s.d.Verify
	if len(entries) > 1 {
		verify = s.preverify(ctx, entries)
	}
	for _, raw := range entries {
		in, err := signedobject.Inspect(raw)
		if err != nil {
			return fmt.Errorf("%w: %w", cp.ErrHistory, err)
		}
		e, err := cp.DecodeEntry(in.Payload.Body)
		if err != nil {
			return err
		}
		held := rec.Seq + uint64(len(batch))
		if e.Seq <= held {
			continue
		}
		if e.Seq != held+1 {
			break // a gap: the rest comes with the next catch-up
		}
		np, ap, err := cp.Step(ctx, verify, p, iri, raw, 0)
		if err != nil {
			return fmt.Errorf("coproduction: %s entry %d: %w", iri, e.Seq, err)
		}
		p = np
		batch = append(batch, storage.AppendEntry{JWS: raw, Change: ap.ChangeIRI})
		for h, b := range assetsOf(ap.Change) {
			assets[h] = b
		}
	}
	if len(batch) == 0 {
		return nil
	}
	rec.Seq, rec.Name, rec.Host = p.Seq, p.Name, p.Host
	rec.Local = s.standing(p, rec.Local)
	if rec.State, err = json.Marshal(p); err != nil {
		return err
	}
	return s.d.Store.Append(ctx, rec, batch, assets, nil)
}

// standing is where this node stands in p.
func (s *Service) standing(p *cp.Process, was string) string {
	if p.Host == s.Self() {
		return storage.LocalHost
	}
	x := p.Participant(s.Self())
	switch {
	case x == nil:
		return was
	case x.Membership == cp.Active:
		return storage.LocalParticipant
	case x.Membership == cp.Invited, x.Membership == cp.Requested:
		return storage.LocalInvited
	}
	return storage.LocalLeft
}

// SyncOnce catches up with the host of every process this node takes part
// in or is invited to, and co-signs the services its finished processes
// drafted: what an unreachable host or a partition held back arrives without
// waiting for the host's retries. The node runs it every DefaultSyncInterval.
func (s *Service) SyncOnce(ctx context.Context) {
	recs, err := s.d.Store.ListProcesses(ctx)
	if err != nil {
		return
	}
	for _, r := range recs {
		if r.Local != storage.LocalParticipant && r.Local != storage.LocalInvited {
			continue
		}
		if err := s.CatchUp(ctx, r.IRI); err != nil && ctx.Err() == nil {
			s.d.Logger.Debug("catch up with a group", "process", r.IRI, "err", err)
		}
	}
	if s.d.Services != nil {
		if _, err := s.ApprovePending(ctx); err != nil && ctx.Err() == nil {
			s.d.Logger.Warn("co-sign the service of a finished process", "err", err)
		}
	}
}

func protocolSameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Scheme == ub.Scheme && ua.Host == ub.Host
}

// preverify checks the signatures of entries and of the changes they carry
// on every core at once, and returns a verifier that answers from those
// results (and asks s.d.Verify for anything else): catching up with a long
// history is bound by signature checks, and they are independent.
func (s *Service) preverify(ctx context.Context, entries []json.RawMessage) cp.Verifier {
	type result struct {
		v   *signedobject.Verified
		err error
	}
	var docs [][]byte
	for _, raw := range entries {
		docs = append(docs, raw)
		if in, err := signedobject.Inspect(raw); err == nil {
			if e, err := cp.DecodeEntry(in.Payload.Body); err == nil {
				docs = append(docs, e.Change)
			}
		}
	}
	results := make([]result, len(docs))
	workers := min(runtime.GOMAXPROCS(0), len(docs))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(docs); i += workers {
				v, err := s.d.Verify(ctx, docs[i])
				results[i] = result{v, err}
			}
		}()
	}
	wg.Wait()
	memo := make(map[string]result, len(docs))
	for i, d := range docs {
		memo[string(d)] = results[i]
	}
	return func(ctx context.Context, jws []byte) (*signedobject.Verified, error) {
		if r, ok := memo[string(jws)]; ok {
			return r.v, r.err
		}
		return s.d.Verify(ctx, jws)
	}
}
