package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
)

// euLanguages are the languages "add a language" offers, each named in
// itself (an autonym reads the same in every interface language).
var euLanguages = []struct{ tag, name string }{
	{"bg", "български"}, {"cs", "čeština"}, {"da", "dansk"}, {"de", "Deutsch"}, {"el", "ελληνικά"},
	{"en", "English"}, {"es", "español"}, {"et", "eesti"}, {"fi", "suomi"}, {"fr", "français"},
	{"ga", "Gaeilge"}, {"hr", "hrvatski"}, {"hu", "magyar"}, {"it", "italiano"}, {"lt", "lietuvių"},
	{"lv", "latviešu"}, {"mt", "Malti"}, {"nl", "Nederlands"}, {"pl", "polski"}, {"pt", "português"},
	{"ro", "română"}, {"sk", "slovenčina"}, {"sl", "slovenščina"}, {"sv", "svenska"},
}

// langLabel names a content language for a label: the interface's name for
// the pilot languages, the autonym and tag for the others.
func langLabel(loc *locale, tag string) string {
	if isSupported(tag) {
		return loc.LangName(tag)
	}
	for _, l := range euLanguages {
		if l.tag == tag {
			return l.name + " (" + tag + ")"
		}
	}
	return tag
}

type optionView struct {
	Value, Label string
	Selected     bool
}

// langInput is one language's control of a multilingual field.
type langInput struct {
	Tag, Label, ID, Name, Value string
	Errors                      []fieldError
	Describe                    string // aria-describedby
}

type fieldView struct {
	ID, Name, Label, Hint, W, Value string
	Required, Checked               bool
	Options                         []optionView
	Langs                           []langInput
	Errors                          []fieldError
	Describe                        string
	List                            []optionView // suggestions (a datalist)
	HasOther                        bool         // checkboxes, and a textarea for other values
	Other                           string
}

type rowView struct {
	ID, Legend string
	Fields     []fieldView
	Errors     []fieldError
}

type sectionView struct {
	ID, Heading string
	Fields      []fieldView
	Group       string // the group's path, when the section is a list of rows
	Rows        []rowView
	AddLabel    string
	Errors      []fieldError
}

type summaryItem struct{ Href, Text string }

// editView is the content of the editor page.
type editView struct {
	Action, Heading, KindLabel, Cancel string
	Version                            uint64
	Langs                              string
	AddLangs                           []optionView
	AddLangErrors                      []fieldError
	Sections                           []sectionView
	Summary                            []summaryItem
	Notice                             string // a stale edit, a draft sent to co-signers
	Preview                            *view  // the object page as it would look
	Done                               string // the href of the result when nothing is left to edit
	Current                            string // a stale edit: the href of the current version
}

// controlID is the HTML id of a control named by a JSON path.
func controlID(name string) string {
	var b strings.Builder
	b.WriteString("f-")
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// labelKey is the message of a field's label: "edit.f.name",
// "edit.f.channels.identifier".
func labelKey(group, path string) string {
	if group != "" {
		return "edit.f." + group + "." + path
	}
	return "edit.f." + path
}

var widgetNames = map[widget]string{wString: "string", wProse: "prose", wEnum: "enum", wBool: "bool", wTriBool: "tribool",
	wList: "list", wNumber: "number", wJSON: "json", wChecks: "checks", wLText: "ltext", wLProse: "lprose", wLList: "llist"}

// hints are the fields with a hint of their own; lists and JSON have the
// widget's.
var hints = map[string]string{"key": "edit.h.key", "identifier": "edit.h.key", "spatial.country": "edit.h.country",
	"competent_authority": "edit.h.iri", "is_instance_of": "edit.h.iri", "coproduced_by": "edit.h.iris", "uses_interlinkers": "edit.h.iris",
	"processing_time": "edit.h.duration", "problem_profiles": "edit.h.profiles", "languages": "edit.h.langs", "language": "edit.h.langs",
	"spatial": "edit.h.spatial", "currency": "edit.h.currency"}

// fieldError is a field error for people: the rule in the reader's
// language, and the validator's own words (English) for the particulars.
type fieldError struct{ Text, Detail string }

func (e fieldError) String() string { return e.Text + " (" + e.Detail + ")" }

func fieldErrorOf(loc *locale, fe protocol.FieldError) fieldError {
	id := "edit.rule." + fe.Rule
	msg := loc.T(id)
	if msg == id {
		msg = loc.T("edit.rule.other")
	}
	return fieldError{Text: msg, Detail: fe.Message}
}

// errorText is fieldErrorOf's text and detail in one line.
func errorText(loc *locale, fe protocol.FieldError) string { return fieldErrorOf(loc, fe).String() }

// formView lays out the form of spec with fd's values and errs under the
// controls they concern.
func formView(loc *locale, spec *formSpec, fd formData, errs []protocol.FieldError, ch catalogue.Choices) (editView, []protocol.FieldError) {
	known := map[string]bool{"addlang": true}
	for _, sec := range spec.Sections {
		if g := sec.Group; g != nil {
			known[g.Path] = true
			for i := range fd.rows[g.Path] {
				row := fmt.Sprintf("%s[%d]", g.Path, i)
				known[row] = true
				markKnown(known, row+".", g.Fields, fd.langs)
			}
			continue
		}
		markKnown(known, "", sec.Fields, fd.langs)
	}
	by, general := placeErrors(errs, known)
	msgs := func(name string) []fieldError {
		var out []fieldError
		for _, fe := range by[name] {
			out = append(out, fieldErrorOf(loc, fe))
		}
		return out
	}
	v := editView{Langs: strings.Join(fd.langs, " "), KindLabel: loc.T("kind." + string(spec.Kind)), AddLangErrors: msgs("addlang")}
	for _, l := range euLanguages {
		if !slices.Contains(fd.langs, l.tag) {
			v.AddLangs = append(v.AddLangs, optionView{Value: l.tag, Label: l.name + " (" + l.tag + ")"})
		}
	}
	var summary []summaryItem
	add := func(id, label string, es []fieldError) {
		for _, e := range es {
			summary = append(summary, summaryItem{Href: "#" + id, Text: label + ": " + e.Text})
		}
	}
	add("f-addlang", loc.T("edit.addlang"), v.AddLangErrors)
	field := func(group, prefix string, f fieldSpec) fieldView {
		name := prefix + f.Path
		fv := fieldView{ID: controlID(name), Name: name, Label: loc.T(labelKey(group, f.Path)), W: widgetNames[f.W],
			Required: f.Required, Value: fd.vals[name], Errors: msgs(name)}
		if k, ok := hints[f.Path]; ok {
			fv.Hint = loc.T(k)
		} else if f.W == wList || f.W == wLList {
			fv.Hint = loc.T("edit.h.lines")
		} else if f.W == wJSON {
			fv.Hint = loc.T("edit.h.json")
		}
		var describe []string
		if fv.Hint != "" {
			describe = append(describe, fv.ID+"-hint")
		}
		if len(fv.Errors) > 0 {
			describe = append(describe, fv.ID+"-error")
		}
		fv.Describe = strings.Join(describe, " ")
		add(fv.ID, fv.Label, fv.Errors)
		switch f.W {
		case wBool:
			fv.Checked = fv.Value == "true"
		case wString:
			if f.Choices == "organisations" {
				for _, c := range ch.Organisations {
					name, _ := text(c.Name, loc.Tag)
					fv.List = append(fv.List, optionView{Value: c.IRI, Label: name})
				}
			}
		case wTriBool:
			for _, o := range [][2]string{{"", "edit.o.unset"}, {"true", "edit.o.yes"}, {"false", "edit.o.no"}} {
				fv.Options = append(fv.Options, optionView{Value: o[0], Label: loc.T(o[1]), Selected: fv.Value == o[0]})
			}
		case wChecks:
			chosen := lines(fv.Value)
			offered := map[string]bool{}
			for _, o := range f.Options {
				offered[o] = true
				fv.Options = append(fv.Options, optionView{Value: o, Label: loc.T("edit.o." + f.Path + "." + o), Selected: slices.Contains(chosen, o)})
			}
			if f.Choices == "profiles" {
				for _, c := range ch.ProblemProfiles {
					offered[c.Key] = true
					label := c.Key
					if name, _ := text(c.Name, loc.Tag); name != "" {
						label += " · " + name
					}
					fv.Options = append(fv.Options, optionView{Value: c.Key, Label: label, Selected: slices.Contains(chosen, c.Key)})
				}
			}
			var other []string
			for _, c := range chosen {
				switch {
				case offered[c]:
				case f.Other:
					other = append(other, c)
				default:
					fv.Options = append(fv.Options, optionView{Value: c, Label: c, Selected: true})
				}
			}
			fv.HasOther, fv.Other = f.Other, strings.Join(other, "\n")
			if len(fv.Options) == 0 { // nothing to offer: one textarea
				fv.W, fv.HasOther, fv.Hint = "list", false, loc.T("edit.h.lines")
			}
		case wEnum:
			fv.Options = append(fv.Options, optionView{Value: "", Label: loc.T("edit.o.none"), Selected: fv.Value == ""})
			for _, o := range f.Options {
				fv.Options = append(fv.Options, optionView{Value: o, Label: loc.T("edit.o." + f.Path + "." + o), Selected: fv.Value == o})
			}
			if fv.Value != "" && !slices.Contains(f.Options, fv.Value) { // an unknown value stays visible
				fv.Options = append(fv.Options, optionView{Value: fv.Value, Label: fv.Value, Selected: true})
			}
		case wLText, wLProse, wLList:
			for _, l := range fd.langs {
				ln := name + "." + l
				li := langInput{Tag: l, Label: langLabel(loc, l), ID: controlID(ln), Name: ln, Value: fd.vals[ln], Errors: msgs(ln)}
				d := slices.Clone(describe)
				if len(li.Errors) > 0 {
					d = append(d, li.ID+"-error")
				}
				li.Describe = strings.Join(d, " ")
				add(li.ID, fv.Label+" ("+li.Label+")", li.Errors)
				fv.Langs = append(fv.Langs, li)
			}
		}
		return fv
	}
	for _, sec := range spec.Sections {
		sv := sectionView{ID: "s-" + sec.ID, Heading: loc.T("edit.s." + sec.ID)}
		if g := sec.Group; g != nil {
			sv.Group, sv.AddLabel, sv.Errors = g.Path, loc.T("edit.add."+g.Path), msgs(g.Path)
			add(sv.ID, sv.Heading, sv.Errors)
			for i := range fd.rows[g.Path] {
				row := fmt.Sprintf("%s[%d]", g.Path, i)
				rv := rowView{ID: controlID(row), Legend: loc.Tf("edit.row", i+1), Errors: msgs(row)}
				add(rv.ID, sv.Heading+" "+strconv.Itoa(i+1), rv.Errors)
				for _, f := range g.Fields {
					rv.Fields = append(rv.Fields, field(g.Path, row+".", f))
				}
				sv.Rows = append(sv.Rows, rv)
			}
		} else {
			for _, f := range sec.Fields {
				sv.Fields = append(sv.Fields, field("", "", f))
			}
		}
		v.Sections = append(v.Sections, sv)
	}
	v.Summary = summary
	return v, general
}

func markKnown(known map[string]bool, prefix string, fields []fieldSpec, langs []string) {
	for _, f := range fields {
		name := prefix + f.Path
		known[name] = true
		if f.W == wLText || f.W == wLProse || f.W == wLList {
			for _, l := range langs {
				known[name+"."+l] = true
			}
		}
	}
}

// previewView is the object page of e as it would look once saved: the
// object template's view, unsigned, version next.
func previewView(loc *locale, e protocol.Entity, version uint64, origin string) objectView {
	doc := e.Index()
	v := objectView{Kind: loc.T("kind." + string(e.Kind())), Version: version, Local: true, Status: "unsigned", Origin: origin,
		StatusText: loc.T("edit.preview.status"), Sentences: []string{loc.T("edit.preview.unsigned")}}
	v.Title, _ = text(doc.Name, loc.Tag)
	if v.Title == "" {
		v.Title = e.NaturalKey()
	}
	langs := doc.Name.Languages()
	for _, l := range doc.Description.Languages() {
		if !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	if i := slices.Index(langs, loc.Tag); i > 0 {
		langs = append([]string{loc.Tag}, slices.Delete(langs, i, i+1)...)
	}
	for _, l := range langs {
		v.Texts = append(v.Texts, langText{Tag: l, Name: langLabel(loc, l), Title: doc.Name[l], Description: plainText(doc.Description[l]), Tags: doc.Tags[l]})
	}
	add := func(label string, vals ...string) { v.Fields = appendField(v.Fields, loc, label, vals...) }
	add("field.key", e.NaturalKey())
	add("field.nature", doc.Nature)
	var names []string
	for _, l := range doc.Languages {
		names = append(names, langLabel(loc, l))
	}
	add("field.languages", names...)
	add("field.problem_profiles", doc.ProblemProfiles...)
	add("field.licence", doc.LicenceCategory)
	add("field.scopes", doc.Scopes...)
	add("field.country", doc.Country)
	return v
}
