package transport

import (
	"context"
	"crypto"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/httpsig"
)

// TestSignedEveryHop signs with the real signer and verifies with the real
// verifier on every hop, redirects included: a 307 keeps the POST and its
// body (signed again, for the new host), a 303 turns it into a GET signed
// without a Digest.
func TestSignedEveryHop(t *testing.T) {
	key, err := httpsig.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	const actor = "https://127.0.0.1:8443/actor"
	signer := &httpsig.Signer{KeyID: actor + "#main-key", Key: key}
	verifier := &httpsig.Verifier{Resolve: func(context.Context, string, bool) (string, crypto.PublicKey, error) {
		return actor, &key.PublicKey, nil
	}}
	type hop struct {
		host, method, body string
		err                error
	}
	var mu sync.Mutex
	var hops []hop
	record := func(r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, err := verifier.Verify(r.Context(), r, body)
		mu.Lock()
		hops = append(hops, hop{r.Host, r.Method, string(body), err})
		mu.Unlock()
	}
	inbox := newServer(t, "127.0.0.2", false, func(w http.ResponseWriter, r *http.Request) {
		record(r)
		w.WriteHeader(http.StatusAccepted)
	})
	front := newServer(t, "127.0.0.1", false, func(w http.ResponseWriter, r *http.Request) {
		record(r)
		code := http.StatusTemporaryRedirect
		if r.URL.Path == "/see-other" {
			code = http.StatusSeeOther
		}
		http.Redirect(w, r, inbox.URL+"/actor/inbox", code)
	})
	c := loopbackClient(t, Options{})
	sign := func(r *http.Request, body []byte) error { return signer.SignRequest(r, body, time.Now()) }
	const activity = `{"type":"Create","actor":"https://127.0.0.1:8443/actor"}`

	for _, tt := range []struct {
		path       string
		hop2Method string
		hop2Body   string
	}{
		{"/temporary", http.MethodPost, activity},
		{"/see-other", http.MethodGet, ""},
	} {
		t.Run(tt.path, func(t *testing.T) {
			mu.Lock()
			hops = nil
			mu.Unlock()
			req, _ := http.NewRequest(http.MethodPost, front.URL+tt.path, strings.NewReader(activity))
			req.Header.Set("Content-Type", "application/activity+json")
			resp, err := c.DoSigned(context.Background(), req, sign)
			if err != nil || resp.Status != http.StatusAccepted {
				t.Fatalf("DoSigned: %+v, %v", resp, err)
			}
			if req.Header.Get("Signature") != "" || req.Header.Get("Date") != "" {
				t.Fatal("the caller's request was modified")
			}
			mu.Lock()
			defer mu.Unlock()
			if len(hops) != 2 {
				t.Fatalf("%d hops", len(hops))
			}
			want := []hop{
				{front.Listener.Addr().String(), http.MethodPost, activity, nil},
				{inbox.Listener.Addr().String(), tt.hop2Method, tt.hop2Body, nil},
			}
			for i := range want {
				if hops[i] != want[i] {
					t.Errorf("hop %d = %+v, want %+v", i, hops[i], want[i])
				}
			}
		})
	}

	// A signer failure stops the request before anything is sent.
	before := front.hits.Load()
	boom := errors.New("key unavailable")
	req, _ := http.NewRequest(http.MethodPost, front.URL+"/temporary", strings.NewReader(activity))
	_, err = c.DoSigned(context.Background(), req, func(*http.Request, []byte) error { return boom })
	if !errors.Is(err, boom) || front.hits.Load() != before {
		t.Fatalf("failing signer: %v, %d requests sent", err, front.hits.Load()-before)
	}
}
