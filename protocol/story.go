package protocol

import (
	"slices"
	"strings"
)

// Story is what a finished co-production process tells others (issue 15
// §3): what it set out to do, what came of it, what its participants
// learned, the materials it made, who took part and did what, and the
// interlinkers it used. The process's host drafts it when the process
// finishes; every participant co-signs it, as they co-sign the public
// service the process produced, so a story is a co-produced object like
// that service: valid only with every participant's signature.
type Story struct {
	Type         Kind               `json:"type"`                   // always "Story"
	Key          string             `json:"key"`                    // "story-" and the process's id, lower case
	Title        Text               `json:"title"`                  // mandatory, at least one language
	Summary      Text               `json:"summary"`                // mandatory, at least one language
	Objectives   Text               `json:"objectives,omitempty"`   // what the process set out to do
	Results      Text               `json:"results,omitempty"`      // what came of it
	Lessons      Text               `json:"lessons,omitempty"`      // lessons learned
	Materials    []string           `json:"materials,omitempty"`    // links (absolute http(s) URLs)
	Process      string             `json:"process"`                // the process's IRI (its Group actor)
	Service      string             `json:"service,omitempty"`      // the public service it produced: IRI or identifier
	Governance   string             `json:"governance,omitempty"`   // StoryGovernances
	Languages    []string           `json:"languages,omitempty"`    // BCP 47, the process's languages
	Tags         TextList           `json:"tags,omitempty"`         // keywords, per language
	Participants []StoryParticipant `json:"participants"`           // the co-producers, host first; each signs
	Interlinkers []string           `json:"interlinkers,omitempty"` // IRIs of the interlinkers used
}

// StoryParticipant is one organisation that took part and what it did.
type StoryParticipant struct {
	Organisation  string              `json:"organisation"` // its entity id: its node's public URL
	Name          string              `json:"name,omitempty"`
	Role          string              `json:"role"` // StoryRoles
	Contributions []StoryContribution `json:"contributions,omitempty"`
}

// StoryContribution is what one person (the account or token name that
// acted for the organisation; "" for the organisation itself) did: how many
// signed changes, and how many of each kind (the process's change
// operations: "update-task", "add-asset", ...).
type StoryContribution struct {
	Person  string         `json:"person,omitempty"`
	Changes int            `json:"changes"`
	Kinds   map[string]int `json:"kinds,omitempty"`
}

// StoryGovernances are the governance models a story may name (the
// INTERLINK platform's, as protocol/coproduction.Governances).
var StoryGovernances = []string{"citizen-to-citizen", "citizen-to-government", "government-to-citizen", "government-plus-citizen"}

// StoryRoles are the roles a participant may have had.
var StoryRoles = []string{"initiator", "co-producer", "observer"}

// Kind reports KindStory.
func (*Story) Kind() Kind { return KindStory }

// NaturalKey is Key: one story per process on its host.
func (s *Story) NaturalKey() string { return s.Key }

// Coproducers lists the organisations that co-sign the story: its
// participants' entity ids, in order.
func (s *Story) Coproducers() []string {
	out := make([]string, 0, len(s.Participants))
	for _, p := range s.Participants {
		out = append(out, p.Organisation)
	}
	return out
}

// Coproducers lists the organisations that co-sign the service: its
// coproduced_by.
func (s *PublicService) Coproducers() []string { return s.CoproducedBy }

// Coproduced is implemented by the kinds whose every co-producer signs
// them (PublicService, Story).
type Coproduced interface {
	Entity
	Coproducers() []string
}

// Validate checks every field and returns a *ValidationError listing each
// failure, or nil.
func (s *Story) Validate() error {
	ve := &ValidationError{Kind: KindStory}
	ve.kind("type", s.Type, KindStory)
	ve.Slug("key", s.Key, true)
	ve.Text("title", s.Title, true, MaxNameRunes)
	ve.TextBytes("summary", s.Summary, true, MaxDescriptionBytes)
	ve.TextBytes("objectives", s.Objectives, false, MaxDescriptionBytes)
	ve.TextBytes("results", s.Results, false, MaxDescriptionBytes)
	ve.TextBytes("lessons", s.Lessons, false, MaxDescriptionBytes)
	ve.urlList("materials", s.Materials)
	ve.URL("process", s.Process, true)
	if strings.Contains(s.Service, "://") {
		ve.URL("service", s.Service, false)
	} else {
		ve.String("service", s.Service, false, MaxShortRunes)
	}
	if s.Governance != "" {
		ve.Enum("governance", s.Governance, StoryGovernances...)
	}
	ve.Languages("languages", s.Languages)
	ve.TextList("tags", s.Tags, MaxShortRunes)
	ve.storyParticipants("participants", s.Participants)
	ve.urlList("interlinkers", s.Interlinkers)
	return ve.Err()
}

// urlList checks a list of absolute http(s) URLs, each present once.
func (e *ValidationError) urlList(field string, values []string) {
	if !e.maxItems(field, len(values)) {
		return
	}
	for i, v := range values {
		f := IndexField(field, i)
		e.URL(f, v, true)
		if slices.Index(values, v) < i {
			e.Add(f, "unique", "%q is listed twice", Clip(v, 64))
		}
	}
}

// storyParticipants checks the participants: at least one, each an
// organisation's URL listed once, with a known role and sane counts.
func (e *ValidationError) storyParticipants(field string, ps []StoryParticipant) {
	if len(ps) == 0 {
		e.Add(field, "required", "is required: at least the host")
		return
	}
	if !e.maxItems(field, len(ps)) {
		return
	}
	for i, p := range ps {
		f := IndexField(field, i)
		e.URL(f+".organisation", p.Organisation, true)
		for j := range i {
			if ps[j].Organisation == p.Organisation && p.Organisation != "" {
				e.Add(f+".organisation", "unique", "%q is listed twice", Clip(p.Organisation, 64))
				break
			}
		}
		e.String(f+".name", p.Name, false, MaxNameRunes)
		if p.Role == "" {
			e.Add(f+".role", "required", "is required")
		} else {
			e.Enum(f+".role", p.Role, StoryRoles...)
		}
		if !e.maxItems(f+".contributions", len(p.Contributions)) {
			continue
		}
		for k, c := range p.Contributions {
			cf := IndexField(f+".contributions", k)
			e.String(cf+".person", c.Person, false, MaxShortRunes)
			if c.Changes < 0 {
				e.Add(cf+".changes", "range", "%d is negative", c.Changes)
			}
			if len(c.Kinds) > MaxListItems {
				e.Add(cf+".kinds", "max_items", "has %d kinds, more than %d", len(c.Kinds), MaxListItems)
				continue
			}
			for _, kind := range sortedKeys(c.Kinds) {
				kf := cf + ".kinds." + kind
				if !ValidSlug(kind) {
					e.Add(kf, "slug", "%q is not a kind of change", Clip(kind, 64))
				}
				if c.Kinds[kind] < 0 {
					e.Add(kf, "range", "%d is negative", c.Kinds[kind])
				}
			}
		}
	}
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Index projects the story for search: its title; its summary, objectives,
// results and lessons as the description (per language, so that words of
// any of them find it); its tags and governance model as tags; its
// languages.
func (s *Story) Index() IndexDoc {
	desc := Text{}
	for _, t := range []Text{s.Summary, s.Objectives, s.Results, s.Lessons} {
		for l, v := range t {
			if strings.TrimSpace(v) == "" {
				continue
			}
			if desc[l] != "" {
				desc[l] += "\n\n"
			}
			desc[l] += v
		}
	}
	var tags TextList
	if len(s.Tags) > 0 || s.Governance != "" {
		tags = TextList{}
		for l, vs := range s.Tags {
			tags[l] = slices.Clone(vs)
		}
		if s.Governance != "" {
			for _, l := range s.Title.Languages() {
				if !slices.Contains(tags[l], s.Governance) {
					tags[l] = append(tags[l], s.Governance)
				}
			}
		}
	}
	langs := slices.Clone(s.Languages)
	if len(langs) == 0 {
		langs = textLanguages(s.Title, s.Summary)
	}
	return IndexDoc{Name: s.Title, Description: desc, Tags: tags, Languages: langs}
}
