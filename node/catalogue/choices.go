package catalogue

import (
	"context"
	"slices"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// Choice is an object a form may refer to: its IRI, natural key and name.
type Choice struct {
	IRI, Key string
	Name     protocol.Text
}

// Choices are the objects the editor's forms offer to refer to.
type Choices struct {
	Organisations   []Choice // every live organisation this node holds, by name
	ProblemProfiles []Choice // one per problem profile key (ProblemProfiles), by key
}

// FormChoices reads the organisations and problem profiles this node
// holds (its own and its peers'), for the editor's lists.
func (s *Service) FormChoices(ctx context.Context) (Choices, error) {
	var c Choices
	orgs, err := s.listAll(ctx, map[string][]string{"type": {string(protocol.KindOrganisation)}})
	if err != nil {
		return Choices{}, err
	}
	for _, o := range orgs {
		c.Organisations = append(c.Organisations, choiceOf(o))
	}
	slices.SortFunc(c.Organisations, func(a, b Choice) int {
		return strings.Compare(strings.ToLower(a.Name.Preferred()), strings.ToLower(b.Name.Preferred()))
	})
	pps, err := s.ProblemProfiles(ctx)
	if err != nil {
		return Choices{}, err
	}
	for _, o := range pps {
		c.ProblemProfiles = append(c.ProblemProfiles, choiceOf(o))
	}
	slices.SortFunc(c.ProblemProfiles, func(a, b Choice) int { return strings.Compare(a.Key, b.Key) })
	return c, nil
}

func choiceOf(o protocol.Object) Choice {
	c := Choice{IRI: o.IRI, Key: o.Key}
	if e, err := protocol.DecodeEntity(o.Body); err == nil {
		c.Name = e.Index().Name
	}
	return c
}
