package transport

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

type refuseAll struct{ calls int }

var errRefused = errors.New("refused by the wrapper")

func (r *refuseAll) RoundTrip(*http.Request) (*http.Response, error) {
	r.calls++
	return nil, errRefused
}

// TestWrapRoundTripper: the wrapper sees every request (signed hops
// included) and its error reaches the caller.
func TestWrapRoundTripper(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	w := &refuseAll{}
	c := New(Options{AllowPrivateNetworks: true, WrapRoundTripper: func(http.RoundTripper) http.RoundTripper { return w }})
	defer c.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	_, err := c.DoSigned(context.Background(), req, func(*http.Request, []byte) error { return nil })
	if !errors.Is(err, errRefused) || w.calls != 1 {
		t.Fatalf("err %v after %d calls, want the wrapper's error after 1", err, w.calls)
	}
	plain := New(Options{AllowPrivateNetworks: true})
	defer plain.CloseIdleConnections()
	req, _ = http.NewRequest(http.MethodGet, srv.URL, nil)
	if resp, err := plain.Do(context.Background(), req); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("without a wrapper: %v", err)
	}
}
