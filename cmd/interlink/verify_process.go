package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// asBundle reports whether raw is a co-production process bundle
// (`interlink process export`).
func asBundle(raw []byte) bool {
	if !bytes.Contains(raw, []byte(cp.BundleFormat)) {
		return false
	}
	var head struct {
		Format string `json:"format"`
	}
	return json.Unmarshal(raw, &head) == nil && head.Format == cp.BundleFormat
}

// verifyBundle replays a process bundle offline: every entry signed by the
// process's host, every change by its author, each key from its signer's
// trust chain up to the pinned anchors (a signer without one makes the
// result unverified), the entries chained in order, every rule of the
// process, and the stated state equal to what the history folds to.
func verifyBundle(ctx context.Context, rep *verifyReport, raw []byte, resolver *trustchain.Resolver, skew time.Duration) {
	var chainErr error
	signers := map[string]bool{}
	verifier := func(ctx context.Context, jws []byte) (*signedobject.Verified, error) {
		in, err := signedobject.Inspect(jws)
		if err != nil {
			return nil, err
		}
		at := time.Unix(in.Payload.Iat, 0)
		r, cerr, err := trustchain.VerifyObject(ctx, resolver, jws, at.Add(time.Second), time.Time{}, signedobject.Options{Skew: skew})
		if err != nil {
			return nil, err
		}
		if cerr != nil && chainErr == nil {
			chainErr = cerr
		}
		for _, s := range r.Signers {
			signers[s] = true
		}
		return r.Verified, nil
	}
	p, n, err := cp.VerifyBundle(ctx, verifier, raw)
	if err != nil {
		rep.add("history", false, "%v", err)
		rep.verifyErr = err
		return
	}
	rep.Object, rep.Version, rep.Type = p.IRI, p.Seq, "CoproductionProcess"
	rep.add("history", true, "%d entries ordered and signed by %s, each change signed by its author, chained in order; the state is what they fold to", n, p.Host)
	if chainErr != nil {
		rep.add("chain", false, "%v", chainErr)
		rep.Result = "unverified"
		return
	}
	rep.add("chain", true, "%d signer(s), each with a trust chain to a pinned anchor", len(signers))
	rep.Result = "verified"
	if len(signers) == 0 {
		rep.verifyErr = errors.New("no signer")
	}
}
