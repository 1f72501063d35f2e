// Package federation is what happens between interlink nodes over
// ActivityPub: the inbox (verify, authorise, apply once), publishing
// (activities enqueued with the change they announce), the delivery workers
// (signed at send time, per-host limits, backoff with jitter, Retry-After,
// circuit breaker, dead letters), the follow graph and its policy, backfill
// of a followed node's catalogue from its outbox, and remote actors and
// their keys. Every remote fetch goes through the one safe client of
// federation/transport; HTTP signatures are made and checked by
// protocol/httpsig; the wire format is protocol/activity's.
//
// Service is the agent that composes these parts. node owns its lifecycle
// and routes HTTP requests to it; storage owns every transaction.
package federation
