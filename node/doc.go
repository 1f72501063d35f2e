// Package node is the composition root of an interlink node: its typed
// configuration (defaults < YAML file < INTERLINK_* environment < flags,
// validated once), its lifecycle (open the data directory, keys, database and
// search index; serve; stop gracefully), the composition of the data layer a
// restore swaps (data.go) and of the background jobs (jobs.go), the
// gorilla/mux router with the JSON REST API under /api/v1, authentication of
// local users by bearer token, the RFC 9457 problem responses, /healthz,
// /readyz and /metrics.
//
// Handlers are thin and grouped by API area in small types (objectsAPI,
// searchAPI, importAPI, federationAPI, trustAPI, cosignAPI, adminAPI,
// faultsAPI, activityPub, wellKnown, openIDFederation), each holding only the
// services it calls, read through the live data layer at each request: they
// parse and authorise the request, call the application layer
// (node/catalogue) or the federation and trust services, and render. The
// background jobs and the gossip agent live beside what they serve
// (catalogue.Resigner, trust.Rejudger, federation.CosignExpiry,
// federation/peering); node only starts and stops them. Storage transactions
// live in package storage; the derived search index in storage/search.
package node
