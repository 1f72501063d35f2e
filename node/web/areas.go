package web

// The pages are grouped by area, each a type over the Handler (which keeps
// the sessions, rendering and the catalogue's read-only pages), so that no
// type carries every page's methods.

// EditorPages are the editors' forms: publish, edit, import.
type EditorPages struct{ *Handler }

// AdminPages are the administrators' pages: follows, followers, dead
// letters, accounts, tokens, the audit list.
type AdminPages struct{ *Handler }

// UsesPages are what signed-in people do with an object: adopt, rate,
// compare versions, and the co-signing inbox.
type UsesPages struct{ *Handler }

// ProcessPages are the co-production processes' pages.
type ProcessPages struct{ *Handler }

// OIDCPages are the sign-in through the organisation's identity provider.
type OIDCPages struct{ *Handler }

// Editor returns the editors' pages.
func (h *Handler) Editor() EditorPages { return EditorPages{h} }

// Admin returns the administrators' pages.
func (h *Handler) Admin() AdminPages { return AdminPages{h} }

// Uses returns the pages of adopting, rating, comparing and co-signing.
func (h *Handler) Uses() UsesPages { return UsesPages{h} }

// Processes returns the co-production processes' pages.
func (h *Handler) Processes() ProcessPages { return ProcessPages{h} }

// OIDC returns the identity provider's sign-in pages.
func (h *Handler) OIDC() OIDCPages { return OIDCPages{h} }
