// Package transport is the node's one outbound HTTP client: every remote
// fetch (actors, keys, outboxes, WebFinger, NodeInfo, federation endpoints)
// and every delivery goes through a Client, so that the protections against
// server-side request forgery and hostile peers live in one place:
//
//   - a dial-time guard (net.Dialer.Control) that refuses loopback,
//     link-local, private, CGNAT, unspecified, multicast and other
//     special-purpose addresses, including their IPv4-mapped and embedded
//     forms, on the resolved IP, so DNS names (and DNS rebinding) pointing
//     there are refused too; Options.AllowPrivateNetworks lifts it for test
//     federations on loopback;
//   - no proxy from the environment (a proxy would connect on our behalf and
//     bypass the guard);
//   - http and https only, on the first request and on each redirect hop;
//     at most Options.MaxRedirects hops, each re-checked by the guard; no
//     https → http downgrade;
//   - connect, response-header and total timeouts;
//   - a response body cap applied after transparent gzip decoding, so a
//     gzip bomb stops at the cap;
//   - one pooled, kept-alive http.Transport per Client, with a per-host
//     connection limit (Options.MaxConnsPerHost) that bounds concurrent
//     deliveries to one peer.
//
// Requests can be signed at send time by a caller-provided SignFunc
// (DoSigned): every hop, redirects included, is signed just before it goes
// on the wire, with the Date of that moment.
package transport
