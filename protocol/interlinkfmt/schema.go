package interlinkfmt

import (
	"errors"
	"fmt"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// wireProblemProfile is one member of problemprofiles.json.
type wireProblemProfile struct {
	Description   protocol.Text `json:"description_translations"`
	Functionality protocol.Text `json:"functionality_translations"`
	ID            string        `json:"id"`
	Name          protocol.Text `json:"name_translations"`
}

// wireSchema is a schema's metadata.json.
type wireSchema struct {
	Author       string            `json:"author"`
	Description  protocol.Text     `json:"description_translations"`
	Environments []string          `json:"environments"`
	ID           string            `json:"id"`
	Languages    []string          `json:"languages"`
	Licence      string            `json:"licence"`
	Name         protocol.Text     `json:"name_translations"`
	Tags         protocol.TextList `json:"tags_translations"`
}

// wirePhase is one phases/<name>.json. Every member is written, as
// INTERLINK's phase schema requires.
type wirePhase struct {
	Description        protocol.Text      `json:"description_translations"`
	ID                 string             `json:"id"`
	IsPartOfCodelivery bool               `json:"is_part_of_codelivery"`
	Name               protocol.Text      `json:"name_translations"`
	Objectives         []wireObjective    `json:"objectives"`
	Prerequisites      []wirePrerequisite `json:"prerequisites"`
}

type wireObjective struct {
	Description     protocol.Text      `json:"description_translations"`
	ID              string             `json:"id"`
	Name            protocol.Text      `json:"name_translations"`
	Prerequisites   []wirePrerequisite `json:"prerequisites"`
	ProblemProfiles []string           `json:"problemprofiles"`
	Tasks           []wireTask         `json:"tasks"`
}

type wireTask struct {
	Description     protocol.Text      `json:"description_translations"`
	ID              string             `json:"id"`
	Name            protocol.Text      `json:"name_translations"`
	Prerequisites   []wirePrerequisite `json:"prerequisites"`
	ProblemProfiles []string           `json:"problemprofiles"`
}

type wirePrerequisite struct {
	Item   string `json:"item"`
	Status string `json:"status,omitempty"`
	Type   string `json:"type,omitempty"`
}

// DecodeProblemProfiles decodes problemprofiles.json (a JSON array) and
// validates every profile. Errors name the field ("[3].name_translations").
func DecodeProblemProfiles(raw []byte) ([]*protocol.ProblemProfile, error) {
	var ws []wireProblemProfile
	if err := protocol.DecodeStrict(raw, &ws); err != nil {
		return nil, kindErr(err, protocol.KindProblemProfile)
	}
	ve := &protocol.ValidationError{Kind: protocol.KindProblemProfile}
	out := make([]*protocol.ProblemProfile, 0, len(ws))
	seen := map[string]int{}
	for i, w := range ws {
		p := &protocol.ProblemProfile{
			Type:          protocol.KindProblemProfile,
			Key:           w.ID,
			Name:          text(w.Name),
			Description:   text(w.Description),
			Functionality: text(w.Functionality),
		}
		prefix := protocol.IndexField("", i)
		appendWireErrors(ve, prefix, p.Validate())
		if j, dup := seen[w.ID]; dup && w.ID != "" {
			ve.Add(prefix+".id", "duplicate", "%q is already the id of [%d]", w.ID, j)
		}
		seen[w.ID] = i
		out = append(out, p)
	}
	if err := ve.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// EncodeProblemProfiles renders problem profiles as problemprofiles.json.
func EncodeProblemProfiles(ps []*protocol.ProblemProfile) ([]byte, error) {
	ws := make([]map[string]any, 0, len(ps))
	for _, p := range ps {
		m := map[string]any{
			"id":                       p.Key,
			"name_translations":        orEmptyText(p.Name),
			"description_translations": orEmptyText(p.Description),
		}
		setText(m, "functionality_translations", p.Functionality)
		ws = append(ws, m)
	}
	return marshal(ws)
}

// DecodeSchemaMetadata decodes a schema's metadata.json. The schema it
// returns has no phases yet (see DecodePhase and OrderPhases) and is not
// validated: validate it once its phases are in place.
func DecodeSchemaMetadata(raw []byte) (*protocol.CoproductionSchema, error) {
	var w wireSchema
	if err := protocol.DecodeStrict(raw, &w); err != nil {
		return nil, kindErr(err, protocol.KindCoproductionSchema)
	}
	return &protocol.CoproductionSchema{
		Type:            protocol.KindCoproductionSchema,
		Key:             w.ID,
		Name:            text(w.Name),
		Description:     text(w.Description),
		Tags:            textList(w.Tags),
		Author:          w.Author,
		LicenceCategory: w.Licence,
		Languages:       list(w.Languages),
		Environments:    list(w.Environments),
	}, nil
}

// EncodeSchemaMetadata renders a schema's metadata.json (without phases).
func EncodeSchemaMetadata(s *protocol.CoproductionSchema) ([]byte, error) {
	m := map[string]any{
		"id":                       s.Key,
		"name_translations":        orEmptyText(s.Name),
		"description_translations": orEmptyText(s.Description),
		"tags_translations":        orEmptyTextList(s.Tags),
		"author":                   s.Author,
	}
	setString(m, "licence", s.LicenceCategory)
	setList(m, "languages", s.Languages)
	setList(m, "environments", s.Environments)
	return marshal(m)
}

// DecodePhase decodes one phases/<name>.json. The phase is validated with
// its schema (keys and prerequisites span the whole schema).
func DecodePhase(raw []byte) (protocol.Phase, error) {
	var w wirePhase
	if err := protocol.DecodeStrict(raw, &w); err != nil {
		return protocol.Phase{}, kindErr(err, protocol.KindCoproductionSchema)
	}
	p := protocol.Phase{
		Key:                w.ID,
		Name:               text(w.Name),
		Description:        text(w.Description),
		Prerequisites:      prerequisites(w.Prerequisites),
		IsPartOfCodelivery: w.IsPartOfCodelivery,
	}
	for _, wo := range w.Objectives {
		o := protocol.Objective{
			Key:             wo.ID,
			Name:            text(wo.Name),
			Description:     text(wo.Description),
			ProblemProfiles: list(wo.ProblemProfiles),
			Prerequisites:   prerequisites(wo.Prerequisites),
		}
		for _, wt := range wo.Tasks {
			o.Tasks = append(o.Tasks, protocol.Task{
				Key:             wt.ID,
				Name:            text(wt.Name),
				Description:     text(wt.Description),
				ProblemProfiles: list(wt.ProblemProfiles),
				Prerequisites:   prerequisites(wt.Prerequisites),
			})
		}
		p.Objectives = append(p.Objectives, o)
	}
	return p, nil
}

// EncodePhase renders one phase file.
func EncodePhase(p protocol.Phase) ([]byte, error) {
	w := wirePhase{
		Description:        orEmptyText(p.Description),
		ID:                 p.Key,
		IsPartOfCodelivery: p.IsPartOfCodelivery,
		Name:               orEmptyText(p.Name),
		Objectives:         []wireObjective{},
		Prerequisites:      wirePrerequisites(p.Prerequisites),
	}
	for _, o := range p.Objectives {
		wo := wireObjective{
			Description:     orEmptyText(o.Description),
			ID:              o.Key,
			Name:            orEmptyText(o.Name),
			Prerequisites:   wirePrerequisites(o.Prerequisites),
			ProblemProfiles: orEmptyList(o.ProblemProfiles),
			Tasks:           []wireTask{},
		}
		for _, t := range o.Tasks {
			wo.Tasks = append(wo.Tasks, wireTask{
				Description:     orEmptyText(t.Description),
				ID:              t.Key,
				Name:            orEmptyText(t.Name),
				Prerequisites:   wirePrerequisites(t.Prerequisites),
				ProblemProfiles: orEmptyList(t.ProblemProfiles),
			})
		}
		w.Objectives = append(w.Objectives, wo)
	}
	return marshal(w)
}

func prerequisites(ws []wirePrerequisite) []protocol.Prerequisite {
	if len(ws) == 0 {
		return nil
	}
	out := make([]protocol.Prerequisite, len(ws))
	for i, w := range ws {
		out[i] = protocol.Prerequisite{Item: w.Item, Type: w.Type, Status: w.Status}
	}
	return out
}

func wirePrerequisites(ps []protocol.Prerequisite) []wirePrerequisite {
	out := make([]wirePrerequisite, len(ps))
	for i, p := range ps {
		out[i] = wirePrerequisite{Item: p.Item, Type: p.Type, Status: p.Status}
	}
	return out
}

// OrderPhases puts phases in process order: a phase comes after every phase
// its prerequisites name; phases not constrained keep their relative input
// order. Prerequisites naming something other than a phase do not order
// phases. It fails when phase prerequisites form a cycle.
func OrderPhases(phases []protocol.Phase) ([]protocol.Phase, error) {
	index := make(map[string]int, len(phases))
	for i, p := range phases {
		if _, dup := index[p.Key]; !dup {
			index[p.Key] = i
		}
	}
	indegree := make([]int, len(phases))
	after := make([][]int, len(phases)) // after[j]: phases that need phase j
	for i, p := range phases {
		for _, pr := range p.Prerequisites {
			if j, ok := index[pr.Item]; ok && j != i {
				indegree[i]++
				after[j] = append(after[j], i)
			} else if ok {
				return nil, fmt.Errorf("phase %q requires itself", p.Key)
			}
		}
	}
	out := make([]protocol.Phase, 0, len(phases))
	done := make([]bool, len(phases))
	for len(out) < len(phases) {
		next := -1
		for i := range phases { // the first ready phase in input order
			if !done[i] && indegree[i] == 0 {
				next = i
				break
			}
		}
		if next < 0 {
			var stuck []string
			for i, p := range phases {
				if !done[i] {
					stuck = append(stuck, p.Key)
				}
			}
			return nil, fmt.Errorf("phase prerequisites form a cycle among %s", strings.Join(stuck, ", "))
		}
		done[next] = true
		out = append(out, phases[next])
		for _, i := range after[next] {
			indegree[i]--
		}
	}
	return out, nil
}

// wireNames maps the model's field names to the seed's.
var wireNames = map[string]string{
	"key":                         "id",
	"name":                        "name_translations",
	"description":                 "description_translations",
	"tags":                        "tags_translations",
	"functionality":               "functionality_translations",
	"licence_category":            "licence",
	"problem_profiles":            "problemprofiles",
	"instructions":                "instructions_translations",
	"constraints_and_limitations": "constraints_and_limitations_translations",
	"regulations_and_standards":   "regulations_and_standards_translations",
	"asset_name":                  "asset_name_translations",
	"file":                        "file_translations",
	"uri":                         "uri_translations",
	"software_interlinker":        "softwareinterlinker",
}

// wireField renames a model field path ("phases[1].objectives[0].name.en")
// to the seed's names ("phases[1].objectives[0].name_translations.en").
// Segments after a multilingual field are language tags and stay as they are.
func wireField(field string) string {
	segs := strings.Split(field, ".")
	for i, s := range segs {
		base, rest, _ := strings.Cut(s, "[")
		w, ok := wireNames[base]
		if !ok {
			continue
		}
		if rest != "" {
			w += "[" + rest
		}
		segs[i] = w
		if strings.HasSuffix(w, "_translations") || base == "file" || base == "uri" {
			break
		}
	}
	return strings.Join(segs, ".")
}

// appendWireErrors adds the failures of a Validate error to ve, with field
// paths in the seed's names and prefixed by prefix ("[3]").
func appendWireErrors(ve *protocol.ValidationError, prefix string, err error) {
	if err == nil {
		return
	}
	var vErr *protocol.ValidationError
	if !errors.As(err, &vErr) {
		ve.Add(prefix, "invalid", "%v", err)
		return
	}
	for _, fe := range vErr.Errors {
		f := wireField(fe.Field)
		if prefix != "" {
			f = prefix + "." + f
		}
		ve.Errors = append(ve.Errors, protocol.FieldError{Field: f, Rule: fe.Rule, Message: fe.Message})
	}
}
