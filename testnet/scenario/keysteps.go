package scenario

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/testnet"
)

// Key steps: rotate-key and revoke-key drive a node's key API; forge and
// forge-until-refused play an attacker who stole the content key rotated
// out (the private key is read from the node's data directory, DATA/keys)
// and publish with it from outside, straight to the other nodes' inboxes.

// keyHistory is what rotate-key and revoke-key did on one node.
type keyHistory struct {
	retired    string               // the content key the last rotate-key retired
	rotated    time.Time            // when that rotate-key step asked for it
	revoked    string               // the content key the last revoke-key revoked
	revokeStep time.Time            // when that revoke-key step asked for it
	retiredAt  map[string]time.Time // by kid, as the node recorded it
}

func (r *runner) history(node string) *keyHistory {
	h := r.keys[node]
	if h == nil {
		h = &keyHistory{retiredAt: map[string]time.Time{}}
		r.keys[node] = h
	}
	return h
}

func findKey(keys []api.Key, kid string) (api.Key, bool) {
	for _, k := range keys {
		if k.Kid == kid {
			return k, true
		}
	}
	return api.Key{}, false
}

func activeKid(keys []api.Key) string {
	for _, k := range keys {
		if k.State == "active" {
			return k.Kid
		}
	}
	return ""
}

// rotateKey rotates the node's content key and remembers the retired one.
func (r *runner) rotateKey(ctx context.Context, k *RotateKey) error {
	n, err := r.st.Node(k.Node)
	if err != nil {
		return err
	}
	tok, err := n.Token()
	if err != nil {
		return err
	}
	var before api.TrustStatus
	if _, err := r.c.Do(ctx, http.MethodGet, n.URL+"/api/v1/trust", tok, nil, &before); err != nil {
		return fmt.Errorf("the content keys of %s: %w", n.Name, err)
	}
	old := activeKid(before.ContentKeys)
	if old == "" {
		return fmt.Errorf("%s shows no active content key (GET /api/v1/trust)", n.Name)
	}
	start := time.Now()
	var ans api.KeySet
	if _, err := r.c.Do(ctx, http.MethodPost, n.URL+"/api/v1/trust/keys/rotate", tok, api.KeyRotateRequest{Key: "content"}, &ans); err != nil {
		return fmt.Errorf("rotate the content key of %s: %w", n.Name, err)
	}
	was, ok := findKey(ans.ContentKeys, old)
	if !ok || was.State != "retired" || was.RetiredAt.IsZero() {
		return fmt.Errorf("after the rotation %s shows its previous content key %s as %+v, not retired", n.Name, old, was)
	}
	h := r.history(n.Name)
	h.retired, h.rotated, h.retiredAt[old] = old, start, was.RetiredAt
	r.printf("  %s: content key %s retired at %s; %s signs from now on", n.Name, old,
		was.RetiredAt.UTC().Format("15:04:05.000"), activeKid(ans.ContentKeys))
	return nil
}

// revokeKey revokes the content key the last rotate-key on the node retired.
func (r *runner) revokeKey(ctx context.Context, k *RevokeKey) error {
	n, err := r.st.Node(k.Node)
	if err != nil {
		return err
	}
	h := r.keys[n.Name]
	if h == nil || h.retired == "" {
		return fmt.Errorf("no rotate-key on %s retired a content key to revoke", n.Name)
	}
	tok, err := n.Token()
	if err != nil {
		return err
	}
	start := time.Now()
	var ans api.KeySet
	if _, err := r.c.Do(ctx, http.MethodPost, n.URL+"/api/v1/trust/keys/revoke", tok,
		api.KeyRevokeRequest{Kid: h.retired, Reason: k.Reason}, &ans); err != nil {
		return fmt.Errorf("revoke the content key %s of %s: %w", h.retired, n.Name, err)
	}
	was, ok := findKey(ans.ContentKeys, h.retired)
	if !ok || was.State != "revoked" || was.RevokedAt.IsZero() {
		return fmt.Errorf("after the revocation %s shows its content key %s as %+v, not revoked", n.Name, h.retired, was)
	}
	h.revoked, h.revokeStep = h.retired, start
	r.lastKeyRevoke = start
	r.printf("  %s: content key %s revoked at %s", n.Name, h.retired, was.RevokedAt.UTC().Format("15:04:05.000"))
	return nil
}

// forger signs and delivers as a node, with one of its content keys.
type forger struct {
	node    *testnet.NodeState
	u       protocol.URIs
	iss     string
	kid     string
	content ed25519.PrivateKey
	http    *rsa.PrivateKey
}

// keyManifest is the part of DATA/keys/keys.json a forger reads.
type keyManifest struct {
	Content []struct {
		File  string `json:"file"`
		Kid   string `json:"kid"`
		State string `json:"state"`
	} `json:"content"`
}

// newForger reads, from n's data directory, the content key kid ("" for
// the active one) and the HTTP key.
func newForger(n *testnet.NodeState, kid string) (*forger, error) {
	dir := filepath.Join(n.Data, "keys")
	raw, err := os.ReadFile(filepath.Join(dir, "keys.json"))
	if err != nil {
		return nil, fmt.Errorf("node %s: key manifest: %w", n.Name, err)
	}
	var m keyManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("node %s: %s: %w", n.Name, filepath.Join(dir, "keys.json"), err)
	}
	file := ""
	for _, e := range m.Content {
		if (kid == "" && e.State == "active") || (kid != "" && e.Kid == kid) {
			kid, file = e.Kid, e.File
			break
		}
	}
	if file == "" || filepath.Base(file) != file {
		return nil, fmt.Errorf("node %s: keys.json lists no content key %q", n.Name, kid)
	}
	k, err := readPrivateKey(filepath.Join(dir, file))
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", n.Name, err)
	}
	content, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("node %s: %s holds a %T, not an Ed25519 key", n.Name, file, k)
	}
	if tp, err := signedobject.Thumbprint(content.Public().(ed25519.PublicKey)); err != nil || tp != kid {
		return nil, fmt.Errorf("node %s: %s holds the key %s, keys.json says %s (%v)", n.Name, file, tp, kid, err)
	}
	k, err = readPrivateKey(filepath.Join(dir, "http-rsa.pem"))
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", n.Name, err)
	}
	hk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("node %s: http-rsa.pem holds a %T, not an RSA key", n.Name, k)
	}
	iss := n.EntityID
	if iss == "" {
		iss = n.URL
	}
	return &forger{node: n, u: protocol.NewURIs(n.URL), iss: iss, kid: kid, content: content, http: hk}, nil
}

func readPrivateKey(path string) (any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s is not a PEM PRIVATE KEY (PKCS #8)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return k, nil
}

// objectTTL is how long a forged signature claims to be valid (the
// nodes' trust.object_ttl default).
const objectTTL = 365 * 24 * time.Hour

// object makes forged interlinker number i of set as, signed at iat, and
// the Create that carries it.
func (f *forger) object(ids *protocol.ULIDSource, as, run string, i int, iat time.Time) (item, []byte, error) {
	now := time.Now()
	id := ids.New(now)
	key := fmt.Sprintf("%s-%s-%d", as, run, i+1)
	e := testnet.Interlinker(f.node, key, i)
	body, err := protocol.EncodeEntity(e)
	if err != nil {
		return item{}, nil, err
	}
	if _, err := protocol.DecodeEntity(body); err != nil {
		return item{}, nil, fmt.Errorf("forged interlinker %s: %w", key, err)
	}
	iat = iat.Truncate(time.Second).UTC()
	p := signedobject.Payload{Iss: f.iss, Sub: f.u.Object(id), Iat: iat.Unix(), Exp: iat.Add(objectTTL).Unix(), Jti: ids.New(now),
		Ver: 1, Type: string(protocol.KindInterlinker), Body: body, Cosigners: []string{f.iss}}
	jws, err := signedobject.Sign(p, signedobject.Signer{EntityID: f.iss, Key: f.content})
	if err != nil {
		return item{}, nil, err
	}
	obj := protocol.Object{Meta: protocol.Meta{IRI: p.Sub, ID: id, Type: protocol.KindInterlinker, Version: 1,
		Origin: f.u.Base(), Key: e.NaturalKey(), Created: iat, Updated: iat}, Body: body, JWS: jws}
	act, err := activity.Create(f.u, ids.New(now), obj, activity.WithEntity(e))
	if err != nil {
		return item{}, nil, err
	}
	return item{Node: f.node.Name, Kind: "interlinker", Key: key, IRI: p.Sub, ID: id, Forged: jws}, act, nil
}

// tombstone makes the signed Delete of forged object it: version 2, a
// tombstone, following its version 1.
func (f *forger) tombstone(ids *protocol.ULIDSource, it item) ([]byte, error) {
	v1, err := signedobject.Inspect(it.Forged)
	if err != nil {
		return nil, err
	}
	now := time.Now().Truncate(time.Second).UTC()
	body, err := json.Marshal(map[string]any{"deleted": true, "former_type": protocol.KindInterlinker})
	if err != nil {
		return nil, err
	}
	p := signedobject.Payload{Iss: f.iss, Sub: it.IRI, Iat: now.Unix(), Exp: now.Add(objectTTL).Unix(), Jti: ids.New(now),
		Ver: 2, Prev: signedobject.PayloadHash(v1.Raw), Type: signedobject.TombstoneType, Body: body, Cosigners: []string{f.iss}}
	jws, err := signedobject.Sign(p, signedobject.Signer{EntityID: f.iss, Key: f.content})
	if err != nil {
		return nil, err
	}
	created := time.Unix(v1.Payload.Iat, 0).UTC()
	obj := protocol.Object{Meta: protocol.Meta{IRI: it.IRI, ID: it.ID, Type: protocol.KindInterlinker, Version: 2,
		Origin: f.u.Base(), Created: created, Updated: now, Deleted: true}, JWS: jws}
	return activity.Delete(f.u, ids.New(now), obj)
}

// verdict is a node's answer to a forged delivery.
type verdict struct {
	status  int
	problem string // the problem type's last segment
	detail  string
}

func (v verdict) accepted() bool { return v.status >= 200 && v.status <= 299 }

// refused: a client error other than 429 is the node's judgement.
func (v verdict) refused() bool {
	return v.status >= 400 && v.status <= 499 && v.status != http.StatusTooManyRequests
}

func (v verdict) String() string {
	if v.accepted() {
		return fmt.Sprint(v.status)
	}
	if v.problem == "" {
		return fmt.Sprintf("%d %s", v.status, v.detail)
	}
	return fmt.Sprintf("%d %s", v.status, v.problem)
}

func (r *runner) inboxClient() *http.Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.inbox == nil {
		tr := &http.Transport{Proxy: nil, DialContext: (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second}
		r.inbox = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	}
	return r.inbox
}

func (r *runner) closeInbox() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.inbox != nil {
		r.inbox.CloseIdleConnections()
	}
}

// post delivers an activity of f's node to the shared inbox of to, signed
// with the node's HTTP key as its own deliveries are.
func (r *runner) post(ctx context.Context, f *forger, to *testnet.NodeState, body []byte) (verdict, error) {
	inbox := protocol.NewURIs(to.URL).SharedInbox()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, inbox, bytes.NewReader(body))
	if err != nil {
		return verdict{}, err
	}
	req.Header.Set("Content-Type", activity.ContentType)
	req.Header.Set("Accept", activity.AcceptHeader)
	s := httpsig.Signer{KeyID: f.u.KeyID(), Key: f.http}
	if err := s.SignRequest(req, body, time.Now()); err != nil {
		return verdict{}, err
	}
	resp, err := r.inboxClient().Do(req)
	if err != nil {
		return verdict{}, fmt.Errorf("POST %s: %w", inbox, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	v := verdict{status: resp.StatusCode}
	if !v.accepted() {
		var p api.Problem
		if json.Unmarshal(raw, &p) == nil {
			v.problem, v.detail = p.Name(), p.Detail
		} else {
			v.detail = strings.TrimSpace(string(raw))
		}
	}
	return v, nil
}

// postAll delivers body to every node of to at once.
func (r *runner) postAll(ctx context.Context, f *forger, to []*testnet.NodeState, body []byte) (map[string]verdict, map[string]error) {
	verdicts, errs := map[string]verdict{}, map[string]error{}
	var mu sync.Mutex
	forNodes(to, func(n *testnet.NodeState) {
		v, err := r.post(ctx, f, n, body)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs[n.Name] = err
		} else {
			verdicts[n.Name] = v
		}
	})
	return verdicts, errs
}

// forgeSetup resolves a forge step: the forger with the stolen key, the
// signing time, and the nodes to deliver to (never the key's own node).
func (r *runner) forgeSetup(fs *Forge) (*forger, func() time.Time, []*testnet.NodeState, error) {
	n, err := r.st.Node(fs.Node)
	if err != nil {
		return nil, nil, nil, err
	}
	h := r.keys[n.Name]
	kid := ""
	switch {
	case h != nil && fs.Key == forgeRetired:
		kid = h.retired
	case h != nil && fs.Key == forgeRevoked:
		kid = h.revoked
	}
	if kid == "" {
		return nil, nil, nil, fmt.Errorf("no earlier step left %s a %s content key", n.Name, fs.Key)
	}
	f, err := newForger(n, kid)
	if err != nil {
		return nil, nil, nil, err
	}
	iat := time.Now
	if fs.Iat == iatBeforeRetirement {
		at := h.retiredAt[kid]
		if at.IsZero() {
			return nil, nil, nil, fmt.Errorf("%s's key %s has no retirement time", n.Name, kid)
		}
		before := at.Truncate(time.Second).Add(-time.Second)
		iat = func() time.Time { return before }
	}
	on := fs.On
	if on.IsZero() {
		on = NodeSet{All: true}
	}
	nodes, err := r.nodes(on)
	if err != nil {
		return nil, nil, nil, err
	}
	var to []*testnet.NodeState
	for _, t := range nodes {
		if t.Name != n.Name {
			to = append(to, t)
		}
	}
	if len(to) == 0 {
		return nil, nil, nil, errors.New("no node to deliver forged objects to")
	}
	return f, iat, to, nil
}

// forge delivers one forged object to every node of the step.
func (r *runner) forge(ctx context.Context, fs *Forge) error {
	f, iat, to, err := r.forgeSetup(fs)
	if err != nil {
		return err
	}
	set := r.set(fs.As)
	it, act, err := f.object(&r.ids, fs.As, r.run, len(set.list()), iat())
	if err != nil {
		return err
	}
	verdicts, errs := r.postAll(ctx, f, to, act)
	it.Accepted = map[string]bool{}
	for name, v := range verdicts {
		it.Accepted[name] = v.accepted()
	}
	set.add(it)
	r.printf("  %s (%s, key %s): %s", it.IRI, it.Key, f.kid, summarize(verdicts, errs))
	if len(errs) > 0 {
		return fmt.Errorf("deliver the forged object: %w", joinByNode(errs))
	}
	var wrong []string
	for _, name := range slices.Sorted(maps.Keys(verdicts)) {
		v := verdicts[name]
		if (fs.Expect == expectAccepted && !v.accepted()) || (fs.Expect == expectRefused && !v.refused()) {
			wrong = append(wrong, name+" answered "+v.String())
		}
	}
	if len(wrong) > 0 {
		return fmt.Errorf("expected every node to have %s the forged object %s: %s", fs.Expect, it.IRI, strings.Join(wrong, "; "))
	}
	return nil
}

// forgeUntilRefused forges a new object every fs.Every and delivers it
// to the nodes that have not refused one yet, until every node has.
func (r *runner) forgeUntilRefused(ctx context.Context, fs *Forge) error {
	f, iat, to, err := r.forgeSetup(fs)
	if err != nil {
		return err
	}
	h := r.keys[f.node.Name]
	from := h.rotated
	if fs.Key == forgeRevoked {
		from = h.revokeStep
	}
	set := r.set(fs.As)
	pending := to
	refusedAt, refusals, accepted := map[string]time.Time{}, map[string]verdict{}, map[string]int{}
	lastErr := map[string]error{}
	deadline := time.Now().Add(fs.Timeout)
	for round := 0; len(pending) > 0; round++ {
		tick := time.Now()
		it, act, err := f.object(&r.ids, fs.As, r.run, len(set.list()), iat())
		if err != nil {
			return err
		}
		verdicts, errs := r.postAll(ctx, f, pending, act)
		it.Accepted = map[string]bool{}
		var still []*testnet.NodeState
		for _, n := range pending {
			v, ok := verdicts[n.Name]
			switch {
			case !ok:
				lastErr[n.Name] = errs[n.Name]
				still = append(still, n)
			case v.refused():
				refusedAt[n.Name], refusals[n.Name] = time.Now(), v
			case v.accepted():
				it.Accepted[n.Name] = true
				accepted[n.Name]++
				still = append(still, n)
			default: // 429, 5xx: no judgement yet
				lastErr[n.Name] = fmt.Errorf("answered %s: %s", v, v.detail)
				still = append(still, n)
			}
		}
		set.add(it)
		pending = still
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			var why []string
			for _, n := range pending {
				w := fmt.Sprintf("%s accepted %d forged objects", n.Name, accepted[n.Name])
				if e := lastErr[n.Name]; e != nil {
					w += fmt.Sprintf(" (last error: %v)", e)
				}
				why = append(why, w)
			}
			r.printRefusals(from, refusedAt, refusals, accepted)
			return fmt.Errorf("not every node refused %s's %s key within %s: %s", f.node.Name, fs.Key, fs.Timeout, strings.Join(why, "; "))
		}
		if err := sleep(ctx, time.Until(tick.Add(fs.Every))); err != nil {
			return err
		}
	}
	last := time.Time{}
	for _, t := range refusedAt {
		if t.After(last) {
			last = t
		}
	}
	r.printRefusals(from, refusedAt, refusals, accepted)
	if fs.Measure != "" {
		r.report.addFigure(fs.Measure, last.Sub(from))
	}
	return nil
}

// printRefusals prints when each node refused, counted from from, and the
// problem types seen.
func (r *runner) printRefusals(from time.Time, at map[string]time.Time, v map[string]verdict, accepted map[string]int) {
	types := map[string]int{}
	for _, name := range slices.Sorted(maps.Keys(at)) {
		r.printf("  %s refused after %s (%s), having accepted %d forged objects", name, round(at[name].Sub(from)), v[name], accepted[name])
		types[v[name].problem]++
	}
	var seen []string
	for _, t := range slices.Sorted(maps.Keys(types)) {
		seen = append(seen, fmt.Sprintf("%s ×%d", t, types[t]))
	}
	r.printf("  refusals: %s", strings.Join(seen, ", "))
}

func summarize(verdicts map[string]verdict, errs map[string]error) string {
	var acc, ref []string
	for _, name := range slices.Sorted(maps.Keys(verdicts)) {
		if v := verdicts[name]; v.accepted() {
			acc = append(acc, name)
		} else {
			ref = append(ref, fmt.Sprintf("%s (%s)", name, v))
		}
	}
	parts := []string{}
	if len(acc) > 0 {
		parts = append(parts, "accepted by "+strings.Join(acc, ", "))
	}
	if len(ref) > 0 {
		parts = append(parts, "refused by "+strings.Join(ref, ", "))
	}
	if len(errs) > 0 {
		parts = append(parts, fmt.Sprintf("undelivered to %d nodes", len(errs)))
	}
	return strings.Join(parts, "; ")
}

func joinByNode(errs map[string]error) error {
	var out []error
	for _, name := range slices.Sorted(maps.Keys(errs)) {
		out = append(out, fmt.Errorf("%s: %w", name, errs[name]))
	}
	return errors.Join(out...)
}

// retractForged deletes, after a run, every forged object some node
// accepted: a tombstone signed with its origin's active content key (the
// origin's operator retracting what was published in its name) goes to
// every running node that accepted it, so that the next scenario finds the
// nodes holding the same objects (converged, counts-equal).
func (r *runner) retractForged(ctx context.Context) error {
	byOrigin := map[string][]item{}
	seen := map[string]bool{}
	r.mu.Lock()
	sets := make([]*objSet, 0, len(r.sets))
	for _, s := range r.sets {
		sets = append(sets, s)
	}
	r.mu.Unlock()
	for _, s := range sets {
		for _, it := range s.list() {
			if it.Forged == nil || seen[it.IRI] || !anyTrue(it.Accepted) {
				continue
			}
			seen[it.IRI] = true
			byOrigin[it.Node] = append(byOrigin[it.Node], it)
		}
	}
	var errs []error
	for _, origin := range slices.Sorted(maps.Keys(byOrigin)) {
		n, err := r.st.Node(origin)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		f, err := newForger(n, "")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		running, err := r.nodes(NodeSet{All: true, Except: []string{origin}})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items := byOrigin[origin]
		sort.Slice(items, func(i, j int) bool { return items[i].IRI < items[j].IRI })
		for _, it := range items {
			act, err := f.tombstone(&r.ids, it)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			var holders []*testnet.NodeState
			for _, n := range running {
				if it.Accepted[n.Name] {
					holders = append(holders, n)
				}
			}
			verdicts, perrs := r.postAll(ctx, f, holders, act)
			if len(perrs) > 0 {
				errs = append(errs, fmt.Errorf("retract %s: %w", it.IRI, joinByNode(perrs)))
			}
			for _, name := range slices.Sorted(maps.Keys(verdicts)) {
				if v := verdicts[name]; !v.accepted() {
					errs = append(errs, fmt.Errorf("retract %s: %s answered %s: %s", it.IRI, name, v, v.detail))
				}
			}
		}
		r.printf("retracted %d forged objects of %s (tombstones signed with its active content key %s, sent to the nodes that accepted them)", len(items), origin, f.kid)
	}
	return errors.Join(errs...)
}

func anyTrue(m map[string]bool) bool {
	for _, v := range m {
		if v {
			return true
		}
	}
	return false
}
