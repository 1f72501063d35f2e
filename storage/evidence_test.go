package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// A signature id (jti) is used once per signer: the same version may come
// again (a relay), another object or version with it is refused, and the
// id is forgotten once its signature expired.
func TestJtiUsedOncePerSigner(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := openTest(t, Options{Now: clock.Now})
	iss := remoteOrigin
	exp := clock.Now().Add(time.Hour)
	withJti := func(op WriteOp, iss, id string) WriteOp {
		op.Jti = &Jti{Iss: iss, ID: id, Exp: exp}
		return op
	}
	if _, err := s.Apply(ctx, withJti(remoteOp(t, "01JTIA", 1, protocol.KindProblemProfile, profile("a1")), iss, "j1")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		op   WriteOp
		want error
	}{
		{"another object with the same jti", withJti(remoteOp(t, "01JTIB", 1, protocol.KindProblemProfile, profile("b1")), iss, "j1"), ErrJtiReused},
		{"another version with the same jti", withJti(remoteOp(t, "01JTIA", 2, protocol.KindProblemProfile, profile("a2")), iss, "j1"), ErrJtiReused},
		{"the same jti of another signer", withJti(remoteOp(t, "01JTIC", 1, protocol.KindProblemProfile, profile("c1")), "http://127.0.0.9:8080", "j1"), nil},
		{"a fresh jti", withJti(remoteOp(t, "01JTIB", 1, protocol.KindProblemProfile, profile("b1")), iss, "j2"), nil},
		{"a jti on a local write", WriteOp{Object: remoteOp(t, "01JTID", 1, protocol.KindProblemProfile, profile("d1")).Object, Jti: &Jti{Iss: iss, ID: "j3"}}, ErrInvalidObject},
		{"an empty jti", withJti(remoteOp(t, "01JTIE", 1, protocol.KindProblemProfile, profile("e1")), iss, ""), ErrInvalidObject},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Apply(ctx, tc.op)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var je *JtiReusedError
			if errors.As(err, &je) && (je.Sub != remoteURIs.Object("01JTIA") || je.Ver != 1) {
				t.Fatalf("reuse names %s v%d, want the first use", je.Sub, je.Ver)
			}
		})
	}
	// Inside one batch too.
	_, err := s.Apply(ctx, withJti(remoteOp(t, "01JTIF", 1, protocol.KindProblemProfile, profile("f1")), iss, "j9"),
		withJti(remoteOp(t, "01JTIG", 1, protocol.KindProblemProfile, profile("g1")), iss, "j9"))
	if !errors.Is(err, ErrJtiReused) {
		t.Fatalf("two objects with one jti in a batch: %v", err)
	}
	// After the signature expired, the id is forgotten at the next prune.
	clock.Add(2 * time.Hour)
	if _, err := s.Apply(ctx, withJti(remoteOp(t, "01JTIH", 1, protocol.KindProblemProfile, profile("h1")), iss, "fresh")); err != nil {
		t.Fatal(err)
	}
	clock.Add(2 * pruneInterval)
	if _, err := s.Apply(ctx, withJti(remoteOp(t, "01JTII", 1, protocol.KindProblemProfile, profile("i1")), iss, "other")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, withJti(remoteOp(t, "01JTIB", 2, protocol.KindProblemProfile, profile("b2")), iss, "j1")); err != nil {
		t.Fatalf("an expired jti is forgotten: %v", err)
	}
}

func TestEquivocationEvidence(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	e := Equivocation{IRI: remoteURIs.Object("01EQ"), Version: 3, Signer: remoteOrigin, Kid: "k1",
		Held: json.RawMessage(`{"a":1}`), Other: json.RawMessage(`{"b":2}`), Actor: remoteURIs.Actor(), Detected: at}
	for i, want := range []bool{true, false} {
		fresh, err := s.PutEquivocation(ctx, e)
		if err != nil || fresh != want {
			t.Fatalf("put %d: fresh %v, %v; want %v", i, fresh, err, want)
		}
	}
	e2 := e
	e2.Other, e2.Detected = json.RawMessage(`{"c":3}`), at.Add(time.Minute)
	if fresh, err := s.PutEquivocation(ctx, e2); err != nil || !fresh {
		t.Fatalf("a third document: %v %v", fresh, err)
	}
	got, err := s.Equivocations(ctx)
	if err != nil || len(got) != 2 || string(got[0].Other) != `{"b":2}` || got[1].Detected != e2.Detected {
		t.Fatalf("equivocations = %+v, %v", got, err)
	}
	if _, err := s.PutEquivocation(ctx, Equivocation{IRI: "x"}); !errors.Is(err, ErrInvalidObject) {
		t.Fatalf("incomplete evidence: %v", err)
	}
}

// Co-sign requests: one per Offer, a pending quota per origin that frees
// up as requests are decided or expire.
func TestCosignRequestQuota(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := openTest(t, Options{Now: clock.Now})
	const quota = 3
	req := func(origin string, i int) CosignRequest {
		return CosignRequest{ID: fmt.Sprintf("%s-%02d", origin[len(origin)-1:], i), Activity: fmt.Sprintf("%s/activities/%d", origin, i),
			Actor: origin + "/actor", Origin: origin, IRI: origin + "/objects/x", Status: "pending", Received: clock.Now()}
	}
	a, b := "http://127.0.0.7:1", "http://127.0.0.8:2"
	for i := range quota {
		if _, added, err := s.Cosigning().AddCosignRequest(ctx, req(a, i), quota); err != nil || !added {
			t.Fatalf("request %d: %v %v", i, added, err)
		}
	}
	if held, added, err := s.Cosigning().AddCosignRequest(ctx, req(a, 1), quota); err != nil || added || held.ID != req(a, 1).ID {
		t.Fatalf("the same Offer again: %+v %v %v", held, added, err)
	}
	if _, _, err := s.Cosigning().AddCosignRequest(ctx, req(a, quota), quota); !errors.Is(err, ErrQuota) {
		t.Fatalf("over the quota: %v", err)
	}
	if _, added, err := s.Cosigning().AddCosignRequest(ctx, req(b, 0), quota); err != nil || !added {
		t.Fatalf("another origin: %v %v", added, err)
	}
	decided := req(a, 0)
	decided.Status = "approved"
	if err := s.Cosigning().PutCosignRequest(ctx, decided); err != nil {
		t.Fatal(err)
	}
	if _, added, err := s.Cosigning().AddCosignRequest(ctx, req(a, quota), quota); err != nil || !added {
		t.Fatalf("after a decision frees a slot: %v %v", added, err)
	}
	clock.Add(time.Hour)
	if _, added, err := s.Cosigning().AddCosignRequest(ctx, req(b, 1), quota); err != nil || !added {
		t.Fatal(err)
	}
	n, err := s.Cosigning().ExpirePendingCosign(ctx, clock.Now().Add(-time.Minute), "nobody decided")
	if err != nil || n != quota+1 { // a's three pending, b's first
		t.Fatalf("expired %d, %v; want %d", n, err, quota+1)
	}
	all, err := s.Cosigning().CosignRequests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, r := range all {
		status[r.ID] = r.Status
	}
	if status[req(a, 0).ID] != "approved" || status[req(a, 1).ID] != CosignExpired || status[req(b, 1).ID] != "pending" {
		t.Fatalf("statuses after expiry: %v", status)
	}
	for i := quota + 1; i < 2*quota+1; i++ {
		if _, _, err := s.Cosigning().AddCosignRequest(ctx, req(a, i), quota); err != nil {
			t.Fatalf("after expiry frees the quota, request %d: %v", i, err)
		}
	}
}

// A schema-3 database's co-sign requests are indexed by the schema-4
// migration: the same Offer is still recognised, and pending requests
// count toward their origin's quota.
func TestMigrateSchemaV3CosignIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "node.db")
	v3, err := open(path, Options{NoSync: true}, openConfig{migrations: migrations()[:3]})
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://127.0.0.7:1"
	for i, status := range []string{"pending", "pending", "approved"} {
		r := CosignRequest{ID: fmt.Sprintf("r%d", i), Activity: fmt.Sprintf("%s/activities/%d", origin, i), Origin: origin,
			Actor: origin + "/actor", IRI: origin + "/objects/x", Status: status}
		if err := putJSON(ctx, v3, "put cosign request", bCosign, []byte(r.ID), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := v3.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	again := CosignRequest{ID: "new", Activity: origin + "/activities/0", Origin: origin, Status: "pending"}
	if held, added, err := s.Cosigning().AddCosignRequest(ctx, again, 3); err != nil || added || held.ID != "r0" {
		t.Fatalf("an Offer stored before the migration, again: %+v %v %v", held, added, err)
	}
	third := CosignRequest{ID: "r3", Activity: origin + "/activities/3", Origin: origin, Status: "pending"}
	if _, added, err := s.Cosigning().AddCosignRequest(ctx, third, 3); err != nil || !added {
		t.Fatalf("a third pending request (2 migrated): %v %v", added, err)
	}
	fourth := CosignRequest{ID: "r4", Activity: origin + "/activities/4", Origin: origin, Status: "pending"}
	if _, _, err := s.Cosigning().AddCosignRequest(ctx, fourth, 3); !errors.Is(err, ErrQuota) {
		t.Fatalf("over the quota with the migrated requests: %v", err)
	}
}
