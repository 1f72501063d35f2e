package node

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
	"github.com/interlink-project/interlink-node/storage"
)

// forger signs versions of the origin's object with the origin's own
// content key (a compromised key, or an origin that lies), and a peer
// relays them: the receiver judges them by their JWS and by the history it
// holds.
type forger struct {
	t      *testing.T
	origin *testNode
	peer   *fakePeer
	base   protocol.Object // the object as the origin stored version 1
}

// sign makes version ver of the object with body title, linked to prev
// (the payload hash of the version before, "" for none), with jti.
func (f *forger) sign(ver uint64, title, prev, jti string) protocol.Object {
	f.t.Helper()
	now := time.Now()
	o := f.base
	o.Version, o.Updated = ver, now
	o.Body, _ = json.Marshal(interlinkerBody(o.Key, title, title))
	iss := f.origin.n.PublicURL()
	jws, err := signedobject.Sign(signedobject.Payload{Iss: iss, Sub: o.IRI, Iat: now.Unix(), Exp: now.Add(time.Hour).Unix(), Jti: jti,
		Ver: ver, Prev: prev, Type: string(o.Type), Cosigners: []string{iss}, Body: o.Body},
		signedobject.Signer{EntityID: iss, Key: f.origin.n.keys.Ring.Snapshot().Content[0].Private})
	if err != nil {
		f.t.Fatal(err)
	}
	o.JWS = jws
	return o
}

// relay delivers o to the receiver's inbox through the peer.
func (f *forger) relay(receiver *testNode, o protocol.Object) response {
	f.t.Helper()
	var ids protocol.ULIDSource
	raw, err := activity.Update(f.origin.n.uris, ids.New(time.Now()), o)
	if err != nil {
		f.t.Fatal(err)
	}
	raw = asSentBy(f.t, raw, f.origin.n.PublicURL(), f.peer)
	return f.peer.post(f.t, receiver.n.uris.SharedInbox(), raw, time.Now(), nil)
}

// stored is the origin's version v of the object, as it serves it.
func stored(t *testing.T, tn *testNode, iri string, v uint64) protocol.Object {
	t.Helper()
	o, err := tn.n.live.store().GetVersion(t.Context(), iri, v)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func payloadHash(t *testing.T, jws []byte) string {
	t.Helper()
	in, err := signedobject.Inspect(jws)
	if err != nil {
		t.Fatal(err)
	}
	return signedobject.PayloadHash(in.Raw)
}

// Issue 10, finding 3: a version gap is filled from the origin before a
// later version is accepted; a forged prev is refused with its own problem;
// a stale version is refused, not acknowledged as applied; two versions
// with one number by one signer are kept as evidence; a jti is used once.
func TestHistoryGapsForksAndEquivocation(t *testing.T) {
	origin := startFed(t, "127.0.0.41")
	receiver := startFed(t, "127.0.0.42")
	peer := newFakePeer(t, "127.0.0.43")
	editor := origin.token("editor")
	iri := origin.postJSON("/api/v1/objects", editor, interlinkerBody("shared_tool", "Shared tool", "Strumento")).json(t)["iri"].(string)
	v1 := stored(t, origin, iri, 1)
	f := &forger{t: t, origin: origin, peer: peer, base: v1}

	// The receiver holds version 1 (relayed: it does not follow the origin).
	if r := f.relay(receiver, v1); r.status != 202 {
		t.Fatalf("version 1: %d %s", r.status, r.body)
	}
	update := func(title string, ver uint64) {
		t.Helper()
		r := origin.do("PUT", "/api/v1/objects/"+v1.ID, editor, "application/json", mustJSON(interlinkerBody("shared_tool", title, title)))
		if r.status != 200 {
			t.Fatalf("update to %d: %d %s", ver, r.status, r.body)
		}
	}
	update("Version two", 2)

	// A forged version 3 whose prev is not version 2's hash: the receiver
	// fills the gap from the origin, and the link breaks.
	forged := f.sign(3, "Forged three", payloadHash(t, v1.JWS), "forged-3")
	f.relay(receiver, forged).problem(t, 409, "jws-prev-mismatch")
	// A version numbered far past the origin's history cannot be filled.
	f.relay(receiver, f.sign(1000, "Frozen", "", "forged-1000")).problem(t, 409, "version-gap")
	if st, o := receiver.object(iri); st != 200 || o["version"] != 1.0 {
		t.Fatalf("after the forgeries the receiver holds %v", o)
	}

	// The origin's own next versions are accepted: the gap is filled.
	update("Version three", 3)
	if r := f.relay(receiver, stored(t, origin, iri, 3)); r.status != 202 {
		t.Fatalf("the origin's version 3: %d %s", r.status, r.body)
	}
	var vs []any
	if r := receiver.get("/api/v1/objects/" + v1.ID + "/versions").json(t); r["items"] != nil {
		vs = r["items"].([]any)
	}
	if len(vs) != 3 {
		t.Fatalf("versions held after the gap was filled: %d, want 3 (%v)", len(vs), vs)
	}

	// Stale: an older version again, and the current one again.
	f.relay(receiver, stored(t, origin, iri, 2)).problem(t, 409, "stale-version")
	f.relay(receiver, stored(t, origin, iri, 3)).problem(t, 409, "stale-version")

	// Equivocation: another version 3 signed by the origin's key.
	other := f.sign(3, "Another three", payloadHash(t, stored(t, origin, iri, 2).JWS), "other-3")
	f.relay(receiver, other).problem(t, 409, "jws-equivocation")
	ev := receiver.do("GET", "/api/v1/trust/equivocations", receiver.token("reader"), "", nil).json(t)
	if ev["total"] != 1.0 {
		t.Fatalf("equivocations: %v", ev)
	}
	item := ev["items"].([]any)[0].(map[string]any)
	if item["iri"] != iri || item["version"] != 3.0 || item["signer"] != origin.n.PublicURL() {
		t.Fatalf("evidence: %v", item)
	}
	metrics := string(receiver.get("/metrics").body)
	if !strings.Contains(metrics, "interlink_trust_equivocations 1") || !strings.Contains(metrics, "interlink_trust_equivocations_detected_total 1") {
		t.Fatal("the equivocation is not in the metrics (gauge and counter)")
	}

	// A jti used once per signer: version 4 linked right but reusing
	// version 3's jti.
	in, _ := signedobject.Inspect(stored(t, origin, iri, 3).JWS)
	replay := f.sign(4, "Version four", payloadHash(t, stored(t, origin, iri, 3).JWS), in.Payload.Jti)
	f.relay(receiver, replay).problem(t, 409, "jws-replayed-jti")
	fresh := f.sign(4, "Version four", payloadHash(t, stored(t, origin, iri, 3).JWS), "fresh-4")
	fresh.Created = time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC) // the unsigned wrapper lies
	if r := f.relay(receiver, fresh); r.status != 202 {
		t.Fatalf("version 4 with a fresh jti: %d %s", r.status, r.body)
	}

	// created comes from the signed history, not from the wrapper.
	_, o := receiver.object(iri)
	created, err := time.Parse(time.RFC3339, o["created"].(string))
	if err != nil || created.Year() == 1999 || created.Sub(v1.Created).Abs() > time.Second {
		t.Fatalf("created = %v, want version 1's %v", o["created"], v1.Created)
	}
}

// A version accepted with a signer's old chain while a re-judging pass runs
// (after its snapshot of the store, before it resolves the chain afresh)
// is judged again at the next pass, although the key's state no longer
// changes then (found by the key-revocation scenario: 3 forged objects
// stayed verified for good).
func TestReverifyCatchesVersionsAcceptedDuringAPass(t *testing.T) {
	anchor := startTrustNode(t, "127.0.0.50", "AgID", "IT", "public_administration", trust.RoleAnchor, nil, nil)
	pins := []trustchain.Anchor{anchor.pin(t)}
	o1 := startTrustNode(t, "127.0.0.51", "Comune di Lecce", "IT", "public_administration", trust.RoleLeaf, []string{anchor.url}, pins)
	r1 := startTrustNode(t, "127.0.0.52", "Comune di Bari", "IT", "public_administration", trust.RoleLeaf, []string{anchor.url}, pins)
	anchor.enroll(t, o1, "public_administration", "leaf", nil)
	anchor.enroll(t, r1, "public_administration", "leaf", nil)
	followTrusted(t, r1, o1)
	origin, receiver := o1.testNode, r1.testNode
	iri := origin.postJSON("/api/v1/objects", origin.admin, interlinkerBody("raced_tool", "Raced", "Corsa")).json(t)["iri"].(string)
	eventually(t, 10*time.Second, "the object arrives verified", func() bool {
		v := verificationOf(r1, iri)
		return v != nil && v["status"] == "verified"
	})
	f := &forger{t: t, origin: origin, base: stored(t, origin, iri, 1)}
	stolen := origin.n.keys.Ring.Snapshot().Content[0]
	if r := origin.postJSON("/api/v1/trust/keys/rotate", origin.admin, map[string]any{"key": "content"}); r.status != 200 {
		t.Fatalf("rotate: %d", r.status)
	}
	if r := origin.postJSON("/api/v1/trust/keys/revoke", origin.admin, map[string]any{"kid": stolen.Kid, "reason": "stolen"}); r.status != 200 {
		t.Fatalf("revoke: %d", r.status)
	}
	// The pass that learns of the revocation.
	if _, err := receiver.n.rejudger.Pass(t.Context()); err != nil {
		t.Fatal(err)
	}
	// A version signed by the stolen key, stored as verified by a
	// verification that used the old chain and finished after that pass's
	// snapshot.
	now := time.Now()
	o := f.base
	o.ID = "01JRACEDRACEDRACEDRACEDRAC"
	o.IRI = protocol.NewURIs(origin.n.PublicURL()).Object(o.ID)
	o.Key, o.Version, o.Created, o.Updated, o.Received = "raced_copy", 1, now, now, now
	o.Actor = origin.n.uris.Actor()
	o.Body, _ = json.Marshal(interlinkerBody("raced_copy", "Raced copy", "Copia"))
	iss := origin.n.PublicURL()
	o.JWS, _ = signedobject.Sign(signedobject.Payload{Iss: iss, Sub: o.IRI, Iat: now.Unix(), Exp: now.Add(time.Hour).Unix(), Jti: "raced",
		Ver: 1, Type: string(o.Type), Cosigners: []string{iss}, Body: o.Body}, signedobject.Signer{EntityID: iss, Key: stolen.Private})
	o.Verification = &protocol.Verification{Status: protocol.Verified, Checked: now.UTC(), Expires: now.Add(time.Hour).UTC(),
		Signers: []protocol.SignerInfo{{EntityID: iss, Kid: stolen.Kid}}}
	if _, err := receiver.n.live.store().Apply(t.Context(), storage.WriteOp{Object: o, Remote: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := receiver.n.rejudger.Pass(t.Context()); err != nil {
		t.Fatal(err)
	}
	got, err := receiver.n.live.store().Get(t.Context(), o.IRI)
	if err != nil {
		t.Fatal(err)
	}
	if got.Verification.Status != protocol.Invalid {
		t.Fatalf("a version accepted during the pass that learnt of the revocation: %+v", got.Verification)
	}
}

// originVersions signs versions of one object of peer (its origin), serves
// them at {iri}?version=N and delivers them.
type originVersions struct {
	t    *testing.T
	peer *fakePeer
	base protocol.Object
	ids  protocol.ULIDSource
}

func newOriginVersions(t *testing.T, peer *fakePeer) *originVersions {
	u := protocol.NewURIs(peer.url)
	var ids protocol.ULIDSource
	id := ids.New(time.Now())
	return &originVersions{t: t, peer: peer, base: protocol.Object{Meta: protocol.Meta{IRI: u.Object(id), ID: id,
		Type: protocol.KindInterlinker, Origin: u.Base(), Key: "foreign_tool"}}}
}

// sign makes version ver (a tombstone when title is ""), linked to prev.
func (o *originVersions) sign(ver uint64, title string, prev []byte) protocol.Object {
	o.t.Helper()
	now := time.Now()
	obj := o.base
	obj.Version, obj.Created, obj.Updated = ver, now, now
	typ, body := string(obj.Type), json.RawMessage(nil)
	if title == "" {
		obj.Deleted = true
		typ, body = signedobject.TombstoneType, json.RawMessage(`{"deleted":true,"former_type":"Interlinker"}`)
	} else {
		obj.Body, _ = json.Marshal(interlinkerBody(obj.Key, title, title))
		body = obj.Body
	}
	p := signedobject.Payload{Iss: o.peer.url, Sub: obj.IRI, Iat: now.Unix(), Exp: now.Add(time.Hour).Unix(), Jti: o.ids.New(now),
		Ver: ver, Type: typ, Cosigners: []string{o.peer.url}, Body: body}
	if prev != nil {
		p.Prev = payloadHash(o.t, prev)
	}
	jws, err := signedobject.Sign(p, signedobject.Signer{EntityID: o.peer.url, Key: o.peer.contentKey})
	if err != nil {
		o.t.Fatal(err)
	}
	obj.JWS = jws
	return obj
}

// serve makes the origin serve obj at its IRI with ?version=.
func (o *originVersions) serve(obj protocol.Object) {
	o.t.Helper()
	doc, err := activity.Object(protocol.NewURIs(o.peer.url), obj)
	if err != nil {
		o.t.Fatal(err)
	}
	u, _ := url.Parse(obj.IRI)
	o.peer.versions.Store(fmt.Sprintf("%s?version=%d", u.Path, obj.Version), doc)
}

// deliver posts obj, in an Update (a Delete for a tombstone), to tn.
func (o *originVersions) deliver(tn *testNode, obj protocol.Object) response {
	o.t.Helper()
	build := activity.Update
	if obj.Deleted {
		build = func(u protocol.URIs, id string, obj protocol.Object, _ ...activity.Option) ([]byte, error) {
			return activity.Delete(u, id, obj)
		}
	}
	raw, err := build(protocol.NewURIs(o.peer.url), o.ids.New(time.Now()), obj)
	if err != nil {
		o.t.Fatal(err)
	}
	return o.peer.post(o.t, tn.n.uris.SharedInbox(), raw, time.Now(), nil)
}

// The versions fetched to fill a gap must link to each other; a gap beyond
// the bound is refused before anything is fetched; an older version that
// differs from the one held is an equivocation; nothing follows a
// tombstone (issue 10, finding 3; kills the hand-made mutants of
// federation/history.go in scripts/mutants.tsv).
func TestHistoryFillFromTheOrigin(t *testing.T) {
	r := startFed(t, "127.0.0.54")
	peer := newFakePeer(t, "127.0.0.55")
	o := newOriginVersions(t, peer)
	v1 := o.sign(1, "One", nil)
	if resp := o.deliver(r, v1); resp.status != 202 {
		t.Fatalf("version 1: %d %s", resp.status, resp.body)
	}
	// The origin serves a version 2 that links to 1, and a version 3 that
	// does not link to 2; version 4 links to that 3.
	v2 := o.sign(2, "Two", v1.JWS)
	badV3 := o.sign(3, "Three (forked)", v1.JWS)
	o.serve(v2)
	o.serve(badV3)
	o.deliver(r, o.sign(4, "Four", badV3.JWS)).problem(t, 409, "jws-prev-mismatch")

	// Past the bound: refused without a fetch.
	before := peer.fetches.Load()
	o.deliver(r, o.sign(1+federation.MaxGapFill+2, "Far", nil)).problem(t, 409, "version-gap")
	if n := peer.fetches.Load() - before; n != 0 {
		t.Fatalf("a gap past the bound cost %d fetches", n)
	}

	// A linked history fills the gap.
	v3 := o.sign(3, "Three", v2.JWS)
	o.serve(v3)
	if resp := o.deliver(r, o.sign(4, "Four", v3.JWS)); resp.status != 202 {
		t.Fatalf("version 4 after a linked gap: %d %s", resp.status, resp.body)
	}
	if vs := r.get("/api/v1/objects/" + o.base.ID + "/versions").json(t)["items"].([]any); len(vs) != 4 {
		t.Fatalf("%d versions held, want 4", len(vs))
	}
	// An older version than the current one, but another payload than the
	// one held under its number.
	o.deliver(r, o.sign(2, "Two, again", v1.JWS)).problem(t, 409, "jws-equivocation")

	// Deleted: nothing follows, whatever it links to.
	v4, err := r.n.live.store().GetVersion(t.Context(), o.base.IRI, 4)
	if err != nil {
		t.Fatal(err)
	}
	if resp := o.deliver(r, o.sign(5, "", v4.JWS)); resp.status != 202 {
		t.Fatalf("the tombstone: %d %s", resp.status, resp.body)
	}
	o.deliver(r, o.sign(6, "Six", v1.JWS)).problem(t, 409, "object-gone")
}
