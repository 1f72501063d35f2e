package scenario

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
	"github.com/interlink-project/interlink-node/testnet"
)

// Deliveries of forged activities: each goes straight to a node's shared
// inbox, signed with the HTTP key of the node it claims to come from, and
// the node's answer is its verdict.

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

// deliverer posts forged activities to the nodes' shared inboxes, with an
// HTTP client of its own (made on first use).
type deliverer struct {
	mu sync.Mutex
	hc *http.Client
}

func (d *deliverer) client() *http.Client {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.hc == nil {
		tr := &http.Transport{Proxy: nil, DialContext: (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second}
		d.hc = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	}
	return d.hc
}

func (d *deliverer) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.hc != nil {
		d.hc.CloseIdleConnections()
	}
}

// post delivers an activity of f's node to the shared inbox of to, signed
// with the node's HTTP key as its own deliveries are.
func (d *deliverer) post(ctx context.Context, f *forger, to *testnet.NodeState, body []byte) (verdict, error) {
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
	resp, err := d.client().Do(req)
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
func (d *deliverer) postAll(ctx context.Context, f *forger, to []*testnet.NodeState, body []byte) (map[string]verdict, map[string]error) {
	verdicts, errs := map[string]verdict{}, map[string]error{}
	var mu sync.Mutex
	forNodes(to, func(n *testnet.NodeState) {
		v, err := d.post(ctx, f, n, body)
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
