package web

import (
	"net/url"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// interlinkerTexts adds an interlinker's texts in lt's language: where to
// find it, how to use it, and what limits it.
func interlinkerTexts(lt *langText, il *protocol.Interlinker) {
	l := lt.Tag
	if u := strings.TrimSpace(il.URI[l]); webLink(u) {
		lt.URI = u
	}
	lt.Instructions = strings.TrimSpace(il.Instructions[l])
	lt.Constraints = strings.TrimSpace(il.ConstraintsAndLimitations[l])
	lt.Regulations = strings.TrimSpace(il.RegulationsAndStandards[l])
	if f := strings.TrimSpace(il.File[l]); f != "" {
		lt.Files = append(lt.Files, f)
	}
}

// interlinkerFields adds an interlinker's own details, labelled as the
// editor labels them.
func interlinkerFields(fs []field, loc *locale, il *protocol.Interlinker) []field {
	add := func(label string, vals ...string) { fs = appendField(fs, loc, label, vals...) }
	add("edit.f.difficulty", optionLabels(loc, "difficulty", il.Difficulty)...)
	add("edit.f.targets", il.Targets...)
	add("edit.f.types", il.Types...)
	add("edit.f.form", il.Form)
	add("edit.f.format", il.Format)
	add("edit.f.spdx_licence", il.SPDXLicence)
	add("edit.f.environments", il.Environments...)
	add("edit.f.domain", il.Domain)
	add("edit.f.software_interlinker", il.SoftwareInterlinker)
	add("edit.f.supported_by", il.SupportedBy...)
	return fs
}

// optionLabels names coded values (a nature, a licence category, a scope)
// as the editor's choices name them in the reader's language; a value
// without a label stays as it is.
func optionLabels(loc *locale, field string, vals ...string) []string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if v != "" {
			out = append(out, optionLabel(loc, field, v))
		}
	}
	return out
}

// optionLabel is one value's label (the value itself when it has none).
func optionLabel(loc *locale, field, v string) string {
	id := "edit.o." + field + "." + v
	if s := loc.T(id); s != id {
		return s
	}
	return v
}

// webLink reports whether s is an absolute http(s) URL, the only kind a
// page links to.
func webLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
