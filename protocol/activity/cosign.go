package activity

import (
	"encoding/json"
	"fmt"
	"time"

	vocab "github.com/go-ap/activitypub"
	"github.com/interlink-project/interlink-node/protocol"
)

// Co-production travels as an Offer and its answer (docs/trust.md):
//
//	Offer  {actor: origin, object: the draft Page with its partly signed jws, target: the co-signer's actor}
//	Accept {actor: co-signer, object: {id: the Offer, type: Offer, actor: origin}, result: the co-signer's signature (a JWS)}
//	Reject {actor: co-signer, object: {id: the Offer, type: Offer, actor: origin}, summary: why}

// offerDoc is an Offer; field order is member order.
type offerDoc struct {
	Context   []any      `json:"@context,omitempty"`
	ID        string     `json:"id"`
	Type      string     `json:"type"`
	Actor     string     `json:"actor"`
	Object    *objectDoc `json:"object"`
	Target    string     `json:"target"`
	Published string     `json:"published,omitempty"`
	To        []string   `json:"to"`
}

// Offer asks the actor target to co-sign obj, a draft version of this node
// whose JWS carries this node's signature and lists target's node among its
// cosigners.
func Offer(u protocol.URIs, id string, obj protocol.Object, target string, at time.Time) ([]byte, error) {
	if !protocol.ValidHTTPURL(target) {
		return nil, fmt.Errorf("activity: Offer: target %q is not an absolute http or https URL", protocol.Clip(target, 96))
	}
	if len(obj.JWS) == 0 {
		return nil, fmt.Errorf("activity: Offer of %s: the draft carries no jws to co-sign", protocol.Clip(obj.IRI, 96))
	}
	a, err := newActivity(u, id, vocab.OfferType, at)
	if err != nil {
		return nil, err
	}
	doc, err := objectDocument(u, obj, nil)
	if err != nil {
		return nil, fmt.Errorf("activity: Offer: %w", err)
	}
	return encode("Offer", offerDoc{Context: a.Context, ID: a.ID, Type: a.Type, Actor: a.Actor, Object: doc, Target: target,
		Published: a.Published, To: []string{target}})
}

// offerRef is the Offer an answer embeds.
type offerRef struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Actor string `json:"actor"`
}

type answerDoc struct {
	Context   []any           `json:"@context,omitempty"`
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	Actor     string          `json:"actor"`
	Object    offerRef        `json:"object"`
	Result    json.RawMessage `json:"result,omitempty"`
	Summary   string          `json:"summary,omitempty"`
	Published string          `json:"published,omitempty"`
	To        []string        `json:"to"`
}

// AnswerOffer accepts (with result: this node's signature, a JWS holding
// only it) or rejects (with summary: why) the Offer offerIRI that
// offerActor sent.
func AnswerOffer(u protocol.URIs, id string, accept bool, offerIRI, offerActor string, result json.RawMessage, reason string, at time.Time) ([]byte, error) {
	typ := vocab.RejectType
	if accept {
		typ = vocab.AcceptType
		if len(result) == 0 {
			return nil, fmt.Errorf("activity: Accept of the Offer %s: no signature", protocol.Clip(offerIRI, 96))
		}
	}
	for _, v := range []string{offerIRI, offerActor} {
		if !protocol.ValidHTTPURL(v) {
			return nil, fmt.Errorf("activity: %s of an Offer: %q is not an absolute http or https URL", typ, protocol.Clip(v, 96))
		}
	}
	a, err := newActivity(u, id, typ, at)
	if err != nil {
		return nil, err
	}
	return encode(string(typ), answerDoc{Context: a.Context, ID: a.ID, Type: a.Type, Actor: a.Actor,
		Object: offerRef{ID: offerIRI, Type: string(vocab.OfferType), Actor: offerActor}, Result: result, Summary: protocol.Clip(reason, 512),
		Published: a.Published, To: []string{offerActor}})
}

// OfferAnswer reads the result (the co-signer's signature) and summary of
// an Accept or Reject of an Offer from its raw document.
func OfferAnswer(raw []byte) (result json.RawMessage, summary string, err error) {
	var doc struct {
		Result  json.RawMessage `json:"result"`
		Summary any             `json:"summary"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, "", fmt.Errorf("activity: answer of an Offer: %w", err)
	}
	if s, ok := doc.Summary.(string); ok {
		summary = protocol.Clip(s, 512)
	}
	return doc.Result, summary, nil
}
