package testnet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/node/api"
)

// Client calls the nodes' HTTP APIs. Nodes answer errors as RFC 9457
// problems; Client returns them as errors that wrap an *api.Problem.
type Client struct {
	hc *http.Client
}

// NewClient returns a client with kept-alive connections to every node.
func NewClient() *Client {
	tr := &http.Transport{
		Proxy:               nil, // loopback only: never through a proxy
		DialContext:         (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
	}
	return &Client{hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// Close releases idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// IsStatus reports whether err is a node's problem answer with that status.
func IsStatus(err error, status int) bool {
	var p *api.Problem
	return errors.As(err, &p) && p.Status == status
}

// Do sends in (JSON, unless nil) to url with the bearer token and decodes
// a 2xx answer into out (when not nil). It returns the status.
func (c *Client) Do(ctx context.Context, method, url, token string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, fmt.Errorf("%s %s: encode: %w", method, url, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, url, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s %s: read the answer: %w", method, url, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		p := &api.Problem{}
		if json.Unmarshal(raw, p) != nil {
			p = &api.Problem{Detail: truncate(strings.TrimSpace(string(raw)), 200)}
		}
		p.Status = resp.StatusCode
		return resp.StatusCode, fmt.Errorf("%s %s: %w", method, url, p)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode the answer: %w", method, url, err)
		}
	}
	return resp.StatusCode, nil
}

// Ready reports whether the node answers /readyz with 200.
func (c *Client) Ready(ctx context.Context, n *NodeState) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := c.Do(ctx, http.MethodGet, n.URL+"/readyz", "", nil, nil)
	return err == nil && st == http.StatusOK
}

// Trust reads the node's trust view. A node whose build has no trust
// layer answers 404: the error says so.
func (c *Client) Trust(ctx context.Context, n *NodeState) (*api.TrustStatus, error) {
	tok, err := n.Token()
	if err != nil {
		return nil, err
	}
	var tv api.TrustStatus
	if _, err := c.Do(ctx, http.MethodGet, n.URL+"/api/v1/trust", tok, nil, &tv); err != nil {
		if IsStatus(err, http.StatusNotFound) {
			return nil, fmt.Errorf("node %s serves no /api/v1/trust: this interlink build has no trust layer; "+
				"use a manifest with trust: false, or a build with the trust layer: %w", n.Name, err)
		}
		return nil, fmt.Errorf("node %s: trust: %w", n.Name, err)
	}
	if tv.EntityID == "" {
		return nil, fmt.Errorf("node %s: GET /api/v1/trust answered no entity_id", n.Name)
	}
	return &tv, nil
}

// waitReady polls /readyz until 200, the process exits, or ctx ends.
// Only a process that is gone (or a zombie) has exited: a command line that
// does not name dir is read again at the next poll. On a machine loaded by
// 64 starting nodes, a node that went on to serve was once declared
// "exited at start" by a check that also required its command line.
func (c *Client) waitReady(ctx context.Context, n *NodeState, dir string) error {
	for {
		if c.Ready(ctx, n) {
			return nil
		}
		if errors.Is(checkOurs(n.PID, dir), errGone) {
			return fmt.Errorf("node %s exited at start: %s", n.Name, tailFile(n.Log, 3))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("node %s not ready: %w (see %s)", n.Name, ctx.Err(), n.Log)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
