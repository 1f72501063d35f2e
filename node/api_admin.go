package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/storage/search"
)

// adminAPI serves the node's health and administration: status, tokens,
// backup and restore.
type adminAPI struct {
	web
	gate         *gate
	store        func() *storage.Store
	index        func() *search.Index
	ids          *protocol.ULIDSource
	now          func() time.Time
	data         string // the data directory (restore uploads land there)
	restoreLimit int64  // api.restore_limit
	identity     identityBook
	accounts     func() *accounts.Service // records token changes in the audit list
	// replace swaps the database for a checked backup file under the
	// gate, keeping what keep names (Node.replaceData).
	replace func(upload string, keep storage.RestoreKeep) error
	// health and requireFed are /readyz's federation checks (readyz.go).
	health     fedHealth
	requireFed bool
}

func (h *adminAPI) routes(api apiRoutes) {
	api.handle(http.MethodGet, "/status", "status", h.handleStatus)
	api.handle(http.MethodPost, "/tokens", "tokens.create", h.require(RoleAdmin, h.handleTokenCreate))
	api.handle(http.MethodGet, "/tokens", "tokens.list", h.require(RoleAdmin, h.handleTokenList))
	api.handle(http.MethodDelete, "/tokens/{id}", "tokens.delete", h.require(RoleAdmin, h.handleTokenDelete))
	api.handle(http.MethodGet, "/backup", "backup", h.require(RoleAdmin, h.handleBackup))
}

func (h *adminAPI) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "alive"})
}

// Status is what GET /api/v1/status and `interlink status --json` show.
type Status struct {
	PublicURL string `json:"public_url"`
	Actor     string `json:"actor"`
	Version   string `json:"version"`
	// Build is the binary's build information (module version, VCS
	// revision, modified tree, times).
	Build  BuildInfo      `json:"build"`
	Counts map[string]int `json:"counts"`
	Health StatusHealth   `json:"health"`
}

// StatusHealth sums up the node's health.
type StatusHealth struct {
	Database      string `json:"database"`
	Index         string `json:"index"`
	IndexLag      uint64 `json:"index_lag"`
	DatabaseBytes int64  `json:"database_bytes"`
}

func (h *adminAPI) status(ctx context.Context) (Status, error) {
	counts, err := h.store().Counts(ctx)
	if err != nil {
		return Status{}, err
	}
	st := Status{PublicURL: h.uris.Base(), Actor: h.uris.Actor(), Version: Build.Version, Build: Build, Counts: map[string]int{}}
	for k, v := range counts {
		st.Counts[string(k)] = v
	}
	st.Health.Database = "ok"
	st.Health.DatabaseBytes = h.store().Size()
	seq, done := h.store().Seq(), h.index().IndexedSeq()
	if seq > done {
		st.Health.IndexLag = seq - done
	}
	st.Health.Index = "ok"
	if !h.index().Ready() {
		st.Health.Index = "catching up"
	}
	return st, nil
}

func (h *adminAPI) handleStatus(w http.ResponseWriter, r *http.Request) {
	st, err := h.status(r.Context())
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (h *adminAPI) handleTokenCreate(w http.ResponseWriter, r *http.Request) {
	raw, err := h.readJSON(w, r)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	var req api.TokenRequest
	if err := protocol.DecodeStrict(raw, &req); err != nil {
		h.writeProblem(w, r, err) // a validation problem naming each field (send {"role": "editor", "name": "..."})
		return
	}
	role, err := accounts.ParseRole(req.Role)
	if err != nil {
		h.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "role", "enum",
			"%q is not one of reader, editor, admin", protocol.Clip(req.Role, 40)))
		return
	}
	if utf8.RuneCountInString(req.Name) > 128 || len(req.Name) > 256 {
		h.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "name", "max_length", "at most 128 characters (256 bytes)"))
		return
	}
	if strings.ContainsFunc(req.Name, unicode.IsControl) {
		h.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "name", "printable",
			"a name is one line of text, without control characters"))
		return
	}
	if req.Name == "" {
		req.Name = string(role)
	}
	var expires time.Time
	if req.ExpiresIn != "" {
		d, err := time.ParseDuration(req.ExpiresIn)
		if err != nil || d <= 0 || d > maxTokenLifetime {
			h.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "expires_in", "duration",
				"%q must be a positive Go duration of at most %s (\"720h\")", protocol.Clip(req.ExpiresIn, 40), maxTokenLifetime))
			return
		}
		expires = h.now().Add(d).UTC()
	}
	t, secret, err := createToken(r.Context(), h.store(), h.ids, h.now(), role, req.Name, expires)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "token created", "id", t.ID, "name", t.Name, "role", t.Role, "expires", t.Expires, "by", principal(r.Context()).Name)
	if err := auditAPI(r.Context(), h.accounts(), accounts.ActionTokenCreate, t.ID, t.Name+" ("+t.Role+")"); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, viewToken(t, secret))
}

func (h *adminAPI) handleTokenList(w http.ResponseWriter, r *http.Request) {
	if _, err := parseQuery(r); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	ts, err := h.store().Tokens().List(r.Context())
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	out := make([]api.Token, 0, len(ts))
	for _, t := range ts {
		out = append(out, viewToken(t, ""))
	}
	writeJSON(w, http.StatusOK, api.List[api.Token]{Items: out})
}

// viewToken is t as the API shows it: never the hash; the secret only in
// the answer that created it.
func viewToken(t storage.Token, secret string) api.Token {
	return api.Token{ID: t.ID, Name: t.Name, Role: t.Role, Created: t.Created, Expires: t.Expires, LastUsed: t.LastUsed, Token: secret}
}

func (h *adminAPI) handleTokenDelete(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	if err := h.store().Tokens().Delete(r.Context(), id); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "token revoked", "id", id, "by", principal(r.Context()).Name)
	if err := auditAPI(r.Context(), h.accounts(), accounts.ActionTokenRevoke, id, ""); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleBackup streams a consistent snapshot of the database taken while the
// node keeps serving.
func (h *adminAPI) handleBackup(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="interlink-%s.db"`, h.now().UTC().Format("20060102T150405Z")))
	if size := h.store().Size(); size > 0 {
		w.Header().Set("X-Database-Size", fmt.Sprint(size))
	}
	written, err := h.store().Backup(r.Context(), w)
	if err != nil {
		if written == 0 {
			h.writeProblem(w, r, err)
			return
		}
		// Headers are gone: abort the connection so the client sees a truncated body, not a complete one.
		h.log.ErrorContext(r.Context(), "backup failed midway", "err", err, "written", written)
		panic(http.ErrAbortHandler)
	}
}

// handleRestore replaces the database with an uploaded backup: the upload is
// written to a file in the data directory and checked; only then are
// requests held, the index and database closed, the file swapped in, and
// both reopened (the index rebuilds, since the restored database has a new
// epoch). A backup that fails the check changes nothing.
//
// The backup must be this node's (its public URL and a federation key this
// node holds, recorded in the database): another node's, or one that does
// not say, is refused unless ?allow_other_node=true. Either way this node's
// identity and its local credential (DATA/local-credential) are written
// into the restored database before it goes live: no restore locks the
// local operator out.
func (h *adminAPI) handleRestore(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, param{name: "allow_other_node", check: oneOf("true", "false")})
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	allowOther := q.get("allow_other_node") == "true"
	tmp, err := os.CreateTemp(h.data, ".restore-*.db")
	if err != nil {
		h.writeProblem(w, r, fmt.Errorf("restore: %w", err))
		return
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, http.MaxBytesReader(w, r.Body, h.restoreLimit))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		h.writeProblem(w, r, errorf(http.StatusRequestEntityTooLarge, "body-too-large", "The backup is too large",
			"the backup exceeds api.restore_limit (%d bytes)", h.restoreLimit))
		return
	}
	if err != nil {
		h.writeProblem(w, r, fmt.Errorf("restore: receive upload: %w", err))
		return
	}
	// Checked first: only an intact database is opened to read its identity.
	var theirs *nodeIdentity
	err = storage.CheckBackup(tmp.Name())
	if err == nil {
		theirs, err = backupIdentity(tmp.Name())
	}
	if be, ok := errors.AsType[*storage.BackupError](err); ok {
		// The reason only: the path of the upload is the server's business.
		h.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "invalid-backup", "Not a usable backup", "body", "backup",
			"%v", be.Reason))
		return
	}
	if err != nil {
		h.writeProblem(w, r, fmt.Errorf("restore: check the upload: %w", err))
		return
	}
	if ours := h.identity.current(); !allowOther && (theirs == nil || !h.identity.isOwn(*theirs)) {
		from := "the backup does not say which node it was taken from (it predates node identities)"
		if theirs != nil {
			from = "the backup was taken from " + theirs.String()
		}
		h.writeProblem(w, r, fieldError(http.StatusConflict, "other-node-backup", "The backup is another node's", "allow_other_node", "same_node",
			"%s; this node is %s. Restoring it replaces this node's catalogue and API tokens with the backup's: "+
				"pass ?allow_other_node=true (interlink restore --allow-other-node) to restore it anyway", from, ours))
		return
	}
	keep, err := h.identity.restoreKeep(r.Context(), h.store())
	if err != nil {
		h.writeProblem(w, r, fmt.Errorf("restore: %w", err))
		return
	}
	start := time.Now()
	if err := h.replace(tmp.Name(), keep); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	counts, _ := h.store().Counts(r.Context())
	h.log.Info("database restored", "duration", time.Since(start), "by", principal(r.Context()).Name,
		"from", identityText(theirs), "other_node", allowOther && (theirs == nil || !h.identity.isOwn(*theirs)))
	out := map[string]int{}
	for k, v := range counts {
		out[string(k)] = v
	}
	writeJSON(w, http.StatusOK, map[string]any{"restored": true, "counts": out, "previous": dbFile + storage.BeforeRestoreSuffix})
}
