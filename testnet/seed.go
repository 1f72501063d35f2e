package testnet

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/interlinkfmt"
)

// languageOf is the main language of a country's nodes.
func languageOf(country string) string {
	switch country {
	case "IT":
		return "it"
	case "ES":
		return "es"
	case "LV":
		return "lv"
	}
	return "en"
}

// themes give synthetic services and interlinkers varied, searchable text.
var themes = []struct{ en, it, es, lv string }{
	{"waste collection", "raccolta dei rifiuti", "recogida de residuos", "atkritumu savākšana"},
	{"school enrolment", "iscrizione scolastica", "matriculación escolar", "skolas uzņemšana"},
	{"parking permit", "permesso di sosta", "permiso de aparcamiento", "stāvvietas atļauja"},
	{"participatory budget", "bilancio partecipativo", "presupuesto participativo", "līdzdalības budžets"},
	{"elderly care", "assistenza agli anziani", "atención a mayores", "veco ļaužu aprūpe"},
	{"urban gardens", "orti urbani", "huertos urbanos", "pilsētas dārzi"},
	{"business licence", "licenza commerciale", "licencia de actividad", "uzņēmējdarbības licence"},
	{"public consultation", "consultazione pubblica", "consulta pública", "sabiedriskā apspriešana"},
}

func themeText(i int, prefix string) protocol.Text {
	t := themes[i%len(themes)]
	return protocol.Text{"en": prefix + t.en, "it": prefix + t.it, "es": prefix + t.es, "lv": prefix + t.lv}
}

// Organisation is the node's own organisation record, keyed by the node's
// name, whose IRI is the node's entity id (its public URL without trust).
func Organisation(n *NodeState) *protocol.Organisation {
	iri := n.EntityID
	if iri == "" {
		iri = n.URL
	}
	return &protocol.Organisation{Type: protocol.KindOrganisation, Key: n.Name, IRI: iri,
		PrefLabel: protocol.Text{languageOf(n.Country): n.DisplayName},
		Spatial:   protocol.OrganisationSpatial{Country: n.Country}, OrgKind: protocol.OrganisationKind(n.OrgKind)}
}

// Service is a synthetic public service of node n, identified by id.
func Service(n *NodeState, id string, i int) *protocol.PublicService {
	iri := n.EntityID
	if iri == "" {
		iri = n.URL
	}
	lang := languageOf(n.Country)
	return &protocol.PublicService{Type: protocol.KindPublicService, Identifier: id,
		Title:              themeText(i, ""),
		Description:        themeText(i, fmt.Sprintf("%s offers: ", n.DisplayName)),
		CompetentAuthority: iri, Language: []string{lang, "en"}, Spatial: []string{n.Country},
		Keywords: protocol.TextList{"en": {"testnet", n.Name}}}
}

// Interlinker is a synthetic knowledge interlinker of node n, keyed by key.
func Interlinker(n *NodeState, key string, i int) *protocol.Interlinker {
	return &protocol.Interlinker{Type: protocol.KindInterlinker, Key: key, Nature: protocol.NatureKnowledge,
		Name:            themeText(i, "Guide: "),
		Description:     themeText(i, fmt.Sprintf("A guide by %s about ", n.DisplayName)),
		LicenceCategory: "public_domain", Languages: []string{languageOf(n.Country), "en"},
		Tags: protocol.TextList{"en": {"testnet"}}}
}

// seedEntities is what node n is seeded with: its organisation, spec's
// synthetic services and interlinkers, and its share of the catalogue.
func seedEntities(n *NodeState, spec SeedSpec, share []protocol.Entity) []protocol.Entity {
	out := []protocol.Entity{Organisation(n)}
	for i := range spec.Services {
		out = append(out, Service(n, fmt.Sprintf("%s-service-%d", n.Name, i+1), i))
	}
	for i := range spec.Interlinkers {
		out = append(out, Interlinker(n, fmt.Sprintf("%s-guide-%d", n.Name, i+1), i+3))
	}
	return append(out, share...)
}

// catalogueShares reads an INTERLINK seed directory and deals its
// interlinkers, problem profiles and schemas round-robin to the nodes whose
// seed says catalogue: true (in manifest order).
func catalogueShares(dir string, nodes []string) (map[string][]protocol.Entity, error) {
	if dir == "" || len(nodes) == 0 {
		return nil, nil
	}
	seed, err := interlinkfmt.ReadSeed(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("--catalogue %s: %w", dir, err)
	}
	all := seed.Entities()
	out := map[string][]protocol.Entity{}
	for i, e := range all {
		name := nodes[i%len(nodes)]
		out[name] = append(out[name], e)
	}
	return out, nil
}

// entityJSON encodes an entity for the API.
func entityJSON(e protocol.Entity) (json.RawMessage, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode %s %q: %w", e.Kind(), e.NaturalKey(), err)
	}
	return b, nil
}
