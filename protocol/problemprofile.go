package protocol

// ProblemProfile is a typical problem a co-production team meets (INTERLINK's
// "ORG_PROBLEM_1" ...). Interlinkers and the tasks of co-production schemas
// list the problem profiles they address; a task's profiles recommend the
// interlinkers that share them.
type ProblemProfile struct {
	Type          Kind   `json:"type"`                    // always "ProblemProfile"
	Key           string `json:"key"`                     // the INTERLINK id, e.g. "ORG_PROBLEM_6.1"
	Name          Text   `json:"name"`                    // mandatory, at least one language
	Description   Text   `json:"description"`             // mandatory, at least one language
	Functionality Text   `json:"functionality,omitempty"` // the kind of enabler that would help
}

// Kind reports KindProblemProfile.
func (*ProblemProfile) Kind() Kind { return KindProblemProfile }

// NaturalKey is the INTERLINK id (Key).
func (p *ProblemProfile) NaturalKey() string { return p.Key }

// Validate checks every field and returns a *ValidationError listing each
// failure, or nil.
func (p *ProblemProfile) Validate() error {
	ve := &ValidationError{Kind: KindProblemProfile}
	ve.kind("type", p.Type, KindProblemProfile)
	ve.Slug("key", p.Key, true)
	ve.Text("name", p.Name, true, MaxNameRunes)
	ve.TextBytes("description", p.Description, true, MaxDescriptionBytes)
	ve.TextBytes("functionality", p.Functionality, false, MaxDescriptionBytes)
	return ve.Err()
}

// Index projects the profile for search: name, description and the languages
// of its name and description.
func (p *ProblemProfile) Index() IndexDoc {
	return IndexDoc{
		Name:        p.Name,
		Description: p.Description,
		Languages:   textLanguages(p.Name, p.Description),
	}
}
