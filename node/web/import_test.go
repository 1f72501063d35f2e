package web

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol/interlinkfmt"
)

// sharedData is ../shared/data beside the repository; the test skips when
// it is absent.
func sharedData(t testing.TB, parts ...string) string {
	t.Helper()
	dir := filepath.Join(append([]string{"..", "..", "..", "shared", "data"}, parts...)...)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the real data is not at %s: %v", dir, err)
	}
	return dir
}

// zipDir packs dir into a zip under the folder name prefix.
func zipDir(t *testing.T, dir, prefix string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(prefix + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload posts file as the multipart import form with cookie and csrf.
func (f editorFixture) upload(t *testing.T, name string, data []byte, c *http.Cookie, csrf string) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = io.Copy(fw, bytes.NewReader(data))
	_ = mw.Close()
	r := httptest.NewRequest(http.MethodPost, "/import", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Accept", "text/html")
	r.Header.Set("Accept-Language", "en")
	r.AddCookie(c)
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	return w
}

func TestImportSeedZip(t *testing.T) {
	dir := sharedData(t, "interlink-catalogue")
	seed, err := interlinkfmt.ReadSeed(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	want := len(seed.Entities())
	f := newEditorFixture(t)
	data := zipDir(t, dir, "interlink-catalogue/")
	w := f.upload(t, "interlink-catalogue.zip", data, f.editor, f.csrf(t))
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("import: %d %s", w.Code, body)
	}
	if n := f.count(t); n != want {
		t.Fatalf("%d objects stored, the seed has %d", n, want)
	}
	if got := strings.Count(body, `class="result-created"`); got != want {
		t.Errorf("the page lists %d created objects, want %d", got, want)
	}
	for _, s := range []string{"<dt>Created</dt><dd>" + f.localeNum(want) + "</dd>", "business_model_canvas", `href="/objects/`} {
		if !strings.Contains(body, s) {
			t.Errorf("the result page lacks %q", s)
		}
	}
	entries, _, _ := f.acc.ListAudit(t.Context(), 0, 1000)
	if len(entries) < want || entries[0].Action != ActionObjectImport || entries[0].Username != "alice" {
		t.Errorf("audit: %d entries, first %+v", len(entries), entries[0])
	}
	// Again: nothing changes.
	w = f.upload(t, "interlink-catalogue.zip", data, f.editor, f.csrf(t))
	if strings.Count(w.Body.String(), `class="result-unchanged"`) != want || f.count(t) != want {
		t.Errorf("a second import changed something")
	}
}

func (f editorFixture) localeNum(n int) string { return f.h.i18n.locale("en").Num(n) }

func TestImportPubliccode(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(sharedData(t, "standards", "publiccode.yml", "v0.4.0"), "publiccode.yml"))
	if err != nil {
		t.Fatal(err)
	}
	f := newEditorFixture(t)
	w := f.upload(t, "publiccode.yml", doc, f.editor, f.csrf(t))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `class="result-created"`) || f.count(t) != 1 {
		t.Fatalf("publiccode.yml: %d %s", w.Code, w.Body.String())
	}
}

func TestImportRefusals(t *testing.T) {
	f := newEditorFixture(t)
	tok := f.csrf(t)
	notSeed := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("docs/README.md")
		_, _ = w.Write([]byte("hello"))
		_ = zw.Close()
		return buf.Bytes()
	}()
	badSeed := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("seed/problemprofiles/problemprofiles.json")
		_, _ = w.Write([]byte(`[{"id":"not ok","name_translations":{"en":"x"},"description_translations":{"en":"y"}}]`))
		_ = zw.Close()
		return buf.Bytes()
	}()
	cases := []struct {
		name, file string
		data       []byte
		cookie     *http.Cookie
		csrf       string
		status     int
		text       string
	}{
		{"too large", "big.zip", bytes.Repeat([]byte("x"), MaxUpload+1), f.editor, tok, http.StatusRequestEntityTooLarge, "The file is too large: send at most 16 MiB."},
		{"bad YAML", "publiccode.yml", []byte("name: [unclosed\n"), f.editor, tok, http.StatusUnprocessableEntity, "line"},
		{"YAML breaking a rule", "publiccode.yml", []byte("publiccodeYmlVersion: \"0.4\"\nname: x\n"), f.editor, tok, http.StatusUnprocessableEntity, "url"},
		{"not a seed", "docs.zip", notSeed, f.editor, tok, http.StatusUnprocessableEntity, "holds no INTERLINK seed"},
		{"not a zip", "broken.zip", []byte("PK\x03\x04broken"), f.editor, tok, http.StatusUnprocessableEntity, "not a zip file"},
		{"seed breaking a rule", "seed.zip", badSeed, f.editor, tok, http.StatusUnprocessableEntity, "problemprofiles.json"},
		{"unknown type", "data.csv", []byte("a,b"), f.editor, tok, http.StatusUnsupportedMediaType, "Send a .zip"},
		{"no csrf", "publiccode.yml", []byte("x: 1"), f.editor, "", http.StatusForbidden, ""},
		{"reader", "publiccode.yml", []byte("x: 1"), f.reader, csrfOf(t, f.do(t, http.MethodGet, "/", nil, []*http.Cookie{f.reader}).Body.String()), http.StatusForbidden, ""},
	}
	for _, c := range cases {
		w := f.upload(t, c.file, c.data, c.cookie, c.csrf)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.text) {
			t.Errorf("%s: %d, want %d with %q: %s", c.name, w.Code, c.status, c.text, w.Body.String())
		}
	}
	if n := f.count(t); n != 0 {
		t.Fatalf("refused uploads stored %d objects", n)
	}
}

func TestSeedFSFindsTheRoot(t *testing.T) {
	for _, names := range [][]string{{"interlinkers/software/x/metadata.json"}, {"a/b/schemas/s/metadata.json", "a/b/weblate/schemas/y.json"},
		{"__MACOSX/seed/interlinkers/._x", "seed/problemprofiles/problemprofiles.json", "seed/interlinkers/knowledge/k/metadata.json"}} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, n := range names {
			w, _ := zw.Create(n)
			_, _ = w.Write([]byte("{}"))
		}
		_ = zw.Close()
		fsys, err := seedFS(buf.Bytes())
		if err != nil {
			t.Fatalf("%v: %v", names, err)
		}
		want := names[len(names)-1]
		if i := strings.Index(want, "interlinkers/"); i >= 0 {
			want = want[i:]
		} else if i := strings.Index(want, "problemprofiles/"); i >= 0 {
			want = want[i:]
		} else {
			want = strings.TrimPrefix(names[0], "a/b/")
		}
		if _, err := fs.Stat(fsys, want); err != nil {
			t.Errorf("%v: %s not at the root: %v", names, want, err)
		}
	}
}

func FuzzSeedFS(f *testing.F) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("seed/problemprofiles/problemprofiles.json")
	_, _ = w.Write([]byte("[]"))
	_ = zw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys, err := seedFS(data)
		if err != nil {
			return
		}
		_, _ = interlinkfmt.ReadSeed(fsys)
	})
}
