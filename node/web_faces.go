package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
	webui "github.com/interlink-project/interlink-node/node/web"
	"github.com/interlink-project/interlink-node/storage"
)

// webFederation is what the pages read of the federation (webui.Federation):
// the same views GET /api/v1/peers and GET /api/v1/members answer.
type webFederation struct{ n *Node }

func (f webFederation) Peers(ctx context.Context) ([]webui.Peer, error) {
	ps, err := f.n.live.fed().Peers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]webui.Peer, 0, len(ps))
	for _, p := range ps {
		out = append(out, webui.Peer{Actor: p.Actor, Following: p.Following, Follower: p.Follower, LastSuccess: p.LastSuccess,
			LastFailure: p.LastFailure, LastError: p.LastError, Queue: p.Queue, Dead: p.Dead, CircuitOpen: p.CircuitOpen})
	}
	return out, nil
}

func (f webFederation) GossipMembers() ([]webui.GossipMember, bool) {
	a := f.n.gossip.Load()
	if a == nil {
		return nil, false
	}
	ms := a.Members()
	out := make([]webui.GossipMember, 0, len(ms))
	for _, m := range ms {
		name := m.Organisation
		if name == "" {
			name = m.Name
		}
		out = append(out, webui.GossipMember{Name: name, EntityID: m.EntityID, Country: m.Country, Status: m.Status,
			Trust: m.Trust, LastSeen: m.LastSeen})
	}
	return out, true
}

// webFederationAdmin is what the admin pages change of the federation
// (webui.FederationAdmin): the operations the federation API runs.
type webFederationAdmin struct{ n *Node }

func webFollow(f storage.Follow) webui.Follow {
	return webui.Follow{Actor: f.Actor, State: f.State, Since: f.Since, LastSuccess: f.LastSuccess, Failures: f.Failures, LastError: f.LastError}
}

// notFound marks a missing follow, letter or token for the pages.
func notFound(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%w: %w", webui.ErrNotFound, err)
	}
	return err
}

func (f webFederationAdmin) Follow(ctx context.Context, target string) (webui.Follow, error) {
	fl, err := f.n.live.fed().Follow(ctx, target)
	if err != nil {
		return webui.Follow{}, err
	}
	return webFollow(fl), nil
}

func (f webFederationAdmin) Unfollow(ctx context.Context, actor string) error {
	return notFound(f.n.live.fed().Unfollow(ctx, actor))
}

func (f webFederationAdmin) Follows(ctx context.Context, followers bool) ([]webui.Follow, error) {
	list := f.n.live.store().Follows().Followings
	if followers {
		list = f.n.live.store().Follows().Followers
	}
	var out []webui.Follow
	cursor := ""
	for {
		items, next, _, err := list(ctx, cursor, 200, "")
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			out = append(out, webFollow(it))
		}
		if next == "" || len(out) >= 2000 { // a page shows at most 2,000 edges
			return out, nil
		}
		cursor = next
	}
}

func (f webFederationAdmin) Decide(ctx context.Context, actor string, approve bool) error {
	_, err := f.n.live.fed().Decide(ctx, actor, approve)
	return notFound(err)
}

func (f webFederationAdmin) DeadLetters(ctx context.Context, cursor string) ([]webui.DeadLetter, string, error) {
	items, next, err := f.n.live.store().Queue().DeadLetters(ctx, cursor, 100)
	if err != nil {
		return nil, "", err
	}
	out := make([]webui.DeadLetter, 0, len(items))
	for _, d := range items {
		out = append(out, webui.DeadLetter{ID: d.ID, Activity: d.ActivityIRI, Inbox: d.Inbox, Attempts: d.Attempts, Created: d.Created,
			LastStatus: d.LastStatus, LastError: d.LastError, Reason: d.DeadReason})
	}
	return out, next, nil
}

func (f webFederationAdmin) Replay(ctx context.Context, id string) error {
	return notFound(f.n.live.fed().Replay(ctx, id))
}

// webTokens is what the tokens page changes (webui.Tokens): the same
// tokens /api/v1/tokens creates, lists and revokes.
type webTokens struct{ n *Node }

func webToken(t storage.Token) webui.Token {
	return webui.Token{ID: t.ID, Name: t.Name, Role: accounts.Role(t.Role), Created: t.Created, Expires: t.Expires, LastUsed: t.LastUsed}
}

func (t webTokens) CreateToken(ctx context.Context, name string, role accounts.Role, expires time.Time) (webui.Token, string, error) {
	tok, secret, err := createToken(ctx, t.n.live.store(), t.n.ids, t.n.now(), role, name, expires)
	if err != nil {
		return webui.Token{}, "", err
	}
	return webToken(tok), secret, nil
}

func (t webTokens) Tokens(ctx context.Context) ([]webui.Token, error) {
	ts, err := t.n.live.store().Tokens().List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]webui.Token, 0, len(ts))
	for _, x := range ts {
		out = append(out, webToken(x))
	}
	return out, nil
}

func (t webTokens) RevokeToken(ctx context.Context, id string) error {
	return notFound(t.n.live.store().Tokens().Delete(ctx, id))
}
