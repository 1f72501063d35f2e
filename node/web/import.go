package web

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/publiccode"
)

// Limits of an uploaded file.
const (
	// MaxUpload bounds an uploaded file (the INTERLINK seed zipped is
	// well under 2 MiB).
	MaxUpload = 16 << 20
	// maxZipFiles and maxZipBytes bound what a zip may unpack to (the
	// declared sizes; archive/zip refuses a file longer than declared).
	maxZipFiles = 10000
	maxZipBytes = 128 << 20
)

var errNotSeed = errors.New("the zip holds no INTERLINK seed: none of interlinkers/, problemprofiles/problemprofiles.json, schemas/ is in it")

// seedFS opens an uploaded zip as the file system of the seed it holds:
// the folder (at any depth, the shallowest) that holds interlinkers/,
// problemprofiles/problemprofiles.json or schemas/.
func seedFS(data []byte) (fs.FS, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a zip file: %w", err)
	}
	if len(zr.File) > maxZipFiles {
		return nil, fmt.Errorf("the zip holds %d files, more than %d", len(zr.File), maxZipFiles)
	}
	var total uint64
	root, found := "", false
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > maxZipBytes {
			return nil, fmt.Errorf("the zip unpacks to more than %d MiB", maxZipBytes>>20)
		}
		name := f.Name
		if !fs.ValidPath(strings.TrimSuffix(name, "/")) {
			continue
		}
		for _, marker := range []string{"interlinkers/", "problemprofiles/problemprofiles.json", "schemas/"} {
			i := strings.Index(name, marker)
			if i < 0 || (i > 0 && name[i-1] != '/') {
				continue
			}
			if r := name[:i]; !found || len(r) < len(root) {
				root, found = r, true
			}
		}
	}
	if !found {
		return nil, errNotSeed
	}
	if root == "" {
		return zr, nil
	}
	return fs.Sub(zr, path.Clean(root))
}

type importRow struct {
	Kind, Key, Href, Result, ResultLabel string
	Reasons                              []string
}

type importView struct {
	Max       string
	Error     string // why the upload was refused whole
	FileName  string
	Done      bool
	Totals    []count
	Rows      []importRow
	Refused   bool
	Importing string // the script's words while the node imports
}

// ImportForm serves GET /import: the upload form.
func (h EditorPages) ImportForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.editor(w, r); !ok {
		return
	}
	h.importPage(w, r, http.StatusOK, importView{})
}

func (h EditorPages) importPage(w http.ResponseWriter, r *http.Request, status int, v importView) {
	loc := h.locale(w, r)
	v.Max, v.Importing = loc.Num(MaxUpload>>20), loc.T("import.importing")
	h.render(w, r, status, "import", loc.T("import.title"), v)
}

// ImportPost serves POST /import: a publiccode.yml file or an INTERLINK
// seed folder as a .zip (multipart, at most MaxUpload), imported through
// the catalogue; the page lists each object imported or refused, with
// the reasons.
func (h EditorPages) ImportPost(w http.ResponseWriter, r *http.Request) {
	s, ok := h.editor(w, r)
	if !ok {
		return
	}
	loc := h.locale(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, MaxUpload+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.importPage(w, r, http.StatusRequestEntityTooLarge, importView{Error: loc.Tf("import.too_large", MaxUpload>>20)})
			return
		}
		h.importPage(w, r, http.StatusBadRequest, importView{Error: loc.T("import.no_file")})
		return
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	if h.d.Accounts().CheckCSRF(s.secret, r.PostFormValue("csrf")) != nil {
		h.Error(w, r, http.StatusForbidden)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		h.importPage(w, r, http.StatusBadRequest, importView{Error: loc.T("import.no_file")})
		return
	}
	defer file.Close()
	if hdr.Size > MaxUpload {
		h.importPage(w, r, http.StatusRequestEntityTooLarge, importView{Error: loc.Tf("import.too_large", MaxUpload>>20)})
		return
	}
	data, err := io.ReadAll(io.LimitReader(file, MaxUpload+1))
	if err != nil || len(data) > MaxUpload {
		h.importPage(w, r, http.StatusRequestEntityTooLarge, importView{Error: loc.Tf("import.too_large", MaxUpload>>20)})
		return
	}
	v := importView{FileName: hdr.Filename}
	cat := h.d.Catalogue()
	var rep catalogue.UploadReport
	name := strings.ToLower(hdr.Filename)
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")) || strings.HasSuffix(name, ".zip"):
		fsys, ferr := seedFS(data)
		if ferr != nil {
			v.Error = loc.T("import.bad_zip") + " " + ferr.Error()
			h.importPage(w, r, http.StatusUnprocessableEntity, v)
			return
		}
		rep, err = cat.ImportSeed(r.Context(), fsys, nil)
	case strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml") || name == "":
		rep, err = cat.ImportPubliccode(r.Context(), data)
	default:
		v.Error = loc.T("import.unknown_type")
		h.importPage(w, r, http.StatusUnsupportedMediaType, v)
		return
	}
	if errors.Is(err, catalogue.ErrBadUpload) {
		v.Error = loc.T("import.bad_file") + " " + uploadReason(err)
		h.importPage(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	h.recordImport(r, s, rep, hdr.Filename)
	if err != nil { // a storage or signing failure: what was imported before it stays, and is listed
		h.d.Logger.ErrorContext(r.Context(), "web: import", "err", err)
		v.Error = loc.T("import.failed")
	}
	v.Done = true
	v.Refused = rep.Refused > 0
	for _, c := range []struct {
		key string
		n   int
	}{{"import.created", rep.Created}, {"import.updated", rep.Updated}, {"import.unchanged", rep.Unchanged}, {"import.refused", rep.Refused}} {
		v.Totals = append(v.Totals, count{Label: loc.T(c.key), N: loc.Num(c.n)})
	}
	for _, it := range rep.Items {
		row := importRow{Kind: loc.T("kind." + string(it.Type)), Key: it.Key, Result: it.Result, ResultLabel: loc.T("import." + it.Result)}
		if it.IRI != "" {
			row.Href = it.IRI[strings.LastIndex(it.IRI, "/objects/"):]
		}
		for _, fe := range it.Reasons {
			reason := errorText(loc, fe)
			if fe.Field != "" {
				reason = fe.Field + ": " + reason
			}
			row.Reasons = append(row.Reasons, reason)
		}
		v.Rows = append(v.Rows, row)
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusInternalServerError
	}
	h.importPage(w, r, status, v)
}

// uploadReason is what an unreadable upload's error says for people:
// the YAML line, or the file, field and rule the readers name.
func uploadReason(err error) string {
	var se *publiccode.SyntaxError
	if errors.As(err, &se) {
		if se.Line > 0 {
			return fmt.Sprintf("line %d: %s", se.Line, se.Msg)
		}
		return se.Msg
	}
	return strings.TrimPrefix(strings.TrimPrefix(err.Error(), catalogue.ErrBadUpload.Error()+": "), "interlinkfmt: ")
}

// recordImport puts each object the import created or changed in the
// audit list.
func (h EditorPages) recordImport(r *http.Request, s session, rep catalogue.UploadReport, file string) {
	for _, it := range rep.Items {
		if it.Result == "created" || it.Result == "updated" {
			h.audit(r, s, ActionObjectImport, it.IRI, fmt.Sprintf("%s %s (version %d) from %s", it.Type, it.Result, it.Version, protocol.Clip(file, 128)))
		}
	}
}
