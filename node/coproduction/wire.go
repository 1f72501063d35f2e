package coproduction

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

// The wire of a group (FEP-1b12): the group actor, and three activities —
// Create (a participant proposes a signed change to the group's inbox),
// Announce (the group relays each ordered entry to its participants) and
// Invite (the group asks an organisation to join). Receivers act only on
// the JWS the object carries; the AS2 fields are a rendering.

const asContext = "https://www.w3.org/ns/activitystreams"

// MaxActivity caps an inbound activity (an entry may carry a file asset).
const MaxActivity = 2 << 20

// wireActivity is an activity as this package writes and reads it.
type wireActivity struct {
	Context any             `json:"@context,omitempty"`
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Actor   string          `json:"actor"`
	To      []string        `json:"to,omitempty"`
	Object  json.RawMessage `json:"object"`
	Target  string          `json:"target,omitempty"`

	signed *wireSigned // Object, when it carries a JWS
	iri    string      // Object, when it is an IRI
}

// wireSigned is an object that carries a signed document.
type wireSigned struct {
	ID   string          `json:"id"`
	Type string          `json:"type"`
	JWS  json.RawMessage `json:"jws"`
}

// parseActivity reads an inbound activity: the size cap, JSON, a type and
// an object that is either an IRI or an object with a JWS.
func parseActivity(body []byte) (*wireActivity, error) {
	if len(body) > MaxActivity {
		return nil, fmt.Errorf("%w: the activity has more than %d bytes", cp.ErrInvalid, MaxActivity)
	}
	var a wireActivity
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("%w: activity: %w", cp.ErrInvalid, err)
	}
	if a.Type == "" || a.Actor == "" || len(a.Object) == 0 {
		return nil, fmt.Errorf("%w: an activity needs a type, an actor and an object", cp.ErrInvalid)
	}
	obj := bytes.TrimSpace(a.Object)
	switch obj[0] {
	case '"':
		if err := json.Unmarshal(obj, &a.iri); err != nil {
			return nil, fmt.Errorf("%w: object: %w", cp.ErrInvalid, err)
		}
	case '{':
		var s wireSigned
		if err := json.Unmarshal(obj, &s); err != nil {
			return nil, fmt.Errorf("%w: object: %w", cp.ErrInvalid, err)
		}
		if len(s.JWS) > 0 {
			a.signed = &s
		} else {
			a.iri = s.ID
		}
	default:
		return nil, fmt.Errorf("%w: the object is neither an IRI nor an object", cp.ErrInvalid)
	}
	return &a, nil
}

// proposal is the Create a participant sends to the group's inbox.
func proposal(group, actor, changeIRI string, jws []byte) ([]byte, error) {
	return json.Marshal(wireActivity{Context: asContext, ID: changeIRI + "/propose", Type: "Create", Actor: actor, To: []string{group},
		Object: mustJSON(wireSigned{ID: changeIRI, Type: "CoproductionChange", JWS: jws})})
}

// GroupActor is the AS2 document of a process this node hosts.
type GroupActor struct {
	Context           any    `json:"@context"`
	ID                string `json:"id"`
	Type              string `json:"type"`
	Name              string `json:"name"`
	Summary           string `json:"summary,omitempty"`
	PreferredUsername string `json:"preferredUsername"`
	Inbox             string `json:"inbox"`
	Outbox            string `json:"outbox"`
	Followers         string `json:"followers"`
	AttributedTo      string `json:"attributedTo"`
	Host              string `json:"host"`
	Changes           uint64 `json:"changes"`
	Public            bool   `json:"public"`
}

// HistoryPage is a page of a group's ordered history.
type HistoryPage struct {
	Context      any               `json:"@context,omitempty"`
	ID           string            `json:"id"`
	Type         string            `json:"type"`
	PartOf       string            `json:"partOf"`
	TotalItems   uint64            `json:"totalItems"`
	StartIndex   uint64            `json:"startIndex"`
	OrderedItems []json.RawMessage `json:"orderedItems"`
	Next         string            `json:"next,omitempty"`
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
