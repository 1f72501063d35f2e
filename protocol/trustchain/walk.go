package trustchain

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
)

// walk is one resolution: its clock, its budget and the ECs it fetched.
type walk struct {
	r       *Resolver
	ctx     context.Context
	leaf    string
	now     time.Time
	bytes   int
	fetches int
	spent   error               // the failure that exhausted the budget: every later fetch fails with it
	ecs     map[string]ecResult // memo: each EC is fetched once per resolution
}

type ecResult struct {
	ec  *entity.Parsed
	err error
}

// up is a path from an entity to a pinned anchor.
type up struct {
	links  []*entity.Parsed // statements: about the entity first, by the anchor last
	supers []*entity.Parsed // the ECs of the superiors, nearest first (the anchor's last)
	path   []string         // entity .. anchor
	keys   []entity.JWK     // the entity's federation keys as its superior (or pin) vouches
}

func (r *Resolver) newWalk(ctx context.Context, leaf string) *walk {
	return &walk{r: r, ctx: ctx, leaf: leaf, now: r.cfg.Now(), ecs: map[string]ecResult{}}
}

// resolve builds the chain of id.
func (r *Resolver) resolve(ctx context.Context, id string) (*Chain, error) {
	w := r.newWalk(ctx, id)
	ec, err := w.config(id)
	if err != nil {
		return nil, err
	}
	u, err := w.up(ec, nil)
	if err != nil {
		return nil, err
	}
	c := &Chain{
		EntityID: id,
		Config:   ec,
		Links:    u.links,
		Anchor:   u.path[len(u.path)-1],
		Path:     u.path,
		Expires:  ec.Expires(),
		Fetched:  w.now,
	}
	if len(u.links) > 0 {
		c.Identity = identityOf(&u.links[0].Statement)
	} else {
		c.Identity = identityOf(&ec.Statement) // a pinned anchor as itself: the pin vouches
	}
	for _, d := range slices.Concat(u.links, u.supers) {
		if e := d.Expires(); e.Before(c.Expires) {
			c.Expires = e
		}
	}
	for _, l := range u.links {
		if at := l.Statement.RevokedAt; at > 0 && (c.RevokedAt.IsZero() || time.Unix(at, 0).Before(c.RevokedAt)) {
			c.RevokedAt = time.Unix(at, 0)
		}
	}
	if err := c.decodeKeys(); err != nil {
		return nil, err
	}
	return c, nil
}

// up finds a path from ec (an EC checked with its own keys) to a pinned
// anchor; below are the entities under ec's subject, leaf first.
func (w *walk) up(ec *entity.Parsed, below []string) (*up, error) {
	id := ec.Statement.Sub
	if pins, ok := w.r.pins[id]; ok {
		var keys []entity.JWK
		for _, k := range ec.Statement.Keys() {
			if pins[k.Kid] {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			return nil, w.fail("anchor "+id, ErrNotPinned, fmt.Errorf("its entity configuration lists none of the pinned keys"))
		}
		if err := ec.Verify(keys, w.now, w.r.cfg.Skew); err != nil {
			return nil, w.fail("entity configuration of anchor "+id, classify(err, ErrNotPinned), err)
		}
		return &up{path: []string{id}, keys: keys}, nil
	}
	hints := ec.Statement.AuthorityHints
	if len(hints) == 0 {
		return nil, w.fail(id, ErrNotPinned, fmt.Errorf("not a pinned anchor, and it names no authority"))
	}
	if len(below)+2 > w.r.cfg.MaxLinks {
		return nil, w.fail(id, ErrTooLong, fmt.Errorf("its superior would make the chain longer than %d links", w.r.cfg.MaxLinks))
	}
	var first error
	var others []string
	for _, h := range hints {
		u, err := w.via(ec, below, h)
		if err == nil {
			return u, nil
		}
		if w.ctx.Err() != nil {
			return nil, err
		}
		if w.spent != nil {
			// The budget is spent: no other hint can be tried, and the
			// resolution fails for that reason, not the first hint's.
			return nil, w.spent
		}
		if first == nil {
			first = err
		} else {
			others = append(others, err.Error())
		}
	}
	if len(others) > 0 {
		return nil, fmt.Errorf("%w (other authority hints: %s)", first, strings.Join(others, "; "))
	}
	return nil, first
}

// via tries the path from ec's subject through its authority hint h.
func (w *walk) via(ec *entity.Parsed, below []string, h string) (*up, error) {
	id := ec.Statement.Sub
	if h == id || slices.Contains(below, h) {
		return nil, w.fail(id, ErrHintLoop, fmt.Errorf("authority hint %s is already in the path %s", h, strings.Join(append(slices.Clone(below), id), " -> ")))
	}
	sup, err := w.config(h)
	if err != nil {
		return nil, err
	}
	stmt, err := w.statement(sup, id)
	if err != nil {
		return nil, err
	}
	// The statement's own constraints are checked before going further up,
	// so a refusal costs no more fetches; constraints() below repeats the
	// check over the whole path.
	if err := w.constraints(below, &up{links: []*entity.Parsed{stmt}, path: []string{id}}); err != nil {
		return nil, err
	}
	path := append(slices.Clone(below), id)
	u, err := w.up(sup, path)
	if err != nil {
		return nil, err
	}
	unlisted := ErrKeyNotListed
	if len(u.links) == 0 {
		unlisted = ErrNotPinned // h is the anchor: its statement must carry a pinned key
	}
	if err := stmt.Verify(u.keys, w.now, w.r.cfg.Skew); err != nil {
		return nil, w.fail("statement by "+h+" about "+id, classify(err, unlisted), err)
	}
	if err := ec.Verify(stmt.Statement.Keys(), w.now, w.r.cfg.Skew); err != nil {
		return nil, w.fail("entity configuration of "+id+" checked with the keys "+h+" lists", classify(err, ErrKeyNotListed), err)
	}
	res := &up{
		links:  append([]*entity.Parsed{stmt}, u.links...),
		supers: append([]*entity.Parsed{sup}, u.supers...),
		path:   append([]string{id}, u.path...),
		keys:   stmt.Statement.Keys(),
	}
	if err := w.constraints(below, res); err != nil {
		return nil, err
	}
	return res, nil
}

// constraints applies the constraints of every statement of res (the path
// from below's top up) to the whole path, leaf first.
func (w *walk) constraints(below []string, res *up) error {
	path := slices.Concat(below, res.path)
	for i, l := range res.links {
		c := l.Statement.Constraints
		if c == nil {
			continue
		}
		j := len(below) + i // l is about path[j], issued by path[j+1]
		issuer := l.Statement.Iss
		if c.MaxPathLength != nil && j > *c.MaxPathLength {
			return w.fail("statement by "+issuer+" about "+path[j], ErrConstraint,
				fmt.Errorf("max_path_length %d, but %d intermediates stand between %s and %s", *c.MaxPathLength, j, issuer, path[0]))
		}
		for k := 0; k <= j; k++ {
			if err := c.NamingConstraints.Permits(path[k]); err != nil {
				return w.fail("statement by "+issuer+" about "+path[j], ErrConstraint, err)
			}
		}
	}
	return nil
}

// config fetches, parses and self-verifies the EC of id (once per walk).
func (w *walk) config(id string) (*entity.Parsed, error) {
	if m, ok := w.ecs[id]; ok {
		return m.ec, m.err
	}
	ec, err := w.fetchConfig(id)
	w.ecs[id] = ecResult{ec, err}
	return ec, err
}

func (w *walk) fetchConfig(id string) (*entity.Parsed, error) {
	what := "entity configuration of " + id
	raw, err := w.fetch(strings.TrimRight(id, "/")+"/.well-known/openid-federation", what, ErrFetch)
	if err != nil {
		return nil, err
	}
	ec, err := entity.Parse(raw)
	if err != nil {
		return nil, w.fail(what, nil, err)
	}
	if ec.Statement.Iss != id || ec.Statement.Sub != id {
		return nil, w.fail(what, nil, fmt.Errorf("%w: iss %q and sub %q must both be %q", entity.ErrInvalidClaims, ec.Statement.Iss, ec.Statement.Sub, id))
	}
	if err := ec.VerifySelf(w.now, w.r.cfg.Skew); err != nil {
		return nil, w.fail(what, classify(err, nil), err)
	}
	return ec, nil
}

// statement fetches and parses sup's subordinate statement about sub.
func (w *walk) statement(sup *entity.Parsed, sub string) (*entity.Parsed, error) {
	h := sup.Statement.Sub
	what := "statement by " + h + " about " + sub
	fe := sup.Statement.FederationEntity()
	if fe == nil || fe.FetchEndpoint == "" {
		return nil, w.fail(what, ErrNoPath, fmt.Errorf("%s publishes no federation_fetch_endpoint", h))
	}
	u, err := url.Parse(fe.FetchEndpoint)
	if err != nil {
		return nil, w.fail(what, ErrNoPath, fmt.Errorf("federation_fetch_endpoint: %v", err))
	}
	q := u.Query()
	q.Set("sub", sub)
	u.RawQuery = q.Encode()
	raw, err := w.fetch(u.String(), what, ErrNoPath)
	if err != nil {
		return nil, err
	}
	st, err := entity.Parse(raw)
	if err != nil {
		return nil, w.fail(what, nil, err)
	}
	switch {
	case st.Statement.Iss != h:
		return nil, w.fail(what, ErrAuthorityHint, fmt.Errorf("issued by %s, which is not the authority hint %s", st.Statement.Iss, h))
	case st.Statement.Sub != sub:
		return nil, w.fail(what, ErrNoPath, fmt.Errorf("the statement is about %s", st.Statement.Sub))
	}
	return st, nil
}

// fetch gets one document within the walk's budget; a fetch error that
// wraps ErrNotFound is reported with the reason notFound, others with
// ErrFetch.
func (w *walk) fetch(url, what string, notFound error) ([]byte, error) {
	if err := w.ctx.Err(); err != nil {
		return nil, w.fail(what, ErrFetch, err)
	}
	if w.spent != nil {
		return nil, w.spent
	}
	if max := 4 * w.r.cfg.MaxLinks; w.fetches >= max {
		w.spent = w.fail(what, ErrTooLong, fmt.Errorf("resolution needs more than %d fetches", max))
		return nil, w.spent
	}
	w.fetches++
	raw, err := w.r.cfg.Fetcher.Fetch(w.ctx, url)
	if errors.Is(err, ErrNotFound) {
		return nil, w.fail(what, notFound, namingURL(url, err))
	}
	if err != nil {
		return nil, w.fail(what, ErrFetch, namingURL(url, err))
	}
	w.bytes += len(raw)
	if w.bytes > w.r.cfg.MaxBytes {
		w.spent = w.fail(what, ErrTooLarge, fmt.Errorf("%d bytes fetched, limit %d", w.bytes, w.r.cfg.MaxBytes))
		return nil, w.spent
	}
	return raw, nil
}

// fail names the leaf and the link; reason (may be nil) is this package's
// sentinel, cause the underlying error.
func (w *walk) fail(link string, reason, cause error) error {
	// The message starts with the leaf: a link that is the leaf itself is
	// not named again.
	switch link {
	case w.leaf:
		link = "itself"
	case "entity configuration of " + w.leaf:
		link = "its entity configuration"
	}
	if reason == nil {
		return fmt.Errorf("trustchain: %s: %s: %w", w.leaf, link, cause)
	}
	return fmt.Errorf("trustchain: %s: %s: %w: %w", w.leaf, link, reason, cause)
}

// classify maps an entity verification error to this package's reason:
// expiry to ErrExpired, an unknown kid to unknownKey (may be nil).
func classify(err, unknownKey error) error {
	switch {
	case errors.Is(err, entity.ErrExpired):
		return ErrExpired
	case errors.Is(err, entity.ErrUnknownKey):
		return unknownKey
	}
	return nil
}

// namingURL is a fetch error that names the URL once: the fetcher's own
// error often does already.
func namingURL(url string, err error) error {
	if strings.Contains(err.Error(), url) {
		return err
	}
	return fmt.Errorf("GET %s: %w", url, err)
}
