package node

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/protocol/httpsig"
)

// rateLimiter is a token bucket per key, for the inboxes: per signing
// actor's host, else per client address (inboxKey). A flood is answered 429
// before its body is read, parsed or verified (trust-threats §5). Idle buckets are dropped so that the map
// stays bounded by the addresses active within a minute.
type rateLimiter struct {
	rate  float64 // tokens per second
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the map even under a flood from many addresses: past
// it, idle buckets are swept at once.
const maxBuckets = 100_000

func newRateLimiter(rate, burst int, now func() time.Time) *rateLimiter {
	if rate <= 0 {
		return nil
	}
	return &rateLimiter{rate: float64(rate), burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for key; when none is left it reports how long until
// one is.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute || len(l.buckets) >= maxBuckets {
		for k, b := range l.buckets {
			if now.Sub(b.last) > time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// inboxKey is the bucket an inbox POST draws from: the host of the keyId
// its signature claims (read before verification: a claim, which costs a
// forger only the budget of the host it names, and its request then fails
// verification), so that peers behind one proxy or NAT each have their
// own; the client address for an unsigned or unreadable signature.
func inboxKey(r *http.Request) (key, who string) {
	if kid, err := httpsig.ClaimedKeyID(r.Header); err == nil {
		if u, err := url.Parse(kid); err == nil && u.Host != "" {
			host := strings.ToLower(u.Host)
			return "actor " + host, "the signer " + host
		}
	}
	addr := clientIP(r.Context())
	if addr == "" {
		addr = remoteIP(r.RemoteAddr).String()
	}
	return "addr " + addr, addr
}

// limitInbox answers 429 (a problem, with Retry-After) when the request's
// signing host (else client address) has used up its inbox budget.
func (h activityPub) limitInbox(w http.ResponseWriter, r *http.Request) bool {
	key, who := inboxKey(r)
	ok, wait := h.inboxLimit.allow(key)
	if ok {
		return false
	}
	secs := max(1, int(wait.Seconds()+0.999))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	h.writeProblem(w, r, errorf(http.StatusTooManyRequests, "rate-limited", "Too many requests",
		"%s sends more than federation.inbox_rate (%d/s, burst %d): retry in %d s", who, h.inboxRate, h.inboxBurst, secs))
	return true
}
