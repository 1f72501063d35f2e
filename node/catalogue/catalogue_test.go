package catalogue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// fakeFederation records the seams' calls.
type fakeFederation struct {
	kicks   int
	drafts  []protocol.Object
	failing error
}

func (f *fakeFederation) Kick() { f.kicks++ }

func (f *fakeFederation) StartCosign(_ context.Context, obj protocol.Object, _ uint64, _ []byte, cosigners []string) (storage.Draft, error) {
	if f.failing != nil {
		return storage.Draft{}, f.failing
	}
	f.drafts = append(f.drafts, obj)
	return storage.Draft{ID: "d1", Object: obj, Cosigners: cosigners}, nil
}

func (f *fakeFederation) AnswerCosign(context.Context, string, bool, string) (storage.CosignRequest, error) {
	return storage.CosignRequest{}, errors.New("not offered")
}

func (f *fakeFederation) DraftBody(context.Context, []byte) json.RawMessage { return nil }

// fakeSigner "signs" with the version number, linking to the previous one.
type fakeSigner struct{ prevs [][]byte }

func (s *fakeSigner) SignLocal(_ context.Context, obj protocol.Object, prev []byte) ([]byte, *protocol.Verification, error) {
	s.prevs = append(s.prevs, prev)
	return []byte(fmt.Sprintf(`{"v":%d}`, obj.Version)), &protocol.Verification{Status: protocol.Verified}, nil
}

const self = "http://127.0.0.1:8080"

func newTestService(t *testing.T) (*Service, *fakeFederation, *fakeSigner, *storage.Store) {
	t.Helper()
	st, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fed, sig := &fakeFederation{}, &fakeSigner{}
	return New(Deps{Store: st, Federation: fed, Cosign: fed, Trust: sig, URIs: protocol.NewURIs(self)}), fed, sig, st
}

func entity(t *testing.T, v map[string]any) protocol.Entity {
	t.Helper()
	raw, _ := json.Marshal(v)
	e, err := protocol.DecodeEntity(raw)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func tool(key, name string) map[string]any {
	return map[string]any{"type": "Interlinker", "key": key, "nature": "knowledge",
		"name": map[string]string{"en": name}, "description": map[string]string{"en": "About " + name},
		"licence_category": "public_domain", "administrative_scopes": []string{"eu"}, "languages": []string{"en"}}
}

// The use cases sign every version (linked to the one before), publish it
// and wake the deliveries, through the seams only.
func TestCreateUpdateDelete(t *testing.T) {
	s, fed, sig, st := newTestService(t)
	ctx := t.Context()
	obj, err := s.Create(ctx, entity(t, tool("guide", "Guide")))
	if err != nil {
		t.Fatal(err)
	}
	next, err := s.Update(ctx, obj.ID, entity(t, tool("guide", "Better guide")), 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, obj.ID, entity(t, tool("guide", "Stale")), 1); !errors.As(err, new(*storage.ConflictError)) {
		t.Fatalf("a stale If-Match: %v", err)
	}
	tomb, err := s.Delete(ctx, obj.ID, 0)
	if err != nil || !tomb.Deleted || tomb.Version != 3 {
		t.Fatalf("delete: %+v, %v", tomb, err)
	}
	if fed.kicks != 3 || len(sig.prevs) != 3 || sig.prevs[0] != nil || string(sig.prevs[1]) != `{"v":1}` || string(sig.prevs[2]) != `{"v":2}` {
		t.Fatalf("kicks %d, signatures linked to %q", fed.kicks, sig.prevs)
	}
	if got, err := st.GetVersion(ctx, next.IRI, 2); err != nil || string(got.JWS) != `{"v":2}` || got.Verification == nil {
		t.Fatalf("stored version 2: %+v, %v", got, err)
	}
	if _, err := s.Update(ctx, obj.ID, entity(t, tool("guide", "After")), 0); !errors.Is(err, storage.ErrGone) {
		t.Fatalf("an update after the delete: %v", err)
	}
}

func TestUseCaseRefusals(t *testing.T) {
	s, fed, _, st := newTestService(t)
	ctx := t.Context()
	// Another node's object, held here.
	other := protocol.NewURIs("http://127.0.0.2:8080")
	body, _ := json.Marshal(tool("theirs", "Theirs"))
	remote := protocol.Object{Meta: protocol.Meta{IRI: other.Object("01REMOTE"), ID: "01REMOTE", Type: protocol.KindInterlinker, Version: 1,
		Origin: other.Base(), Key: "theirs", Actor: other.Actor()}, Body: body}
	if _, err := st.Apply(ctx, storage.WriteOp{Object: remote, Remote: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "01REMOTE", entity(t, tool("theirs", "Mine now")), 0); !errors.Is(err, ErrNotOwner) {
		t.Fatalf("updating another node's object: %v", err)
	}
	var ve *protocol.ValidationError
	dup := []protocol.Entity{entity(t, tool("a", "A")), entity(t, tool("a", "A again"))}
	if _, err := s.Import(ctx, dup); !errors.As(err, &ve) || ve.Errors[0].Field != "objects[1].key" {
		t.Fatalf("a key twice in one import: %v", err)
	}
	if _, err := s.TaskProblemProfiles(ctx, "no-such-task"); !errors.Is(err, ErrNoSuchTask) {
		t.Fatalf("an unknown task: %v", err)
	}
	// A co-produced service is a draft, never stored at once; a failure to
	// ask the co-producers is its own error.
	svc := map[string]any{"type": "PublicService", "identifier": "desk", "title": map[string]string{"en": "Desk"},
		"description": map[string]string{"en": "A desk."}, "competent_authority": self + "/actor",
		"coproduced_by": []string{"http://127.0.0.2:8080/actor"}}
	_, err := s.Create(ctx, entity(t, svc))
	var ds *DraftStarted
	if !errors.As(err, &ds) || len(fed.drafts) != 1 {
		t.Fatalf("a co-produced service: %v", err)
	}
	fed.failing = fmt.Errorf("offer to 127.0.0.2: %w: unreachable", federation.ErrCosign)
	if _, err := s.Create(ctx, entity(t, svc)); !errors.Is(err, ErrCosignFailed) {
		t.Fatalf("a failing offer: %v", err)
	}
}
