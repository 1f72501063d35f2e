package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// versionOption is a version in the comparison form's lists.
type versionOption struct {
	N              uint64
	Label          string
	SelFrom, SelTo bool
	Current        bool
	Date           string
}

// diffPage is the comparison of two versions of one object.
type diffPage struct {
	Title, Href, ID    string
	Options            []versionOption
	From, To           uint64
	FromError, ToError string
	Rows               []diffRowView
	Compared           bool
}

// parseVersion reads a version number from the query: 0, "" when absent;
// an error message when it is not one of the object's.
func parseVersion(loc *locale, s string, known map[uint64]bool) (uint64, string) {
	if s == "" {
		return 0, loc.T("diff.version_required")
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || !known[n] {
		return 0, loc.T("diff.version_unknown")
	}
	return n, ""
}

// ObjectDiff serves /objects/{id}/diff?from=N&to=M: the fields that differ
// between two versions, every language apart.
func (h UsesPages) ObjectDiff(w http.ResponseWriter, r *http.Request, id string) {
	loc := h.locale(w, r)
	cat := h.d.Catalogue()
	p, err := cat.ObjectByID(r.Context(), id, 0)
	if errors.Is(err, storage.ErrNotFound) {
		h.Error(w, r, http.StatusNotFound)
		return
	} else if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: diff", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	v := diffPage{Href: p.Object.IRI, ID: id}
	v.Title, _ = text(indexOf(p.Object).Name, loc.Tag)
	if v.Title == "" {
		v.Title = p.Object.Key
	}
	known := map[uint64]bool{}
	for _, m := range p.Versions {
		known[m.Version] = true
	}
	q := r.URL.Query()
	status := http.StatusOK
	if q.Has("from") || q.Has("to") {
		v.From, v.FromError = parseVersion(loc, q.Get("from"), known)
		v.To, v.ToError = parseVersion(loc, q.Get("to"), known)
		if v.FromError == "" && v.ToError == "" && v.From == v.To {
			v.ToError = loc.T("diff.same")
		}
		if v.FromError != "" || v.ToError != "" {
			status = http.StatusBadRequest
		} else {
			a, err := cat.ObjectByID(r.Context(), id, v.From)
			if err == nil {
				var b = p
				if v.To != p.Object.Version {
					b, err = cat.ObjectByID(r.Context(), id, v.To)
				}
				if err == nil {
					v.Rows, v.Compared = diffView(loc, diffFields(flatten(a.Object.Body), flatten(b.Object.Body))), true
				}
			}
			if err != nil {
				h.d.Logger.ErrorContext(r.Context(), "web: diff", "err", err)
				h.Error(w, r, http.StatusInternalServerError)
				return
			}
		}
	} else if n := len(p.Versions); n >= 2 { // the latest change by default
		v.From, v.To = p.Versions[n-2].Version, p.Versions[n-1].Version
	}
	v.Options = versionOptions(loc, p.Versions, p.Object.Version, v.From, v.To)
	h.render(w, r, status, "diff", loc.T("diff.title")+" – "+v.Title, v)
}

// versionOptions lists the versions, newest first, marking the selected
// ones of the comparison form.
func versionOptions(loc *locale, vs []protocol.Meta, current, from, to uint64) []versionOption {
	out := make([]versionOption, 0, len(vs))
	for i := len(vs) - 1; i >= 0; i-- {
		m := vs[i]
		out = append(out, versionOption{N: m.Version, Label: loc.T("object.version") + " " + loc.Num(m.Version) + " · " + loc.Date(m.Updated),
			SelFrom: m.Version == from, SelTo: m.Version == to, Current: m.Version == current})
	}
	return out
}
