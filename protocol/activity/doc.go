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
// ActivityStreams Page: Mastodon shows Note and Question natively and turns
// Article, Page, Event, Image, Video and Audio into a post whose text is the
// name, the summary and a link; a Note's summary would become a content
// warning hiding the text, and other types are dropped from timelines. A
// Page thus reads as "name / summary / link" on Mastodon, and Article would
// claim an authored text that a catalogue entry is not. The kind travels in
// catalogueEntry.meta.type. name is English (else the first language in
// tag order) and nameMap has every language; summary is the description as
// plain text cut at about SummaryRunes characters; content is the description
// as escaped HTML paragraphs (HTML in descriptions, as some INTERLINK seed
// entries have, is reduced to text first, so nothing a peer wrote is passed
// on as markup); url is the object IRI, followed by Links to an
// interlinker's external URIs, a service's CPSV-AP IRI, an organisation's
// homepage, or an adoption's instance and adopted object; tag holds
// Hashtags from tags and keywords; to is Public and cc the followers.
// Adoptions and ratings get a generated English name ("Comune di X adopted
// Y", "Comune di X rated Y 4/5"), with WithLabels naming the organisation
// and the target when the caller knows them. A deleted object is a
// Tombstone with formerType Page and deleted, still carrying catalogueEntry
// (its meta, no body). published and updated are to the second; the exact
// times are in catalogueEntry.meta. The entity body is embedded as stored
// (encoding/json compacts it; canonical bodies are compact already), and
// ParseObject returns it byte for byte as received.
//
// Activities: Create, Update and Delete (object: a Tombstone) for every
// change of a local object, adoptions and ratings included (they are
// catalogue objects like any other); Follow, Accept{Follow}, Reject{Follow},
// Undo{Follow} between nodes; Announce to re-share an object by IRI. Public
// activities go to the Public collection with the followers in cc.
package activity
