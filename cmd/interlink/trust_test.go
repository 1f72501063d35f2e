package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// An operator makes an anchor, enrols a node, and an auditor verifies one of
// its objects offline: verified with the anchor pinned, valid but unverified
// without it, refused once tampered with.
func TestAnchorEnrolAndVerifyThroughTheCLI(t *testing.T) {
	isolate(t)
	dataA, dataB := t.TempDir(), t.TempDir()
	urlA := startServeOn(t, "127.0.0.1", dataA, "--set", "federation.allow_private_networks=true", "--set", "name=AgID")

	out := mustRun(t, "anchor", "init", "--data", dataA).stdout
	m := regexp.MustCompile(`kids: \[([A-Za-z0-9_-]{43})\]`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("anchor init printed no pin: %q", out)
	}
	kid := m[1]
	cfg := filepath.Join(t.TempDir(), "b.yaml")
	os.WriteFile(cfg, []byte("federation:\n  allow_private_networks: true\ntrust:\n  authority_hints: [\""+urlA+"\"]\n  anchors:\n    - entity_id: \""+urlA+"\"\n      kids: [\""+kid+"\"]\n"), 0o600)
	urlB := startServeOn(t, "127.0.0.2", dataB, "--config", cfg)

	if out := mustRun(t, "anchor", "enroll", urlB, "--country", "it", "--org-kind", "public_administration", "--name", "Comune di Reggio Emilia", "--data", dataA).stdout; !strings.Contains(out, "enrolled") {
		t.Fatalf("enroll printed %q", out)
	}
	if out := mustRun(t, "anchor", "list", "--data", dataA).stdout; !strings.Contains(out, urlB) || !strings.Contains(out, "active") {
		t.Fatalf("anchor list: %q", out)
	}
	if out := mustRun(t, "trust", "status", "--data", dataB).stdout; !strings.Contains(out, "chain:      verified") || !strings.Contains(out, "Comune di Reggio Emilia") {
		t.Fatalf("trust status of the enrolled node: %q", out)
	}

	// An object of B, as anyone downloads it.
	token := strings.TrimSpace(readAllString(t, filepath.Join(dataB, "local-credential")))
	req, _ := http.NewRequest("POST", urlB+"/api/v1/objects", strings.NewReader(`{"type":"ProblemProfile","key":"pp1","name":{"en":"Low participation"},"description":{"en":"Few residents take part."}}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ IRI string }
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	get, _ := http.NewRequest("GET", created.IRI, nil)
	get.Header.Set("Accept", "application/activity+json")
	resp, err = http.DefaultClient.Do(get)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	file := filepath.Join(t.TempDir(), "object.json")
	os.WriteFile(file, raw, 0o600)

	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"with the node's own pins", []string{"verify", file, "--data", dataB}, 0,
			[]string{"signature   ok", "chain       ok", "Comune di Reggio Emilia (IT, public_administration)", "VERIFIED"}},
		{"with the anchor pinned by flag", []string{"verify", file, "--anchor", urlA + "#" + kid, "--allow-private-networks"}, 0, []string{"VERIFIED"}},
		{"fetched by URL", []string{"verify", created.IRI, "--anchor", urlA + "#" + kid, "--allow-private-networks"}, 0, []string{"VERIFIED"}},
		{"no anchor pinned", []string{"verify", file, "--allow-private-networks"}, exitUnverified,
			[]string{"signature   ok", "chain       FAILED", "no anchor pinned", "NOT VERIFIED"}},
		{"an anchor pinned with another key", []string{"verify", file, "--anchor", urlA + "#" + strings.Repeat("A", 43), "--allow-private-networks"}, exitUnverified,
			[]string{"chain       FAILED"}},
		{"the guard refuses loopback unless allowed", []string{"verify", created.IRI}, exitFetch, []string{"--allow-private-networks"}},
		{"bad anchor flag", []string{"verify", file, "--anchor", urlA}, exitUsage, []string{"ENTITY-URL#KID"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, "", tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.code, r.stdout, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stdout+r.stderr, w) {
					t.Errorf("output lacks %q:\n%s%s", w, r.stdout, r.stderr)
				}
			}
		})
	}

	// Tampered: one character of the signature changed.
	sig := regexp.MustCompile(`"signature":"([A-Za-z0-9_-]{20})`).FindStringSubmatchIndex(string(raw))
	bad := []byte(string(raw))
	i := sig[2] + 10
	if bad[i] == 'A' {
		bad[i] = 'B'
	} else {
		bad[i] = 'A'
	}
	badFile := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(badFile, bad, 0o600)
	r := runCLI(t, "", "verify", badFile, "--data", dataB)
	if r.code != exitError || !strings.Contains(r.stdout, "signature   FAILED") || !strings.Contains(r.stdout, "REFUSED") {
		t.Fatalf("a tampered object: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The body changed under the signature: the signature no longer matches.
	swapped := []byte(strings.Replace(string(raw), `"payload":"ey`, `"payload":"ez`, 1))
	os.WriteFile(badFile, swapped, 0o600)
	if r := runCLI(t, "", "verify", badFile, "--data", dataB); r.code != exitError {
		t.Fatalf("a changed payload: exit %d\n%s", r.code, r.stdout)
	}

	// Revoked after it signed: what it signed before still verifies; its own
	// chain now says revoked.
	time.Sleep(1100 * time.Millisecond)
	mustRun(t, "anchor", "revoke", urlB, "--reason", "test", "--data", dataA)
	if r := runCLI(t, "", "verify", file, "--data", dataB); r.code != 0 {
		t.Fatalf("an object signed before the revocation: exit %d\n%s", r.code, r.stdout)
	}
	if out := mustRun(t, "trust", "status", "--data", dataB).stdout; !strings.Contains(out, "chain:      revoked") {
		t.Fatalf("trust status after the revocation: %q", out)
	}
	if out := mustRun(t, "anchor", "list", "--data", dataA).stdout; !strings.Contains(out, "revoked") {
		t.Fatalf("anchor list after the revocation: %q", out)
	}
}

// Co-production through the CLI: the co-signer's editor lists, reads and
// approves the request; the origin's drafts show it published. Then a
// content key rotation.
func TestCosignAndKeyRotationThroughTheCLI(t *testing.T) {
	isolate(t)
	dataA, dataB := t.TempDir(), t.TempDir()
	fed := []string{"--set", "federation.allow_private_networks=true", "--set", "federation.retry_base=100ms"}
	urlA := startServeOn(t, "127.0.0.1", dataA, append(fed, "--set", "federation.follow_policy=open")...)
	urlB := startServeOn(t, "127.0.0.2", dataB, fed...)

	// Without pinned anchors a node takes co-sign requests only from nodes
	// it follows (docs/trust.md): B follows A.
	mustRun(t, "follow", urlA+"/actor", "--data", dataB)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if strings.Contains(mustRun(t, "peers", "--data", dataB).stdout, "accepted") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("A never accepted B's follow")
		}
	}

	token := strings.TrimSpace(readAllString(t, filepath.Join(dataA, "local-credential")))
	body := `{"type":"PublicService","identifier":"shared-desk","title":{"en":"Shared desk"},"description":{"en":"Run together."},` +
		`"competent_authority":"` + urlA + `/actor","coproduced_by":["` + urlB + `/actor"]}`
	req, _ := http.NewRequest("POST", urlA+"/api/v1/objects", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("a co-produced service: %d, want 202 (a draft)", resp.StatusCode)
	}
	if out := mustRun(t, "cosign", "drafts", "--data", dataA).stdout; !strings.Contains(out, "pending") || !strings.Contains(out, urlB) {
		t.Fatalf("drafts before the co-signature: %q", out)
	}

	var id string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline) && id == ""; time.Sleep(50 * time.Millisecond) {
		out := mustRun(t, "cosign", "list", "--status", "pending", "--data", dataB).stdout
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) > 1 {
			id = strings.Fields(lines[1])[0]
		}
	}
	if id == "" {
		t.Fatal("the co-signer never listed the request")
	}
	if out := mustRun(t, "cosign", "show", id, "--data", dataB).stdout; !strings.Contains(out, "shared-desk") || !strings.Contains(out, urlA) {
		t.Fatalf("cosign show: %q", out)
	}
	if out := mustRun(t, "cosign", "approve", id, "--data", dataB).stdout; !strings.Contains(out, "approved") {
		t.Fatalf("cosign approve: %q", out)
	}
	if r := runCLI(t, "", "cosign", "approve", id, "--data", dataB); r.code != exitError || !strings.Contains(r.stderr, "already") {
		t.Fatalf("a second approval: exit %d %s", r.code, r.stderr)
	}
	var drafts string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if drafts = mustRun(t, "cosign", "drafts", "--data", dataA).stdout; strings.Contains(drafts, "published") {
			break
		}
	}
	if !strings.Contains(drafts, "published") {
		t.Fatalf("drafts after the co-signature: %q", drafts)
	}

	out := mustRun(t, "trust", "keys", "rotate", "content", "--data", dataA).stdout
	if strings.Count(out, "content key") != 2 || !strings.Contains(out, "retired") || !strings.Contains(out, "active") {
		t.Fatalf("rotate content: %q", out)
	}
	if r := runCLI(t, "", "trust", "keys", "rotate", "federation", "--promote", "--data", dataA); r.code != exitError || !strings.Contains(r.stderr, "rotate first") {
		t.Fatalf("promote without a next key: exit %d %s", r.code, r.stderr)
	}
}
