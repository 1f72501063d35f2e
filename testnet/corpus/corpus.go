// Package corpus generates catalogue objects for benchmarks: an EU-wide
// aggregator's catalogue of interlinkers and CPSV-AP public services from
// the nodes of fourteen member states, every object (and every version of
// it) a deterministic function of its index and a seed.
//
// Its tables follow the real INTERLINK catalogue and the CPSV-AP example
// (tables.go, vocab_pilot.go): the pilot languages' words ranked as the
// catalogue uses them and drawn by Zipf's law, a third of a description
// function words, descriptions of 8-60 words (the catalogue's median is
// about 18), interlinkers in all four pilot languages when a pilot country
// publishes them, the catalogue's shares of natures, licences, scopes and
// problem profiles (one for half the interlinkers, up to 25), and public
// services in their member state's language(s), often also in English, with
// channels, requirements, evidence and a contact point. A third of the
// objects have been edited: versions follow a long tail (65 % one version,
// 1 % eight). TestDistributionsFollowCatalogue compares the generator with
// the catalogue when the reference data is at hand.
//
// The search index benchmarks, the page benchmarks and the node benchmarks
// read the same corpus; package benchdata builds it into a store and an
// index once and caches them.
package corpus

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
)

// GeneratorVersion names the generator's output: caches of built corpora
// are keyed by it (with the size and the seed). Bump it with any change to
// what an object or version looks like.
const GeneratorVersion = "corpus-3"

// DefaultSeed is the seed of New.
const DefaultSeed uint64 = 20240123

// Languages are the pilot languages (the INTERLINK catalogue's).
var Languages = []string{"en", "es", "it", "lv"}

// AllLanguages are every language of the corpus, the pilot ones first.
var AllLanguages = []string{"en", "es", "it", "lv", "de", "fr", "pt", "nl", "pl"}

// Vocabulary is lang's content words, the most frequent first.
func Vocabulary(lang string) []string {
	if l := lexicons[lang]; l != nil {
		return l.words
	}
	return nil
}

// Origin is one node publishing into the aggregator.
type Origin struct {
	URL     string // its public URL (entity id)
	Host    string // the origin facet's value
	Country string
	Langs   []string // its member state's languages
	Pilot   bool
	key     ed25519.PrivateKey
	kid     string
}

// Synthetic is a catalogue of N objects published by the nodes of
// fourteen member states.
type Synthetic struct {
	N       int
	Seed    uint64
	origins []Origin
}

// New returns the catalogue of n objects with DefaultSeed.
func New(n int) *Synthetic { return NewSeeded(n, DefaultSeed) }

// NewSeeded returns the catalogue of n objects generated from seed. It has
// one origin per 2,500 objects (at least 20, at most 400), each in a
// member state drawn by the countries' weights; origins' sizes are skewed.
func NewSeeded(n int, seed uint64) *Synthetic {
	s := &Synthetic{N: n, Seed: seed}
	k := min(max(n/2500, 20), 400)
	r := rand.New(rand.NewPCG(seed, 1<<62))
	weights := make([]int, len(countries))
	for i, c := range countries {
		weights[i] = c.weight
	}
	for i := range k {
		c := weighted(r, countries, weights)
		host := fmt.Sprintf("node%03d.%s.interlink.example", i, strings.ToLower(c.code))
		o := Origin{URL: "https://" + host, Host: host, Country: c.code, Langs: c.langs, Pilot: c.pilot}
		sum := sha256.Sum256(fmt.Appendf(nil, "%d/%s", seed, o.URL))
		o.key = ed25519.NewKeyFromSeed(sum[:])
		kid, err := signedobject.Signer{EntityID: o.URL, Key: o.key}.KeyID()
		if err != nil {
			panic(err) // a 64-byte key always has a thumbprint
		}
		o.kid = kid
		s.origins = append(s.origins, o)
	}
	return s
}

// Origins are the catalogue's origins, the most prolific first.
func (s *Synthetic) Origins() []Origin { return s.origins }

// PublicKey is origin o's content key.
func (o Origin) PublicKey() ed25519.PublicKey { return o.key.Public().(ed25519.PublicKey) }

// Zipf draws an index in [0, n) favouring small ones.
func Zipf(r *rand.Rand, n int) int {
	// Inverse transform of a 1/x-like density: cheap and skewed enough.
	u := r.Float64()
	i := int(float64(n) * u * u * u)
	return min(i, n-1)
}

// Pick draws one of xs, favouring the first ones.
func Pick[T any](r *rand.Rand, xs []T) T { return xs[Zipf(r, len(xs))] }

// ID is object i's id (its natural key too).
func (s *Synthetic) ID(i int) string { return fmt.Sprintf("obj%07d", i) }

// rng is object i's random stream for draw d (0: the object, v: version v).
func (s *Synthetic) rng(i, d int) *rand.Rand {
	return rand.New(rand.NewPCG(s.Seed^uint64(d)<<48, uint64(i)))
}

// Versions is how many versions object i has.
func (s *Synthetic) Versions(i int) int {
	return weighted(s.rng(i, 1<<15), versionCounts, versionCountWeights)
}

// text draws n words of lang: content words by Zipf's law, and when
// function is set about a third function words between them.
func text(r *rand.Rand, lang string, n int, function bool) string {
	lx := lexicons[lang]
	var b strings.Builder
	for k := range n {
		if k > 0 {
			b.WriteByte(' ')
		}
		if function && k > 0 && r.IntN(3) == 0 {
			b.WriteString(lx.function[r.IntN(len(lx.function))])
			continue
		}
		b.WriteString(lx.words[lx.zipf.draw(r)])
	}
	return b.String()
}

// descLen draws a description's length in words: 8-60, median about 18.
func descLen(r *rand.Rand) int {
	return min(8+int(r.ExpFloat64()*14), 60)
}

// Object is object i's current (last) version, unsigned, as an index
// benchmark needs it.
func (s *Synthetic) Object(i int) (protocol.Object, error) {
	return s.version(i, s.Versions(i))
}

// History is every version of object i, oldest first, each signed by its
// origin (JWS chained by prev) and with the verification record a receiver
// stores, as an aggregator holds them.
func (s *Synthetic) History(i int) ([]protocol.Object, error) {
	n := s.Versions(i)
	out := make([]protocol.Object, 0, n)
	var prev []byte
	for v := 1; v <= n; v++ {
		o, err := s.version(i, v)
		if err != nil {
			return nil, err
		}
		if prev, err = s.sign(&o, prev); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// version builds version v of object i: version 1 from the object's
// stream, each later one appending a sentence to a description and
// sometimes a tag, some weeks to months after the one before.
func (s *Synthetic) version(i, v int) (protocol.Object, error) {
	r := s.rng(i, 0)
	origin := s.origins[Zipf(r, len(s.origins))]
	id := s.ID(i)
	created := time.Date(2019, 1, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(6*365*24)) * time.Hour)
	var ent protocol.Entity
	if r.IntN(100) < serviceShare {
		ent = s.service(r, origin, id)
	} else {
		ent = s.interlinker(r, origin, id)
	}
	updated := created
	for k := 2; k <= v; k++ {
		rv := s.rng(i, k)
		updated = updated.Add(time.Duration(7+rv.IntN(200)) * 24 * time.Hour)
		edit(rv, ent)
	}
	return object(origin, id, ent, v, created, updated)
}

// edit changes an entity as a new version does.
func edit(r *rand.Rand, ent protocol.Entity) {
	var desc protocol.Text
	var tags protocol.TextList
	switch e := ent.(type) {
	case *protocol.Interlinker:
		desc, tags = e.Description, e.Tags
	case *protocol.PublicService:
		desc, tags = e.Description, e.Keywords
	}
	// In the order of the languages: a map's order would make the edit
	// differ from one run to the next.
	for _, lang := range slices.Sorted(maps.Keys(desc)) {
		desc[lang] += " " + text(r, lang, 4+r.IntN(10), true)
	}
	for _, lang := range slices.Sorted(maps.Keys(tags)) {
		if r.IntN(3) == 0 {
			tags[lang] = append(tags[lang], text(r, lang, 1, false))
		}
	}
}

// objectLangs draws the languages of an object of origin o.
func objectLangs(r *rand.Rand, o Origin, service bool) []string {
	nat := o.Langs[0]
	if len(o.Langs) > 1 && r.IntN(3) == 0 {
		nat = o.Langs[1+r.IntN(len(o.Langs)-1)]
	}
	switch x := r.IntN(100); {
	case nat == "en":
		return []string{"en"}
	case !service && o.Pilot && x < 80:
		return Languages // the catalogue's interlinkers: all four
	case service && len(o.Langs) > 1 && x < 15:
		return o.Langs // a Belgian or Luxembourgish service in each language
	case service && x < 60, !service && x < 20:
		return []string{nat}
	case x < 95:
		return []string{nat, "en"}
	default:
		return []string{"en"}
	}
}

func (s *Synthetic) interlinker(r *rand.Rand, o Origin, id string) *protocol.Interlinker {
	langs := objectLangs(r, o, false)
	il := &protocol.Interlinker{
		Type: protocol.KindInterlinker, Key: id, Languages: langs,
		Name: protocol.Text{}, Description: protocol.Text{},
		Nature:          protocol.Nature(weighted(r, natures, natureWeights)),
		LicenceCategory: weighted(r, licences, licenceWeights),
		Difficulty:      difficulties[r.IntN(len(difficulties))],
	}
	for _, l := range langs {
		il.Name[l] = text(r, l, 2+r.IntN(4), false)
		il.Description[l] = text(r, l, descLen(r), true)
	}
	if r.IntN(10) < 8 { // tags: in English (or the first language), as the catalogue's
		l := langs[0]
		if langs[len(langs)-1] == "en" || langs[0] == "en" {
			l = "en"
		}
		il.Tags = protocol.TextList{l: strings.Fields(text(r, l, 2+r.IntN(4), false))}
	}
	for range weighted(r, scopeCounts, scopeCountWeights) {
		sc := weighted(r, scopes, scopeWeights)
		if !slices.Contains(il.AdministrativeScopes, sc) {
			il.AdministrativeScopes = append(il.AdministrativeScopes, sc)
		}
	}
	profiles := ProblemProfiles()
	for range weighted(r, profileCounts, profileCountWeights) {
		p := profiles[Zipf(r, len(profiles))]
		if !slices.Contains(il.ProblemProfiles, p) {
			il.ProblemProfiles = append(il.ProblemProfiles, p)
		}
	}
	switch x := r.IntN(100); {
	case x < 86:
		il.Targets = []string{"all"}
	case x < 94:
		il.Targets = []string{"all;pas", "all;businesses", "all;research_organizations"}
	}
	return il
}

func (s *Synthetic) service(r *rand.Rand, o Origin, id string) *protocol.PublicService {
	langs := objectLangs(r, o, true)
	svc := &protocol.PublicService{
		Type: protocol.KindPublicService, Identifier: id, Language: langs,
		Title: protocol.Text{}, Description: protocol.Text{},
		CompetentAuthority: o.URL + "/objects/org",
		Spatial:            []string{o.Country},
		ThematicArea:       []string{"https://interlink.example/themes/" + thematicAreas[Zipf(r, len(thematicAreas))]},
		ProcessingTime:     fmt.Sprintf("P%dD", 1+r.IntN(30)),
	}
	for _, l := range langs {
		svc.Title[l] = text(r, l, 2+r.IntN(5), false)
		svc.Description[l] = text(r, l, descLen(r), true)
	}
	if r.IntN(2) == 0 {
		svc.Keywords = protocol.TextList{langs[0]: strings.Fields(text(r, langs[0], 1+r.IntN(4), false))}
	}
	for k := range 1 + r.IntN(3) {
		svc.Channels = append(svc.Channels, protocol.ServiceChannel{Identifier: fmt.Sprintf("%s-ch%d", id, k),
			Type: "http://data.europa.eu/snb/com-channel/" + channelTypes[Zipf(r, len(channelTypes))]})
	}
	for k := range r.IntN(3) {
		title := text(r, langs[0], 3+r.IntN(6), true)
		svc.Requirements = append(svc.Requirements, protocol.ServiceRequirement{Identifier: fmt.Sprintf("%s-req%d", id, k), Title: protocol.Text{langs[0]: title}})
	}
	for k := range r.IntN(3) {
		svc.Evidence = append(svc.Evidence, protocol.ServiceEvidence{Identifier: fmt.Sprintf("%s-ev%d", id, k),
			Title: protocol.Text{langs[0]: text(r, langs[0], 2+r.IntN(3), false)}, Language: langs[:1]})
	}
	svc.ContactPoints = []protocol.ContactPoint{{Email: []string{"info@" + o.Host}, URL: []string{o.URL + "/contact"},
		Telephone: []string{fmt.Sprintf("+%02d %03d %04d", 30+r.IntN(30), r.IntN(1000), r.IntN(10000))}}}
	return svc
}

// object wraps ent as the stored version v of id on origin.
func object(o Origin, id string, ent protocol.Entity, v int, created, updated time.Time) (protocol.Object, error) {
	body, err := protocol.EncodeEntity(ent)
	if err != nil {
		return protocol.Object{}, fmt.Errorf("corpus: encode %s: %w", id, err)
	}
	return protocol.Object{
		Meta: protocol.Meta{
			IRI: o.URL + "/objects/" + id, ID: id, Type: ent.Kind(), Origin: o.URL,
			Key: ent.NaturalKey(), Version: uint64(v), Created: created, Updated: updated,
			Actor: o.URL + "/actor", Received: updated.Add(2 * time.Second),
		},
		Body: body,
	}, nil
}

// sign signs o as its origin does (chained to the payload prev of the
// version before) and records the receiver's verdict; it returns o's
// payload for the next version.
func (s *Synthetic) sign(o *protocol.Object, prev []byte) ([]byte, error) {
	var origin *Origin
	for k := range s.origins {
		if s.origins[k].URL == o.Origin {
			origin = &s.origins[k]
			break
		}
	}
	p := signedobject.Payload{
		Iss: origin.URL, Sub: o.IRI, Iat: o.Updated.Unix(), Exp: o.Updated.AddDate(1, 0, 0).Unix(),
		Jti: fmt.Sprintf("%s/v%d", o.ID, o.Version), Ver: o.Version, Type: string(o.Type),
		Cosigners: []string{origin.URL}, Body: o.Body,
	}
	if prev != nil {
		p.Prev = signedobject.PayloadHash(prev)
	}
	jws, err := signedobject.Sign(p, signedobject.Signer{EntityID: origin.URL, Key: origin.key})
	if err != nil {
		return nil, fmt.Errorf("corpus: sign %s: %w", o.IRI, err)
	}
	o.JWS = jws
	o.Verification = &protocol.Verification{
		Status: protocol.Verified, Expires: time.Unix(p.Exp, 0).UTC(), Checked: o.Received, Cause: protocol.CauseVerified,
		Signers: []protocol.SignerInfo{{EntityID: origin.URL, Kid: origin.kid, Name: "Node " + origin.Host,
			Country: origin.Country, OrgKind: "public_administration", Anchor: "https://anchor.interlink.example",
			Path: []string{origin.URL, "https://anchor.interlink.example"}}},
	}
	raw, err := json.Marshal(p) // the bytes Sign signed
	if err != nil {
		return nil, fmt.Errorf("corpus: payload of %s: %w", o.IRI, err)
	}
	return raw, nil
}
