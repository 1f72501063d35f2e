// Package federation is what happens between interlink nodes over
// ActivityPub: the inbox (verify, authorise, apply once), publishing
// (activities enqueued with the change they announce), the delivery workers
// (signed at send time, per-host limits, backoff with jitter, Retry-After,
// circuit breaker, dead letters), the follow graph and its policy, backfill
// of a followed node's catalogue from its outbox, remote actors and their
// keys in every form deployed servers publish them (actors.go, bounded
// cache), and authorized fetch (fetchauth.go). Every remote fetch goes
// through the one safe client of federation/transport, signed except
// WebFinger; HTTP signatures are made and checked by protocol/httpsig; the
// wire format is protocol/activity's. docs/interop.md describes what this
// means for Mastodon, GoToSocial, Akkoma and Misskey.
//
// Service is the agent that composes these parts: the inbox and the follow
// graph are its own methods; its outbound deliveries (deliverer, deliver.go
// and pause.go), its catch-up (backfiller, backfill.go) and co-production
// (Coproduction, cosign.go, with the CosignExpiry job) are parts of their
// own that share its store, client and trust layer. The gossip agent that
// acts on membership is the sub-package peering. node owns their
// lifecycles and routes HTTP requests to them; storage owns every
// transaction.
package federation
