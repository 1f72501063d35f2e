package web

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/interlinkfmt"
)

// fullObjects hold every field of each kind the forms edit.
var fullObjects = map[protocol.Kind]string{
	protocol.KindInterlinker: `{"type":"Interlinker","key":"survey_tool","nature":"software",
	 "name":{"en":"Survey","it":"Sondaggio","de":"Umfrage"},"description":{"en":"Ask <b>people</b>\nwhat they think","lv":"Jautā"},
	 "tags":{"en":["survey","poll"],"es":["encuesta"]},"difficulty":"easy","targets":["citizens"],"types":["tool"],
	 "administrative_scopes":["local","regional"],"form":"web","format":"html","licence_category":"permissive","spdx_licence":"MIT",
	 "problem_profiles":["ORG_PROBLEM_1","ORG_PROBLEM_6.1"],"languages":["en","it"],"environments":["browser"],"domain":"participation",
	 "process":"co-design","instructions":{"en":"# Use it\n\nOpen it."},"constraints_and_limitations":{"en":"None"},
	 "regulations_and_standards":{"it":"GDPR"},"asset_name":{"en":"Survey asset"},"overview_text":{"en":"Overview"},
	 "file":{"en":"files/en.pdf"},"uri":{"en":"https://survey.example/en"},"software_interlinker":"surveyeditor",
	 "logotype":"logo.png","is_sustainability_related":true,"is_responsive":false,"supports_internationalization":true,
	 "supported_by":["INTERLINK"],"integration":{"service":"survey","b":[1,2],"a":{"z":1}},
	 "publiccode":{"publiccode_yml_version":"0.4","url":"https://git.example/survey","maintenance":{"type":"community","contacts":[{"name":"Ann"}]},
	  "localisation_ready":true,"available_languages":["en"]}}`,
	protocol.KindPublicService: `{"type":"PublicService","iri":"https://pa.example/services/1","identifier":"svc-1",
	 "title":{"en":"Parking permit","es":"Permiso"},"description":{"en":"Apply"},"competent_authority":"https://pa.example/org",
	 "keywords":{"en":["parking"]},"language":["en","es"],"spatial":["ES"],"thematic_area":["https://themes.example/t1"],
	 "channels":[{"id":"https://pa.example/c/1","identifier":"web","type":"https://pa.example/ct","description":{"en":"Online"},"processing_time":"P1D"}],
	 "costs":[{"identifier":"fee","description":{"en":"Fee"},"value":12.5,"currency":"EUR"}],
	 "outputs":[{"identifier":"permit","title":{"en":"Permit"},"description":{"en":"A permit"},"types":["https://pa.example/ot"]}],
	 "requirements":[{"identifier":"r1","title":{"en":"Residence"},"types":["https://pa.example/rt"],"supporting_evidence":["ev1"]}],
	 "evidence":[{"identifier":"ev1","title":{"en":"ID card"},"description":{"en":"Yours"},"type":"https://pa.example/et","language":["es"],"related_documentation":["https://pa.example/doc"]}],
	 "contact_points":[{"id":"https://pa.example/cp","email":["info@pa.example"],"telephone":["+34 976 000 000"],"url":["https://pa.example/contact"],"opening_hours":{"en":"9-14"},"special_opening_hours":{"en":"August closed"}}],
	 "processing_time":"P5D","coproduced_by":["https://pa.example/org"],"uses_interlinkers":["https://pa.example/objects/01J"],"is_instance_of":"https://other.example/objects/01K"}`,
	protocol.KindOrganisation: `{"type":"Organisation","key":"comune-re","iri":"https://re.example/org","pref_label":{"it":"Comune di Reggio Emilia","en":"Municipality of Reggio Emilia"},
	 "spatial":{"country":"IT","region":"Emilia-Romagna","municipality":"Reggio Emilia","iris":["https://nuts.example/ITH53"]},
	 "kind":"public_administration","homepage":"https://re.example","email":"info@re.example"}`,
	protocol.KindProblemProfile: `{"type":"ProblemProfile","key":"ORG_PROBLEM_6.1","name":{"en":"Trust"},"description":{"en":"No trust"},"functionality":{"es":"Confianza"}}`,
}

// postOf is the form a browser posts back for fd.
func postOf(fd formData) url.Values {
	post := url.Values{"langs": {strings.Join(fd.langs, " ")}}
	for k, v := range fd.vals {
		post.Set(k, strings.ReplaceAll(v, "\n", "\r\n")) // browsers send CRLF
	}
	for g, n := range fd.rows {
		post.Set("rows."+g, strconv.Itoa(n))
	}
	return post
}

// TestFormsRoundTrip: an object shown in its form and posted back
// unchanged is the same object, byte for byte (nothing is lost on edit).
func TestFormsRoundTrip(t *testing.T) {
	for _, spec := range forms {
		raw, ok := fullObjects[spec.Kind]
		if !ok {
			t.Fatalf("no full %s", spec.Kind)
		}
		e, err := protocol.DecodeEntity([]byte(raw))
		if err != nil {
			t.Fatalf("%s: %v", spec.Kind, err)
		}
		want, _ := protocol.EncodeEntity(e)
		fd, errs := formFromPost(spec, postOf(formFromBody(spec, want)))
		if len(errs) > 0 {
			t.Fatalf("%s: %v", spec.Kind, errs)
		}
		back, errs := fd.decode(spec)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", spec.Kind, errs)
		}
		got, _ := protocol.EncodeEntity(back)
		if !bytes.Equal(got, want) {
			t.Errorf("%s changed on the way through its form:\n got %s\nwant %s", spec.Kind, got, want)
		}
	}
}

// TestFormsCoverEveryField fails when a kind gains a JSON member that its
// form has no control for (an edit would drop it).
func TestFormsCoverEveryField(t *testing.T) {
	types := map[protocol.Kind]reflect.Type{protocol.KindInterlinker: reflect.TypeFor[protocol.Interlinker](),
		protocol.KindPublicService: reflect.TypeFor[protocol.PublicService](), protocol.KindOrganisation: reflect.TypeFor[protocol.Organisation](),
		protocol.KindProblemProfile: reflect.TypeFor[protocol.ProblemProfile]()}
	for _, spec := range forms {
		paths := map[string]bool{}
		groups := map[string][]fieldSpec{}
		for _, sec := range spec.Sections {
			if sec.Group != nil {
				groups[sec.Group.Path] = sec.Group.Fields
			}
			for _, f := range sec.Fields {
				paths[f.Path] = true
			}
		}
		var check func(t reflect.Type, prefix string, paths map[string]bool)
		check = func(rt reflect.Type, prefix string, paths map[string]bool) {
			for i := range rt.NumField() {
				tag, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
				if tag == "" || tag == "-" || (prefix == "" && tag == "type" && rt == types[spec.Kind]) {
					continue
				}
				name := prefix + tag
				switch {
				case paths[name]:
				case groups[name] != nil:
					sub := map[string]bool{}
					for _, f := range groups[name] {
						sub[f.Path] = true
					}
					check(rt.Field(i).Type.Elem(), "", sub)
				case rt.Field(i).Type.Kind() == reflect.Struct:
					check(rt.Field(i).Type, name+".", paths)
				default:
					t.Errorf("%s: no control for %s%s", spec.Kind, prefix, tag)
				}
			}
		}
		check(types[spec.Kind], "", paths)
	}
}

func TestPlaceErrors(t *testing.T) {
	known := map[string]bool{"tags.en": true, "tags": true, "name": true, "name.en": true, "channels[0]": true, "channels[0].identifier": true, "publiccode": true}
	by, general := placeErrors([]protocol.FieldError{{Field: "tags.en[2]"}, {Field: "name"}, {Field: "name.en"}, {Field: "channels[0].description.fr"},
		{Field: "publiccode.maintenance.contacts[0].name"}, {Field: "type"}, {Field: "$"}}, known)
	for name, n := range map[string]int{"tags.en": 1, "name": 1, "name.en": 1, "channels[0]": 1, "publiccode": 1} {
		if len(by[name]) != n {
			t.Errorf("%s: %d errors, want %d", name, len(by[name]), n)
		}
	}
	if len(general) != 2 {
		t.Errorf("general %v", general)
	}
}

func FuzzFormFromPost(f *testing.F) {
	f.Add("langs=en+de&name.de=x&rows.channels=3&channels[2].identifier=a&op=addlang&addlang=fr", 1)
	f.Add("key=a&nature=software&name.en=N&description.en=D&integration={}&costs[0].value=1e999", 0)
	loc := newTestLocale()
	f.Fuzz(func(t *testing.T, query string, which int) {
		post, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		spec := forms[(which%len(forms)+len(forms))%len(forms)]
		fd, _ := formFromPost(spec, post)
		if e, errs := fd.decode(spec); e == nil && len(errs) == 0 {
			t.Fatal("no entity and no error")
		}
		formView(loc, spec, fd, nil, catalogue.Choices{ProblemProfiles: []catalogue.Choice{{Key: "P1"}}})
	})
}

func newTestLocale() *locale {
	tr, err := loadTranslations()
	if err != nil {
		panic(err)
	}
	return tr.locale("en")
}

// TestEditorMessagesExist: every label, option, section and hint the
// forms show has a message (TestMessagesComplete then checks the four
// languages have it).
func TestEditorMessagesExist(t *testing.T) {
	loc := newTestLocale()
	var keys []string
	for _, spec := range forms {
		keys = append(keys, "kind."+string(spec.Kind))
		for _, sec := range spec.Sections {
			keys = append(keys, "edit.s."+sec.ID)
			fields, group := sec.Fields, ""
			if sec.Group != nil {
				fields, group = sec.Group.Fields, sec.Group.Path
				keys = append(keys, "edit.add."+group)
			}
			for _, f := range fields {
				keys = append(keys, labelKey(group, f.Path))
				for _, o := range f.Options {
					keys = append(keys, "edit.o."+f.Path+"."+o)
				}
			}
		}
	}
	for _, k := range hints {
		keys = append(keys, k)
	}
	for _, rule := range []string{"required", "max_length", "enum", "slug", "url", "email", "iso3166", "bcp47", "duration", "unique", "number", "format", "other"} {
		keys = append(keys, "edit.rule."+rule)
	}
	for _, k := range keys {
		if loc.T(k) == k {
			t.Errorf("no message %q", k)
		}
	}
}

// withoutEmptyLanguages drops the languages whose text is empty from the
// multilingual fields of body (the seed has some, "es": ""): a form has no
// way to tell an empty box from an absent language, and drops them.
func withoutEmptyLanguages(t *testing.T, spec *formSpec, body []byte) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	for _, sec := range spec.Sections {
		for _, f := range sec.Fields {
			raw, ok := m[f.Path]
			if !ok || (f.W != wLText && f.W != wLProse && f.W != wLList) {
				continue
			}
			var langs map[string]json.RawMessage
			_ = json.Unmarshal(raw, &langs)
			for l, v := range langs {
				if s := string(v); s == `""` || s == "[]" {
					delete(langs, l)
				}
			}
			if len(langs) == 0 {
				delete(m, f.Path)
			} else {
				m[f.Path], _ = json.Marshal(langs)
			}
		}
	}
	e, err := protocol.DecodeEntity(must(json.Marshal(m)))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := protocol.EncodeEntity(e)
	return out
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestFormsRoundTripRealSeed: every problem profile and interlinker of the
// real INTERLINK seed, shown in its form and posted back unchanged, is
// the same entity (what an editor did not touch stays as it was), but for
// the languages left empty, which the form drops.
func TestFormsRoundTripRealSeed(t *testing.T) {
	seed, err := interlinkfmt.ReadSeed(os.DirFS(sharedData(t, "interlink-catalogue")))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range seed.Entities() {
		spec := formByKind(e.Kind())
		if spec == nil {
			continue
		}
		n++
		body, _ := protocol.EncodeEntity(e)
		want := withoutEmptyLanguages(t, spec, body)
		fd, errs := formFromPost(spec, postOf(formFromBody(spec, body)))
		back, errs2 := fd.decode(spec)
		if len(errs)+len(errs2) > 0 {
			t.Errorf("%s %s: %v %v", e.Kind(), e.NaturalKey(), errs, errs2)
			continue
		}
		if got, _ := protocol.EncodeEntity(back); !bytes.Equal(got, want) {
			t.Errorf("%s %s changed on the way through its form:\n got %s\nwant %s", e.Kind(), e.NaturalKey(), got, want)
		}
	}
	if n == 0 {
		t.Fatal("no entity of the seed has a form")
	}
}
