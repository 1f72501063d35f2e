package corpus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// TestObjectsValidAndDeterministic: every version of every object decodes
// as a valid entity, is signed by its origin in a chain (prev), the same
// seed gives the same bytes and another seed other ones.
func TestObjectsValidAndDeterministic(t *testing.T) {
	a, b, other := New(600), New(600), NewSeeded(600, 7)
	kinds, differ := map[protocol.Kind]int{}, 0
	for i := range 600 {
		ha, err := a.History(i)
		if err != nil {
			t.Fatal(err)
		}
		hb, _ := b.History(i)
		if len(ha) != len(hb) || len(ha) != a.Versions(i) {
			t.Fatalf("object %d: %d and %d versions, want %d", i, len(ha), len(hb), a.Versions(i))
		}
		cur, err := a.Object(i)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(cur.Body, ha[len(ha)-1].Body) || cur.Version != uint64(len(ha)) {
			t.Fatalf("object %d: Object is not the last version of History", i)
		}
		var prev []byte
		for v, o := range ha {
			if !bytes.Equal(o.Body, hb[v].Body) || !bytes.Equal(o.JWS, hb[v].JWS) || o.IRI != hb[v].IRI {
				t.Fatalf("object %d version %d differs between two runs", i, v+1)
			}
			if _, err := protocol.DecodeEntity(o.Body); err != nil {
				t.Fatalf("object %d version %d is invalid: %v", i, v+1, err)
			}
			in, err := signedobject.Inspect(o.JWS)
			if err != nil || in.Payload.Ver != o.Version || in.Payload.Iss != o.Origin || !bytes.Equal(in.Payload.Body, o.Body) {
				t.Fatalf("object %d version %d: JWS %v, %+v", i, v+1, err, in)
			}
			if prev != nil && in.Payload.Prev != signedobject.PayloadHash(prev) {
				t.Fatalf("object %d version %d does not chain to the version before", i, v+1)
			}
			prev = in.Raw
			if o.Verification == nil || o.Verification.Status != protocol.Verified {
				t.Fatalf("object %d version %d has no verification record", i, v+1)
			}
		}
		kinds[cur.Type]++
		if o, _ := other.Object(i); !bytes.Equal(o.Body, cur.Body) {
			differ++
		}
	}
	if kinds[protocol.KindPublicService] < 270 || kinds[protocol.KindInterlinker] < 210 {
		t.Errorf("kinds %v: want about 55%% public services, 45%% interlinkers", kinds)
	}
	if differ < 590 {
		t.Errorf("only %d of 600 objects differ with another seed", differ)
	}
}

// share is a distribution's value shares.
type share map[string]float64

func shares(counts map[string]int) share {
	total := 0
	for _, n := range counts {
		total += n
	}
	out := share{}
	for k, n := range counts {
		out[k] = float64(n) / float64(total)
	}
	return out
}

// TestDistributionsFollowCatalogue compares the generator's interlinkers
// with the real INTERLINK catalogue's: natures, licences, scopes and the
// number of problem profiles each addresses within a few points, and most
// of the catalogue's commonest content words among the generator's.
func TestDistributionsFollowCatalogue(t *testing.T) {
	dir := testenv.Data(t, "interlink-catalogue", "interlinkers")
	files, err := filepath.Glob(filepath.Join(dir, "*", "*", "metadata.json"))
	if err != nil || len(files) < 50 {
		t.Skipf("the catalogue's interlinkers are not all there (%d files, %v)", len(files), err)
	}
	real := map[string]map[string]int{"nature": {}, "licence": {}, "scope": {}, "profiles": {}}
	words := map[string]int{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Type     string            `json:"type"`
			Licence  string            `json:"licence"`
			Scopes   []string          `json:"administrative_scopes"`
			Profiles []string          `json:"problemprofiles"`
			Desc     map[string]string `json:"description_translations"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		real["nature"][filepath.Base(filepath.Dir(filepath.Dir(f)))]++ // its directory: the nature
		real["licence"][m.Licence]++
		for _, s := range m.Scopes {
			real["scope"][s]++
		}
		real["profiles"][bucket(len(m.Profiles))]++
		for _, w := range strings.Fields(strings.ToLower(m.Desc["en"])) {
			words[strings.Trim(w, ".,;:()\"'")]++
		}
	}
	gen := map[string]map[string]int{"nature": {}, "licence": {}, "scope": {}, "profiles": {}}
	c := New(6000)
	for i := range 6000 {
		o, err := c.Object(i)
		if err != nil {
			t.Fatal(err)
		}
		if o.Type != protocol.KindInterlinker {
			continue
		}
		e, _ := protocol.DecodeEntity(o.Body)
		il := e.(*protocol.Interlinker)
		gen["nature"][string(il.Nature)]++
		gen["licence"][il.LicenceCategory]++
		for _, s := range il.AdministrativeScopes {
			gen["scope"][s]++
		}
		gen["profiles"][bucket(len(il.ProblemProfiles))]++
	}
	for facet, counts := range real {
		want, got := shares(counts), shares(gen[facet])
		for k, w := range want {
			// The catalogue has 78 interlinkers: a share is known to
			// about ±5 points; the generator adds a few values it lacks.
			if math.Abs(got[k]-w) > 0.06 {
				t.Errorf("%s %q: %.0f%% of the generator's interlinkers, %.0f%% of the catalogue's", facet, k, 100*got[k], 100*w)
			}
		}
	}
	// The catalogue's 30 commonest English content words are drawn often.
	type wc struct {
		w string
		n int
	}
	var ranked []wc
	lx := lexicons["en"]
	stop := strings.Fields(functionWords["en"])
	for w, n := range words {
		if len(w) > 3 && !slices.Contains(stop, w) {
			ranked = append(ranked, wc{w, n})
		}
	}
	slices.SortFunc(ranked, func(a, b wc) int { return b.n - a.n })
	top := lx.words[:300]
	missing := 0
	for _, x := range ranked[:30] {
		if !slices.Contains(top, x.w) {
			missing++
		}
	}
	if missing > 8 {
		t.Errorf("%d of the catalogue's 30 commonest English words are not among the generator's 300 commonest", missing)
	}
}

func bucket(n int) string {
	switch {
	case n <= 1:
		return []string{"0", "1"}[n]
	case n <= 5:
		return "2-5"
	default:
		return "6+"
	}
}

// TestEveryLanguageHasWords: every language an origin publishes in has a
// vocabulary and function words.
func TestEveryLanguageHasWords(t *testing.T) {
	for _, c := range countries {
		for _, l := range c.langs {
			if lx := lexicons[l]; lx == nil || len(lx.words) < 100 || len(lx.function) < 10 {
				t.Errorf("%s's language %q has too few words", c.code, l)
			}
		}
	}
	if got := len(ProblemProfiles()); got != 45 {
		t.Errorf("%d problem profiles, want the catalogue's 45", got)
	}
}

// corpusDigest is the SHA-256 of the first 100 objects' versions as
// GeneratorVersion corpus-3 generates them.
const corpusDigest = "7f18113a762135233a58ace228759d4d05f330edc6a10a080528597db807c3b5"

// TestGeneratorVersionPinned fails when the generator's output changes:
// the benchmark caches are keyed by GeneratorVersion, so a change without
// a new version would measure a stale corpus. Bump GeneratorVersion and
// corpusDigest together.
func TestGeneratorVersionPinned(t *testing.T) {
	c := New(100)
	h := sha256.New()
	for i := range 100 {
		hist, err := c.History(i)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range hist {
			h.Write(o.JWS)
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != corpusDigest || GeneratorVersion != "corpus-3" {
		t.Errorf("the generator's output is %s (GeneratorVersion %s), pinned %s for corpus-3: bump GeneratorVersion and the digest together", got, GeneratorVersion, corpusDigest)
	}
}
