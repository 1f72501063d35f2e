package node

// problemTypes is every problem type the node answers with (RFC 9457
// "type": {public_url}/problems/{name}): the one table that
// GET /problems/{name} explains (problems_http.go). TestProblemTypesResolve
// walks the code for every problem name it emits and fails when one is
// missing here.
var problemTypes = []problemType{
	// The API: requests.
	{"validation", 422, "The request or object is invalid", "A field of the body breaks a rule of the data model: a required field is missing, a value is out of its range or not in its list, a text is too long.", "Read errors[]: each names the field and the rule it breaks. Fix those fields and send the request again."},
	{"malformed-json", 400, "The body is not well-formed JSON", "The body could not be parsed as JSON, or holds a member the API does not know (the API reads JSON strictly), or a value of the wrong type.", "Check the body with a JSON validator; errors[] names the member. Send only the members the API documents (GET /api/v1/openapi.json)."},
	{"malformed-yaml", 400, "The body is not well-formed YAML", "A publiccode.yml import could not be parsed as YAML.", "The detail names the line; fix the document's syntax and import it again."},
	{"malformed-body", 400, "The body cannot be read", "The request body is empty where one is needed, or was cut short.", "Send the whole body with the Content-Type the endpoint takes."},
	{"invalid-utf8", 400, "The body is not UTF-8", "Text in the body is not valid UTF-8.", "Encode the body as UTF-8."},
	{"body-too-large", 413, "The body is too large", "The body exceeds the node's limit (api.body_limit; api.restore_limit for a backup; 1 MiB for an activity).", "Send a smaller body, split an import, or ask the operator to raise the limit."},
	{"unsupported-media-type", 415, "Unsupported media type", "The endpoint does not take the body's Content-Type.", "Send the Content-Type the endpoint documents: application/json for the API, application/activity+json for an inbox."},
	{"bad-query", 400, "Bad query", "A query parameter is unknown, repeated, or its value is not allowed (a limit out of range, a filter that does not exist, a malformed cursor).", "Read errors[]: it names the parameter. GET /api/v1/openapi.json lists the parameters of each endpoint."},
	{"bad-precondition", 400, "Bad If-Match header", "If-Match must carry the ETag of the version being changed (its number first, e.g. \"3\").", "Send the ETag that GET returned for the object, or no If-Match at all."},
	{"method-not-allowed", 405, "Method not allowed", "The path exists but does not answer this HTTP method.", "Use one of the methods listed in the Allow header."},
	{"not-found", 404, "Not found", "Nothing is stored under this identifier, or no route has this path.", "Check the identifier (GET /api/v1/objects lists them) and the path."},
	{"gone", 410, "The object was deleted", "The object existed but its origin deleted it; its last version is a tombstone.", "Remove your references to it."},
	{"conflict", 409, "Conflict", "The object changed since you read it (If-Match names an older version), or a unique value such as a username is taken.", "Fetch the object again, apply your change to the current version and retry; or choose another value."},
	{"key-exists", 409, "An object with this key exists", "Another live object of this type already has the same natural key (for example the same URL of an interlinker).", "Update the existing object (its IRI is in \"existing\") instead of creating a new one."},
	{"not-owner", 403, "Not this node's object", "Only the origin node of an object may change or delete it; this object comes from another node.", "Ask the object's origin node (its \"origin\") to change it."},
	{"internal", 500, "Internal error", "The node failed to handle the request. The text of the failure is in the node's log, not in the answer.", "Retry later. Operators: find the request_id of the answer in the node's log."},
	{"not-ready", 503, "The node is not ready", "The node is restoring a backup, shutting down, or its database is closed.", "Retry in a few seconds; GET /readyz says when the node serves again."},
	{"rate-limited", 429, "Too many requests", "The sender exceeded the inbox rate limit (federation.inbox_rate and inbox_burst).", "Wait for the time in Retry-After and send again; a well-behaved server spreads its deliveries."},
	// Authentication and roles.
	{"unauthorized", 401, "Authentication required", "The request carries no valid bearer token, or the token is unknown or was revoked.", "Send Authorization: Bearer TOKEN with a token made by `interlink token create`."},
	{"token-expired", 401, "The token expired", "The bearer token is past the expiry it was made with.", "Ask an administrator for a new token (`interlink token create --expires-in ...`)."},
	{"forbidden", 403, "Not allowed for this role", "The token's role (reader, editor, admin) is below what the endpoint needs.", "Use a token with the role the endpoint documents."},
	// Administration.
	{"invalid-backup", 422, "Not a usable backup", "The uploaded file is not an intact interlink database (truncated, corrupted, or another format).", "Upload the file `interlink backup` wrote, unchanged."},
	{"other-node-backup", 409, "The backup is another node's", "The backup was taken from another node (or does not say which): restoring it replaces this node's catalogue and tokens with the other node's.", "Restore it anyway with ?allow_other_node=true (interlink restore --allow-other-node) if that is what you want."},
	{"key-operation", 409, "The key operation is refused", "The key rotation or revocation asked for cannot be done in the key ring's current state (no next key to promote, revoking the active key).", "Rotate first, then promote or revoke; GET /api/v1/trust shows the keys and their states."},
	{"testing-disabled", 404, "Fault injection is off", "The fault injection endpoint exists only on nodes of a test federation (testing.faults: true).", "Never enable it in production; use `interlink testnet` for tests."},
	// Trust administration.
	{"not-an-authority", 409, "This node does not vouch for others", "Enrolment and revocation of subordinates need the anchor or intermediate role.", "Run `interlink anchor init` on the node that should vouch, or send the request to your anchor."},
	{"not-subordinate", 404, "Not enrolled here", "The entity is not a subordinate of this node.", "Check the entity id; GET /api/v1/anchor/subordinates lists them."},
	{"trust-request", 422, "The trust request is refused", "The enrolment request is incomplete or inconsistent (entity id, keys, identity).", "Read the detail and correct the request."},
	// Federation (the API side).
	{"follow-failed", 502, "The peer could not be followed", "The peer's actor could not be resolved or its inbox did not take the Follow.", "Check the peer's address and that it is up; the detail says what failed."},
	{"cosign-failed", 502, "The co-producers could not be asked to sign", "A co-produced object needs every co-producer's signature; the request could not reach at least one of them.", "Check that the co-producers' nodes are up and follow this node, and retry."},
	{"cosign-refused", 409, "The co-sign request cannot be answered", "The request was already decided, expired, or its draft changed.", "GET /api/v1/cosign/requests shows the request's status."},
	// Inbox: HTTP signatures.
	{"unsigned", 401, "The request is not signed", "An inbox takes only requests with an HTTP signature (draft-cavage HTTP Signatures, as Mastodon sends them).", "Sign the request with the actor's key, including (request-target), host, date and digest."},
	{"bad-signature", 401, "The HTTP signature does not verify", "The signature does not match the request with the signer's public key.", "Check the signed headers and that the key id names the key that signed."},
	{"digest-mismatch", 401, "The Digest does not match the body", "The Digest header is not the SHA-256 of the body received.", "Compute the Digest over the exact bytes sent."},
	{"digest-not-signed", 401, "The Digest is not signed", "A POST must sign its Digest header.", "Add digest to the signature's headers."},
	{"stale-date", 401, "The Date is outside the accepted window", "The signed Date is too far from this node's clock (federation.date_window): a replay, or a skewed clock.", "Synchronise the sender's clock (NTP) and send a fresh request."},
	{"missing-signed-headers", 401, "Signed headers are missing", "The signature does not cover a header the inbox requires ((request-target), host, date, digest).", "Sign every required header."},
	{"key-unavailable", 401, "The signing key could not be fetched", "The key named by keyId could not be fetched or read.", "Make the key document reachable over HTTPS, and check keyId."},
	{"key-owner", 401, "The key's owner is on another origin", "The key document names an owner on another origin than the key itself.", "Publish the key on its actor's origin."},
	{"key-not-actor", 401, "The key is not the actor's", "The request is signed with a key of another actor than the activity's actor.", "Sign with the key of the activity's actor."},
	{"wrong-host", 401, "Signed for another host", "The signed Host is not this node's public host: the request was meant for, or captured on, another node.", "Sign the request for this node's host."},
	{"blocked", 403, "The sender is blocked", "The sender's host is on this node's block list (federation.block_domains), or not on its allow list (federation.allow_domains).", "Ask this node's operator."},
	// Inbox: activities.
	{"malformed-activity", 400, "The activity cannot be read", "The body is not an ActivityStreams activity this node understands.", "Send a valid JSON-LD activity (Create, Update, Delete, Follow, Accept, Reject, Undo, Offer)."},
	{"foreign-origin", 403, "The activity is on another origin", "An activity's id, or the object it carries, is not on the sending actor's origin.", "Send only activities about your own actor's objects."},
	{"invalid-object", 422, "The object is invalid", "The object an activity carries breaks the data model.", "Fix the object at its origin and send it again."},
	{"unsigned-object", 422, "The object carries no JWS", "Catalogue objects travel with their signed form (the jws member).", "Send the object's JWS as its origin signed it."},
	{"stale-version", 409, "The version is not newer", "The node already holds this version of the object or a later one: nothing was applied.", "Nothing to do: the receiver is up to date."},
	{"object-gone", 409, "The object was deleted", "Its origin deleted the object; a later change changes nothing.", "Nothing to do."},
	{"version-gap", 409, "A version is missing", "The received version does not follow the version held, and the missing versions cannot be had from the origin.", "The origin should serve every version of its objects (GET .../versions/N)."},
	{"version-gap-unavailable", 503, "A missing version could not be fetched", "The versions between the held and the received one could not be fetched from the origin just now.", "The sender retries after Retry-After; nothing to do unless it persists."},
	{"not-our-actor", 422, "Not this node's actor", "A Follow names another actor than this node's.", "Send the Follow to the actor it names."},
	{"unknown-follow", 422, "Unknown Follow", "An Accept or Reject answers a Follow this node did not send.", "Answer the Follow this node sent (its id)."},
	{"actor-unavailable", 502, "The actor could not be fetched", "The follower's actor document could not be fetched, so the Follow cannot be answered.", "Make the actor reachable and send the Follow again."},
	// Inbox: co-production.
	{"offer-too-large", 413, "The co-sign request is too large", "A draft offered for co-signing exceeds the size a co-sign request may carry.", "Make the draft smaller."},
	{"not-a-cosigner", 422, "This node is not a co-signer", "The draft does not list this node among its co-signers.", "Send the Offer only to the nodes the draft lists."},
	{"cosign-untrusted", 403, "The requester is not trusted", "The sender has no trust chain to an anchor this node pins and this node does not follow it.", "Enrol with an anchor this node pins, or ask this node to follow you."},
	{"cosign-quota", 429, "Too many co-sign requests waiting", "The sender already has the maximum of co-sign requests waiting for a decision here.", "Retry after some are decided (Retry-After)."},
	{"coproducer-not-signed", 403, "A co-producer did not sign", "The object names co-producers whose signatures are missing.", "Collect every co-producer's signature before publishing."},
	// Co-production processes (/api/v1/processes and the groups' inboxes).
	{"invalid-change", 422, "The change is invalid", "The change breaks a rule of the process model: an unknown operation, a missing or malformed field, a progress out of 0-100, a date that is not YYYY-MM-DD, an item key already taken, or a change the process's status does not allow (it is finished).", "Read the detail: it names the rule. Fix the change and send it again; GET /api/v1/processes/{id} shows the process as it is."},
	{"stale-change", 409, "The item changed since the version you edited", "The change was made against an older revision of the item (If-Match or base): another participant changed it in between, and applying yours would overwrite theirs.", "Fetch the process again (GET /api/v1/processes/{id}), apply your change to the item's current revision (its rev) and send it again."},
	{"change-forbidden", 403, "The change is not permitted", "The participant that signed the change has no right to it in this process: it is an observer, was removed, left, or its grants do not cover the item.", "Ask the process's administrators for the right over that part of the tree, or have a participant who holds it make the change."},
	{"not-host", 409, "This node does not host the process", "The request is one only the process's host can answer (ordering a change, answering a join request), and this node only takes part in it.", "Send it to the process's host (its \"host\"), or through the group's inbox."},
	{"broken-history", 502, "The process's history does not verify", "An entry of the process's history is missing, out of order, not signed by its author or not ordered by the host, or the state it folds to differs from the one stated: the history cannot be trusted.", "Operators: compare the history with the host's (GET /processes/{id}/history) and report it to the host's operator; nothing from the broken entry on is applied."},
	{"host-unavailable", 502, "The process's host did not take the change", "The change was signed, but the process's host refused it or could not be reached, and it could not be queued.", "Read the detail for the host's answer; retry when the host is up. Changes the node queued are answered 202 and sent by themselves."},
	{"process-archived", 409, "The process is an archive", "This node holds the process as an archive imported from a bundle: it keeps it read-only and takes no change for it, since it neither hosts nor takes part in it.", "Propose the change through a node that takes part in the process, or ask its host for an invitation."},
	{"process-held", 409, "This node holds the live process", "The bundle is of a process this node hosts or takes part in (or was invited to, or left): it holds the live process and its history, which a bundle does not replace.", "Nothing to import: read the process as this node holds it (GET /api/v1/processes/{id}); import the bundle on another node."},
	{"bundle-conflict", 409, "The bundle conflicts with the history held", "An entry of the bundle differs from the entry this node holds at the same place (the error names it): the two histories forked, so one of them was not what the host ordered.", "Compare both with the host's history (GET {process}/history) and report it to the host's operator; the archive held stays as it is."},
	{"invalid-bundle", 422, "The bundle does not verify", "The bundle is not a process bundle (format interlink-process-bundle/1), or one of its entries or changes is not signed by its host or author with a key their trust chain vouches for, breaks the chain of prev or a rule of the process model, or the state it states is not what its history folds to.", "Read the detail: it names the entry and the rule. Export the bundle again from a node that holds the process; `interlink verify BUNDLE` checks it offline."},
	{"group-unreachable", 503, "The group could not be read", "An invitation or an entry came for a process whose group actor this node could not fetch back just now to check it.", "The sender retries after a while; nothing to do unless it persists, then check that the host is reachable."},
	// Inbox: signed objects and trust chains.
	{"signer-revoked", 403, "The signer was revoked", "The signer's trust chain carries a revocation by its superior.", "Ask the signer's superior why; a revoked node's objects are refused."},
	{"key-revoked", 403, "The signing key was revoked", "The key that signed was marked compromised by its owner.", "Re-sign with the owner's current key."},
	{"key-retired", 403, "The signing key was retired", "The key that signed was retired before the signature was made.", "Re-sign with the owner's active key."},
	{"unverified-signer", 503, "The signer has no trust chain yet", "The signer's chain to an anchor this node pins could not be resolved (not enrolled yet, or a superior unreachable).", "The sender retries after Retry-After; enrol the signer with an anchor this node pins."},
	{"not-acceptable", 406, "No acceptable format", "The Accept header names no format this endpoint can answer in.", "Ask for one of the formats the endpoint lists (for exports: application/ld+json, text/turtle or application/rdf+xml)."},
	{"not-software", 422, "Not a software interlinker", "Only software interlinkers are described by publiccode.yml; this object is knowledge or a service.", "Export it as JSON or CPSV-AP instead."},
	{"cannot-export", 422, "Cannot be exported in this format", "The object lacks what the format requires (for publiccode.yml: an SPDX licence and a URL).", "Edit the object to add what the detail names, then export it again."},
	{"unknown-content-key", 503, "The signing key is not known yet", "The JWS is signed with a key the signer's entity configuration, as this node last read it, does not list; the signer may have rotated its key since, and this node may read the configuration again only after a short interval.", "Retry after the Retry-After interval (senders do so by themselves); a key the signer really does not publish is refused with jws-untrusted-key once the configuration has been read again."},
	{"jws-untrusted-key", 403, "The signing key is not listed", "The JWS is signed with a key the signer's entity configuration does not list.", "Sign with a key the signer publishes."},
	{"jws-too-large", 413, "The JWS is too large", "The signed object exceeds the size limit.", "Make the object smaller."},
	{"jws-malformed", 400, "The JWS is malformed", "The signed form is not a JWS in general JSON serialization.", "Send the JWS as its origin signed it."},
	{"jws-algorithm", 422, "Unsupported JWS algorithm", "The JWS uses an algorithm this federation does not accept (EdDSA only).", "Sign with Ed25519 (EdDSA)."},
	{"jws-header", 422, "Bad JWS header", "A protected header is missing or not allowed.", "Sign with the headers the protocol requires."},
	{"jws-type", 422, "Bad JWS type", "The JWS typ is not the one for catalogue objects.", "Sign with the catalogue object type."},
	{"jws-kid", 422, "Bad JWS key id", "The kid header is missing or malformed.", "Name the signing key's thumbprint in kid."},
	{"jws-signature-count", 422, "Wrong number of signatures", "The JWS carries more signatures than its payload lists signers.", "Sign once per listed signer."},
	{"jws-duplicate-signer", 422, "A signer signed twice", "Two signatures of the JWS are by the same signer.", "Sign once per signer."},
	{"jws-payload", 422, "Invalid JWS payload", "The signed payload is not a valid catalogue object version.", "Fix the object at its origin."},
	{"jws-unlisted-signer", 403, "A signature is by an unlisted signer", "A signature is by an entity the payload does not list as a signer.", "List every signer in the payload."},
	{"jws-missing-cosigner", 403, "A co-signer's signature is missing", "The payload lists a co-signer whose signature is not in the JWS.", "Collect every co-signer's signature."},
	{"jws-bad-signature", 403, "A JWS signature does not verify", "A signature does not match the payload with the signer's key.", "Send the JWS unchanged, as signed."},
	{"jws-expired", 403, "The signature expired", "The JWS is past its expiry (exp).", "The origin re-signs its objects before they expire; fetch the current version."},
	{"jws-not-yet-valid", 403, "The signature is not valid yet", "The JWS was issued in the future (iat beyond the clock skew).", "Synchronise the signer's clock."},
	{"jws-forged-origin", 403, "The object claims another origin", "The signed object's IRI is not on its signer's origin.", "Objects are signed by their origin only."},
	{"jws-prev-mismatch", 409, "The previous version does not match", "The JWS names a previous version that differs from the one this node holds.", "The origin's history diverged; report it to the origin's operator."},
	{"jws-rollback", 409, "The version goes backwards", "The signed version number is lower than one already seen from this signer.", "Nothing to apply: send the newest version."},
	{"jws-replayed-jti", 409, "The signature was already used", "The JWS id (jti) was seen before with another content: a replay.", "Sign each version with a fresh jti."},
	{"jws-equivocation", 409, "Two versions with one number", "The signer signed two different versions with the same number; both are kept as evidence (GET /api/v1/trust/equivocations).", "Operators: investigate the signer; its key may be compromised."},
	{"jws-unverifiable", 403, "The JWS cannot be verified", "The signed object could not be verified for another reason (the detail says which).", "Read the detail and fix the signature at its origin."},
}

// problemType is one entry of problemTypes.
type problemType struct {
	Name        string // the last segment of the type URI
	Status      int    // the HTTP status it comes with
	Title       string
	Explanation string // what it means
	Action      string // what to do
}

// problemTypeByName finds a problem type.
func problemTypeByName(name string) (problemType, bool) {
	for _, p := range problemTypes {
		if p.Name == name {
			return p, true
		}
	}
	return problemType{}, false
}
