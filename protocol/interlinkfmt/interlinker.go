// Package interlinkfmt reads and writes the INTERLINK catalogue seed: the
// directory layout of interlink-project/backend-catalogue's catalogue/seed.
//
//	interlinkers/<nature>/<dir>/metadata.json   one interlinker; nature is software,
//	                                            knowledge, externalsoftware or externalknowledge
//	interlinkers/<nature>/<dir>/instructions.md its instructions (paths inside metadata.json
//	                                            are relative to the seed root)
//	problemprofiles/problemprofiles.json        a JSON array of problem profiles
//	schemas/<dir>/metadata.json                 one co-production schema
//	schemas/<dir>/phases/<name>.json            its phases, ordered by their prerequisites
//
// INTERLINK names multilingual fields with a "_translations" suffix
// ("name_translations"), calls the key "id" and the licence category
// "licence", and sets "type" to knowledge or software (the nature comes from
// the directory). The quirks of the real seed are accepted: the misspelt
// licence "propietary", format "sofware", types such as
// "enhancing_services:external_experts", prerequisites as lists of
// {item, type} or {item, status}, empty per-language values, and repeated
// problem profiles.
package interlinkfmt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// wireInterlinker is an interlinker's metadata.json as INTERLINK writes it.
// spdx_licence and publiccode are this project's extensions: WriteSeed
// writes them only when they are set, so a seed that came from INTERLINK is
// written back without them.
type wireInterlinker struct {
	AdministrativeScopes         []string                 `json:"administrative_scopes"`
	AssetName                    protocol.Text            `json:"asset_name_translations"`
	ConstraintsAndLimitations    protocol.Text            `json:"constraints_and_limitations_translations"`
	Description                  protocol.Text            `json:"description_translations"`
	Difficulty                   string                   `json:"difficulty"`
	Domain                       string                   `json:"domain"`
	Environments                 []string                 `json:"environments"`
	File                         protocol.Text            `json:"file_translations"`
	Form                         string                   `json:"form"`
	Format                       string                   `json:"format"`
	ID                           string                   `json:"id"`
	Instructions                 protocol.Text            `json:"instructions_translations"` // paths relative to the seed root, or URLs
	Integration                  json.RawMessage          `json:"integration"`
	IsResponsive                 *bool                    `json:"is_responsive"`
	IsSustainabilityRelated      bool                     `json:"is_sustainability_related"`
	Languages                    []string                 `json:"languages"`
	Licence                      string                   `json:"licence"`
	Logotype                     string                   `json:"logotype"`
	Name                         protocol.Text            `json:"name_translations"`
	OverviewText                 protocol.Text            `json:"overview_text"`
	ProblemProfiles              []string                 `json:"problemprofiles"`
	Process                      string                   `json:"process"`
	PublicCode                   *protocol.PublicCodeInfo `json:"publiccode"`
	RegulationsAndStandards      protocol.Text            `json:"regulations_and_standards_translations"`
	SoftwareInterlinker          string                   `json:"softwareinterlinker"`
	SPDXLicence                  string                   `json:"spdx_licence"`
	SupportedBy                  []string                 `json:"supported_by"`
	SupportsInternationalization *bool                    `json:"supports_internationalization"`
	Tags                         protocol.TextList        `json:"tags_translations"`
	Targets                      []string                 `json:"targets"`
	Type                         string                   `json:"type"`
	Types                        []string                 `json:"types"`
	URI                          protocol.Text            `json:"uri_translations"`
}

// WireType is the "type" INTERLINK gives an interlinker of a nature:
// "software" for software and externalsoftware, "knowledge" otherwise.
func WireType(n protocol.Nature) string {
	if n == protocol.NatureSoftware || n == protocol.NatureExternalSoftware {
		return "software"
	}
	return "knowledge"
}

// DecodeInterlinker decodes an interlinker's metadata.json, resolves its
// instructions with readFile (called with a slash-separated path relative
// to the seed root, "./" removed and cleaned; paths that leave the seed root
// are refused) and validates the result. An instructions value that is an
// absolute http(s) URL is kept as it is. Errors name the field
// (*protocol.ValidationError for decoding and validation failures).
func DecodeInterlinker(nature protocol.Nature, raw []byte, readFile func(rel string) ([]byte, error)) (*protocol.Interlinker, error) {
	if !protocol.ValidNature(nature) {
		return nil, fmt.Errorf("interlinkfmt: decode interlinker: unknown nature %q", nature)
	}
	var w wireInterlinker
	if err := protocol.DecodeStrict(raw, &w); err != nil {
		return nil, kindErr(err, protocol.KindInterlinker)
	}
	ve := &protocol.ValidationError{Kind: protocol.KindInterlinker}
	if w.Type != WireType(nature) {
		ve.Add("type", "enum", "%q does not match the nature %q (want %q)", w.Type, nature, WireType(nature))
	}
	it := &protocol.Interlinker{
		Type:                         protocol.KindInterlinker,
		Key:                          w.ID,
		Nature:                       nature,
		Name:                         text(w.Name),
		Description:                  text(w.Description),
		Tags:                         textList(w.Tags),
		Difficulty:                   w.Difficulty,
		Targets:                      list(w.Targets),
		Types:                        list(w.Types),
		AdministrativeScopes:         list(w.AdministrativeScopes),
		Form:                         w.Form,
		Format:                       w.Format,
		LicenceCategory:              w.Licence,
		SPDXLicence:                  w.SPDXLicence,
		ProblemProfiles:              list(w.ProblemProfiles),
		Languages:                    list(w.Languages),
		Environments:                 list(w.Environments),
		Domain:                       w.Domain,
		Process:                      w.Process,
		ConstraintsAndLimitations:    text(w.ConstraintsAndLimitations),
		RegulationsAndStandards:      text(w.RegulationsAndStandards),
		AssetName:                    text(w.AssetName),
		OverviewText:                 text(w.OverviewText),
		File:                         text(w.File),
		URI:                          text(w.URI),
		SoftwareInterlinker:          w.SoftwareInterlinker,
		Logotype:                     w.Logotype,
		IsSustainabilityRelated:      w.IsSustainabilityRelated,
		IsResponsive:                 w.IsResponsive,
		SupportsInternationalization: w.SupportsInternationalization,
		SupportedBy:                  list(w.SupportedBy),
		PublicCode:                   w.PublicCode,
	}
	if len(w.Integration) > 0 && !bytes.Equal(w.Integration, []byte("null")) {
		var buf bytes.Buffer
		if err := json.Compact(&buf, w.Integration); err != nil {
			ve.Add("integration", "format", "is not valid JSON: %v", err)
		} else {
			it.Integration = buf.Bytes()
		}
	}
	if len(w.Instructions) > 0 {
		it.Instructions = make(protocol.Text, len(w.Instructions))
		for lang, ref := range w.Instructions {
			field := protocol.MapField("instructions_translations", lang)
			content, err := resolveInstructions(ref, readFile)
			if err != nil {
				ve.Add(field, "file", "%v", err)
				continue
			}
			it.Instructions[lang] = content
		}
	}
	appendWireErrors(ve, "", it.Validate())
	if err := ve.Err(); err != nil {
		return nil, err
	}
	return it, nil
}

// resolveInstructions returns the text an instructions_translations value
// points at: the URL itself for an absolute http(s) URL, else the content of
// the file it names.
func resolveInstructions(ref string, readFile func(rel string) ([]byte, error)) (string, error) {
	if protocol.ValidHTTPURL(ref) {
		return ref, nil
	}
	rel, err := SeedPath(ref)
	if err != nil {
		return "", err
	}
	if readFile == nil {
		return "", fmt.Errorf("cannot read %q: no file reader", ref)
	}
	b, err := readFile(rel)
	if err != nil {
		return "", fmt.Errorf("read %q: %w", ref, err)
	}
	return string(b), nil
}

// SeedPath turns a path written in a metadata.json ("./interlinkers/x/y.md")
// into a clean slash-separated path relative to the seed root
// ("interlinkers/x/y.md"). It refuses empty and absolute paths, backslashes
// and paths that leave the seed root.
func SeedPath(ref string) (string, error) {
	if ref == "" {
		return "", errors.New("empty path")
	}
	if strings.HasPrefix(ref, "/") || strings.Contains(ref, `\`) || strings.Contains(ref, ":") {
		return "", fmt.Errorf("%q is not a path relative to the seed root", ref)
	}
	rel := path.Clean(ref)
	if rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%q leaves the seed root", ref)
	}
	return rel, nil
}

// isURLInstruction reports whether an instructions text is a bare URL, which
// the seed keeps in metadata.json instead of in a file.
func isURLInstruction(s string) bool { return protocol.ValidHTTPURL(s) }

// instructionsFile is the file name of the instructions in one language:
// instructions.md for English (as in the INTERLINK seed), else
// instructions.<lang>.md.
func instructionsFile(lang string) string {
	if lang == "en" {
		return "instructions.md"
	}
	return "instructions." + lang + ".md"
}

// EncodeInterlinker renders an interlinker as INTERLINK metadata.json
// (members sorted by name, four-space indentation). instructionsPath gives,
// per language, what instructions_translations holds (a path relative to
// the seed root, conventionally "./..."); instructions that are a bare
// http(s) URL are written as that URL. Fields INTERLINK requires for the
// nature are always written, as empty values when unset; optional fields
// only when set.
func EncodeInterlinker(it *protocol.Interlinker, instructionsPath func(lang string) string) ([]byte, error) {
	if it == nil {
		return nil, errors.New("interlinkfmt: encode interlinker: nil")
	}
	m := map[string]any{
		"id":                        it.Key,
		"type":                      WireType(it.Nature),
		"name_translations":         orEmptyText(it.Name),
		"description_translations":  orEmptyText(it.Description),
		"tags_translations":         orEmptyTextList(it.Tags),
		"problemprofiles":           orEmptyList(it.ProblemProfiles),
		"is_sustainability_related": it.IsSustainabilityRelated,
		"constraints_and_limitations_translations": orEmptyText(it.ConstraintsAndLimitations),
	}
	instr := protocol.Text{}
	for lang, content := range it.Instructions {
		if isURLInstruction(content) {
			instr[lang] = content
			continue
		}
		if instructionsPath == nil {
			return nil, fmt.Errorf("interlinkfmt: encode interlinker %q: instructions in %q need a path", it.Key, lang)
		}
		instr[lang] = instructionsPath(lang)
	}
	m["instructions_translations"] = instr
	setString(m, "difficulty", it.Difficulty)
	setString(m, "licence", it.LicenceCategory)
	setString(m, "form", it.Form)
	setString(m, "format", it.Format)
	setString(m, "domain", it.Domain)
	setString(m, "process", it.Process)
	setString(m, "logotype", it.Logotype)
	setString(m, "spdx_licence", it.SPDXLicence)
	setString(m, "softwareinterlinker", it.SoftwareInterlinker)
	setList(m, "targets", it.Targets)
	setList(m, "types", it.Types)
	setList(m, "administrative_scopes", it.AdministrativeScopes)
	setList(m, "languages", it.Languages)
	setList(m, "environments", it.Environments)
	setList(m, "supported_by", it.SupportedBy)
	setText(m, "regulations_and_standards_translations", it.RegulationsAndStandards)
	setText(m, "asset_name_translations", it.AssetName)
	setText(m, "overview_text", it.OverviewText)
	setText(m, "file_translations", it.File)
	setText(m, "uri_translations", it.URI)
	if it.IsResponsive != nil {
		m["is_responsive"] = *it.IsResponsive
	}
	if it.SupportsInternationalization != nil {
		m["supports_internationalization"] = *it.SupportsInternationalization
	}
	if len(it.Integration) > 0 {
		m["integration"] = it.Integration
	}
	if it.PublicCode != nil {
		m["publiccode"] = it.PublicCode
	}
	switch it.Nature {
	case protocol.NatureKnowledge:
		m["file_translations"] = orEmptyText(it.File)
		m["softwareinterlinker"] = it.SoftwareInterlinker
	case protocol.NatureExternalKnowledge, protocol.NatureExternalSoftware:
		m["uri_translations"] = orEmptyText(it.URI)
	case protocol.NatureSoftware:
		m["supported_by"] = orEmptyList(it.SupportedBy)
	}
	return marshal(m)
}

// marshal renders v as the seed writes JSON: four-space indentation, a
// final newline, no HTML escaping.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("interlinkfmt: encode JSON: %w", err)
	}
	return buf.Bytes(), nil
}

// kindErr sets the kind of a decoding *ValidationError.
func kindErr(err error, kind protocol.Kind) error {
	var ve *protocol.ValidationError
	if errors.As(err, &ve) {
		ve.Kind = kind
	}
	return err
}

// text, textList and list normalise empty collections to nil, so that a
// seed read, written and read again compares equal.
func text(t protocol.Text) protocol.Text {
	if len(t) == 0 {
		return nil
	}
	return t
}

func textList(t protocol.TextList) protocol.TextList {
	if len(t) == 0 {
		return nil
	}
	return t
}

func list(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return l
}

func orEmptyText(t protocol.Text) protocol.Text {
	if t == nil {
		return protocol.Text{}
	}
	return t
}

func orEmptyTextList(t protocol.TextList) protocol.TextList {
	if t == nil {
		return protocol.TextList{}
	}
	return t
}

func orEmptyList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func setString(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func setList(m map[string]any, k string, v []string) {
	if len(v) > 0 {
		m[k] = v
	}
}

func setText(m map[string]any, k string, v protocol.Text) {
	if len(v) > 0 {
		m[k] = v
	}
}
