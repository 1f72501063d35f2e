package federation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/storage"
)

// deliveryLoop takes due deliveries from the durable queue and runs them
// on at most DeliveryWorkers goroutines, skipping hosts whose circuit is
// open or that are paused (pause.go), and deliveries already in flight. It
// sleeps until a commit, a kick or the next poll.
// deliverer is the agent's outbound half: the workers over the durable
// delivery queue, with the circuit breaker and the paused hosts (pause.go).
// It shares the agent's store, client and signer.
type deliverer struct{ s *Service }

func (dl *deliverer) deliveryLoop(ctx context.Context) {
	s := dl.s
	sem := make(chan struct{}, s.cfg.DeliveryWorkers)
	const poll = time.Second
	for ctx.Err() == nil {
		changed := s.objects.Changed()
		dl.expirePaused(ctx)
		due, err := s.queue.DueDeliveries(ctx, s.now(), 4*s.cfg.DeliveryWorkers, dl.skipHosts(s.now()))
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, storage.ErrClosed) {
				s.log.Error("read the delivery queue", "err", err)
			}
			if !sleep(ctx, poll) {
				return
			}
			continue
		}
		started := 0
		for _, d := range due {
			if _, busy := s.inflight.LoadOrStore(d.ID, struct{}{}); busy {
				continue
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				s.inflight.Delete(d.ID)
				return
			}
			started++
			s.wg.Add(1)
			go func(d storage.Delivery) {
				defer s.wg.Done()
				defer func() { <-sem; s.inflight.Delete(d.ID); s.Kick() }()
				dl.deliver(ctx, d)
			}(d)
		}
		if started > 0 {
			continue // more may be due right away
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-s.kick:
		case <-time.After(poll):
		}
	}
}

// Replay makes a dead letter due again and wakes the delivery workers.
func (s *Service) Replay(ctx context.Context, id string) error {
	if err := s.queue.Replay(ctx, id, s.now()); err != nil {
		return err
	}
	s.Kick()
	return nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// deliver POSTs one activity to one inbox, signed now, and records the outcome.
func (dl *deliverer) deliver(ctx context.Context, d storage.Delivery) {
	s := dl.s
	act, err := s.objects.ActivityByIRI(ctx, d.ActivityIRI)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			dl.record(ctx, "dead", s.queue.DeliveryDead(ctx, d.ID, "the activity is no longer stored"))
		}
		return
	}
	status, retryAfter, err := dl.post(ctx, d.Inbox, act.Body)
	now := s.now()
	switch {
	case err == nil && status >= 200 && status < 300:
		s.breaker.success(d.Host)
		dl.record(ctx, "done", s.queue.DeliveryDone(ctx, d.ID))
		return
	case err == nil && status == http.StatusGone:
		// The server (or its shared inbox) is gone: stop delivering to it.
		n, derr := s.queue.DropHost(ctx, d.Host, fmt.Sprintf("%s answered 410 Gone", d.Inbox))
		s.log.Warn("peer gone: dropped its deliveries", "host", d.Host, "inbox", d.Inbox, "dropped", n)
		dl.record(ctx, "drop host", derr)
		return
	case err == nil && status >= 400 && status < 500 && status != http.StatusTooManyRequests && status != http.StatusRequestTimeout:
		s.breaker.success(d.Host) // the host answers; the activity is what it refuses
		dl.record(ctx, "dead", s.queue.DeliveryDead(ctx, d.ID, fmt.Sprintf("%s refused it: %d %s", d.Inbox, status, http.StatusText(status))))
		return
	}
	// Transient: a transport error, 408, 429 or 5xx.
	if ctx.Err() != nil {
		return // shutting down: the delivery stays due and runs after the restart
	}
	s.breaker.failure(d.Host, now)
	text := ""
	if err != nil {
		text = err.Error()
	} else {
		text = fmt.Sprintf("%d %s", status, http.StatusText(status))
	}
	if now.Sub(d.Created) >= s.cfg.MaxDeliveryAge {
		dl.record(ctx, "dead", s.queue.DeliveryDead(ctx, d.ID, fmt.Sprintf("not delivered within %s; last error: %s", s.cfg.MaxDeliveryAge, text)))
		return
	}
	next := now.Add(dl.backoff(d.Attempts + 1))
	if retryAfter > 0 {
		next = now.Add(min(retryAfter, s.cfg.RetryMax))
	}
	dl.record(ctx, "retry", s.queue.DeliveryRetry(ctx, d.ID, next, status, text))
}

func (dl *deliverer) record(ctx context.Context, what string, err error) {
	s := dl.s
	if err != nil && ctx.Err() == nil && !errors.Is(err, storage.ErrNotFound) {
		s.log.Error("record a delivery outcome", "outcome", what, "err", err)
	}
}

// backoff is exponential with full jitter in [base·2^(n-1)/2, base·2^(n-1)], capped.
func (dl *deliverer) backoff(attempt int) time.Duration {
	s := dl.s
	d := s.cfg.RetryBase
	for i := 1; i < attempt && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, s.cfg.RetryMax)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// post sends body to inbox, signed at send time. It returns the status and
// a Retry-After delay when the peer gave one.
func (dl *deliverer) post(ctx context.Context, inbox string, body []byte) (int, time.Duration, error) {
	s := dl.s
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, inbox, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", activity.ContentType)
	req.Header.Set("Accept", activity.AcceptHeader)
	resp, err := s.client.DoSigned(ctx, req, func(r *http.Request, b []byte) error {
		return s.signer.SignRequest(r, b, s.now())
	})
	if err != nil {
		return 0, 0, err
	}
	return resp.Status, retryAfter(resp.Header.Get("Retry-After"), s.now()), nil
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if secs, err := strconv.Atoi(h); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
