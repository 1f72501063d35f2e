package protocol

import "slices"

// CoproductionSchema is a co-production process template (INTERLINK's
// "default", "hackathon", ...): ordered phases, each with objectives, each
// with tasks. Tasks and objectives list the problem profiles they meet, which
// is how a task recommends interlinkers.
type CoproductionSchema struct {
	Type            Kind     `json:"type"`                       // always "CoproductionSchema"
	Key             string   `json:"key"`                        // the INTERLINK id, e.g. "default"
	Name            Text     `json:"name"`                       // mandatory, at least one language
	Description     Text     `json:"description"`                // mandatory, at least one language
	Tags            TextList `json:"tags,omitempty"`             // per language
	Author          string   `json:"author,omitempty"`           // free text; the seed leaves it empty
	LicenceCategory string   `json:"licence_category,omitempty"` // as Interlinker.LicenceCategory
	Languages       []string `json:"languages,omitempty"`        // BCP 47
	Environments    []string `json:"environments,omitempty"`     // INTERLINK pilot environments ("varam", "mef", "zgz")
	Phases          []Phase  `json:"phases"`                     // in process order
}

// Phase is one phase of a schema ("phase-engage").
type Phase struct {
	Key                string         `json:"key"`
	Name               Text           `json:"name"`
	Description        Text           `json:"description,omitempty"`
	Prerequisites      []Prerequisite `json:"prerequisites,omitempty"`
	IsPartOfCodelivery bool           `json:"is_part_of_codelivery"`
	Objectives         []Objective    `json:"objectives,omitempty"`
}

// Objective is one objective of a phase.
type Objective struct {
	Key             string         `json:"key"`
	Name            Text           `json:"name"`
	Description     Text           `json:"description,omitempty"`
	ProblemProfiles []string       `json:"problem_profiles,omitempty"`
	Prerequisites   []Prerequisite `json:"prerequisites,omitempty"`
	Tasks           []Task         `json:"tasks,omitempty"`
}

// Task is one task of an objective.
type Task struct {
	Key             string         `json:"key"`
	Name            Text           `json:"name"`
	Description     Text           `json:"description,omitempty"`
	ProblemProfiles []string       `json:"problem_profiles,omitempty"`
	Prerequisites   []Prerequisite `json:"prerequisites,omitempty"`
}

// Prerequisite names a phase, objective or task of the same schema that must
// come first. The INTERLINK seed qualifies it by Type ("previous", on
// objectives and tasks) or by Status ("finished", on phases); both are kept.
type Prerequisite struct {
	Item   string `json:"item"`
	Type   string `json:"type,omitempty"`
	Status string `json:"status,omitempty"`
}

// MaxPhases bounds the phases of one schema.
const MaxPhases = 64

// Kind reports KindCoproductionSchema.
func (*CoproductionSchema) Kind() Kind { return KindCoproductionSchema }

// NaturalKey is the INTERLINK id (Key).
func (s *CoproductionSchema) NaturalKey() string { return s.Key }

// Task returns the task with the given key, wherever it sits in the schema.
// The pointer aliases the schema.
func (s *CoproductionSchema) Task(key string) (*Task, bool) {
	for pi := range s.Phases {
		for oi := range s.Phases[pi].Objectives {
			tasks := s.Phases[pi].Objectives[oi].Tasks
			for ti := range tasks {
				if tasks[ti].Key == key {
					return &tasks[ti], true
				}
			}
		}
	}
	return nil, false
}

// Index projects the schema for search; its problem profiles are the union,
// in document order, over all objectives and tasks.
func (s *CoproductionSchema) Index() IndexDoc {
	var pps []string
	for _, p := range s.Phases {
		for _, o := range p.Objectives {
			pps = append(pps, o.ProblemProfiles...)
			for _, t := range o.Tasks {
				pps = append(pps, t.ProblemProfiles...)
			}
		}
	}
	langs := slices.Clone(s.Languages)
	if len(langs) == 0 {
		langs = textLanguages(s.Name, s.Description)
	}
	return IndexDoc{
		Name:            s.Name,
		Description:     s.Description,
		Tags:            s.Tags,
		Languages:       langs,
		ProblemProfiles: uniqueStrings(pps),
		LicenceCategory: CanonicalLicenceCategory(s.LicenceCategory),
	}
}

// schemaNode is a phase, objective or task while a schema is validated.
type schemaNode struct {
	path string         // "phases[1].objectives[0]"
	prqs []Prerequisite // its prerequisites
}

// Validate checks every field and returns a *ValidationError listing each
// failure, or nil. Keys are unique across the phases, objectives and tasks of
// the schema ("duplicate"); every prerequisite names one of them
// ("reference") and prerequisites form no cycle ("cycle").
func (s *CoproductionSchema) Validate() error {
	ve := &ValidationError{Kind: KindCoproductionSchema}
	ve.kind("type", s.Type, KindCoproductionSchema)
	ve.Slug("key", s.Key, true)
	ve.Text("name", s.Name, true, MaxNameRunes)
	ve.TextBytes("description", s.Description, true, MaxDescriptionBytes)
	ve.TextList("tags", s.Tags, MaxNameRunes)
	ve.String("author", s.Author, false, MaxNameRunes)
	ve.Enum("licence_category", s.LicenceCategory, licenceCategories...)
	ve.Languages("languages", s.Languages)
	ve.StringList("environments", s.Environments, MaxShortRunes)
	if len(s.Phases) > MaxPhases {
		ve.Add("phases", "max_items", "has %d phases, more than %d", len(s.Phases), MaxPhases)
		return ve.Err()
	}

	nodes := map[string]*schemaNode{}
	var order []string // keys in document order, for stable cycle reports
	add := func(path, key string, name, desc Text, prqs []Prerequisite) {
		ve.Slug(path+".key", key, true)
		ve.Text(path+".name", name, true, MaxNameRunes)
		ve.TextBytes(path+".description", desc, false, MaxDescriptionBytes)
		if len(prqs) > MaxListItems {
			ve.Add(path+".prerequisites", "max_items", "has %d items, more than %d", len(prqs), MaxListItems)
			prqs = nil
		}
		for i, p := range prqs {
			f := IndexField(path+".prerequisites", i)
			ve.String(f+".type", p.Type, false, MaxShortRunes)
			ve.String(f+".status", p.Status, false, MaxShortRunes)
		}
		if key == "" {
			return
		}
		if prev, dup := nodes[key]; dup {
			ve.Add(path+".key", "duplicate", "%q is already the key of %s", Clip(key, 64), prev.path)
			return
		}
		nodes[key] = &schemaNode{path: path, prqs: prqs}
		order = append(order, key)
	}
	for pi, p := range s.Phases {
		pp := IndexField("phases", pi)
		add(pp, p.Key, p.Name, p.Description, p.Prerequisites)
		if len(p.Objectives) > MaxListItems {
			ve.Add(pp+".objectives", "max_items", "has %d items, more than %d", len(p.Objectives), MaxListItems)
			continue
		}
		for oi, o := range p.Objectives {
			op := IndexField(pp+".objectives", oi)
			add(op, o.Key, o.Name, o.Description, o.Prerequisites)
			ve.slugList(op+".problem_profiles", o.ProblemProfiles)
			if len(o.Tasks) > MaxListItems {
				ve.Add(op+".tasks", "max_items", "has %d items, more than %d", len(o.Tasks), MaxListItems)
				continue
			}
			for ti, t := range o.Tasks {
				tp := IndexField(op+".tasks", ti)
				add(tp, t.Key, t.Name, t.Description, t.Prerequisites)
				ve.slugList(tp+".problem_profiles", t.ProblemProfiles)
			}
		}
	}
	// References.
	for _, key := range order {
		n := nodes[key]
		for i, p := range n.prqs {
			f := IndexField(n.path+".prerequisites", i) + ".item"
			switch _, ok := nodes[p.Item]; {
			case p.Item == "":
				ve.Add(f, "required", "is required")
			case !ok:
				ve.Add(f, "reference", "%q is not a phase, objective or task of this schema", Clip(p.Item, 64))
			}
		}
	}
	ve.prerequisiteCycles(nodes, order)
	return ve.Err()
}

// prerequisiteCycles reports every prerequisite that closes a cycle, at the
// prerequisite's "item" path.
func (e *ValidationError) prerequisiteCycles(nodes map[string]*schemaNode, order []string) {
	const (
		white = iota
		grey
		black
	)
	color := make(map[string]int, len(nodes))
	// Iterative depth-first search: schemas come from outside, so the
	// recursion depth must not depend on the input.
	type frame struct {
		key  string
		next int // index into the node's prerequisites
	}
	for _, root := range order {
		if color[root] != white {
			continue
		}
		stack := []frame{{key: root}}
		color[root] = grey
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			n := nodes[top.key]
			if top.next >= len(n.prqs) {
				color[top.key] = black
				stack = stack[:len(stack)-1]
				continue
			}
			i := top.next
			top.next++
			item := n.prqs[i].Item
			if _, ok := nodes[item]; !ok {
				continue
			}
			switch color[item] {
			case grey:
				e.Add(IndexField(n.path+".prerequisites", i)+".item", "cycle",
					"%q leads back to %q: prerequisites form a cycle", Clip(item, 64), Clip(top.key, 64))
			case white:
				color[item] = grey
				stack = append(stack, frame{key: item})
			}
		}
	}
}
