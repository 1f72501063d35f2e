package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/interlink-project/interlink-node/federation/transport"
	"github.com/interlink-project/interlink-node/node"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// verifyNetwork is all the network `interlink verify` uses: the node's
// guarded outbound client (no private addresses unless allowed), for a URL
// given instead of a file and for the signers' entity statements. The
// verification itself (verify.go) is protocol code and works offline.
// For the data directory's own node it falls back to the entity
// configuration saved in trust.json.
type verifyNetwork struct {
	client *transport.Client
	local  *node.TrustFileContent
}

func newVerifyNetwork(allowPrivate bool, local *node.TrustFileContent) *verifyNetwork {
	return &verifyNetwork{
		client: transport.New(transport.Options{AllowPrivateNetworks: allowPrivate, UserAgent: "interlink-verify/" + version}),
		local:  local,
	}
}

func (n *verifyNetwork) close() { n.client.CloseIdleConnections() }

// getObject fetches the object to verify from its URL.
func (n *verifyNetwork) getObject(ctx context.Context, url string) ([]byte, error) {
	body, status, err := n.get(ctx, url, activity.AcceptHeader)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w (for a node on this machine, pass --allow-private-networks)", err) // the transport's error names the URL
	case status != http.StatusOK:
		return nil, fmt.Errorf("fetch %s: the server answered %d", url, status)
	}
	return body, nil
}

// Fetch is the trustchain.Fetcher of entity statements.
func (n *verifyNetwork) Fetch(ctx context.Context, url string) ([]byte, error) {
	body, status, err := n.get(ctx, url, entity.MediaTypeStatement)
	switch {
	case err == nil && status == http.StatusOK:
		return body, nil
	case n.local != nil && url == n.local.EntityID+entity.WellKnownPath && n.local.EntityConfiguration != "":
		return []byte(n.local.EntityConfiguration), nil
	case err != nil:
		return nil, err
	case status == http.StatusNotFound || status == http.StatusGone:
		return nil, fmt.Errorf("%s: %w (HTTP %d)", url, trustchain.ErrNotFound, status)
	}
	return nil, fmt.Errorf("%s: HTTP %d", url, status)
}

func (n *verifyNetwork) get(ctx context.Context, url, accept string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", accept)
	resp, err := n.client.Do(ctx, req)
	if err != nil {
		return nil, 0, err
	}
	return resp.Body, resp.Status, nil
}
