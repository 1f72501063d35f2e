package federation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/interlink-project/interlink-node/federation/transport"
	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
	"github.com/interlink-project/interlink-node/storage"
)

// TrustFetcher is the fetcher the trust layer resolves chains with: plain
// GETs through the node's outbound client (NewClient), under the domain
// lists. It is made before the trust layer and the federation agent, which
// share the client.
func TrustFetcher(cfg Config, self protocol.URIs, client *transport.Client) trustchain.Fetcher {
	return trustFetcher{cfg: cfg, self: self, client: client}
}

type trustFetcher struct {
	cfg    Config
	self   protocol.URIs
	client *transport.Client
}

func (f trustFetcher) Fetch(ctx context.Context, url string) ([]byte, error) {
	if err := checkRemote(f.cfg, f.self, url); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	req.Header.Set("Accept", entity.MediaTypeStatement+", "+entity.MediaTypeList+";q=0.9, application/json;q=0.5")
	resp, err := f.client.Do(ctx, req)
	if err != nil {
		return nil, err // the transport's error names the URL
	}
	switch resp.Status {
	case http.StatusOK:
		return resp.Body, nil
	case http.StatusNotFound, http.StatusGone:
		return nil, fmt.Errorf("fetch %s: %w: %w", url, trustchain.ErrNotFound, &StatusError{Status: resp.Status})
	}
	return nil, fmt.Errorf("fetch %s: %w", url, &StatusError{Status: resp.Status})
}

// signedObject verifies the JWS a Create, Update or Delete carries and
// returns the version its payload describes. The deliverer does not matter
// (a relay may bring it): the JWS alone proves who made it.
func (s *Service) signedObject(ctx context.Context, act *activity.Activity) (*receivedVersion, error) {
	if act.Object == nil || act.Object.JWS == nil {
		return nil, refuse(http.StatusUnprocessableEntity, "unsigned-object", nil,
			"the %s's object carries no jws: catalogue objects travel with their signed form", act.Type)
	}
	// The domain lists come before any chain is resolved: nothing is
	// fetched for, or accepted from, a signer on a blocked host. (Without
	// lists the JWS is parsed once, by the verification.)
	if len(s.cfg.AllowDomains) > 0 || len(s.cfg.BlockDomains) > 0 {
		in, err := signedobject.Inspect(act.Object.JWS)
		if err != nil {
			return nil, trustProblem(err)
		}
		for _, c := range in.Payload.Cosigners {
			if c == s.uris.Base() {
				continue // this node's own name: its own keys will judge it
			}
			if err := s.checkRemote(c); err != nil {
				return nil, refuse(http.StatusForbidden, "blocked", err, "signer %s: %v", c, err)
			}
		}
	}
	rv, err := s.verifyVersion(ctx, act.Object.JWS)
	if err != nil {
		return nil, err
	}
	rv.obj.Actor = act.Actor
	rv.obj.Received = s.now().UTC()
	return rv, nil
}

// verifyVersion verifies a signed version and converts its payload: the
// object (created at its iat until its history says otherwise) and entity.
func (s *Service) verifyVersion(ctx context.Context, jws []byte) (*receivedVersion, error) {
	r, err := s.trust.VerifyObject(ctx, jws)
	if err != nil {
		return nil, trustProblem(err)
	}
	obj, e, err := r.Object(jws)
	if err != nil {
		return nil, refuse(http.StatusUnprocessableEntity, "invalid-object", err, "%v", err)
	}
	if err := CheckCoproducers(r.Payload.Cosigners, e); err != nil {
		return nil, refuse(http.StatusForbidden, "coproducer-not-signed", err, "%v", err)
	}
	return &receivedVersion{obj: obj, ent: e, Payload: r.Payload, Raw: r.Raw}, nil
}

// unverifiedRetryAfter is when a sender whose signer has no chain yet is
// asked to try again.
const unverifiedRetryAfter = 15 * time.Second

// trustProblem maps a verification failure to its problem: one type per
// reason, named after the check that failed. The first rule the error
// wraps wins, so the order matters: an object refused for its signer's
// trust chain (signedobject.ErrUntrustedKey, trust.ErrUnverified) also
// wraps the chain's own reason, and a statement's reasons are the
// object's (protocol/jose: an expired statement and an expired object
// both wrap jose.ErrExpired). The chain's rules come first, revocations
// before the rest; then the object's own.
func trustProblem(err error) *InboxError {
	type rule struct {
		sentinel error
		status   int
		name     string
	}
	rules := []rule{
		{trustchain.ErrRevoked, http.StatusForbidden, "signer-revoked"},
		{entity.ErrKeyRevoked, http.StatusForbidden, "key-revoked"},
		{entity.ErrKeyRetired, http.StatusForbidden, "key-retired"},
		{trustchain.ErrUnknownContentKey, http.StatusServiceUnavailable, "unknown-content-key"},
		{trust.ErrUnverified, http.StatusServiceUnavailable, "unverified-signer"},
		{signedobject.ErrUntrustedKey, http.StatusForbidden, "jws-untrusted-key"},
		{signedobject.ErrTooLarge, http.StatusRequestEntityTooLarge, "jws-too-large"},
		{signedobject.ErrMalformed, http.StatusBadRequest, "jws-malformed"},
		{signedobject.ErrAlgorithm, http.StatusUnprocessableEntity, "jws-algorithm"},
		{signedobject.ErrHeader, http.StatusUnprocessableEntity, "jws-header"},
		{signedobject.ErrType, http.StatusUnprocessableEntity, "jws-type"},
		{signedobject.ErrKid, http.StatusUnprocessableEntity, "jws-kid"},
		{signedobject.ErrTooManySignatures, http.StatusUnprocessableEntity, "jws-signature-count"},
		{signedobject.ErrDuplicateSigner, http.StatusUnprocessableEntity, "jws-duplicate-signer"},
		{signedobject.ErrInvalidPayload, http.StatusUnprocessableEntity, "jws-payload"},
		{signedobject.ErrUnknownSigner, http.StatusForbidden, "jws-unlisted-signer"},
		{signedobject.ErrMissingCosigner, http.StatusForbidden, "jws-missing-cosigner"},
		{signedobject.ErrBadSignature, http.StatusForbidden, "jws-bad-signature"},
		{signedobject.ErrExpired, http.StatusForbidden, "jws-expired"},
		{signedobject.ErrNotYetValid, http.StatusForbidden, "jws-not-yet-valid"},
		{signedobject.ErrForgedOrigin, http.StatusForbidden, "jws-forged-origin"},
		{ErrPrevMismatch, http.StatusConflict, "jws-prev-mismatch"},
		{signedobject.ErrRollback, http.StatusConflict, "jws-rollback"},
		{storage.ErrJtiReused, http.StatusConflict, "jws-replayed-jti"},
	}
	for _, r := range rules {
		if errors.Is(err, r.sentinel) {
			ie := refuse(r.status, r.name, err, "%v", err)
			if r.sentinel == trust.ErrUnverified || r.sentinel == trustchain.ErrUnknownContentKey {
				// No chain now may be a chain soon (a node being enrolled,
				// an unreachable superior), and a content key this node
				// does not know yet may be the signer's new one (it reads
				// the signer again at most once a minute on an unknown kid,
				// and at every trust.reverify_interval): the sender
				// retries, within its delivery age, instead of dropping
				// the object.
				ie.RetryAfter = unverifiedRetryAfter
			}
			return ie
		}
	}
	return refuse(http.StatusForbidden, "jws-unverifiable", err, "%v", err)
}
