package trustchain

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
)

// httpFetcher is the smallest Fetcher over an http.Client: 404 and 410
// wrap ErrNotFound, bodies are capped at entity.MaxBytes+1.
type httpFetcher struct{ c *http.Client }

func (h httpFetcher) Fetch(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := h.c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, entity.MaxBytes+1))
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, fmt.Errorf("HTTP %d: %w", resp.StatusCode, ErrNotFound)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return body, err
}

// loopbackFed serves a 3-level federation (anchor, municipality, leaf) from
// one httptest server on 127.0.0.1, entity ids being paths on it. The
// municipality's naming constraints permit the loopback address exactly.
func loopbackFed(t testing.TB) (f *fed, srv *httptest.Server, anchor, mid, leaf string) {
	t.Helper()
	f = &fed{t: t, f: newMemFetcher(), now: t0, nodes: map[string]*node{}}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, err := f.f.Fetch(r.Context(), "http://"+r.Host+r.URL.RequestURI())
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/entity-statement+jwt")
		_, _ = w.Write(doc)
	}))
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server at %s, not on 127.0.0.1", srv.URL)
	}
	anchor, mid, leaf = srv.URL+"/it", srv.URL+"/comune", srv.URL+"/farmacie"
	f.add(anchor, &entity.FederationEntity{OrganizationName: "Anchor IT", Country: "IT", Role: "anchor"})
	f.add(mid, &entity.FederationEntity{Role: "intermediate"}, anchor)
	f.add(leaf, &entity.FederationEntity{}, mid)
	f.enroll(anchor, mid, func(s *entity.Statement) {
		s.Metadata.FederationEntity = &entity.FederationEntity{OrganizationName: "Comune di Reggio Emilia", Country: "IT", OrgKind: "public_administration", Role: "intermediate"}
	})
	zero := 0
	f.enroll(mid, leaf, func(s *entity.Statement) {
		s.Metadata.FederationEntity = &entity.FederationEntity{OrganizationName: "Farmacie Comunali Riunite", Country: "IT", OrgKind: "public_administration", Role: "leaf"}
		s.Constraints = &entity.Constraints{MaxPathLength: &zero, NamingConstraints: &entity.NamingConstraints{Permitted: []string{"127.0.0.1"}}}
	})
	return f, srv, anchor, mid, leaf
}

func (f *fed) httpResolver(t testing.TB, srv *httptest.Server, anchor string) *Resolver {
	t.Helper()
	r, err := New(Config{
		Anchors: []Anchor{{EntityID: anchor, Kids: []string{kidOf(f.nodes[anchor].key)}}},
		Fetcher: httpFetcher{srv.Client()},
		Now:     func() time.Time { return f.now },
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestResolveOverLoopbackHTTP(t *testing.T) {
	f, srv, anchor, mid, leaf := loopbackFed(t)
	defer srv.Close()
	defer srv.Client().CloseIdleConnections()
	r := f.httpResolver(t, srv, anchor)
	c, err := r.Resolve(context.Background(), leaf)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Path, []string{leaf, mid, anchor}) || c.Identity.Name != "Farmacie Comunali Riunite" {
		t.Fatalf("path %v identity %+v", c.Path, c.Identity)
	}
	// The municipality stops vouching: 404 over HTTP is ErrNoPath.
	f.f.del(fetchURL(mid, leaf))
	r.Invalidate(leaf)
	_, err = r.Resolve(context.Background(), leaf)
	wantReasons(t, err, ErrNoPath, ErrNotFound)
}
