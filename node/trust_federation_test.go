package node

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// trustNode is a node of the test federation with its role and superiors.
type trustNode struct {
	*testNode
	name, country string
}

// trustFederation is the cross-border federation of the issue: anchors for
// IT, ES and LV (pinned by every node), a municipality as intermediate
// under IT with a civic group below it, a ministry under IT and leaves
// under ES and LV.
type trustFederation struct {
	itAnchor, esAnchor, lvAnchor        *trustNode
	reggio, civic, mef, zaragoza, varam *trustNode
	pins                                []trustchain.Anchor
}

func startTrustNode(t *testing.T, host, name, country, orgKind, role string, hints []string, pins []trustchain.Anchor, tweaks ...func(*Config)) *trustNode {
	t.Helper()
	tn := startNodeWith(t, t.TempDir(), freeAddr(t, host), func(c *Config) {
		fedConfig(c)
		c.Federation.FollowPolicy = "trusted"
		c.Name, c.Country, c.OrgKind = name, country, orgKind
		c.Trust.Role, c.Trust.AuthorityHints, c.Trust.Anchors = role, hints, pins
		for _, tw := range tweaks {
			tw(c)
		}
	})
	return &trustNode{testNode: tn, name: name, country: country}
}

func (tn *trustNode) pin(t *testing.T) trustchain.Anchor {
	t.Helper()
	var st struct {
		EntityID       string   `json:"entity_id"`
		FederationKids []string `json:"federation_kids"`
	}
	json.Unmarshal(tn.do("GET", "/api/v1/trust", tn.admin, "", nil).body, &st)
	if st.EntityID == "" || len(st.FederationKids) == 0 {
		t.Fatalf("no trust status on %s", tn.url)
	}
	return trustchain.Anchor{EntityID: st.EntityID, Kids: st.FederationKids}
}

// enroll makes superior vouch for sub.
func (superior *trustNode) enroll(t *testing.T, sub *trustNode, orgKind, role string, maxPath *int, permitted ...string) {
	t.Helper()
	req := map[string]any{"entity_id": sub.url, "name": sub.name, "country": sub.country, "org_kind": orgKind, "role": role}
	if maxPath != nil {
		req["max_path_length"] = *maxPath
	}
	if len(permitted) > 0 {
		req["permitted"] = permitted
	}
	if r := superior.postJSON("/api/v1/anchor/subordinates", superior.admin, req); r.status != http.StatusCreated {
		t.Fatalf("%s enrolls %s: %d %s", superior.name, sub.name, r.status, r.body)
	}
}

func (tn *trustNode) chain(t *testing.T) map[string]any {
	t.Helper()
	return tn.do("GET", "/api/v1/trust", tn.admin, "", nil).json(t)["chain"].(map[string]any)
}

func startTrustFederation(t *testing.T) *trustFederation {
	t.Helper()
	f := &trustFederation{}
	f.itAnchor = startTrustNode(t, "127.0.0.10", "AgID", "IT", "public_administration", trust.RoleAnchor, nil, nil)
	f.esAnchor = startTrustNode(t, "127.0.0.11", "Secretaría General de Administración Digital", "ES", "public_administration", trust.RoleAnchor, nil, nil)
	f.lvAnchor = startTrustNode(t, "127.0.0.12", "VARAM trust anchor", "LV", "public_administration", trust.RoleAnchor, nil, nil)
	f.pins = []trustchain.Anchor{f.itAnchor.pin(t), f.esAnchor.pin(t), f.lvAnchor.pin(t)}
	it, es, lv := f.itAnchor.url, f.esAnchor.url, f.lvAnchor.url
	f.reggio = startTrustNode(t, "127.0.0.13", "Comune di Reggio Emilia", "IT", "public_administration", trust.RoleIntermediate, []string{it}, f.pins)
	f.civic = startTrustNode(t, "127.0.0.14", "Associazione Quartiere Ospizio", "IT", "citizen_group", trust.RoleLeaf, []string{f.reggio.url}, f.pins)
	f.mef = startTrustNode(t, "127.0.0.15", "Ministero dell'Economia e delle Finanze", "IT", "public_administration", trust.RoleLeaf, []string{it}, f.pins)
	f.zaragoza = startTrustNode(t, "127.0.0.16", "Ayuntamiento de Zaragoza", "ES", "public_administration", trust.RoleLeaf, []string{es}, f.pins)
	f.varam = startTrustNode(t, "127.0.0.17", "VARAM", "LV", "public_administration", trust.RoleLeaf, []string{lv}, f.pins)
	one := 1
	f.itAnchor.enroll(t, f.reggio, "public_administration", "intermediate", &one, "127.0.0.13", "127.0.0.14")
	f.itAnchor.enroll(t, f.mef, "public_administration", "leaf", nil)
	f.reggio.enroll(t, f.civic, "citizen_group", "leaf", nil)
	f.esAnchor.enroll(t, f.zaragoza, "public_administration", "leaf", nil)
	f.lvAnchor.enroll(t, f.varam, "public_administration", "leaf", nil)
	return f
}

// followTrusted makes follower follow target and waits for the acceptance.
func followTrusted(t *testing.T, follower, target *trustNode) {
	t.Helper()
	if r := follower.postJSON("/api/v1/follows", follower.admin, map[string]string{"target": target.actor()}); r.status != 202 {
		t.Fatalf("follow: %d %s", r.status, r.body)
	}
	eventually(t, 10*time.Second, follower.name+"'s follow of "+target.name+" is accepted", func() bool {
		var page struct {
			Items []struct{ Actor, State string }
		}
		json.Unmarshal(follower.do("GET", "/api/v1/follows", follower.admin, "", nil).body, &page)
		return slices.ContainsFunc(page.Items, func(i struct{ Actor, State string }) bool {
			return i.Actor == target.actor() && i.State == "accepted"
		})
	})
}

// verificationOf returns the verification of iri on tn, or nil.
func verificationOf(tn *trustNode, iri string) map[string]any {
	st, obj := tn.object(iri)
	if st != 200 {
		return nil
	}
	v, _ := obj["verification"].(map[string]any)
	return v
}

func signerNames(v map[string]any) []string {
	var out []string
	signers, _ := v["signers"].([]any)
	for _, s := range signers {
		m := s.(map[string]any)
		out = append(out, m["name"].(string)+"/"+m["country"].(string))
	}
	return out
}

func serviceBody(id, title, authority string, coproducers ...string) map[string]any {
	return map[string]any{"type": "PublicService", "identifier": id, "title": map[string]string{"en": title},
		"description": map[string]string{"en": title + ", co-produced with residents"}, "competent_authority": authority,
		"coproduced_by": coproducers}
}

func TestTrustFederation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts eight nodes")
	}
	f := startTrustFederation(t)

	// Every node's chain resolves to its anchor through the right path; the
	// legal identity comes from the superior's statement.
	for _, c := range []struct {
		n      *trustNode
		anchor *trustNode
		hops   int
	}{{f.reggio, f.itAnchor, 2}, {f.civic, f.itAnchor, 3}, {f.mef, f.itAnchor, 2}, {f.zaragoza, f.esAnchor, 2}, {f.varam, f.lvAnchor, 2}} {
		ch := c.n.chain(t)
		if ch["status"] != "verified" || ch["anchor"] != c.anchor.url || len(ch["path"].([]any)) != c.hops || ch["name"] != c.n.name {
			t.Fatalf("%s: chain %v", c.n.name, ch)
		}
	}

	// Zaragoza (ES) follows Reggio Emilia (IT); RE's policy "trusted" accepts
	// because Zaragoza's chain ends at an anchor RE pins (bilateral recognition).
	followTrusted(t, f.zaragoza, f.reggio)
	editor := f.reggio.token("editor")
	r := f.reggio.postJSON("/api/v1/objects", editor, interlinkerBody("civic_budget", "Civic budget canvas", "Canvas del bilancio civico"))
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	iri := r.json(t)["iri"].(string)
	eventually(t, 10*time.Second, "the object reaches Zaragoza verified", func() bool {
		v := verificationOf(f.zaragoza, iri)
		return v != nil && v["status"] == "verified"
	})
	if got := signerNames(verificationOf(f.zaragoza, iri)); !slices.Equal(got, []string{"Comune di Reggio Emilia/IT"}) {
		t.Fatalf("signers on Zaragoza: %v", got)
	}
	// Search filters by verification and by signer country.
	if got := searchNames(t, f.zaragoza.testNode, "verified=verified&signer_country=IT"); !slices.Contains(got, "civic_budget") {
		t.Fatalf("verified IT objects on Zaragoza: %v", got)
	}
	if got := searchNames(t, f.zaragoza.testNode, "verified=unverified"); len(got) != 0 {
		t.Fatalf("unverified objects on Zaragoza: %v", got)
	}

	// Co-production with two parties: the municipality and its civic group.
	civicOrg := f.civic.postJSON("/api/v1/objects", f.civic.token("editor"), map[string]any{"type": "Organisation", "key": "quartiere-ospizio",
		"pref_label": map[string]string{"it": "Associazione Quartiere Ospizio"}, "spatial": map[string]string{"country": "IT"}, "kind": "citizen_group"})
	if civicOrg.status != 201 {
		t.Fatalf("civic organisation: %d %s", civicOrg.status, civicOrg.body)
	}
	civicIRI := civicOrg.json(t)["iri"].(string)
	d := f.reggio.postJSON("/api/v1/objects", editor, serviceBody("green-corners", "Green corners", f.reggio.actor(), civicIRI))
	if d.status != http.StatusAccepted {
		t.Fatalf("a co-produced service: %d %s", d.status, d.body)
	}
	draft := d.json(t)["draft"].(map[string]any)
	if draft["status"] != "pending" || !slices.Equal(toStrings(draft["missing"]), []string{f.civic.url}) {
		t.Fatalf("draft: %v", draft)
	}
	approveOn(t, f.civic, draft["iri"].(string))
	svc := draft["iri"].(string)
	waitDraft(t, f.reggio, draft["id"].(string), "published")
	eventually(t, 10*time.Second, "the co-signed service reaches Zaragoza verified", func() bool {
		v := verificationOf(f.zaragoza, svc)
		return v != nil && v["status"] == "verified"
	})
	if got := signerNames(verificationOf(f.zaragoza, svc)); !slices.Equal(got, []string{"Comune di Reggio Emilia/IT", "Associazione Quartiere Ospizio/IT"}) {
		t.Fatalf("co-signers on Zaragoza: %v", got)
	}

	// Three parties: one signature missing keeps the draft unpublished.
	d3 := f.reggio.postJSON("/api/v1/objects", editor, serviceBody("tax-desk", "Shared tax desk", f.reggio.actor(), civicIRI, f.mef.actor()))
	if d3.status != http.StatusAccepted {
		t.Fatalf("three-party service: %d %s", d3.status, d3.body)
	}
	draft3 := d3.json(t)["draft"].(map[string]any)
	approveOn(t, f.mef, draft3["iri"].(string))
	eventually(t, 10*time.Second, "MEF's signature joins the draft", func() bool {
		v := f.reggio.do("GET", "/api/v1/drafts/"+draft3["id"].(string), f.reggio.admin, "", nil).json(t)
		return len(toStrings(v["signed"])) == 2
	})
	if st, _ := f.zaragoza.object(draft3["iri"].(string)); st != 404 {
		t.Fatalf("a draft missing a signature reached Zaragoza: %d", st)
	}
	if v := f.reggio.do("GET", "/api/v1/drafts/"+draft3["id"].(string), f.reggio.admin, "", nil).json(t); v["status"] != "pending" ||
		!slices.Equal(toStrings(v["missing"]), []string{f.civic.url}) {
		t.Fatalf("three-party draft: %v", v)
	}
	approveOn(t, f.civic, draft3["iri"].(string))
	waitDraft(t, f.reggio, draft3["id"].(string), "published")

	// A co-signer revoked before it signs: its signature is refused and the
	// draft stays unpublished.
	d4 := f.reggio.postJSON("/api/v1/objects", editor, serviceBody("late-desk", "Late desk", f.reggio.actor(), f.mef.actor()))
	draft4 := d4.json(t)["draft"].(map[string]any)
	waitRequest(t, f.mef, draft4["iri"].(string))
	// Times are whole seconds and a signature made in the second of the
	// revocation counts as after it: revoke a second after MEF's last one.
	time.Sleep(1100 * time.Millisecond)
	if r := f.itAnchor.postJSON("/api/v1/anchor/subordinates/revoke", f.itAnchor.admin, map[string]string{"entity_id": f.mef.url, "reason": "decommissioned"}); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	f.reggio.n.live.trust().Resolver().Invalidate(f.mef.url) // receivers see the revocation at their next resolution
	time.Sleep(1100 * time.Millisecond)                      // the co-signature is made a second after the revocation
	approveOn(t, f.mef, draft4["iri"].(string))
	time.Sleep(500 * time.Millisecond)
	if v := f.reggio.do("GET", "/api/v1/drafts/"+draft4["id"].(string), f.reggio.admin, "", nil).json(t); v["status"] != "pending" {
		t.Fatalf("a draft co-signed by a revoked node: %v", v)
	}
	// ... while the service MEF co-signed before its revocation still
	// verifies where it was held before the revocation (first seen after
	// it, it would be refused: docs/trust.md, "Revocation").
	f.zaragoza.n.live.trust().Resolver().Invalidate(f.mef.url)
	held, err := f.zaragoza.n.live.store().Get(t.Context(), draft3["iri"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.zaragoza.n.live.trust().VerifyObject(t.Context(), held.JWS); err == nil {
		t.Fatal("a service co-signed by a revoked node, first seen after the revocation, verified")
	}
	if r, err := f.zaragoza.n.live.trust().Judge(t.Context(), held.JWS, held.Received); err != nil {
		t.Fatalf("a service co-signed before the revocation: %v", err)
	} else if r.Verification.Status != "verified" {
		t.Fatalf("a service co-signed before the revocation: %+v", r.Verification)
	}
	if ch := f.mef.chain(t); ch["status"] != "revoked" {
		t.Fatalf("MEF's own view of its chain: %v", ch)
	}
}

func toStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		out = append(out, x.(string))
	}
	return out
}

// waitRequest waits for the co-sign request of iri on tn and returns its id.
func waitRequest(t *testing.T, tn *trustNode, iri string) string {
	t.Helper()
	var id string
	eventually(t, 10*time.Second, tn.name+" receives the co-sign request", func() bool {
		var page struct {
			Items []struct{ ID, IRI, Status string }
		}
		json.Unmarshal(tn.do("GET", "/api/v1/cosign/requests", tn.admin, "", nil).body, &page)
		for _, q := range page.Items {
			if q.IRI == iri && q.Status == "pending" {
				id = q.ID
				return true
			}
		}
		return false
	})
	return id
}

func approveOn(t *testing.T, tn *trustNode, iri string) {
	t.Helper()
	id := waitRequest(t, tn, iri)
	if r := tn.postJSON("/api/v1/cosign/requests/"+id+"/approve", tn.token("editor"), map[string]string{}); r.status != 200 {
		t.Fatalf("approve on %s: %d %s", tn.name, r.status, r.body)
	}
}

func waitDraft(t *testing.T, tn *trustNode, id, status string) {
	t.Helper()
	eventually(t, 10*time.Second, "draft "+id+" is "+status, func() bool {
		return tn.do("GET", "/api/v1/drafts/"+id, tn.admin, "", nil).json(t)["status"] == status
	})
}
