package web

import (
	"context"
	"errors"
	"sort"
	"strconv"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// storyView is what a story's page shows beyond its title and summary: the
// parts of what it tells, in the reader's language where it has it, who
// took part and did what, what it made and used, and where it came from.
type storyView struct {
	Parts        []storyPart
	Materials    []string
	Process      string // the process's IRI: its host's page for a browser
	Service      link   // the public service it produced (Href empty: not held here)
	Governance   string
	Participants []storyParticipant
	Interlinkers []link
}

type storyPart struct {
	Label, Text, Lang string
}

type storyParticipant struct {
	Name, Organisation, Role string
	Contributions            []storyContribution
}

type storyContribution struct {
	Person  string
	Changes int
	Kinds   []string // "update-task: 3", by count
}

// storyOf builds the view of a story; objects it names that this node holds
// link to their pages here, the others to their IRIs.
func (h *Handler) storyOf(ctx context.Context, loc *locale, s *protocol.Story) (*storyView, error) {
	v := &storyView{Materials: s.Materials, Process: s.Process}
	for _, p := range []struct {
		label string
		text  protocol.Text
	}{{"story.objectives", s.Objectives}, {"story.results", s.Results}, {"story.lessons", s.Lessons}} {
		if t, lang := text(p.text, loc.Tag); t != "" {
			v.Parts = append(v.Parts, storyPart{Label: loc.T(p.label), Text: plainText(t), Lang: lang})
		}
	}
	if s.Governance != "" {
		v.Governance = loc.T("process.governance." + s.Governance)
	}
	held := func(iri string) (link, error) {
		obj, err := h.d.Catalogue().ObjectByIRI(ctx, iri)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return link{Href: iri, Name: iri}, nil
		case err != nil:
			return link{}, err
		}
		return objLink(loc, obj), nil
	}
	if s.Service != "" {
		v.Service = link{Name: s.Service}
		if protocol.ValidHTTPURL(s.Service) {
			l, err := held(s.Service)
			if err != nil {
				return nil, err
			}
			v.Service = l
		}
	}
	for _, iri := range s.Interlinkers {
		l, err := held(iri)
		if err != nil {
			return nil, err
		}
		v.Interlinkers = append(v.Interlinkers, l)
	}
	for _, p := range s.Participants {
		sp := storyParticipant{Name: p.Name, Organisation: p.Organisation, Role: loc.T("process.role." + p.Role)}
		for _, c := range p.Contributions {
			sc := storyContribution{Person: c.Person, Changes: c.Changes}
			ops := make([]string, 0, len(c.Kinds))
			for op := range c.Kinds {
				ops = append(ops, op)
			}
			sort.Slice(ops, func(i, j int) bool {
				if c.Kinds[ops[i]] != c.Kinds[ops[j]] {
					return c.Kinds[ops[i]] > c.Kinds[ops[j]]
				}
				return ops[i] < ops[j]
			})
			for _, op := range ops {
				sc.Kinds = append(sc.Kinds, op+": "+strconv.Itoa(c.Kinds[op]))
			}
			sp.Contributions = append(sp.Contributions, sc)
		}
		v.Participants = append(v.Participants, sp)
	}
	return v, nil
}
