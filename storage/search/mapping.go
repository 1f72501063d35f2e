package search

import (
	"fmt"
	"html"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/interlink-project/interlink-node/protocol"
)

// mappingVersion names the index layout. Bump it whenever the mapping, the
// analyzers or the way documents are built changes: an index with another
// version is deleted and rebuilt from the source at Open.
const mappingVersion = "interlink-search/8"

// otherAnalyzer indexes the languages without a dedicated analyzer (lv, fr,
// de, ...) and the unstemmed all-language name and tag fields: Unicode word
// segmentation, lower case and ASCII folding (so "modela" finds "modeļa"),
// and, unlike bleve's "standard", no English stop words.
const otherAnalyzer = "il_other"

// textLangs are the languages with their own analyzer; every other language
// goes to the "other" fields.
var textLangs = []string{"en", "es", "it"}

// langOther is the field suffix of the languages without an analyzer.
const langOther = "other"

// fieldLangs lists the suffixes of the per-language text fields.
var fieldLangs = []string{"en", "es", "it", langOther}

// sortLangs are the languages with a sort key of their own for match-all
// listings; other languages sort by the English key.
var sortLangs = []string{"en", "es", "it", "lv"}

// Text field kinds and their relevance weight: names over tags over descriptions.
const (
	kindName = "name"
	kindTags = "tags"
	kindDesc = "desc"
)

var textKinds = []struct {
	kind  string
	boost float64
}{{kindName, 4}, {kindTags, 2}, {kindDesc, 1}}

// Unstemmed all-language fields, used for prefix matching on the last word.
const (
	fieldNameAll = "name_all"
	fieldTagsAll = "tags_all"
)

// Keyword fields: exact values for filters; the facet ones also for facets.
const (
	fieldType           = "type"
	fieldNature         = "nature"
	fieldLanguage       = "language"
	fieldProblemProfile = "problem_profile"
	fieldLicence        = "licence"
	fieldScope          = "scope"
	fieldCountry        = "country"
	fieldOrigin         = "origin"
	fieldTarget         = "target"
	// fieldVerified is the trust layer's judgement of the current version:
	// verified, unverified, or unsigned (stored before objects were signed).
	fieldVerified = "verified"
	// fieldSignerCountry holds each signer's country as its trust chain
	// states it (verified signers only).
	fieldSignerCountry = "signer_country"
)

// fieldFacets holds "field\x1fvalue" for every facet field value of a
// document: one doc-values field to visit per matching document instead of
// one per facet field.
const (
	fieldFacets    = "facets"
	facetSeparator = "\x1f"
)

// facetFields lists the fields Search counts when Query.Facets is set, in a
// stable order.
var facetFields = []string{fieldType, fieldNature, fieldLanguage, fieldProblemProfile,
	fieldLicence, fieldScope, fieldCountry, fieldOrigin, fieldVerified, fieldSignerCountry}

// filterFields lists the keys Query.Filters accepts: the facet fields and
// "target" (the IRI an adoption or rating is about).
var filterFields = append(slices.Clone(facetFields), fieldTarget)

// FacetFields are the facets Search counts, in the order to show them.
func FacetFields() []string { return slices.Clone(facetFields) }

// FilterFields are the keys Query.Filters accepts.
func FilterFields() []string { return slices.Clone(filterFields) }

func textField(kind, lang string) string { return kind + "_" + lang }
func sortField(lang string) string       { return "sort_" + lang }

// analyzerFor names the analyzer of a field language suffix.
func analyzerFor(lang string) string {
	if lang == langOther {
		return otherAnalyzer
	}
	return lang
}

// fieldLang maps a BCP 47 tag to a field suffix: "en-GB" → "en", "lv" → "other".
func fieldLang(tag string) string {
	primary := primaryLang(tag)
	if slices.Contains(textLangs, primary) {
		return primary
	}
	return langOther
}

// primaryLang is the lower-cased primary subtag of a BCP 47 tag.
func primaryLang(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

// newMapping builds the index mapping. Documents are static: only the
// fields below are indexed, nothing is stored (hits carry only the IRI).
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	err := im.AddCustomAnalyzer(otherAnalyzer, map[string]any{
		"type":          custom.Name,
		"char_filters":  []any{asciifolding.Name},
		"tokenizer":     unicode.Name,
		"token_filters": []any{lowercase.Name},
	})
	if err != nil {
		return nil, fmt.Errorf("search: define analyzer %s: %w", otherAnalyzer, err)
	}
	// Make sure the language analyzers are linked in and registered.
	for _, name := range []string{en.AnalyzerName, es.AnalyzerName, it.AnalyzerName, keyword.Name} {
		if im.AnalyzerNamed(name) == nil {
			return nil, fmt.Errorf("search: analyzer %q is not registered", name)
		}
	}

	text := func(analyzer string) *mapping.FieldMapping {
		fm := mapping.NewTextFieldMapping()
		fm.Analyzer = analyzer
		fm.Store = false
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		fm.DocValues = false
		return fm
	}
	kw := func(docValues bool) *mapping.FieldMapping {
		fm := mapping.NewKeywordFieldMapping()
		fm.Store = false
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		fm.DocValues = docValues
		return fm
	}

	doc := mapping.NewDocumentStaticMapping()
	for _, tk := range textKinds {
		for _, lang := range fieldLangs {
			doc.AddFieldMappingsAt(textField(tk.kind, lang), text(analyzerFor(lang)))
		}
	}
	doc.AddFieldMappingsAt(fieldNameAll, text(otherAnalyzer))
	doc.AddFieldMappingsAt(fieldTagsAll, text(otherAnalyzer))
	for _, lang := range sortLangs {
		doc.AddFieldMappingsAt(sortField(lang), kw(true))
	}
	for _, f := range facetFields {
		doc.AddFieldMappingsAt(f, kw(false))
	}
	doc.AddFieldMappingsAt(fieldFacets, kw(true))
	doc.AddFieldMappingsAt(fieldTarget, kw(false))

	im.DefaultMapping = doc
	im.DefaultAnalyzer = otherAnalyzer
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	if err := im.Validate(); err != nil {
		return nil, fmt.Errorf("search: invalid index mapping: %w", err)
	}
	return im, nil
}

// docFields maps index field names to their values.
type docFields map[string][]string

func (d docFields) add(field, value string) {
	if value != "" {
		d[field] = append(d[field], value)
	}
}

// buildDoc projects a live object onto the index fields. A body the
// protocol cannot decode still yields the envelope's fields (type, origin),
// so the object stays countable and filterable; the error is returned
// beside them for the caller to log.
func buildDoc(obj protocol.Object) (docFields, error) {
	doc := docFields{}
	doc.add(fieldType, string(obj.Type))
	doc.add(fieldOrigin, originHost(obj.Origin))
	var idx protocol.IndexDoc
	var decodeErr error
	if len(obj.Body) > 0 {
		ent, err := protocol.DecodeEntity(obj.Body)
		if err != nil {
			decodeErr = fmt.Errorf("decode body of %s: %w", obj.IRI, err)
		} else {
			idx = ent.Index()
			if obj.Type == "" {
				doc.add(fieldType, string(ent.Kind()))
			}
		}
	}

	for _, tag := range slices.Sorted(maps.Keys(idx.Name)) {
		v := strings.TrimSpace(idx.Name[tag])
		doc.add(textField(kindName, fieldLang(tag)), v)
		doc.add(fieldNameAll, v)
	}
	for _, tag := range slices.Sorted(maps.Keys(idx.Description)) {
		doc.add(textField(kindDesc, fieldLang(tag)), stripHTML(idx.Description[tag]))
	}
	for _, tag := range slices.Sorted(maps.Keys(idx.Tags)) {
		for _, v := range idx.Tags[tag] {
			v = strings.TrimSpace(v)
			doc.add(textField(kindTags, fieldLang(tag)), v)
			doc.add(fieldTagsAll, v)
		}
	}
	for _, lang := range sortLangs {
		doc[sortField(lang)] = []string{sortKey(idx.Name, lang, obj.Key)}
	}

	setKW := func(field string, values []string, norm func(string) string) {
		for _, v := range values {
			if v = norm(v); v != "" && !slices.Contains(doc[field], v) {
				doc[field] = append(doc[field], v)
			}
		}
	}
	langs := idx.Languages
	if len(langs) == 0 {
		langs = slices.Sorted(maps.Keys(idx.Name))
	}
	setKW(fieldLanguage, langs, normLanguage)
	setKW(fieldNature, []string{idx.Nature}, strings.TrimSpace)
	setKW(fieldProblemProfile, idx.ProblemProfiles, strings.TrimSpace)
	setKW(fieldLicence, []string{idx.LicenceCategory}, strings.TrimSpace)
	setKW(fieldScope, idx.Scopes, strings.TrimSpace)
	setKW(fieldCountry, []string{idx.Country}, normCountry)
	setKW(fieldTarget, []string{idx.Target}, strings.TrimSpace)
	status := "unsigned"
	if v := obj.Verification; v != nil {
		status = v.Status
		if v.Status == protocol.Verified {
			for _, s := range v.Signers {
				setKW(fieldSignerCountry, []string{s.Country}, normCountry)
			}
		}
	}
	setKW(fieldVerified, []string{status}, strings.TrimSpace)
	for _, f := range facetFields {
		for _, v := range doc[f] {
			doc.add(fieldFacets, f+facetSeparator+v)
		}
	}
	return doc, decodeErr
}

// Indexing options of the keyword fields. The facet and sort fields keep
// doc values unchunked and uncompressed (as bleve does for geo points): a
// facet or sort visits the values of every matching document, and decoding a
// compressed 1024-document chunk per visit would dominate the search time.
const (
	kwOptions = index.IndexField
	dvOptions = kwOptions | index.DocValues | index.SkipDVChunking | index.SkipDVCompression
)

// document turns fields into a bleve document with the analyzers and
// options the mapping declares (built directly, bypassing the reflective
// mapper, to set options the mapping cannot express).
func (ix *Index) document(id string, fields docFields) *document.Document {
	doc := document.NewDocument(id)
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		opts, analyzer := index.FieldIndexingOptions(index.IndexField), ix.fieldAnalyzers[name]
		switch {
		case analyzer != nil: // a text field
		case name == fieldFacets || strings.HasPrefix(name, "sort_"):
			opts = dvOptions
		default:
			opts = kwOptions
		}
		for _, v := range fields[name] {
			doc.AddField(document.NewTextFieldCustom(name, nil, []byte(v), opts, analyzer))
		}
	}
	return doc
}

// sortKey is the listing order key of an object in a language: its name in
// that language, else in English, else in the first language it has, else
// its natural key; folded to lower-case ASCII. Objects without any name sort
// last.
func sortKey(names protocol.Text, lang, key string) string {
	name := ""
	for _, tag := range slices.Sorted(maps.Keys(names)) {
		if primaryLang(tag) == lang && strings.TrimSpace(names[tag]) != "" {
			name = names[tag]
			break
		}
	}
	if name == "" {
		for _, tag := range slices.Sorted(maps.Keys(names)) {
			if primaryLang(tag) == "en" && strings.TrimSpace(names[tag]) != "" {
				name = names[tag]
				break
			}
		}
	}
	if name == "" {
		for _, tag := range slices.Sorted(maps.Keys(names)) {
			if strings.TrimSpace(names[tag]) != "" {
				name = names[tag]
				break
			}
		}
	}
	if name == "" {
		return "\uffff" + key
	}
	folded := string(asciifolding.New().Filter([]byte(strings.ToLower(strings.TrimSpace(name)))))
	const maxKey = 200 // a sort key needs no more; keeps terms small
	if len(folded) > maxKey {
		folded = strings.ToValidUTF8(folded[:maxKey], "")
	}
	return folded
}

var tagRE = regexp.MustCompile(`<[^<>]*>`)

// stripHTML turns the HTML some descriptions carry into plain text.
func stripHTML(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(s, " ")))
}

// originHost is the facet value of an origin node URL: its host, lower-cased.
func originHost(origin string) string {
	origin = strings.TrimSpace(origin)
	if origin == "" {
		return ""
	}
	if u, err := url.Parse(origin); err == nil && u.Host != "" {
		return strings.ToLower(u.Host)
	}
	return strings.ToLower(origin)
}

func normLanguage(tag string) string { return strings.ToLower(strings.TrimSpace(tag)) }
func normCountry(c string) string    { return strings.ToUpper(strings.TrimSpace(c)) }

// normFilter normalises a filter value the way buildDoc normalises the
// indexed value of the same field.
func normFilter(field, value string) string {
	switch field {
	case fieldLanguage:
		return normLanguage(value)
	case fieldCountry, fieldSignerCountry:
		return normCountry(value)
	case fieldOrigin:
		return originHost(value)
	default:
		return strings.TrimSpace(value)
	}
}
