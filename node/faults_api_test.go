package node

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func withFaults(cfg *Config) {
	fedConfig(cfg)
	cfg.Testing.Faults = true
}

func TestFaultsEndpointOffByDefault(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	tn.do(http.MethodGet, "/api/v1/testing/faults", tn.admin, "", nil).problem(t, http.StatusNotFound, "testing-disabled")
	tn.do(http.MethodPut, "/api/v1/testing/faults", tn.admin, "application/json", []byte(`{}`)).
		problem(t, http.StatusNotFound, "testing-disabled")
	if tn.n.Faults() != nil {
		t.Fatal("a node without testing.faults has a fault set")
	}
}

func TestFaultsEndpoint(t *testing.T) {
	tn := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.1"), withFaults)
	reader := tn.token("reader")
	tests := []struct {
		name   string
		token  string
		body   string
		status int
		want   string // problem name, or a substring of the JSON answer
	}{
		{"anonymous", "", `{}`, http.StatusUnauthorized, "unauthorized"},
		{"reader", reader, `{}`, http.StatusForbidden, "forbidden"},
		{"bad latency", tn.admin, `{"latency":"soon"}`, http.StatusUnprocessableEntity, "validation"},
		{"bad entry", tn.admin, `{"partition":["127.0.0.2:99999"]}`, http.StatusUnprocessableEntity, "validation"},
		{"unknown field", tn.admin, `{"drop":0.5}`, http.StatusUnprocessableEntity, "validation"},
		{"malformed", tn.admin, `{`, http.StatusBadRequest, "malformed-json"},
		{"set", tn.admin, `{"partition":["127.0.0.2:8080"],"latency":"5ms","clock_skew":"+10m"}`, http.StatusOK,
			`{"partition":["127.0.0.2:8080"],"latency":"5ms","clock_skew":"+10m0s"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tn.do(http.MethodPut, "/api/v1/testing/faults", tt.token, "application/json", []byte(tt.body))
			if tt.status != http.StatusOK {
				p := r.problem(t, tt.status, tt.want)
				if tt.status == http.StatusUnprocessableEntity && tt.want == "validation" && p["errors"] == nil {
					t.Fatalf("a validation problem names no field: %s", r.body)
				}
				return
			}
			if r.status != http.StatusOK || strings.TrimSpace(string(r.body)) != tt.want {
				t.Fatalf("%d %s, want %s", r.status, r.body, tt.want)
			}
		})
	}
	got := tn.do(http.MethodGet, "/api/v1/testing/faults", tn.admin, "", nil)
	if got.status != http.StatusOK || !strings.Contains(string(got.body), `"clock_skew":"+10m0s"`) {
		t.Fatalf("GET after PUT: %d %s", got.status, got.body)
	}
	// The node's clock is skewed: a new object's created time is ~10 minutes ahead.
	r := tn.postJSON("/api/v1/objects", tn.admin, interlinkerBody("skewed", "Skewed", "Sfasato", "P1"))
	created, err := time.Parse(time.RFC3339Nano, r.json(t)["created"].(string))
	if err != nil {
		t.Fatalf("created: %v (%s)", err, r.body)
	}
	if ahead := time.Until(created); ahead < 9*time.Minute || ahead > 11*time.Minute {
		t.Fatalf("created %s is %s ahead, want about 10m", created, ahead)
	}
}

// TestPartitionAndHeal: two nodes that block each other exchange nothing;
// once healed, the delivery queue brings the object over.
func TestPartitionAndHeal(t *testing.T) {
	a := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.1"), withFaults)
	b := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.2"), withFaults)
	b.follow(t, a)
	put := func(tn *testNode, body string) {
		t.Helper()
		if r := tn.do(http.MethodPut, "/api/v1/testing/faults", tn.admin, "application/json", []byte(body)); r.status != http.StatusOK {
			t.Fatalf("PUT faults: %d %s", r.status, r.body)
		}
	}
	put(a, `{"partition":["`+strings.TrimPrefix(b.url, "http://")+`"]}`)
	put(b, `{"partition":["`+strings.TrimPrefix(a.url, "http://")+`"]}`)
	r := a.postJSON("/api/v1/objects", a.admin, interlinkerBody("partitioned", "Partitioned", "Partizionato", "P1"))
	iri := r.json(t)["iri"].(string)
	time.Sleep(700 * time.Millisecond)
	if st, _ := b.object(iri); st == http.StatusOK {
		t.Fatal("the object crossed the partition")
	}
	put(a, `{}`)
	put(b, `{}`)
	eventually(t, 15*time.Second, "the object arrives after the heal", func() bool {
		st, _ := b.object(iri)
		return st == http.StatusOK
	})
}
