package federation

import (
	"context"
	"time"

	"github.com/interlink-project/interlink-node/storage"
)

// Peer is a followed or following node with its delivery state.
type Peer struct {
	Actor       string    `json:"actor"`
	Host        string    `json:"host"`
	Following   string    `json:"following,omitempty"` // our follow of it: pending, accepted, rejected
	Follower    string    `json:"follower,omitempty"`  // its follow of us
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastFailure time.Time `json:"last_failure,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	Failures    int       `json:"failures"`
	Queue       int       `json:"queue"`
	Dead        int       `json:"dead"`
	CircuitOpen bool      `json:"circuit_open,omitempty"`
}

// Peers lists every followed and following node with its state.
func (s *Service) Peers(ctx context.Context) ([]Peer, error) {
	byActor := map[string]*Peer{}
	var order []string
	get := func(actor string) *Peer {
		p := byActor[actor]
		if p == nil {
			p = &Peer{Actor: actor, Host: hostOf(actor)}
			byActor[actor] = p
			order = append(order, actor)
		}
		return p
	}
	for _, dir := range []bool{true, false} {
		after := ""
		for {
			var fs []storage.Follow
			var next string
			var err error
			if dir {
				fs, next, _, err = s.graph.Followings(ctx, after, 500, "")
			} else {
				fs, next, _, err = s.graph.Followers(ctx, after, 500, "")
			}
			if err != nil {
				return nil, err
			}
			for _, f := range fs {
				p := get(f.Actor)
				if dir {
					p.Following = f.State
				} else {
					p.Follower = f.State
				}
				if f.LastSuccess.After(p.LastSuccess) {
					p.LastSuccess = f.LastSuccess
				}
				if f.Failures > p.Failures {
					p.Failures, p.LastError = f.Failures, f.LastError
				}
			}
			if next == "" {
				break
			}
			after = next
		}
	}
	stats, err := s.queue.QueueStats(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]Peer, 0, len(order))
	for _, actor := range order {
		p := byActor[actor]
		if q, ok := stats[p.Host]; ok {
			p.Queue, p.Dead = q.Pending, q.Dead
			if q.LastSuccess.After(p.LastSuccess) {
				p.LastSuccess = q.LastSuccess
			}
			p.LastFailure = q.LastFailure
			if q.LastError != "" && q.LastFailure.After(p.LastSuccess) {
				p.LastError = q.LastError
			}
		}
		failures, open := s.breaker.state(p.Host, now)
		p.CircuitOpen = open
		if failures > p.Failures {
			p.Failures = failures
		}
		out = append(out, *p)
	}
	return out, nil
}
