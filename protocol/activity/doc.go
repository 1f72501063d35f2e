// Package activity is the one conversion layer between the domain model
// (protocol.Object, protocol.Meta, the entities) and ActivityStreams 2.0 as
// ActivityPub servers exchange it: the node's actor document, catalogue
// objects, the activities that carry them, paged collections, WebFinger and
// NodeInfo, and the media types of content negotiation. It is pure code: no
// network, no disk, no clock (callers pass times and ULIDs in). Every IRI it
// writes comes from protocol.URIs.
//
// # Writing and reading
//
// Documents are written by encoding/json from small structs of this package
// whose field order is the member order of the output, with HTML escaping
// off, so the bytes are deterministic (golden tests pin them). The vocabulary
// (type names, the sets of activity, actor, object and collection types, the
// Public collection) is github.com/go-ap/activitypub's. go-ap's own encoder
// is not used for output: it writes IRIs without JSON escaping, booleans as
// strings, a Link's preview under "rel", and a single-language value under
// the plain name, all of which peers would misread.
//
// Incoming documents are read in four steps: (1) the strict decoder's
// checks (protocol/strictjson: a size cap of MaxDocumentBytes, one JSON
// value, valid UTF-8, no duplicate keys, nesting at most
// protocol.MaxJSONDepth); (2) normalisation of the shapes real servers
// send: a "type" array becomes its first ActivityStreams type (all kept in
// Types), prefixed or expanded type names ("as:Page") are shortened, an
// unknown type is decoded as Object (or Activity when the node has an actor)
// and reported as sent, the Public collection written as "as:Public" or
// "Public" becomes its full IRI, and escapes such as "https:\/\/" are
// undone; "to", "cc", "tag", "url" and "attributedTo" are read whether they
// hold one value or an array; (3)
// go-ap's decoder reads the normalised document (ids, types, actor, object,
// audiences, times, urls, inboxes); (4) what go-ap drops is read from the
// normalised JSON beside it: language maps (go-ap keeps only one of name and
// nameMap), "tag" hashtags, "formerType" and "deleted" details, "publicKey"
// given as an array, "manuallyApprovesFollowers", and our extension, which is
// read from the original bytes so that an entity body comes back byte for
// byte. Extra @context entries are ignored.
//
// # JSON-LD context
//
// Objects and activities carry
//
//	"@context": [
//	  "https://www.w3.org/ns/activitystreams",
//	  {
//	    "@version": 1.1,
//	    "interlink": "https://w3id.org/interlink/ns#",
//	    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
//	    "Hashtag": "as:Hashtag",
//	    "catalogueEntry": {"@id": "interlink:entry", "@type": "@json"},
//	    "orgKind": "interlink:orgKind",
//	    "country": "interlink:country"
//	  }
//	]
//
// and the actor adds "https://w3id.org/security/v1" (publicKey, owner,
// publicKeyPem) after the ActivityStreams context. The namespace
// https://w3id.org/interlink/ns# is the one protocol/cpsv uses.
// catalogueEntry is typed @json (JSON-LD 1.1, hence "@version": 1.1) so that
// a JSON-LD processor keeps it as one JSON literal instead of interpreting
// its members. It holds {"meta": protocol.Meta, "body": the entity's JSON}:
// every domain field, losslessly. orgKind (public_administration,
// citizen_group, non_profit, for_profit) and country (ISO 3166-1 alpha-2)
// sit on the actor.
//
// # Object types, and why
//
// Every catalogue object, whatever its kind (Interlinker, PublicService,
// Organisation, ProblemProfile, CoproductionSchema, Adoption, Rating), is an
// ActivityStreams Note (note.go): the one type every Mastodon-API server
// shows in full. Mastodon 4 turns Article and Page into their name, summary
// and a link, dropping the content; GoToSocial, Akkoma and Misskey read any
// summary as a content warning over the text; Akkoma and Pleroma prepend a
// non-empty name to the content. So the Note has neither name nor summary:
// its content holds, per language, the name in bold, the description as
// plain text cut at about SummaryRunes characters, a link to the object's
// page (its IRI, which answers browsers with HTML), every text escaped (HTML in
// descriptions, as some INTERLINK seed entries have, is reduced to text
// first, so nothing a peer wrote is passed on as markup). contentMap holds
// every language, the preferred (English, else the first in tag order)
// first, since Mastodon takes a post's language from its first entry;
// content is the preferred one followed by the hashtags as links to this
// node's search page (once, not in every language). The kind travels in
// catalogueEntry.meta.type, the full entity in catalogueEntry.body: nodes
// read those, never the rendering. url is the object IRI, followed by Links
// to an interlinker's external URIs, a service's CPSV-AP IRI, an
// organisation's homepage, or an adoption's instance and adopted object;
// tag holds Hashtags (with href) from tags and keywords; to is Public and
// cc the followers. Adoptions and ratings get a generated English name
// ("Comune di X adopted Y", "Comune di X rated Y 4/5"), with WithLabels
// naming the organisation and the target when the caller knows them. A
// deleted object is a Tombstone with formerType Note and deleted, still
// carrying catalogueEntry (its meta, no body). Nodes before this rendering
// sent Pages (name, summary, content): both parsers still read them.
// published and updated are to the second; the exact times are in
// catalogueEntry.meta. The entity body is embedded as stored (encoding/json
// compacts it; canonical bodies are compact already), and ParseObject
// returns it byte for byte as received.
//
// Activities: Create, Update and Delete (object: a Tombstone) for every
// change of a local object, adoptions and ratings included (they are
// catalogue objects like any other); Follow, Accept{Follow}, Reject{Follow},
// Undo{Follow} between nodes; Announce to re-share an object by IRI. Public
// activities go to the Public collection with the followers in cc.
package activity
