// Package node is the composition root of an interlink node: its typed
// configuration (defaults < YAML file < INTERLINK_* environment < flags,
// validated once), its lifecycle (open the data directory, keys, database and
// search index; serve; stop gracefully), the gorilla/mux router with the JSON
// REST API under /api/v1, authentication of local users by bearer token, the
// RFC 9457 problem responses, /healthz, /readyz and /metrics.
//
// Handlers are thin: they parse and authorise the request, call the catalogue
// processing (catalogue.go), and render. Storage transactions live in package
// storage; the derived search index in storage/search.
package node
