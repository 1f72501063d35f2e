package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

func TestDiffWords(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{
		{"the quick fox", "the quick fox", "the quick fox"},
		{"the quick fox", "the slow fox", "the [-quick-]{+slow+} fox"},
		{"", "new text", "{+new text+}"},
		{"old text", "", "[-old text-]"},
		{"a b c", "a c d", "a [-b -]c{+ d+}"},
	} {
		var b strings.Builder
		for _, s := range diffWords(c.a, c.b) {
			switch s.Op {
			case "ins":
				b.WriteString("{+" + s.Text + "+}")
			case "del":
				b.WriteString("[-" + s.Text + "-]")
			default:
				b.WriteString(s.Text)
			}
		}
		if b.String() != c.want {
			t.Errorf("diffWords(%q, %q) = %q, want %q", c.a, c.b, b.String(), c.want)
		}
	}
}

func TestDiffFields(t *testing.T) {
	a := flatten([]byte(`{"type":"Interlinker","key":"k","name":{"en":"Survey","it":"Sondaggio"},"tags":{"en":["a","b"]},"phases":[{"name":{"en":"One"}}],"difficulty":2}`))
	b := flatten([]byte(`{"type":"Interlinker","key":"k","name":{"en":"Survey tool","lv":"Aptauja"},"tags":{"en":["a","c"]},"phases":[{"name":{"en":"Uno"}}],"difficulty":3}`))
	got := map[string]string{}
	for _, r := range diffFields(a, b) {
		got[r.Path+"/"+r.Lang] = r.Change
	}
	want := map[string]string{"name/en": "changed", "name/lv": "added", "name/it": "removed", "tags/en": "changed",
		"phases[0].name/en": "changed", "difficulty/": "changed"}
	if len(got) != len(want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	// markup is not what a reader sees: a change of markup alone is
	// formatting, and a text change is shown without the tags
	m := diffFields(flatten([]byte(`{"description":{"en":"<p>One two</p>","it":"<p>Uno</p>"}}`)), flatten([]byte(`{"description":{"en":"One two","it":"<p>Uno due</p>"}}`)))
	if len(m) != 2 || m[0].Change != "formatting" || m[1].Change != "changed" || len(m[1].Segments) != 2 || m[1].Segments[1].Text != " due" {
		t.Errorf("markup rows: %+v", m)
	}
	if flatten([]byte("not json")) != nil || len(diffFields(nil, nil)) != 0 {
		t.Error("bad input makes rows")
	}
}

// FuzzDiff: any two bodies compare without panicking, and a changed
// text's segments rebuild both sides exactly.
func FuzzDiff(f *testing.F) {
	f.Add([]byte(`{"name":{"en":"a b"}}`), []byte(`{"name":{"en":"a c"},"x":[1,{"y":2}]}`))
	f.Add([]byte(`[[[[[]]]]]`), []byte(`{"a":null}`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		rows := diffFields(flatten(a), flatten(b))
		_ = rows
		sa, sb := string(a), string(b)
		var left, right strings.Builder
		for _, s := range diffWords(sa, sb) {
			if s.Op != "ins" {
				left.WriteString(s.Text)
			}
			if s.Op != "del" {
				right.WriteString(s.Text)
			}
		}
		if left.String() != sa || right.String() != sb {
			t.Fatalf("segments do not rebuild %q / %q", sa, sb)
		}
	})
}

func TestObjectDiffPage(t *testing.T) {
	f := newAdminFixture(t)
	obj := f.put(t, testInterlinker("survey"))
	v2 := testInterlinker("survey")
	v2.Name = protocol.Text{"en": "Tool survey", "it": "Strumento sondaggio", "es": "Herramienta encuesta"}
	if _, err := f.cat.Update(context.Background(), idOf(obj), v2, 1); err != nil {
		t.Fatal(err)
	}
	id := idOf(obj)
	// the object page offers the comparison, the latest change chosen
	wantPage(t, f.do(t, http.MethodGet, "/objects/"+id+"?lang=en", nil, nil), 200, `action="/objects/`+id+`/diff"`, `<label for="cmp-from">Older version</label>`,
		`<option value="1" selected>`, `<option value="2" selected>`)
	w := f.do(t, http.MethodGet, "/objects/"+id+"/diff?from=1&to=2&lang=en", nil, nil)
	wantPage(t, w, 200, "Changes from version 1 → 2", `lang="es"`, "+ added", "Herramienta encuesta", `<del><span class="vh">[removed: </span>survey`, "± changed")
	wantPage(t, f.do(t, http.MethodGet, "/objects/"+id+"/diff?from=2&to=1&lang=en", nil, nil), 200, "− removed")
	wantPage(t, f.do(t, http.MethodGet, "/objects/"+id+"/diff?lang=it", nil, nil), 200, "Confronta versioni")
	for _, c := range []struct{ q, text string }{
		{"from=&to=2", "Choose a version."},
		{"from=1&to=9", "This object has no such version."},
		{"from=x&to=1", "This object has no such version."},
		{"from=2&to=2", "Choose two different versions."},
	} {
		wantPage(t, f.do(t, http.MethodGet, "/objects/"+id+"/diff?lang=en&"+c.q, nil, nil), http.StatusBadRequest, c.text, `aria-invalid="true"`)
	}
	wantPage(t, f.do(t, http.MethodGet, "/objects/01J00000000000000000000000/diff", nil, nil), http.StatusNotFound)
}

func TestAdoptAndRate(t *testing.T) {
	f := newAdminFixture(t)
	obj := f.put(t, testInterlinker("survey"))
	id := idOf(obj)
	page := "/objects/" + id
	anon := f.do(t, http.MethodGet, page+"?lang=en", nil, nil)
	wantPage(t, anon, 200, "Used by", "No organisation has said it uses this yet.", "No ratings yet.")
	if strings.Contains(anon.Body.String(), `action="`+page+`/adopt"`) {
		t.Fatal("a visitor sees the adopt form")
	}
	wantPage(t, f.do(t, http.MethodGet, page+"?lang=en", nil, f.editor.cookies), 200, `action="`+page+`/adopt"`, `action="`+page+`/rate"`)
	if strings.Contains(f.do(t, http.MethodGet, page, nil, f.reader.cookies).Body.String(), `action="`+page+`/adopt"`) {
		t.Fatal("a reader sees the adopt form")
	}
	// refusals
	wantRedirect(t, f.do(t, http.MethodPost, page+"/adopt", url.Values{}, nil), "/login")
	wantPage(t, f.post(t, f.reader, page+"/adopt", nil), http.StatusForbidden)
	wantPage(t, f.post(t, f.editor, page+"/adopt", url.Values{"csrf": {"forged"}}), http.StatusForbidden)
	wantPage(t, f.post(t, f.editor, "/objects/01J00000000000000000000000/adopt", nil), http.StatusNotFound)
	for _, c := range []struct {
		form url.Values
		text string
	}{
		{url.Values{"since": {"2025-13-01"}}, `<a href="#adopt-since">Enter a date in the past as YYYY-MM-DD.</a>`},
		{url.Values{"since": {"2999-01-01"}}, "Enter a date in the past as YYYY-MM-DD."},
		{url.Values{"instance": {"ftp://x.example"}}, "Enter a web address starting with https://."},
		{url.Values{"note": {strings.Repeat("n", 2001)}}, "At most 2,000 characters."},
	} {
		wantPage(t, f.post(t, f.editor, page+"/adopt?lang=en", c.form), http.StatusUnprocessableEntity, c.text, `aria-invalid="true"`)
	}
	wantRedirect(t, f.post(t, f.editor, page+"/adopt", url.Values{"since": {"2024-05-01"}, "instance": {"https://comune.example/survey"}, "note": {"Used for the budget."}}),
		page+"?done=adopted")
	w := f.do(t, http.MethodGet, page+"?lang=en&done=adopted", nil, f.editor.cookies)
	wantPage(t, w, 200, "Recorded: your organisation uses this.", "<strong>Comune di Prova</strong> (IT)", "2024-05-01", "https://comune.example/survey",
		"Used for the budget.", "Your organisation has said it uses this.", "Not verified")
	wantPage(t, f.post(t, f.editor, page+"/adopt?lang=en", nil), http.StatusUnprocessableEntity, `<a href="#h-usedby">Your organisation has already said it uses this.</a>`)
	if !f.audited(t, "alice", actionAdopt, obj.IRI) {
		t.Fatal("adoption not audited")
	}

	for _, c := range []struct {
		form url.Values
		text string
	}{
		{url.Values{}, `<a href="#rate-value">Choose a rating from 1 to 5.</a>`},
		{url.Values{"value": {"7"}}, "A rating is a whole number from 1 to 5."},
		{url.Values{"value": {"x"}}, "A rating is a whole number from 1 to 5."},
		{url.Values{"value": {"4"}, "comment": {strings.Repeat("c", 2001)}}, "At most 2,000 characters."},
	} {
		wantPage(t, f.post(t, f.editor, page+"/rate?lang=en", c.form), http.StatusUnprocessableEntity, c.text)
	}
	wantRedirect(t, f.do(t, http.MethodPost, page+"/rate", url.Values{"value": {"4"}}, nil), "/login")
	wantPage(t, f.post(t, f.reader, page+"/rate", url.Values{"value": {"4"}}), http.StatusForbidden)
	wantPage(t, f.post(t, f.editor, page+"/rate", url.Values{"value": {"4"}, "csrf": {"forged"}}), http.StatusForbidden)
	wantPage(t, f.post(t, f.editor, "/objects/01J00000000000000000000000/rate", url.Values{"value": {"4"}}), http.StatusNotFound)
	wantRedirect(t, f.post(t, f.editor, page+"/rate", url.Values{"value": {"4"}, "comment": {"Easy to run."}}), page+"?done=rated")
	wantRedirect(t, f.post(t, f.editor, page+"/rate", url.Values{"value": {"5"}}), page+"?done=rated")
	w = f.do(t, http.MethodGet, page+"?lang=it", nil, f.editor.cookies)
	wantPage(t, w, 200, "Media: <strong>5,0</strong> / 5 (1)", "<strong>5/5</strong>", "Cambia la valutazione")
	if !f.audited(t, "alice", actionRate, obj.IRI) {
		t.Fatal("rating not audited")
	}
	// a problem profile is neither adopted nor rated
	pp := f.put(t, testProfile("PP_9"))
	if strings.Contains(f.do(t, http.MethodGet, "/objects/"+idOf(pp), nil, f.editor.cookies).Body.String(), "/adopt") {
		t.Fatal("a problem profile offers adoption")
	}
	wantPage(t, f.post(t, f.editor, "/objects/"+idOf(pp)+"/adopt", nil), http.StatusConflict)
}
