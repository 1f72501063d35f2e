package web

import (
	"context"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// link is a named link to a page; Lang is set when the name is not in
// the reader's language.
type link struct {
	Href, Name, Lang string
}

type taskView struct {
	Name, Description, Lang string
	Profiles                []link
	Recommended             []link
}

type objectiveView struct {
	Name, Description, Lang string
	Profiles                []link
	Tasks                   []taskView
}

type phaseView struct {
	Name, Description, Lang string
	Objectives              []objectiveView
}

// recommendedPerTask bounds the interlinkers listed under one task.
const recommendedPerTask = 5

// objLink is a link to obj's page, named in the reader's language.
func objLink(loc *locale, obj protocol.Object) link {
	name, fb := text(indexOf(obj).Name, loc.Tag)
	if name == "" {
		name = obj.Key
	}
	return link{Href: pageHref(obj), Name: name, Lang: fb}
}

// profileLinks names problem profile keys, linking those this node holds.
func profileLinks(keys []string, profiles map[string]protocol.Object) []link {
	out := make([]link, 0, len(keys))
	for _, k := range keys {
		l := link{Name: k}
		if obj, ok := profiles[k]; ok {
			l.Href = pageHref(obj)
		}
		out = append(out, l)
	}
	return out
}

// schemaPhases is a schema's phases → objectives → tasks, each task with
// the interlinkers the catalogue recommends for its problem profiles (the
// objective's when the task has none), as TaskProblemProfiles reads them.
func (h *Handler) schemaPhases(ctx context.Context, loc *locale, sc *protocol.CoproductionSchema) ([]phaseView, error) {
	cat := h.d.Catalogue()
	profiles, err := cat.ProblemProfiles(ctx)
	if err != nil {
		return nil, err
	}
	recs := map[string][]link{} // by the joined profile keys: tasks often share them
	recommend := func(pps []string) ([]link, error) {
		if len(pps) == 0 {
			return nil, nil
		}
		k := strings.Join(pps, "\x00")
		if ls, ok := recs[k]; ok {
			return ls, nil
		}
		rs, err := cat.Recommend(ctx, pps, recommendedPerTask)
		if err != nil {
			return nil, err
		}
		ls := make([]link, 0, len(rs))
		for _, r := range rs {
			ls = append(ls, objLink(loc, r.Object))
		}
		recs[k] = ls
		return ls, nil
	}
	tr := func(t protocol.Text) (string, string, string) {
		name, fb := text(t, loc.Tag)
		return name, fb, ""
	}
	var out []phaseView
	for _, ph := range sc.Phases {
		pv := phaseView{}
		pv.Name, pv.Lang, _ = tr(ph.Name)
		pv.Description, _ = textIn(ph.Description, loc.Tag, pv.Lang)
		for _, ob := range ph.Objectives {
			ov := objectiveView{Profiles: profileLinks(ob.ProblemProfiles, profiles)}
			ov.Name, ov.Lang, _ = tr(ob.Name)
			ov.Description, _ = textIn(ob.Description, loc.Tag, ov.Lang)
			for _, t := range ob.Tasks {
				pps := t.ProblemProfiles
				if len(pps) == 0 {
					pps = ob.ProblemProfiles
				}
				tv := taskView{Profiles: profileLinks(t.ProblemProfiles, profiles)}
				tv.Name, tv.Lang, _ = tr(t.Name)
				tv.Description, _ = textIn(t.Description, loc.Tag, tv.Lang)
				if tv.Recommended, err = recommend(pps); err != nil {
					return nil, err
				}
				ov.Tasks = append(ov.Tasks, tv)
			}
			pv.Objectives = append(pv.Objectives, ov)
		}
		out = append(out, pv)
	}
	return out, nil
}

// textIn is t in lang, else in fallback (the language its name was shown
// in), else any; as plain text.
func textIn(t protocol.Text, lang, fallback string) (string, string) {
	if s := strings.TrimSpace(t[lang]); s != "" {
		return plainText(s), ""
	}
	if s := strings.TrimSpace(t[fallback]); s != "" {
		return plainText(s), fallback
	}
	s, fb := text(t, lang)
	return plainText(s), fb
}

// addressingView is what addresses a problem profile.
type addressingView struct {
	Interlinkers, Schemas []link
}

// addressing lists the interlinkers and schemas that address the problem
// profile key (node/catalogue's search by problem profile).
func (h *Handler) addressing(ctx context.Context, loc *locale, key string) (*addressingView, error) {
	a, err := h.d.Catalogue().AddressingProfile(ctx, key)
	if err != nil {
		return nil, err
	}
	v := &addressingView{}
	for _, o := range a.Interlinkers {
		v.Interlinkers = append(v.Interlinkers, objLink(loc, o))
	}
	for _, o := range a.Schemas {
		v.Schemas = append(v.Schemas, objLink(loc, o))
	}
	return v, nil
}
