package federation

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// Each verification failure has its own problem type and status.
func TestTrustProblem(t *testing.T) {
	tests := []struct {
		err    error
		status int
		name   string
	}{
		{signedobject.ErrTooLarge, http.StatusRequestEntityTooLarge, "jws-too-large"},
		{signedobject.ErrMalformed, http.StatusBadRequest, "jws-malformed"},
		{signedobject.ErrAlgorithm, 422, "jws-algorithm"},
		{signedobject.ErrHeader, 422, "jws-header"},
		{signedobject.ErrType, 422, "jws-type"},
		{signedobject.ErrKid, 422, "jws-kid"},
		{signedobject.ErrTooManySignatures, 422, "jws-signature-count"},
		{signedobject.ErrDuplicateSigner, 422, "jws-duplicate-signer"},
		{signedobject.ErrInvalidPayload, 422, "jws-payload"},
		{signedobject.ErrUnknownSigner, 403, "jws-unlisted-signer"},
		{signedobject.ErrMissingCosigner, 403, "jws-missing-cosigner"},
		{signedobject.ErrBadSignature, 403, "jws-bad-signature"},
		{signedobject.ErrExpired, 403, "jws-expired"},
		{signedobject.ErrNotYetValid, 403, "jws-not-yet-valid"},
		{signedobject.ErrForgedOrigin, 403, "jws-forged-origin"},
		{signedobject.ErrRollback, http.StatusConflict, "jws-rollback"},
		{trust.ErrUnverified, http.StatusServiceUnavailable, "unverified-signer"},
		// A key the chain refuses: the most specific reason wins over "untrusted key".
		{fmt.Errorf("%w: %w", signedobject.ErrUntrustedKey, trustchain.ErrRevoked), 403, "signer-revoked"},
		{fmt.Errorf("%w: %w", signedobject.ErrUntrustedKey, entity.ErrKeyRevoked), 403, "key-revoked"},
		{fmt.Errorf("%w: %w", signedobject.ErrUntrustedKey, entity.ErrKeyRetired), 403, "key-retired"},
		{fmt.Errorf("%w: %w", signedobject.ErrUntrustedKey, entity.ErrUnknownKey), 403, "jws-untrusted-key"},
		// A content key the signer's configuration (as held) does not list:
		// perhaps rotated since; the sender retries (a refusal dead-letters
		// the re-signed versions a key revocation sends).
		{fmt.Errorf("%w: %w", signedobject.ErrUntrustedKey, trustchain.ErrUnknownContentKey), 503, "unknown-content-key"},
		{errors.New("something else"), 403, "jws-unverifiable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := trustProblem(fmt.Errorf("verify: %w", tt.err))
			if p.Status != tt.status || p.Problem != tt.name {
				t.Fatalf("got %d %s, want %d %s", p.Status, p.Problem, tt.status, tt.name)
			}
			if retry := tt.status == http.StatusServiceUnavailable; retry != (p.RetryAfter > 0) {
				t.Fatalf("%s: Retry-After %v", tt.name, p.RetryAfter)
			}
		})
	}
}

func TestCosignersAndCoproducers(t *testing.T) {
	self := "https://comune.re.it"
	svc := &protocol.PublicService{Type: protocol.KindPublicService, CoproducedBy: []string{
		"https://quartiere.re.it/objects/01J", "https://comune.re.it/objects/02K", "https://quartiere.re.it/actor", "https://mef.gov.it/actor"}}
	got := Cosigners(self, svc)
	want := []string{self, "https://quartiere.re.it", "https://mef.gov.it"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("cosigners %v, want %v", got, want)
	}
	if err := CheckCoproducers(want, svc); err != nil {
		t.Fatalf("all co-producers signed: %v", err)
	}
	if err := CheckCoproducers(want[:2], svc); err == nil {
		t.Fatal("a co-producer that did not sign was accepted")
	}
	// A story is signed by every participant of its process.
	story := &protocol.Story{Type: protocol.KindStory, Participants: []protocol.StoryParticipant{
		{Organisation: self, Role: "initiator"}, {Organisation: "https://quartiere.re.it", Role: "co-producer"},
		{Organisation: "https://comune.zaragoza.es", Role: "observer"}}}
	wantStory := []string{self, "https://quartiere.re.it", "https://comune.zaragoza.es"}
	if got := Cosigners(self, story); fmt.Sprint(got) != fmt.Sprint(wantStory) {
		t.Fatalf("a story's cosigners %v, want %v", got, wantStory)
	}
	if err := CheckCoproducers(wantStory[:2], story); err == nil {
		t.Fatal("a story a participant did not sign was accepted")
	}
	if err := CheckCoproducers(wantStory, story); err != nil {
		t.Fatalf("a story every participant signed: %v", err)
	}
	if got := Cosigners(self, &protocol.Interlinker{}); len(got) != 1 {
		t.Fatalf("an interlinker's cosigners: %v", got)
	}
}

// A story is co-signed by its participants' nodes (hosts compared without
// case, ports kept), as a service by those of its co-producers; other kinds
// by their origin alone.
func TestCosignersOfEachKind(t *testing.T) {
	self := "https://re.example"
	story := &protocol.Story{Type: protocol.KindStory, Participants: []protocol.StoryParticipant{
		{Organisation: "https://re.example"}, {Organisation: "https://Civic.example/actor"}, {Organisation: "https://civic.example"}, {Organisation: "https://zgz.example:8443"}}}
	svc := &protocol.PublicService{Type: protocol.KindPublicService, CoproducedBy: []string{"https://civic.example/org"}}
	for _, tc := range []struct {
		name string
		e    protocol.Entity
		want []string
	}{
		{"story", story, []string{self, "https://civic.example", "https://zgz.example:8443"}},
		{"service", svc, []string{self, "https://civic.example"}},
		{"rating", &protocol.Rating{Type: protocol.KindRating}, []string{self}},
	} {
		if got := Cosigners(self, tc.e); !slices.Equal(got, tc.want) {
			t.Errorf("%s: cosigners = %v, want %v", tc.name, got, tc.want)
		}
	}
}
