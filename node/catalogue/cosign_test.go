package catalogue

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// Drafts and co-sign requests are listed by status; a request is shown
// with the entity its draft carries.
func TestDraftsAndRequestsByStatus(t *testing.T) {
	s, _, _, st := newTestService(t)
	ctx := t.Context()
	now := time.Now().UTC()
	obj := protocol.Object{Meta: protocol.Meta{IRI: self + "/objects/01D", ID: "01D", Type: protocol.KindPublicService, Version: 1, Origin: self}}
	for id, status := range map[string]string{"d1": "pending", "d2": "published"} {
		if err := st.Cosigning().PutDraft(ctx, storage.Draft{ID: id, Status: status, Object: obj, Created: now, Updated: now}); err != nil {
			t.Fatal(err)
		}
	}
	if ds, err := s.Drafts(ctx, "published"); err != nil || len(ds) != 1 || ds[0].ID != "d2" {
		t.Fatalf("published drafts: %+v, %v", ds, err)
	}
	if ds, err := s.Drafts(ctx, ""); err != nil || len(ds) != 2 {
		t.Fatalf("all drafts: %+v, %v", ds, err)
	}
	q := storage.CosignRequest{ID: "q1", Activity: "http://127.0.0.2:8080/activities/1", Actor: "http://127.0.0.2:8080/actor",
		Origin: "http://127.0.0.2:8080", IRI: "http://127.0.0.2:8080/objects/1", JWS: []byte(`{}`), Status: "pending", Received: now}
	if _, _, err := st.Cosigning().AddCosignRequest(ctx, q, 10); err != nil {
		t.Fatal(err)
	}
	if qs, err := s.CosignRequests(ctx, "approved"); err != nil || len(qs) != 0 {
		t.Fatalf("approved requests: %+v, %v", qs, err)
	}
	if qs, err := s.CosignRequests(ctx, "pending"); err != nil || len(qs) != 1 {
		t.Fatalf("pending requests: %+v, %v", qs, err)
	}
	got, err := s.CosignRequest(ctx, "q1")
	if err != nil || got.ID != "q1" || got.Body != nil {
		t.Fatalf("request q1: %+v, %v (the fake verifies no draft)", got, err)
	}
}

// The CPSV-AP export holds the live public services and organisations.
func TestExportCPSV(t *testing.T) {
	s, _, _, _ := newTestService(t)
	ctx := t.Context()
	svc := map[string]any{"type": "PublicService", "identifier": "desk", "title": map[string]string{"en": "Help desk"},
		"description": map[string]string{"en": "A desk."}, "competent_authority": self + "/actor"}
	if _, err := s.Create(ctx, entity(t, svc)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, entity(t, tool("guide", "Guide"))); err != nil {
		t.Fatal(err)
	}
	doc, err := s.ExportCPSV(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(doc) || !strings.Contains(string(doc), "Help desk") || strings.Contains(string(doc), "Guide") {
		t.Fatalf("export: %s", doc)
	}
}
