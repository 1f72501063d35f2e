package node

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.etcd.io/bbolt"
)

// A restore brings a whole database, token table included. It refuses
// another node's backup unless told so explicitly, and it never locks the
// local operator (DATA/local-credential) out.
func TestRestoreChecksTheNodeItCameFrom(t *testing.T) {
	d := startNode(t, t.TempDir(), "127.0.0.1")
	e := startNode(t, t.TempDir(), "127.0.0.2")
	dEditor := d.token("editor")
	d.postJSON("/api/v1/objects", dEditor, interlinkerBody("from-d", "From D", "Da D"))
	backupD := d.do("GET", "/api/v1/backup", d.admin, "", nil)
	if backupD.status != 200 {
		t.Fatalf("backup of D: %d", backupD.status)
	}
	restore := func(query string, body []byte) response {
		return e.do("POST", "/api/v1/restore"+query, e.admin, "application/octet-stream", body)
	}

	// Refused, naming both identities; nothing changes on E.
	p := restore("", backupD.body).problem(t, http.StatusConflict, "other-node-backup")
	detail := p["detail"].(string)
	if !strings.Contains(detail, d.n.PublicURL()) || !strings.Contains(detail, e.n.PublicURL()) || !strings.Contains(detail, "allow_other_node") {
		t.Fatalf("the refusal does not name both nodes and the way out: %q", detail)
	}
	if r := e.do("GET", "/api/v1/tokens", e.admin, "", nil); r.status != 200 {
		t.Fatalf("E's local credential after a refused restore: %d", r.status)
	}
	restore("?allow_other_node=maybe", backupD.body).problem(t, http.StatusBadRequest, "bad-query")

	// A backup that does not say where it came from is refused the same way.
	anon := filepath.Join(t.TempDir(), "anon.db")
	if err := os.WriteFile(anon, backupD.body, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := bbolt.Open(anon, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bbolt.Tx) error { return tx.Bucket([]byte("settings")).Delete([]byte("identity")) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	anonBody, _ := os.ReadFile(anon)
	p = restore("", anonBody).problem(t, http.StatusConflict, "other-node-backup")
	if !strings.Contains(p["detail"].(string), "does not say") {
		t.Fatalf("detail %q", p["detail"])
	}

	// Told explicitly: D's data and tokens come in, E's local credential keeps working.
	if r := restore("?allow_other_node=true", backupD.body); r.status != 200 {
		t.Fatalf("restore with allow_other_node: %d %s", r.status, r.body)
	}
	e.waitReady()
	if r := e.do("GET", "/api/v1/tokens", e.admin, "", nil); r.status != 200 {
		t.Fatalf("E's local credential was locked out by the restore: %d %s", r.status, r.body)
	}
	if c := e.get("/api/v1/status").json(t)["counts"].(map[string]any); c["Interlinker"] != 1.0 {
		t.Fatalf("after restore: %v", c)
	}

	// The restored database now says it is E's: E's own backup of it restores without the flag.
	backupE := e.do("GET", "/api/v1/backup", e.admin, "", nil)
	if r := restore("", backupE.body); r.status != 200 {
		t.Fatalf("restore of E's own backup: %d %s", r.status, r.body)
	}
	e.waitReady()
	if r := e.do("GET", "/api/v1/tokens", e.admin, "", nil); r.status != 200 {
		t.Fatalf("E's local credential after restoring its own backup: %d", r.status)
	}
}

// The operator's credential survives a restore of the node's own backup
// taken before the credential was made (DATA/local-credential deleted and
// remade at a restart).
func TestRestoreKeepsANewerLocalCredential(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t, "127.0.0.1")
	a := startNodeAt(t, dir, addr)
	backup := a.do("GET", "/api/v1/backup", a.admin, "", nil)
	a.n.Close()
	if err := os.Remove(filepath.Join(dir, localCredentialFile)); err != nil {
		t.Fatal(err)
	}
	b := startNodeAt(t, dir, addr)
	if b.admin == a.admin {
		t.Fatal("the restart did not make a new local credential")
	}
	if r := b.do("POST", "/api/v1/restore", b.admin, "application/octet-stream", backup.body); r.status != 200 {
		t.Fatalf("restore: %d %s", r.status, r.body)
	}
	b.waitReady()
	if r := b.do("GET", "/api/v1/tokens", b.admin, "", nil); r.status != 200 {
		t.Fatalf("the local credential was locked out by the restore: %d %s", r.status, r.body)
	}
}

// A refused restore names no file of the server.
func TestRestoreProblemNamesNoServerPath(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	for _, body := range [][]byte{[]byte("not a database"), make([]byte, 8192)} {
		p := tn.do("POST", "/api/v1/restore", tn.admin, "application/octet-stream", body).problem(t, http.StatusUnprocessableEntity, "invalid-backup")
		for _, leak := range []string{tn.dir, ".restore-", "/tmp"} {
			if strings.Contains(string(mustJSON(p)), leak) {
				t.Fatalf("the problem shows %q: %v", leak, p)
			}
		}
	}
}
