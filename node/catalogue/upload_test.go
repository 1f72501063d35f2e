package catalogue

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/interlink-project/interlink-node/protocol"
)

func profile(key string) *protocol.ProblemProfile {
	return &protocol.ProblemProfile{Type: protocol.KindProblemProfile, Key: key,
		Name: protocol.Text{"en": "Profile " + key}, Description: protocol.Text{"en": "About " + key}}
}

func TestImportEntitiesReportsEachObject(t *testing.T) {
	svc, _, _, _ := newTestService(t)
	ctx := context.Background()
	il := &protocol.Interlinker{Type: protocol.KindInterlinker, Key: "tool", Nature: protocol.NatureKnowledge,
		Name: protocol.Text{"en": "Tool"}, Description: protocol.Text{"en": "A tool"}}
	var calls []int
	// The profiles' batch names one key twice: refused whole, each object
	// with its reason; the interlinkers' batch goes on.
	rep, err := svc.ImportEntities(ctx, []protocol.Entity{profile("P1"), profile("P1"), il}, func(done, total int) { calls = append(calls, done, total) })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 1 || rep.Refused != 2 || len(rep.Items) != 3 {
		t.Fatalf("report %+v", rep)
	}
	if it := rep.Items[1]; it.Result != ResultRefused || len(it.Reasons) != 1 || it.Reasons[0].Field != "key" || it.Reasons[0].Rule != "unique" {
		t.Fatalf("the duplicate: %+v", it)
	}
	if it := rep.Items[0]; it.Result != ResultRefused || it.Reasons[0].Rule != "batch" {
		t.Fatalf("its batch mate: %+v", it)
	}
	if it := rep.Items[2]; it.Result != "created" || it.IRI == "" {
		t.Fatalf("the interlinker: %+v", it)
	}
	if len(calls) != 4 || calls[0] != 2 || calls[2] != 3 || calls[3] != 3 {
		t.Fatalf("progress %v", calls)
	}
	rep, err = svc.ImportEntities(ctx, []protocol.Entity{il}, nil)
	if err != nil || rep.Unchanged != 1 {
		t.Fatalf("again: %+v %v", rep, err)
	}
}

func TestImportSeedAndPubliccodeRefuseBadFiles(t *testing.T) {
	svc, _, _, _ := newTestService(t)
	ctx := context.Background()
	if _, err := svc.ImportSeed(ctx, fstest.MapFS{"README": {Data: []byte("hi")}}, nil); !errors.Is(err, ErrBadUpload) {
		t.Fatalf("not a seed: %v", err)
	}
	if _, err := svc.ImportPubliccode(ctx, []byte("name: [unclosed")); !errors.Is(err, ErrBadUpload) {
		t.Fatalf("bad YAML: %v", err)
	}
	seed := fstest.MapFS{"problemprofiles/problemprofiles.json": {Data: []byte(`[{"id":"ORG_PROBLEM_1","name_translations":{"en":"One"},"description_translations":{"en":"First"}}]`)}}
	rep, err := svc.ImportSeed(ctx, seed, nil)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	if rep.Created != 1 || rep.Items[0].Key != "ORG_PROBLEM_1" {
		t.Fatalf("seed report %+v", rep)
	}
}

func TestFormChoices(t *testing.T) {
	svc, _, _, _ := newTestService(t)
	ctx := context.Background()
	org := &protocol.Organisation{Type: protocol.KindOrganisation, Key: "zgz", PrefLabel: protocol.Text{"es": "Ayuntamiento de Zaragoza"},
		OrgKind: protocol.OrgPublicAdministration, Spatial: protocol.OrganisationSpatial{Country: "ES"}}
	if _, err := svc.ImportEntities(ctx, []protocol.Entity{profile("P2"), profile("P1"), org}, nil); err != nil {
		t.Fatal(err)
	}
	c, err := svc.FormChoices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ProblemProfiles) != 2 || c.ProblemProfiles[0].Key != "P1" || c.ProblemProfiles[1].Name["en"] != "Profile P2" {
		t.Fatalf("profiles %+v", c.ProblemProfiles)
	}
	if len(c.Organisations) != 1 || c.Organisations[0].IRI == "" || c.Organisations[0].Name["es"] != "Ayuntamiento de Zaragoza" {
		t.Fatalf("organisations %+v", c.Organisations)
	}
}
