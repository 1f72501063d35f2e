package trustchain

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
)

// fixture is one resolution in a test federation built by newFed and then
// changed by setup, resolved at t0+at by a resolver pinning pins (IT and
// ES by default).
type fixture struct {
	name  string
	setup func(f *fed)
	pins  []string
	id    string
	at    time.Duration
	want  []error
	check func(t *testing.T, c *Chain)
}

func runFixtures(t *testing.T, tests []fixture) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFed(t)
			if tc.setup != nil {
				tc.setup(f)
			}
			pins := tc.pins
			if pins == nil {
				pins = []string{anchorIT, anchorES}
			}
			r := f.resolver(pins...)
			f.now = t0.Add(tc.at)
			c, err := r.Resolve(context.Background(), tc.id)
			if err != nil {
				t.Log(err)
			}
			wantReasons(t, err, tc.want...)
			if err == nil && tc.check != nil {
				tc.check(t, c)
			}
			if err != nil && c != nil {
				t.Fatal("a chain with an error")
			}
		})
	}
}

// leafUnder adds an entity hinting sup and enrolled by sup with the
// municipality's constraints.
func leafUnder(f *fed, sup, id string) {
	f.add(id, &entity.FederationEntity{OrganizationName: id}, sup)
	f.enroll(sup, id, func(s *entity.Statement) { s.Constraints = muniConstraints() })
}

// TestResolveValid resolves the chains the federation should accept.
func TestResolveValid(t *testing.T) {
	runFixtures(t, []fixture{
		{name: "PA leaf under the municipality", id: leafPA, check: func(t *testing.T, c *Chain) {
			if !slices.Equal(c.Path, []string{leafPA, muni, anchorIT}) || c.Anchor != anchorIT || len(c.Links) != 2 || c.EntityID != leafPA {
				t.Fatalf("path %v anchor %s links %d", c.Path, c.Anchor, len(c.Links))
			}
			if want := (Identity{"Farmacie Comunali Riunite", "IT", "public_administration", "leaf"}); c.Identity != want {
				t.Fatalf("identity %+v, want %+v", c.Identity, want)
			}
			if !c.Expires.Equal(t0.Add(24*time.Hour)) || !c.RevokedAt.IsZero() {
				t.Fatalf("expires %s revoked %s", c.Expires, c.RevokedAt)
			}
			if c.Links[0].Statement.Iss != muni || c.Links[1].Statement.Iss != anchorIT || c.Config.Statement.Sub != leafPA {
				t.Fatal("links out of order")
			}
		}},
		{name: "civic group: identity from the municipality, not its own", id: leafCivic, check: func(t *testing.T, c *Chain) {
			if want := (Identity{"Associazione Quartiere Rosta", "IT", "citizen_group", "leaf"}); c.Identity != want {
				t.Fatalf("identity %+v, want %+v", c.Identity, want)
			}
		}},
		{name: "foreign leaf under a recognised anchor", id: leafES, check: func(t *testing.T, c *Chain) {
			if c.Anchor != anchorES || c.Identity.Country != "ES" {
				t.Fatalf("anchor %s identity %+v", c.Anchor, c.Identity)
			}
		}},
		{name: "LV leaf where LV and IT are pinned", id: leafLV, pins: []string{anchorLV, anchorIT}},
		{name: "the anchor itself", id: anchorIT, check: func(t *testing.T, c *Chain) {
			if len(c.Links) != 0 || c.Anchor != anchorIT || c.Identity.Role != "anchor" {
				t.Fatalf("links %d anchor %s identity %+v", len(c.Links), c.Anchor, c.Identity)
			}
		}},
		{name: "second authority hint when the first leads nowhere", id: leafPA, setup: func(f *fed) {
			f.add("https://trust.rogue.example", &entity.FederationEntity{Role: "anchor"})
			f.nodes[leafPA].hints = []string{"https://trust.rogue.example", muni}
			f.publish(leafPA)
		}},
		{name: "8-link chain", id: "https://leaf.chain.it", setup: func(f *fed) { ladder(f, 6) }, check: func(t *testing.T, c *Chain) {
			if len(c.Path) != 8 {
				t.Fatalf("path %v", c.Path)
			}
		}},
		{name: "expires at the earliest link", id: leafPA, setup: func(f *fed) {
			f.enroll(anchorIT, muni, func(s *entity.Statement) { s.Exp = t0.Add(3 * time.Hour).Unix() })
		}, check: func(t *testing.T, c *Chain) {
			if !c.Expires.Equal(t0.Add(3 * time.Hour)) {
				t.Fatalf("expires %s", c.Expires)
			}
		}},
		{name: "within skew of a statement issued a little ahead", id: leafPA, at: -30 * time.Second},
		{name: "revoked intermediate: its leaf's chain resolves, revoked", id: leafPA, setup: func(f *fed) {
			f.enroll(anchorIT, muni, func(s *entity.Statement) { s.RevokedAt = t0.Add(-2 * time.Hour).Unix() })
		}, check: func(t *testing.T, c *Chain) {
			if !c.RevokedAt.Equal(t0.Add(-2 * time.Hour)) {
				t.Fatalf("RevokedAt %s", c.RevokedAt)
			}
		}},
		{name: "revoked by its superior and above: the earliest revocation", id: leafPA, setup: func(f *fed) {
			f.enroll(anchorIT, muni, func(s *entity.Statement) { s.RevokedAt = t0.Add(-2 * time.Hour).Unix() })
			f.enroll(muni, leafPA, func(s *entity.Statement) {
				s.Constraints = muniConstraints()
				s.RevokedAt = t0.Add(-3 * time.Hour).Unix()
			})
		}, check: func(t *testing.T, c *Chain) {
			if !c.RevokedAt.Equal(t0.Add(-3 * time.Hour)) {
				t.Fatalf("RevokedAt %s", c.RevokedAt)
			}
		}},
		{name: "revoked by the anchor before the superior revoked it: the earliest revocation", id: leafPA, setup: func(f *fed) {
			f.enroll(anchorIT, muni, func(s *entity.Statement) { s.RevokedAt = t0.Add(-3 * time.Hour).Unix() })
			f.enroll(muni, leafPA, func(s *entity.Statement) {
				s.Constraints = muniConstraints()
				s.RevokedAt = t0.Add(-2 * time.Hour).Unix()
			})
		}, check: func(t *testing.T, c *Chain) {
			if !c.RevokedAt.Equal(t0.Add(-3 * time.Hour)) {
				t.Fatalf("RevokedAt %s", c.RevokedAt)
			}
		}},
		{name: "anchor EC listing an unpinned key beside the pinned one that signs it", id: leafPA, setup: func(f *fed) {
			f.nodes[anchorIT].extraKeys = []entity.JWK{jwk(t, key("it second"))}
			f.publish(anchorIT)
		}},
	})
}

// ladder adds n intermediates under IT, each vouching for the next, and a
// leaf at the bottom: a chain of n+2 links.
func ladder(f *fed, n int) {
	sup := anchorIT
	for i := 1; i <= n+1; i++ {
		id := fmt.Sprintf("https://i%d.chain.it", i)
		if i == n+1 {
			id = "https://leaf.chain.it"
		}
		f.add(id, &entity.FederationEntity{}, sup)
		f.enroll(sup, id)
		sup = id
	}
}

// TestResolveAttacks holds every chain attack of trust-threats.md §1, §3,
// §4 (statements) and §5 with the reasons the resolver must give.
func TestResolveAttacks(t *testing.T) {
	rogue := "https://trust.rogue.example"
	pad := func(m map[string]any) { m["x_padding"] = strings.Repeat("x", 45000) }
	runFixtures(t, []fixture{
		// §1 forged origin
		{name: "leaf of an anchor that is not pinned", id: leafLV, want: []error{ErrNotPinned}},
		{name: "self-declared anchor", id: "https://node.rogue.example", setup: func(f *fed) {
			f.add(rogue, &entity.FederationEntity{Role: "anchor"})
			f.add("https://node.rogue.example", &entity.FederationEntity{}, rogue)
			f.enroll(rogue, "https://node.rogue.example")
		}, want: []error{ErrNotPinned}},
		{name: "pinned anchor's id served with another key", id: leafPA, setup: func(f *fed) {
			f.nodes[anchorIT].key = key("attacker")
			f.publish(anchorIT)
			f.enroll(anchorIT, muni)
		}, want: []error{ErrNotPinned}},
		{name: "anchor statement signed by an unpinned key of the anchor", id: leafPA, setup: func(f *fed) {
			f.nodes[anchorIT].extraKeys = []entity.JWK{jwk(t, key("it second"))}
			f.publish(anchorIT)
			f.f.set(fetchURL(anchorIT, muni), f.sign(f.statement(anchorIT, muni), key("it second")))
		}, want: []error{ErrNotPinned, entity.ErrUnknownKey}},
		// The anchor's EC lists the pinned key, but is signed by another key
		// it lists (one not pinned, as a thief who holds only that key would
		// sign it): its self-signature verifies, yet it is not trusted.
		{name: "anchor EC listing the pinned key, signed by an unpinned one", id: leafPA, setup: func(f *fed) {
			f.nodes[anchorIT].extraKeys = []entity.JWK{jwk(t, key("it second"))}
			f.f.set(wellKnown(anchorIT), f.sign(f.ec(anchorIT), key("it second")))
		}, want: []error{ErrNotPinned, entity.ErrUnknownKey}},
		{name: "the anchor itself, its EC signed by an unpinned key it lists", id: anchorIT, setup: func(f *fed) {
			f.nodes[anchorIT].extraKeys = []entity.JWK{jwk(t, key("it second"))}
			f.f.set(wellKnown(anchorIT), f.sign(f.ec(anchorIT), key("it second")))
		}, want: []error{ErrNotPinned, entity.ErrUnknownKey}},
		{name: "statement from an authority not in authority_hints", id: leafPA, setup: func(f *fed) {
			f.f.set(fetchURL(muni, leafPA), f.sign(f.statement(anchorIT, leafPA), f.nodes[anchorIT].key))
		}, want: []error{ErrAuthorityHint}},
		{name: "statement about another subject", id: leafPA, setup: func(f *fed) {
			f.f.set(fetchURL(muni, leafPA), f.sign(f.statement(muni, leafCivic), f.nodes[muni].key))
		}, want: []error{ErrNoPath}},
		{name: "superior does not vouch for the entity", id: leafPA, setup: func(f *fed) {
			f.f.del(fetchURL(muni, leafPA))
		}, want: []error{ErrNoPath, ErrNotFound}},
		{name: "superior publishes no fetch endpoint", id: leafPA, setup: func(f *fed) {
			f.publish(muni, func(s *entity.Statement) { s.Metadata.FederationEntity.FetchEndpoint = "" })
		}, want: []error{ErrNoPath}},
		{name: "look-alike of the permitted domain", id: "https://evilreggioemilia.it", setup: func(f *fed) {
			leafUnder(f, muni, "https://evilreggioemilia.it")
		}, want: []error{ErrConstraint, entity.ErrNamingConstraint}},
		{name: "excluded host in upper case", id: "https://X.EVIL.REGGIOEMILIA.IT", setup: func(f *fed) {
			leafUnder(f, muni, "https://X.EVIL.REGGIOEMILIA.IT")
		}, want: []error{ErrConstraint, entity.ErrNamingConstraint}},
		{name: "punycode host under the permitted domain", id: "https://xn--frmacie-9wa.reggioemilia.it", setup: func(f *fed) {
			leafUnder(f, muni, "https://xn--frmacie-9wa.reggioemilia.it")
		}, want: []error{ErrConstraint, entity.ErrNamingConstraint}},
		{name: "excluded host with a trailing dot", id: "https://evil.reggioemilia.it.", setup: func(f *fed) {
			leafUnder(f, muni, "https://evil.reggioemilia.it.")
		}, want: []error{ErrConstraint, entity.ErrNamingConstraint}},
		{name: "municipality vouching outside the anchor's .it", id: "https://reggioemilia.it.evil.example", setup: func(f *fed) {
			f.add("https://reggioemilia.it.evil.example", &entity.FederationEntity{}, muni)
			f.enroll(muni, "https://reggioemilia.it.evil.example")
		}, want: []error{ErrConstraint, entity.ErrNamingConstraint}},
		{name: "civic group acting as an intermediate (max_path_length 0)", id: "https://sotto.quartiere-rosta.reggioemilia.it", setup: func(f *fed) {
			f.add("https://sotto.quartiere-rosta.reggioemilia.it", &entity.FederationEntity{}, leafCivic)
			f.enroll(leafCivic, "https://sotto.quartiere-rosta.reggioemilia.it")
		}, want: []error{ErrConstraint}},
		{name: "anchor's max_path_length 0 over a municipality", id: leafPA, setup: func(f *fed) {
			zero := 0
			f.enroll(anchorIT, muni, func(s *entity.Statement) { s.Constraints = &entity.Constraints{MaxPathLength: &zero} })
		}, want: []error{ErrConstraint}},
		{name: "legal identity asserted only by the leaf", id: leafPA, setup: func(f *fed) {
			f.nodes[leafPA].own = &entity.FederationEntity{OrganizationName: "Ministero dell'Economia e delle Finanze", Country: "IT", OrgKind: "public_administration"}
			f.publish(leafPA)
			f.enroll(muni, leafPA, func(s *entity.Statement) { s.Constraints = muniConstraints() })
		}, check: func(t *testing.T, c *Chain) {
			if c.Identity != (Identity{}) {
				t.Fatalf("identity %+v taken from the leaf", c.Identity)
			}
		}},
		{name: "EC served for another entity", id: leafPA, setup: func(f *fed) {
			f.f.set(wellKnown(leafPA), f.f.docs[wellKnown(leafCivic)])
		}, want: []error{entity.ErrInvalidClaims}},

		// §3 stale or revoked keys
		{name: "federation key removed from the EC", id: leafPA, setup: func(f *fed) {
			f.publish(leafPA, func(s *entity.Statement) { s.JWKS.Keys = []entity.JWK{jwk(t, key("another"))} })
		}, want: []error{entity.ErrUnknownKey}},
		{name: "rotated leaf key not yet listed by the superior", id: leafPA, setup: func(f *fed) {
			n := f.nodes[leafPA]
			n.extraKeys = []entity.JWK{jwk(t, n.key)}
			n.key = key("leaf rotated")
			f.publish(leafPA)
		}, want: []error{ErrKeyNotListed, entity.ErrUnknownKey}},
		{name: "rotated intermediate key not yet listed by the anchor", id: leafPA, setup: func(f *fed) {
			n := f.nodes[muni]
			n.extraKeys = []entity.JWK{jwk(t, n.key)}
			n.key = key("muni rotated")
			f.publish(muni)
			f.enroll(muni, leafPA, func(s *entity.Statement) { s.Constraints = muniConstraints() })
		}, want: []error{ErrKeyNotListed, entity.ErrUnknownKey}},
		{name: "expired leaf EC", id: leafPA, at: 2 * time.Hour, setup: func(f *fed) {
			f.publish(leafPA, func(s *entity.Statement) { s.Exp = t0.Add(time.Hour).Unix() })
		}, want: []error{ErrExpired, entity.ErrExpired}},
		{name: "expired subordinate statement", id: leafPA, at: 2 * time.Hour, setup: func(f *fed) {
			f.enroll(muni, leafPA, func(s *entity.Statement) { s.Exp = t0.Add(time.Hour).Unix(); s.Constraints = muniConstraints() })
		}, want: []error{ErrExpired, entity.ErrExpired}},
		{name: "one expired link: the anchor's statement", id: leafPA, at: 2 * time.Hour, setup: func(f *fed) {
			f.enroll(anchorIT, muni, func(s *entity.Statement) { s.Exp = t0.Add(time.Hour).Unix() })
		}, want: []error{ErrExpired, entity.ErrExpired}},
		{name: "expired anchor EC", id: leafPA, at: 2 * time.Hour, setup: func(f *fed) {
			f.publish(anchorIT, func(s *entity.Statement) { s.Exp = t0.Add(time.Hour).Unix() })
		}, want: []error{ErrExpired, entity.ErrExpired}},
		{name: "every link expired", id: leafPA, at: 24 * time.Hour, want: []error{ErrExpired, entity.ErrExpired}},
		{name: "statement issued in the future", id: leafPA, setup: func(f *fed) {
			f.enroll(muni, leafPA, func(s *entity.Statement) { s.Iat = t0.Add(time.Hour).Unix(); s.Exp = t0.Add(25 * time.Hour).Unix() })
		}, want: []error{entity.ErrNotYetValid}},

		// §4 algorithm and header abuse in statements
		{name: "EC with alg none", id: leafPA, setup: func(f *fed) {
			f.f.set(wellKnown(leafPA), signRaw(mustJSON(t, f.ec(leafPA)), f.nodes[leafPA].key, `{"alg":"none","kid":"`+kidOf(f.nodes[leafPA].key)+`","typ":"entity-statement+jwt"}`))
		}, want: []error{entity.ErrAlgorithm}},
		{name: "statement with HS256", id: leafPA, setup: func(f *fed) {
			f.f.set(fetchURL(muni, leafPA), signRaw(mustJSON(t, f.statement(muni, leafPA)), f.nodes[muni].key, `{"alg":"HS256","kid":"`+kidOf(f.nodes[muni].key)+`","typ":"entity-statement+jwt"}`))
		}, want: []error{entity.ErrAlgorithm}},
		{name: "statement with RS256", id: leafPA, setup: func(f *fed) {
			f.f.set(fetchURL(muni, leafPA), signRaw(mustJSON(t, f.statement(muni, leafPA)), f.nodes[muni].key, `{"alg":"RS256","kid":"`+kidOf(f.nodes[muni].key)+`","typ":"entity-statement+jwt"}`))
		}, want: []error{entity.ErrAlgorithm}},
		{name: "statement with a kid of path characters", id: leafPA, setup: func(f *fed) {
			f.f.set(fetchURL(muni, leafPA), signRaw(mustJSON(t, f.statement(muni, leafPA)), f.nodes[muni].key, `{"alg":"EdDSA","kid":"../../keys/it","typ":"entity-statement+jwt"}`))
		}, want: []error{entity.ErrKid}},
		{name: "statement with a kid of SQL", id: leafPA, setup: func(f *fed) {
			f.f.set(fetchURL(muni, leafPA), signRaw(mustJSON(t, f.statement(muni, leafPA)), f.nodes[muni].key, `{"alg":"EdDSA","kid":"1'; DROP TABLE keys;--","typ":"entity-statement+jwt"}`))
		}, want: []error{entity.ErrKid}},
		{name: "statement with crit", id: leafPA, setup: func(f *fed) {
			f.f.set(fetchURL(muni, leafPA), signRaw(mustJSON(t, f.statement(muni, leafPA)), f.nodes[muni].key, `{"alg":"EdDSA","kid":"`+kidOf(f.nodes[muni].key)+`","typ":"entity-statement+jwt","crit":["x"],"x":1}`))
		}, want: []error{entity.ErrHeader}},
		{name: "anchor EC with jku", id: leafPA, setup: func(f *fed) {
			f.f.set(wellKnown(anchorIT), signRaw(mustJSON(t, f.ec(anchorIT)), f.nodes[anchorIT].key, `{"alg":"EdDSA","kid":"`+kidOf(f.nodes[anchorIT].key)+`","typ":"entity-statement+jwt","jku":"https://trust.rogue.example/jwks"}`))
		}, want: []error{entity.ErrHeader}},
		{name: "statement with x5u, jwk and x5c", id: leafPA, setup: func(f *fed) {
			f.f.set(fetchURL(muni, leafPA), signRaw(mustJSON(t, f.statement(muni, leafPA)), f.nodes[muni].key, `{"alg":"EdDSA","kid":"`+kidOf(f.nodes[muni].key)+`","typ":"entity-statement+jwt","x5u":"https://x.example","jwk":{},"x5c":[]}`))
		}, want: []error{entity.ErrHeader}},
		{name: "object typ presented as a statement", id: leafPA, setup: func(f *fed) {
			f.f.set(fetchURL(muni, leafPA), signRaw(mustJSON(t, f.statement(muni, leafPA)), f.nodes[muni].key, `{"alg":"EdDSA","kid":"`+kidOf(f.nodes[muni].key)+`","typ":"interlink-object+jws"}`))
		}, want: []error{entity.ErrType}},

		// §5 oversized or malformed input
		{name: "5 authority hints", id: leafPA, setup: func(f *fed) {
			f.f.set(wellKnown(leafPA), withClaims(t, f.ec(leafPA), f.nodes[leafPA].key, func(m map[string]any) {
				m["authority_hints"] = []string{muni, "https://a.example", "https://b.example", "https://c.example", "https://d.example"}
			}))
		}, want: []error{entity.ErrInvalidClaims}},
		{name: "authority hints that loop", id: "https://leaf.loop.example", setup: func(f *fed) {
			a, b, leaf := "https://a.loop.example", "https://b.loop.example", "https://leaf.loop.example"
			f.add(a, &entity.FederationEntity{}, b)
			f.add(b, &entity.FederationEntity{}, a)
			f.add(leaf, &entity.FederationEntity{}, a)
			f.enroll(a, leaf)
			f.enroll(b, a)
			f.enroll(a, b)
		}, want: []error{ErrHintLoop}},
		{name: "9-link chain", id: "https://leaf.chain.it", setup: func(f *fed) { ladder(f, 7) }, want: []error{ErrTooLong}},
		{name: "chain over 256 KiB", id: leafPA, setup: func(f *fed) {
			f.f.set(wellKnown(leafPA), withClaims(t, f.ec(leafPA), f.nodes[leafPA].key, pad))
			f.f.set(wellKnown(muni), withClaims(t, f.ec(muni), f.nodes[muni].key, pad))
			f.f.set(wellKnown(anchorIT), withClaims(t, f.ec(anchorIT), f.nodes[anchorIT].key, pad))
			f.f.set(fetchURL(muni, leafPA), withClaims(t, f.statement(muni, leafPA), f.nodes[muni].key, pad))
			f.f.set(fetchURL(anchorIT, muni), withClaims(t, f.statement(anchorIT, muni), f.nodes[anchorIT].key, pad))
		}, want: []error{ErrTooLarge}},
		{name: "one EC over 64 KiB", id: leafPA, setup: func(f *fed) {
			f.f.set(wellKnown(leafPA), withClaims(t, f.ec(leafPA), f.nodes[leafPA].key, func(m map[string]any) {
				m["x_padding"] = strings.Repeat("x", 50000)
			}))
		}, want: []error{entity.ErrTooLarge}},
		{name: "duplicate JSON keys in a statement", id: leafPA, setup: func(f *fed) {
			raw := strings.Replace(string(mustJSON(t, f.statement(muni, leafPA))), `"sub":`, `"sub":"`+leafCivic+`","sub":`, 1)
			f.f.set(fetchURL(muni, leafPA), signRaw([]byte(raw), f.nodes[muni].key, ""))
		}, want: []error{entity.ErrMalformed}},
		{name: "JSON deeper than 64 in an EC", id: leafPA, setup: func(f *fed) {
			f.f.set(wellKnown(leafPA), withClaims(t, f.ec(leafPA), f.nodes[leafPA].key, func(m map[string]any) {
				var v any = 1
				for i := 0; i < 70; i++ {
					v = []any{v}
				}
				m["x_deep"] = v
			}))
		}, want: []error{entity.ErrMalformed}},
		{name: "invalid UTF-8 in a statement", id: leafPA, setup: func(f *fed) {
			raw := strings.Replace(string(mustJSON(t, f.statement(muni, leafPA))), `"iss":`, "\"x\":\"\xff\xfe\",\"iss\":", 1)
			f.f.set(fetchURL(muni, leafPA), signRaw([]byte(raw), f.nodes[muni].key, ""))
		}, want: []error{entity.ErrMalformed}},
		{name: "superior unreachable", id: leafPA, setup: func(f *fed) {
			f.f.errs[wellKnown(muni)] = fmt.Errorf("HTTP 503")
		}, want: []error{ErrFetch}},
	})
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Equivalent mutant (gremlins v0.5.0, default mutators):
//
//   - walk.go:194 `j := len(below) + i` → `len(below) - i` (ARITHMETIC_BASE)
//     in walk.constraints. It changes j only for i ≥ 1, that is only in the
//     second call in via, which (as its comment says) repeats the check over
//     the whole path: a statement at index i ≥ 1 of res.links was added by a
//     via i levels up, whose own first call checked it with i = 0 and a below
//     i entities longer, hence the same j and the same path. A refusal is
//     therefore always found by that earlier call (TestResolveAttacks:
//     "anchor's max_path_length 0 over a municipality", "municipality
//     vouching outside the anchor's .it"), and the mutant cannot change any
//     result.
//
// TestResolveHintErrors: when every authority hint fails, the error wraps
// the first hint's reason and names every other hint's failure, so that an
// operator sees why each path failed; with one hint it names no other.
func TestResolveHintErrors(t *testing.T) {
	rogue := "https://trust.rogue.example"
	tests := []struct {
		name   string
		hints  []string
		want   []error
		others []string // text the error must hold after "other authority hints"
	}{
		{name: "one hint", hints: []string{rogue}, want: []error{ErrNotPinned}},
		{name: "two hints", hints: []string{rogue, muni}, want: []error{ErrNotPinned}, others: []string{"statement by " + muni + " about " + leafPA, ErrNoPath.Error()}},
		{name: "two hints, the other order", hints: []string{muni, rogue}, want: []error{ErrNoPath, ErrNotFound}, others: []string{rogue, ErrNotPinned.Error()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFed(t)
			f.add(rogue, &entity.FederationEntity{Role: "anchor"})
			f.enroll(rogue, leafPA)
			f.f.del(fetchURL(muni, leafPA))
			f.nodes[leafPA].hints = tc.hints
			f.publish(leafPA)
			_, err := f.resolver(anchorIT).Resolve(context.Background(), leafPA)
			wantReasons(t, err, tc.want...)
			_, others, found := strings.Cut(err.Error(), " (other authority hints: ")
			if found != (tc.others != nil) {
				t.Fatalf("error %q names other hints: %v, want %v", err, found, tc.others != nil)
			}
			for _, s := range tc.others {
				if !strings.Contains(others, s) {
					t.Fatalf("error %q: the other hints' part does not say %q", err, s)
				}
			}
		})
	}
}
