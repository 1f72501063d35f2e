package coproduction

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/interlink-project/interlink-node/federation/trust"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// TrustVerifier checks changes and entries with the node's trust layer:
// each signer's key from its trust chain, as catalogue objects are checked,
// under the same policy for signers without a chain. A document is judged
// now; one that has expired since is judged at its own iat (a log is
// append-only: what was valid when the host ordered it stays valid, and a
// revocation still applies from the moment it was made).
func TrustVerifier(tr *trust.Service) cp.Verifier {
	cfg := tr.Config()
	refuse := cfg.Unverified == trust.UnverifiedRefuse || (cfg.Unverified != trust.UnverifiedAccept && len(cfg.Anchors) > 0)
	opts := signedobject.Options{Skew: cfg.ClockSkew}
	return func(ctx context.Context, jws []byte) (*signedobject.Verified, error) {
		now := time.Now()
		r, chainErr, err := trustchain.VerifyObject(ctx, tr.Resolver(), jws, now, time.Time{}, opts)
		if errors.Is(err, signedobject.ErrExpired) {
			in, ierr := signedobject.Inspect(jws)
			if ierr != nil {
				return nil, ierr
			}
			at := time.Unix(in.Payload.Iat, 0)
			r, chainErr, err = trustchain.VerifyObject(ctx, tr.Resolver(), jws, at.Add(time.Second), at, opts)
		}
		if err != nil {
			return nil, err
		}
		if chainErr != nil && refuse {
			return nil, fmt.Errorf("%w: %w", trust.ErrUnverified, chainErr)
		}
		return r.Verified, nil
	}
}

// timelineItem reads a stored entry (verified when it was stored).
func timelineItem(raw []byte) (TimelineItem, error) {
	ein, err := signedobject.Inspect(raw)
	if err != nil {
		return TimelineItem{}, err
	}
	e, err := cp.DecodeEntry(ein.Payload.Body)
	if err != nil {
		return TimelineItem{}, err
	}
	cin, err := signedobject.Inspect(e.Change)
	if err != nil {
		return TimelineItem{}, err
	}
	c, err := cp.DecodeChange(cin.Payload.Body)
	if err != nil {
		return TimelineItem{}, err
	}
	return TimelineItem{Seq: e.Seq, Op: c.Op, Item: c.Item, Author: cin.Payload.Iss, Person: c.Person, Change: cin.Payload.Sub,
		At: time.Unix(ein.Payload.Iat, 0).UTC(), Host: ein.Payload.Iss}, nil
}
