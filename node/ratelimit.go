package node

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/interlink-project/interlink-node/protocol/httpsig"
)

// rateLimiter is a token bucket per key (golang.org/x/time/rate), for the
// inboxes: per signing actor's host, else per client address (inboxKey). A
// flood is answered 429 before its body is read, parsed or verified
// (trust-threats §5). Idle buckets are dropped so that the map stays
// bounded by the addresses active within a minute.
type rateLimiter struct {
	rate  float64 // tokens per second
	burst int
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time // last use, for the idle sweep
}

// maxBuckets bounds the map even under a flood from many addresses: past
// it, idle buckets are swept at once.
const maxBuckets = 100_000

func newRateLimiter(r, burst int, now func() time.Time) *rateLimiter {
	if r <= 0 {
		return nil
	}
	return &rateLimiter{rate: float64(r), burst: burst, now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for key; when none is left it reports how long until
// one is.
func (l *rateLimiter) allow(key string) (bool, time.Duration) { return l.allowScaled(key, 1) }

// allowScaled is allow with a bucket scale times as large and as fast, for
// a key that stands for several senders.
func (l *rateLimiter) allowScaled(key string, scale int) (bool, time.Duration) {
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
		b = &bucket{lim: rate.NewLimiter(rate.Limit(l.rate*float64(scale)), l.burst*scale)}
		l.buckets[key] = b
	}
	b.last = now
	// The clock is the node's (faults may skew it): every call passes it.
	res := b.lim.ReserveN(now, 1)
	if !res.OK() {
		return false, time.Second // a burst below 1: never a token
	}
	if wait := res.DelayFrom(now); wait > 0 {
		res.CancelAt(now) // refused: the token is not spent
		return false, wait
	}
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
