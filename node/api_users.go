package node

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/api"
)

// usersAPI serves /api/v1/users: people's accounts (admin tokens only).
type usersAPI struct {
	web
	accounts func() *accounts.Service
}

func (h usersAPI) routes(a apiRoutes) {
	a.handle(http.MethodPost, "/users", "users.create", h.require(RoleAdmin, h.handleCreate))
	a.handle(http.MethodGet, "/users", "users.list", h.require(RoleAdmin, h.handleList))
	a.handle(http.MethodPost, "/users/{id}/disable", "users.disable", h.require(RoleAdmin, h.handleEnabled(false)))
	a.handle(http.MethodPost, "/users/{id}/enable", "users.enable", h.require(RoleAdmin, h.handleEnabled(true)))
	a.handle(http.MethodPut, "/users/{id}/password", "users.password", h.require(RoleAdmin, h.handlePassword))
}

// auditAPI records a change made through the API in the accounts' audit
// list, by the token that made it ("token:NAME", the token's id as the
// user id): the same list the admin pages read.
func auditAPI(ctx context.Context, acc *accounts.Service, action, target, detail string) error {
	p := principal(ctx)
	who := accounts.User{ID: "token:" + p.TokenID, Username: "token:" + p.Name}
	return acc.Audit(accounts.WithClient(ctx, accounts.Client{Address: clientIP(ctx)}), who, action, target, detail)
}

func apiUser(u accounts.User) api.User {
	return api.User{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role), Disabled: u.Disabled,
		HasPassword: u.HasPassword, Created: u.Created, Updated: u.Updated, LastSignIn: u.LastSignIn}
}

func (h usersAPI) handleCreate(w http.ResponseWriter, r *http.Request) {
	var req api.UserRequest
	if err := h.decodeRequest(w, r, &req); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	role, err := accounts.ParseRole(req.Role)
	if err != nil {
		h.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "role", "enum", "%v", err))
		return
	}
	if req.Password == "" {
		h.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "password", "required", "a password is required"))
		return
	}
	u, err := h.accounts().CreateUser(r.Context(), accounts.NewUser{Username: req.Username, DisplayName: req.DisplayName, Role: role, Password: req.Password})
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "user created", "user", u, "by", principal(r.Context()).Name)
	if err := auditAPI(r.Context(), h.accounts(), accounts.ActionUserCreate, u.ID, u.Username+" ("+string(u.Role)+")"); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/users/"+u.ID)
	writeJSON(w, http.StatusCreated, apiUser(u))
}

func (h usersAPI) handleList(w http.ResponseWriter, r *http.Request) {
	us, err := h.accounts().List(r.Context())
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	out := api.List[api.User]{Items: make([]api.User, 0, len(us))}
	for _, u := range us {
		out.Items = append(out.Items, apiUser(u))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h usersAPI) handleEnabled(enable bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, acc := mux.Vars(r)["id"], h.accounts()
		change := acc.Disable
		if enable {
			change = acc.Enable
		}
		if err := change(r.Context(), id); err != nil {
			h.writeProblem(w, r, err)
			return
		}
		u, err := acc.User(r.Context(), id)
		if err != nil {
			h.writeProblem(w, r, err)
			return
		}
		h.log.InfoContext(r.Context(), "user changed", "user", u, "disabled", u.Disabled, "by", principal(r.Context()).Name)
		action := accounts.ActionUserDisable
		if enable {
			action = accounts.ActionUserEnable
		}
		if err := auditAPI(r.Context(), acc, action, u.ID, u.Username); err != nil {
			h.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, apiUser(u))
	}
}

func (h usersAPI) handlePassword(w http.ResponseWriter, r *http.Request) {
	var req api.PasswordRequest
	if err := h.decodeRequest(w, r, &req); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	id := mux.Vars(r)["id"]
	if err := h.accounts().SetPassword(r.Context(), id, req.Password, ""); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "user password set", "id", id, "by", principal(r.Context()).Name)
	if err := auditAPI(r.Context(), h.accounts(), accounts.ActionUserPassword, id, ""); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
