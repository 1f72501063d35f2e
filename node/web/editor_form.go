package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// baseLangs are the languages every form offers (the pilots').
var baseLangs = []string{"en", "es", "it", "lv"}

// formData is a form's state: the value of each control by name (the
// field's JSON path), the languages shown and the rows of each group.
type formData struct {
	vals  map[string]string
	langs []string
	rows  map[string]int
}

func newFormData() formData {
	return formData{vals: map[string]string{}, langs: slices.Clone(baseLangs), rows: map[string]int{}}
}

func (fd *formData) addLang(tag string) {
	if !slices.Contains(fd.langs, tag) {
		fd.langs = append(fd.langs, tag)
	}
}

// members reads the JSON object raw as its members; nil when it is not one.
func members(raw json.RawMessage) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// lookup follows a dotted path ("spatial.country") through JSON objects.
func lookup(m map[string]json.RawMessage, path string) json.RawMessage {
	head, rest, nested := strings.Cut(path, ".")
	v, ok := m[head]
	if !ok || !nested {
		return v
	}
	return lookup(members(v), rest)
}

// formFromBody fills a form from an entity's canonical JSON (an edit).
func formFromBody(spec *formSpec, body []byte) formData {
	fd := newFormData()
	m := members(body)
	for _, sec := range spec.Sections {
		if g := sec.Group; g != nil {
			var rows []json.RawMessage
			_ = json.Unmarshal(m[g.Path], &rows)
			fd.rows[g.Path] = len(rows)
			for i, row := range rows {
				fd.fill(fmt.Sprintf("%s[%d].", g.Path, i), g.Fields, members(row))
			}
			continue
		}
		fd.fill("", sec.Fields, m)
	}
	return fd
}

func (fd *formData) fill(prefix string, fields []fieldSpec, m map[string]json.RawMessage) {
	for _, f := range fields {
		raw := lookup(m, f.Path)
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		name := prefix + f.Path
		switch f.W {
		case wString, wProse, wEnum:
			var s string
			_ = json.Unmarshal(raw, &s)
			fd.vals[name] = s
		case wNumber:
			fd.vals[name] = string(raw)
		case wBool, wTriBool:
			var b bool
			if json.Unmarshal(raw, &b) == nil {
				fd.vals[name] = strconv.FormatBool(b)
			}
		case wList, wChecks:
			var l []string
			_ = json.Unmarshal(raw, &l)
			fd.vals[name] = strings.Join(l, "\n")
		case wJSON:
			var buf bytes.Buffer
			if json.Indent(&buf, raw, "", "  ") == nil {
				fd.vals[name] = buf.String()
			}
		case wLText, wLProse:
			var t map[string]string
			_ = json.Unmarshal(raw, &t)
			for lang, s := range t {
				fd.vals[name+"."+lang] = s
				fd.addLang(lang)
			}
		case wLList:
			var t map[string][]string
			_ = json.Unmarshal(raw, &t)
			for lang, l := range t {
				fd.vals[name+"."+lang] = strings.Join(l, "\n")
				fd.addLang(lang)
			}
		}
	}
}

// maxRows bounds the rows of one group a form may post.
const maxRows = 200

// formFromPost reads a posted form: the languages (those posted, and one
// added with "add language"), each group's rows (empty rows dropped, the
// others numbered again from 0) and every control's value (line ends
// normalised to LF, as browsers send CRLF).
func formFromPost(spec *formSpec, post url.Values) (formData, []protocol.FieldError) {
	fd := newFormData()
	var errs []protocol.FieldError
	for tag := range strings.FieldsSeq(strings.ReplaceAll(post.Get("langs"), ",", " ")) {
		if protocol.ValidBCP47(tag) {
			fd.addLang(tag)
		}
	}
	if tag := strings.TrimSpace(post.Get("addlang")); tag != "" && post.Get("op") == "addlang" {
		if protocol.ValidBCP47(tag) {
			fd.addLang(tag)
		} else {
			errs = append(errs, protocol.FieldError{Field: "addlang", Rule: "bcp47", Message: fmt.Sprintf("%q is not a well-formed BCP 47 language tag", protocol.Clip(tag, 64))})
		}
	}
	get := func(name string) string {
		if vs := post[name]; len(vs) > 1 { // a group of checkboxes
			return strings.Join(vs, "\n")
		}
		return strings.ReplaceAll(post.Get(name), "\r\n", "\n")
	}
	names := func(prefix string, fields []fieldSpec) []string {
		var out []string
		for _, f := range fields {
			switch f.W {
			case wLText, wLProse, wLList:
				for _, l := range fd.langs {
					out = append(out, prefix+f.Path+"."+l)
				}
			default:
				out = append(out, prefix+f.Path)
			}
		}
		return out
	}
	for _, sec := range spec.Sections {
		if g := sec.Group; g != nil {
			n, _ := strconv.Atoi(post.Get("rows." + g.Path))
			n = min(max(n, 0), maxRows)
			kept := 0
			for i := range n {
				from := fmt.Sprintf("%s[%d].", g.Path, i)
				to := fmt.Sprintf("%s[%d].", g.Path, kept)
				empty := true
				for _, name := range names(from, g.Fields) {
					if strings.TrimSpace(get(name)) != "" {
						empty = false
					}
				}
				if empty {
					continue
				}
				for _, name := range names(from, g.Fields) {
					if v := get(name); v != "" {
						fd.vals[to+strings.TrimPrefix(name, from)] = v
					}
				}
				kept++
			}
			if post.Get("op") == "add:"+g.Path && kept < maxRows {
				kept++ // a new empty row
			}
			fd.rows[g.Path] = kept
			continue
		}
		for _, name := range names("", sec.Fields) {
			if v := get(name); v != "" {
				fd.vals[name] = v
			}
		}
	}
	return fd, errs
}

// lines splits a textarea into its non-blank lines, trimmed.
func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// setPath sets a dotted path in nested objects.
func setPath(m map[string]any, path string, v any) {
	head, rest, nested := strings.Cut(path, ".")
	if !nested {
		m[head] = v
		return
	}
	sub, ok := m[head].(map[string]any)
	if !ok {
		sub = map[string]any{}
		m[head] = sub
	}
	setPath(sub, rest, v)
}

// entityJSON is the entity the form describes, as JSON for
// protocol.DecodeEntity (the API's decoder and rules); errs are the values
// that have no JSON form (a number that is not one, JSON that is not).
func (fd formData) entityJSON(spec *formSpec) ([]byte, []protocol.FieldError) {
	root := map[string]any{"type": string(spec.Kind)}
	var errs []protocol.FieldError
	for _, sec := range spec.Sections {
		if g := sec.Group; g != nil {
			var list []any
			for i := range fd.rows[g.Path] {
				row := map[string]any{}
				errs = append(errs, fd.build(row, fmt.Sprintf("%s[%d].", g.Path, i), g.Fields)...)
				list = append(list, row)
			}
			if len(list) > 0 {
				root[g.Path] = list
			}
			continue
		}
		errs = append(errs, fd.build(root, "", sec.Fields)...)
	}
	raw, err := json.Marshal(root)
	if err != nil { // cannot happen: strings, numbers, raw JSON already checked
		errs = append(errs, protocol.FieldError{Field: protocol.RootField, Rule: "format", Message: err.Error()})
	}
	return raw, errs
}

func (fd formData) build(m map[string]any, prefix string, fields []fieldSpec) []protocol.FieldError {
	var errs []protocol.FieldError
	for _, f := range fields {
		name := prefix + f.Path
		v := fd.vals[name]
		switch f.W {
		case wString, wProse, wEnum:
			if strings.TrimSpace(v) != "" {
				setPath(m, f.Path, v)
			}
		case wNumber:
			if v = strings.TrimSpace(v); v != "" {
				n, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
				if err != nil {
					errs = append(errs, protocol.FieldError{Field: name, Rule: "number", Message: fmt.Sprintf("%q is not a number", protocol.Clip(v, 64))})
					continue
				}
				setPath(m, f.Path, n)
			}
		case wBool:
			if v == "true" {
				setPath(m, f.Path, true)
			}
		case wTriBool:
			if v == "true" || v == "false" {
				setPath(m, f.Path, v == "true")
			}
		case wList, wChecks:
			if l := lines(v); len(l) > 0 {
				setPath(m, f.Path, l)
			}
		case wJSON:
			if v = strings.TrimSpace(v); v != "" {
				if !json.Valid([]byte(v)) || !strings.HasPrefix(v, "{") {
					errs = append(errs, protocol.FieldError{Field: name, Rule: "format", Message: "is not a JSON object"})
					continue
				}
				setPath(m, f.Path, json.RawMessage(v))
			}
		case wLText, wLProse:
			t := map[string]string{}
			for _, l := range fd.langs {
				if s := fd.vals[name+"."+l]; strings.TrimSpace(s) != "" {
					t[l] = s
				}
			}
			if len(t) > 0 {
				setPath(m, f.Path, t)
			}
		case wLList:
			t := map[string][]string{}
			for _, l := range fd.langs {
				if items := lines(fd.vals[name+"."+l]); len(items) > 0 {
					t[l] = items
				}
			}
			if len(t) > 0 {
				setPath(m, f.Path, t)
			}
		}
	}
	return errs
}

// decode turns the form into an entity with the API's decoder and
// validation; the errors name the fields by their JSON path, which is the
// controls' names.
func (fd formData) decode(spec *formSpec) (protocol.Entity, []protocol.FieldError) {
	raw, errs := fd.entityJSON(spec)
	e, err := protocol.DecodeEntity(raw)
	if ve, ok := err.(*protocol.ValidationError); ok {
		errs = append(errs, ve.Errors...)
	} else if err != nil {
		errs = append(errs, protocol.FieldError{Field: protocol.RootField, Rule: "format", Message: err.Error()})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return e, nil
}

// parentField is the field that holds path: "tags.en[2]" → "tags.en" →
// "tags"; "" at the top.
func parentField(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i > 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i > 0 {
		return path[:i]
	}
	return ""
}

// placeErrors files each error under the nearest control (or fieldset)
// that holds its field; the rest concern the whole form.
func placeErrors(errs []protocol.FieldError, known map[string]bool) (map[string][]protocol.FieldError, []protocol.FieldError) {
	by := map[string][]protocol.FieldError{}
	var general []protocol.FieldError
	for _, fe := range errs {
		p := fe.Field
		for p != "" && !known[p] {
			p = parentField(p)
		}
		if p == "" {
			general = append(general, fe)
			continue
		}
		by[p] = append(by[p], fe)
	}
	return by, general
}
