package federation

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/interlink-project/interlink-node/protocol/activity"
)

// What co-production processes (FEP-1b12 groups, node/coproduction) need of
// the agent: a signed POST answered now (a proposal to a reachable host),
// a signed GET (a group's history, paged), and a kick of the delivery
// workers after a write queued deliveries (announcements, and proposals
// while the host is away). The queue itself is the store's: deliveries
// are written in the same transaction as the entry they announce.

// PostGroup POSTs body to inbox now, signed with the node's HTTP key, and
// returns the status and body of the answer. A transport error (the host
// is unreachable) is an error; any HTTP status is not.
func (s *Service) PostGroup(ctx context.Context, inbox string, body []byte) (int, []byte, error) {
	if err := s.checkRemote(inbox); err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, inbox, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("federation: post %s: %w", inbox, err)
	}
	req.Header.Set("Content-Type", activity.ContentType)
	req.Header.Set("Accept", "application/json, application/problem+json")
	resp, err := s.client.DoSigned(ctx, req, func(r *http.Request, b []byte) error {
		return s.signer.SignRequest(r, b, s.now())
	})
	if err != nil {
		return 0, nil, fmt.Errorf("federation: post %s: %w", inbox, err)
	}
	return resp.Status, resp.Body, nil
}

// FetchGroup GETs a group document (its actor, a page of its history),
// signed; a status other than 200 is a *StatusError.
func (s *Service) FetchGroup(ctx context.Context, url string) ([]byte, error) {
	if err := s.checkRemote(url); err != nil {
		return nil, err
	}
	return s.fetch(ctx, url)
}

// ResolveActor turns acct:name@host (WebFinger) or an actor IRI into an
// actor IRI, as Follow does: how an initiator names whom it invites.
func (s *Service) ResolveActor(ctx context.Context, target string) (string, error) {
	return s.resolveTarget(ctx, target)
}
