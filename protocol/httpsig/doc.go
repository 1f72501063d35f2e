// Package httpsig signs and verifies HTTP requests with draft-cavage HTTP
// Signatures the way Mastodon and the rest of the fediverse use them, on top
// of github.com/go-fed/httpsig.
//
// Signing (Signer.SignRequest) covers "(request-target) host date" and, on a
// request with a body (or any POST, PUT, PATCH), "digest" as well: Date is set
// to the caller's clock in RFC 1123 GMT form, Digest to "SHA-256=" and the
// base64 of the exact body, and the Signature header carries
// algorithm="rsa-sha256" (go-fed itself always writes "hs2019"; Mastodon
// documents rsa-sha256, so the parameter is rewritten — it is not part of the
// signed string). The key id is the actor's "{actor}#main-key".
//
// Verification (Verifier.Verify) applies the rules of the project's
// interoperability notes, in this order, cheapest first so that a malformed
// or stale request never causes a key fetch:
//
//  1. a Signature header must exist (ErrUnsigned);
//  2. it is parsed strictly (ErrBadSignature), and the parsed parameters are
//     handed to go-fed in a canonical form, so that what is checked here and
//     what go-fed verifies can never differ;
//  3. "(request-target)", "host" and "date" (or "(created)") must be signed
//     (ErrMissingHeaders), and "digest" too when the request has a body or is
//     a POST (ErrDigestNotSigned);
//  4. the Digest is recomputed from the exact body, SHA-256 only
//     (ErrDigestMismatch);
//  5. when Verifier.Hosts names this node's hosts, the (signed) Host must be
//     one of them (ErrWrongHost), so that a request signed for another node
//     cannot be replayed to this one;
//  6. Date, created and expires are checked against the window
//     (ErrDateWindow);
//  7. the key is resolved (ErrKeyFetch); its owner must be on the key id's
//     origin (ErrKeyOwner);
//  8. the signature is checked with the request target with and without its
//     query string (Mastodon signs the path only), and with the decoded path
//     when it differs from the escaped one; on failure the key is re-resolved once bypassing caches
//     (key rotation) and checked again, then refused (ErrBadSignature).
//
// Every error wraps exactly one of the sentinel errors so that an inbox can
// map it to its own problem type with errors.Is.
package httpsig
