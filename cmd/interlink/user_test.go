package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/node/api"
)

// TestUserCommands: create reads the password from standard input; list
// prints a table; disable, enable and passwd find the user by name.
func TestUserCommands(t *testing.T) {
	isolate(t)
	var got []string
	var created api.UserRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+r.URL.Path+" "+string(b))
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "POST" && r.URL.Path == "/api/v1/users":
			_ = json.Unmarshal(b, &created)
			w.WriteHeader(201)
			_ = json.NewEncoder(w).Encode(api.User{ID: "U1", Username: created.Username, Role: created.Role})
		case r.Method == "GET" && r.URL.Path == "/api/v1/users":
			_ = json.NewEncoder(w).Encode(api.List[api.User]{Items: []api.User{{ID: "U1", Username: "alice", Role: "editor"}}})
		case r.Method == "PUT":
			w.WriteHeader(204)
		default:
			_ = json.NewEncoder(w).Encode(api.User{ID: "U1", Username: "alice", Role: "editor"})
		}
	}))
	defer srv.Close()
	flags := []string{"--server", srv.URL, "--token", "tok"}
	r := runCLI(t, "Secret-Passw0rd!\n", append([]string{"user", "create", "alice", "--role", "editor"}, flags...)...)
	if r.code != exitOK || created.Password != "Secret-Passw0rd!" || created.Role != "editor" || !strings.Contains(r.stdout, "U1") {
		t.Fatalf("create: %d %q %+v %s", r.code, r.stdout, created, r.stderr)
	}
	if r := runCLI(t, "", append([]string{"user", "create", "bob", "--role", "editor"}, flags...)...); r.code == exitOK {
		t.Fatal("create without a password on stdin succeeded")
	}
	if r := runCLI(t, "x\n", append([]string{"user", "create", "bob", "--role", "boss"}, flags...)...); r.code == exitOK {
		t.Fatal("create with a bad role succeeded")
	}
	if r := mustRun(t, append([]string{"user", "list"}, flags...)...); !strings.Contains(r.stdout, "alice") || !strings.Contains(r.stdout, "USERNAME") {
		t.Fatalf("list: %s", r.stdout)
	}
	mustRun(t, append([]string{"user", "disable", "alice"}, flags...)...)
	mustRun(t, append([]string{"user", "enable", "alice"}, flags...)...)
	if r := runCLI(t, "Another-Passw0rd!\n", append([]string{"user", "passwd", "alice"}, flags...)...); r.code != exitOK {
		t.Fatalf("passwd: %d %s", r.code, r.stderr)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"POST /api/v1/users/U1/disable", "POST /api/v1/users/U1/enable", `PUT /api/v1/users/U1/password {"password":"Another-Passw0rd!"}`} {
		if !strings.Contains(all, want) {
			t.Errorf("no request %q in\n%s", want, all)
		}
	}
}
