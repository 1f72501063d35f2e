package catalogue

import (
	"context"
	"encoding/json"

	"github.com/interlink-project/interlink-node/storage"
)

// Co-production as the node's users see it: the drafts this node offered
// to its co-producers (Create and Update start them), and the requests
// other nodes sent it to co-sign theirs. The protocol (Offer, Accept with
// the co-signature, Reject) is federation.Coproduction's.

// Drafts lists this node's drafts; with status, only those in it.
func (s *Service) Drafts(ctx context.Context, status string) ([]storage.Draft, error) {
	ds, err := s.d.Store.Cosigning().Drafts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]storage.Draft, 0, len(ds))
	for _, d := range ds {
		if status == "" || status == d.Status {
			out = append(out, d)
		}
	}
	return out, nil
}

// Draft is one of this node's drafts.
func (s *Service) Draft(ctx context.Context, id string) (storage.Draft, error) {
	return s.d.Store.Cosigning().Draft(ctx, id)
}

// CosignRequests lists the co-sign requests this node received; with
// status, only those in it.
func (s *Service) CosignRequests(ctx context.Context, status string) ([]storage.CosignRequest, error) {
	qs, err := s.d.Store.Cosigning().CosignRequests(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]storage.CosignRequest, 0, len(qs))
	for _, q := range qs {
		if status == "" || status == q.Status {
			out = append(out, q)
		}
	}
	return out, nil
}

// CosignRequest is a received co-sign request with the entity to co-sign.
type CosignRequest struct {
	storage.CosignRequest
	// Body is the entity exactly as it will be published, when the draft
	// still verifies as far as it is signed; nil otherwise.
	Body json.RawMessage
}

// CosignRequest is one received request, with the entity to co-sign.
func (s *Service) CosignRequest(ctx context.Context, id string) (CosignRequest, error) {
	q, err := s.d.Store.Cosigning().CosignRequest(ctx, id)
	if err != nil {
		return CosignRequest{}, err
	}
	return CosignRequest{CosignRequest: q, Body: s.d.Cosign.DraftBody(ctx, q.JWS)}, nil
}

// AnswerCosign approves (co-signs) or rejects a received request; a request
// that cannot be answered (decided already, its draft no longer verifies,
// its sender unreachable) is an error wrapping federation.ErrCosign.
func (s *Service) AnswerCosign(ctx context.Context, id string, approve bool, reason string) (storage.CosignRequest, error) {
	return s.d.Cosign.AnswerCosign(ctx, id, approve, reason)
}
