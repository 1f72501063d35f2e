package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// exitEquivocation: the evidence proves that one signer signed two
// different versions with one number.
const exitEquivocation = 4

// asEvidence reports whether raw is equivocation evidence: one item of GET
// /api/v1/trust/equivocations, which a node hands to anyone, who checks it
// offline with `interlink verify`.
func asEvidence(raw []byte) (*api.Equivocation, bool) {
	var e api.Equivocation
	if json.Unmarshal(raw, &e) != nil || len(e.Held) == 0 || len(e.Other) == 0 {
		return nil, false
	}
	return &e, true
}

// verifyEquivocation checks the evidence: both documents verify, each with
// its signer's own key, and they are two different payloads of the same
// object, version and issuer.
func verifyEquivocation(ctx context.Context, rep *verifyReport, e *api.Equivocation, resolver *trustchain.Resolver, now time.Time, skew time.Duration) {
	rep.Object, rep.Version = e.IRI, e.Version
	var got [2]*trustchain.Received
	for i, doc := range [][]byte{e.Held, e.Other} {
		name := [2]string{"held", "other"}[i]
		jws, err := extractJWS(doc)
		if err == nil {
			got[i], _, err = trustchain.VerifyObject(ctx, resolver, jws, now, time.Time{}, signedobject.Options{Skew: skew})
		}
		if err != nil {
			rep.add(name, false, "%v", err)
			rep.verifyErr = fmt.Errorf("the %s document does not verify: %w", name, err)
			return
		}
		p := got[i].Payload
		rep.add(name, true, "%s version %d signed by %s at %s", p.Sub, p.Ver, p.Iss, time.Unix(p.Iat, 0).UTC().Format(time.RFC3339))
	}
	a, b := got[0].Payload, got[1].Payload
	switch {
	case a.Sub != b.Sub || a.Ver != b.Ver:
		rep.verifyErr = fmt.Errorf("the documents are %s version %d and %s version %d, not one version", a.Sub, a.Ver, b.Sub, b.Ver)
	case a.Iss != b.Iss:
		rep.verifyErr = fmt.Errorf("the documents are signed by %s and %s, not by one signer", a.Iss, b.Iss)
	case bytes.Equal(got[0].Raw, got[1].Raw):
		rep.verifyErr = errors.New("both documents sign the same payload: no equivocation")
	case e.IRI != "" && e.IRI != a.Sub || e.Version != 0 && e.Version != a.Ver:
		rep.verifyErr = fmt.Errorf("the evidence names %s version %d but the documents are %s version %d", e.IRI, e.Version, a.Sub, a.Ver)
	}
	if rep.verifyErr != nil {
		rep.add("equivocation", false, "%v", rep.verifyErr)
		return
	}
	rep.Type = a.Type
	rep.Signers = got[0].Verification.Signers
	rep.add("equivocation", true, "%s signed two different payloads as version %d of %s", a.Iss, a.Ver, a.Sub)
	rep.Result = "equivocation"
}
