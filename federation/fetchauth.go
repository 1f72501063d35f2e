package federation

import (
	"context"
	"errors"
	"net/http"

	"github.com/interlink-project/interlink-node/protocol/httpsig"
)

// AuthorizeFetch applies federation.authorized_fetch to a GET of one of
// this node's ActivityPub documents. Off, it returns nil without looking
// at the request: signed and unsigned GETs are answered alike. On, the
// request must carry an HTTP signature that verifies (signed Host of this
// node, Date window, the key resolved in any of its forms and named by its
// owner), by a signer on a host the domain lists allow; otherwise an
// *InboxError (401, or 403 for a blocked signer). The caller exempts the
// actor and discovery documents, so that peers can bootstrap.
func (s *Service) AuthorizeFetch(ctx context.Context, r *http.Request) error {
	if !s.cfg.AuthorizedFetch {
		return nil
	}
	v, err := s.verify.Verify(ctx, r, nil)
	if errors.Is(err, httpsig.ErrUnsigned) {
		return refuse(http.StatusUnauthorized, "unsigned", err,
			"this node requires signed fetches (authorized fetch): sign the GET with your actor's key (draft-cavage: (request-target) host date, rsa-sha256 or hs2019)")
	}
	if err != nil {
		return sigProblem(err)
	}
	if err := s.checkRemote(v.Owner); err != nil {
		return refuse(http.StatusForbidden, "blocked", err, "%v", err)
	}
	return nil
}
