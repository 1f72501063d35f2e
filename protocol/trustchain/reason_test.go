package trustchain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// A chain's reason names the leaf and each URL once: the fetcher's error
// (the transport's, "transport: GET URL: ...") names the URL already, and
// the leaf starts the message.
func TestReasonNamesEachURLOnce(t *testing.T) {
	ecURL := leafPA + "/.well-known/openid-federation"
	tests := []struct {
		name  string
		err   error  // what the fetcher answers for the leaf's entity configuration
		wants string // in the reason
	}{
		{"the fetcher names the URL", fmt.Errorf("transport: GET %s: dial tcp: connection refused", ecURL), "its entity configuration: trust chain fetch failed: transport: GET " + ecURL},
		{"the fetcher does not", errors.New("connection refused"), "its entity configuration: trust chain fetch failed: GET " + ecURL + ": connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFed(t)
			f.f.mu.Lock()
			f.f.errs[ecURL] = tt.err
			f.f.mu.Unlock()
			_, err := f.resolver(anchorIT).Resolve(context.Background(), leafPA)
			if err == nil {
				t.Fatal("resolved a leaf whose configuration cannot be fetched")
			}
			msg := err.Error()
			if !errors.Is(err, ErrFetch) || !strings.Contains(msg, tt.wants) {
				t.Fatalf("reason %q, want %q in it", msg, tt.wants)
			}
			if n := strings.Count(msg, ecURL); n != 1 {
				t.Errorf("reason names %s %d times: %q", ecURL, n, msg)
			}
			if n := strings.Count(msg, leafPA); n != 2 { // the leaf, and inside the URL
				t.Errorf("reason names %s %d times: %q", leafPA, n, msg)
			}
		})
	}
}
