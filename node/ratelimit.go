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
func (l *rateLimiter) allow(key string) (bool, time.Duration) { return l.allowScaled(key, 1) }

// allowScaled is allow with a bucket scale times as large and as fast, for
// a key that stands for several senders.
func (l *rateLimiter) allowScaled(key string, scale float64) (bool, time.Duration) {
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
		b = &bucket{tokens: l.burst * scale, last: now}
		l.buckets[key] = b
	}
	rate := l.rate * scale
	b.tokens = min(l.burst*scale, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / rate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// addressScale is how many signers' budgets one client address may spend
// on signed requests: several peers may share an address (a NAT, a proxy
// not listed in trusted_proxies), but a sender that names a new host in
// every keyId gets no more than this from where it connects.
const addressScale = 8

// inboxKeys are the buckets an inbox POST draws from. A signed request
// draws from the bucket of the host its keyId claims (read before
// verification: peers behind one proxy or NAT each have their own) and
// from its client address's wider bucket (addressScale), so that rotating
// the claimed host buys nothing past it; an unsigned one from its client
// address's bucket alone.
func inboxKeys(r *http.Request) (signer, who, addr string) {
	addr = clientIP(r.Context())
	if addr == "" {
		addr = remoteIP(r.RemoteAddr).String()
	}
	if kid, err := httpsig.ClaimedKeyID(r.Header); err == nil {
		if u, err := url.Parse(kid); err == nil && u.Host != "" {
			host := strings.ToLower(u.Host)
			return "actor " + host, "the signer " + host, addr
		}
	}
	return "", addr, addr
}

// limitInbox answers 429 (a problem, with Retry-After) when the request's
// signing host, or its client address, has used up its inbox budget.
func (h activityPub) limitInbox(w http.ResponseWriter, r *http.Request) bool {
	signer, who, addr := inboxKeys(r)
	var ok bool
	var wait time.Duration
	if signer == "" {
		ok, wait = h.inboxLimit.allow("addr " + addr)
	} else if ok, wait = h.inboxLimit.allow(signer); ok {
		if ok, wait = h.inboxLimit.allowScaled("signed-from "+addr, addressScale); !ok {
			who = addr + " (signing as many hosts)"
		}
	}
	if ok {
		return false
	}
	secs := max(1, int(wait.Seconds()+0.999))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	h.writeProblem(w, r, errorf(http.StatusTooManyRequests, "rate-limited", "Too many requests",
		"%s sends more than federation.inbox_rate (%d/s, burst %d): retry in %d s", who, h.inboxRate, h.inboxBurst, secs))
	return true
}
