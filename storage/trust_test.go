package storage

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

func TestTrustRecords(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	zero := 0
	subs := []Subordinate{
		{EntityID: "http://127.0.0.3:8080", Name: "Comune di Reggio Emilia", Country: "IT", OrgKind: "public_administration",
			Role: "intermediate", JWKS: json.RawMessage(`{"keys":[]}`), MaxPathLength: &zero, Permitted: []string{".re.it"}, Enrolled: at, Updated: at},
		{EntityID: "http://127.0.0.2:8080", Name: "MEF", Country: "IT", Role: "leaf", JWKS: json.RawMessage(`{"keys":[]}`), Enrolled: at, Updated: at},
	}
	for _, sub := range subs {
		if err := s.Authority().PutSubordinate(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Authority().Subordinate(ctx, subs[0].EntityID)
	if err != nil || got.Name != subs[0].Name || *got.MaxPathLength != 0 || got.Permitted[0] != ".re.it" {
		t.Fatalf("subordinate: %+v, %v", got, err)
	}
	all, err := s.Authority().Subordinates(ctx)
	if err != nil || len(all) != 2 || all[0].EntityID != "http://127.0.0.2:8080" {
		t.Fatalf("subordinates: %+v, %v", all, err)
	}
	if _, err := s.Authority().Subordinate(ctx, "http://nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing subordinate: %v", err)
	}
	if err := s.Authority().PutSubordinate(ctx, Subordinate{}); !errors.Is(err, ErrInvalidObject) {
		t.Fatalf("empty subordinate: %v", err)
	}
	d := Draft{ID: "01D", Object: protocol.Object{Meta: protocol.Meta{IRI: "http://a/objects/01D", Version: 1}}, JWS: json.RawMessage(`{"payload":"e30"}`), Cosigners: []string{"http://a", "http://b"},
		Signed: []string{"http://a"}, Status: "pending", Created: at, Updated: at}
	if err := s.Cosigning().PutDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	d.Signed, d.Status = append(d.Signed, "http://b"), "published"
	if err := s.Cosigning().PutDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Cosigning().Draft(ctx, "01D"); err != nil || got.Status != "published" || len(got.Signed) != 2 {
		t.Fatalf("draft: %+v, %v", got, err)
	}
	r := CosignRequest{ID: "01R", Activity: "http://a/activities/1", Origin: "http://a", IRI: d.Object.IRI, JWS: d.JWS, Status: "pending", Received: at}
	if err := s.Cosigning().PutCosignRequest(ctx, r); err != nil {
		t.Fatal(err)
	}
	if list, err := s.Cosigning().CosignRequests(ctx); err != nil || len(list) != 1 || list[0].Activity != r.Activity {
		t.Fatalf("cosign requests: %+v, %v", list, err)
	}
	mustVerify(t, s)
}

func TestSetVerification(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	var ids protocol.ULIDSource
	op := remoteOp(t, ids.New(testEpoch), 1, protocol.KindProblemProfile, profile("judged"))
	op.Object.Verification = &protocol.Verification{Status: protocol.Verified}
	mustApply(t, s, op)
	iri := op.Object.IRI
	before := s.Seq()
	revoked := &protocol.Verification{Status: protocol.Invalid, Reason: "signer revoked"}
	if err := s.SetVerification(ctx, iri, 1, revoked); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, iri)
	if err != nil || got.Verification == nil || got.Verification.Status != protocol.Invalid || string(got.Body) != string(op.Object.Body) || got.Version != 1 {
		t.Fatalf("after SetVerification: %+v, %v", got, err)
	}
	changes, err := s.Changes(ctx, before, 10)
	if err != nil || len(changes) != 1 || changes[0].IRI != iri {
		t.Fatalf("the change log does not show the re-judged object: %+v, %v", changes, err)
	}
	// The verdict follows.
	var seen []Verdict
	if err := s.ForEachVerdict(ctx, func(v Verdict) error { seen = append(seen, v); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0].IRI != iri || seen[0].Status != protocol.Invalid {
		t.Fatalf("ForEachVerdict: %+v", seen)
	}
	if err := s.SetVerification(ctx, iri, 2, revoked); !errors.Is(err, ErrConflict) {
		t.Fatalf("a stale version: %v", err)
	}
	if err := s.SetVerification(ctx, remoteURIs.Object("nothing"), 1, revoked); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a missing object: %v", err)
	}
	mustVerify(t, s)
}
