package protocol

import (
	"strings"
	"time"
)

// Adoption is an organisation's declaration that it runs or uses an object
// (an interlinker, a public service): signed, so "used by" is verifiable.
type Adoption struct {
	Type         Kind   `json:"type"`               // always "Adoption"
	Object       string `json:"object"`             // IRI of the adopted object (absolute http(s) URL)
	Organisation string `json:"organisation"`       // IRI or name of the adopting organisation
	Instance     string `json:"instance,omitempty"` // IRI of the adopter's own service instance
	Note         Text   `json:"note,omitempty"`
	Since        string `json:"since,omitempty"` // date the adopter started, YYYY-MM-DD
}

// Rating is an organisation's rating of an object, 1 to 5.
type Rating struct {
	Type         Kind   `json:"type"`         // always "Rating"
	Object       string `json:"object"`       // IRI of the rated object (absolute http(s) URL)
	Organisation string `json:"organisation"` // IRI or name of the rating organisation
	Value        int    `json:"value"`        // 1..5
	Comment      Text   `json:"comment,omitempty"`
}

// The bounds of Rating.Value.
const (
	MinRating = 1
	MaxRating = 5
)

// Kind reports KindAdoption.
func (*Adoption) Kind() Kind { return KindAdoption }

// NaturalKey is empty: adoptions have no key in any source format.
func (*Adoption) NaturalKey() string { return "" }

// Validate checks every field and returns a *ValidationError listing each
// failure, or nil.
func (a *Adoption) Validate() error {
	ve := &ValidationError{Kind: KindAdoption}
	ve.kind("type", a.Type, KindAdoption)
	ve.URL("object", a.Object, true)
	ve.organisationRef("organisation", a.Organisation)
	ve.URL("instance", a.Instance, false)
	ve.TextBytes("note", a.Note, false, MaxDescriptionBytes)
	if a.Since != "" {
		if _, err := time.Parse(time.DateOnly, a.Since); err != nil || len(a.Since) != len(time.DateOnly) {
			ve.Add("since", "format", "%q is not a date YYYY-MM-DD", Clip(a.Since, 32))
		}
	}
	return ve.Err()
}

// Index projects the adoption: Target is the adopted object's IRI.
func (a *Adoption) Index() IndexDoc {
	return IndexDoc{Description: a.Note, Target: a.Object, Languages: textLanguages(a.Note)}
}

// Kind reports KindRating.
func (*Rating) Kind() Kind { return KindRating }

// NaturalKey is empty: ratings have no key in any source format.
func (*Rating) NaturalKey() string { return "" }

// Validate checks every field and returns a *ValidationError listing each
// failure, or nil.
func (r *Rating) Validate() error {
	ve := &ValidationError{Kind: KindRating}
	ve.kind("type", r.Type, KindRating)
	ve.URL("object", r.Object, true)
	ve.organisationRef("organisation", r.Organisation)
	if r.Value < MinRating || r.Value > MaxRating {
		ve.Add("value", "range", "%d is not between %d and %d", r.Value, MinRating, MaxRating)
	}
	ve.TextBytes("comment", r.Comment, false, MaxDescriptionBytes)
	return ve.Err()
}

// Index projects the rating: Target is the rated object's IRI.
func (r *Rating) Index() IndexDoc {
	return IndexDoc{Description: r.Comment, Target: r.Object, Languages: textLanguages(r.Comment)}
}

// organisationRef checks an organisation given by IRI or by name: required,
// single-line, at most MaxNameRunes; when it has a URL scheme ("...://") it
// must be an absolute http(s) URL.
func (e *ValidationError) organisationRef(field, value string) {
	if strings.Contains(value, "://") {
		e.URL(field, value, true)
		return
	}
	e.String(field, value, true, MaxNameRunes)
}
