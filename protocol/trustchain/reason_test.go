package trustchain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
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

// An object signed with a content key the signer's configuration does not
// list: unknown for good (entity.ErrUnknownKey) once the configuration was
// read again just now; ErrUnknownContentKey (a sender may retry) only while
// this node may not read it again yet (Refresh, once a minute).
func TestUnknownContentKeyAfterRefresh(t *testing.T) {
	f := newFed(t)
	r := f.resolver(anchorIT)
	p := signedobject.Payload{Iss: leafPA, Sub: leafPA + "/objects/01JNRX3ZQ8M6T7V9W2Y4B5C6D7", Iat: t0.Unix(),
		Exp: t0.Add(time.Hour).Unix(), Jti: "j", Ver: 1, Type: "PublicService", Cosigners: []string{leafPA},
		Body: json.RawMessage(`{"title":{"en":"x"}}`)}
	doc, err := signedobject.Sign(p, signedobject.Signer{EntityID: leafPA, Key: key("a key the leaf never listed")})
	if err != nil {
		t.Fatal(err)
	}
	for i, wantRetry := range []bool{false, true} {
		_, _, err := VerifyObject(context.Background(), r, doc, t0, t0, signedobject.Options{})
		if !errors.Is(err, entity.ErrUnknownKey) || errors.Is(err, ErrUnknownContentKey) != wantRetry {
			t.Fatalf("verification %d: %v (ErrUnknownContentKey %v, want %v)", i+1, err, errors.Is(err, ErrUnknownContentKey), wantRetry)
		}
	}
}
