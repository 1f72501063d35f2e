package web

import (
	"context"
	"errors"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/storage/search"
)

// item is an object as a list shows it: the name and description in the
// reader's language, or in another one, marked.
type item struct {
	Href, Name, Kind string
	Description      template.HTML
	NameHTML         template.HTML
	FallbackLang     string // the language shown when the reader's is missing (the description's, else the name's)
	NameLang         string // the name's language when it is not the reader's
	DescLang         string // the description's language when it is not the reader's
	Verified         bool
	Updated          string
}

// text picks t's text in lang, else its preferred one; fallback is the
// language used when it is not lang.
func text(t protocol.Text, lang string) (s, fallback string) {
	if v := strings.TrimSpace(t[lang]); v != "" {
		return v, ""
	}
	if ls := t.Languages(); len(ls) > 0 {
		return t[ls[0]], ls[0]
	}
	return "", ""
}

// entityOf decodes obj's body; nil when it does not decode.
func entityOf(obj protocol.Object) protocol.Entity {
	e, err := protocol.DecodeEntity(obj.Body)
	if err != nil {
		return nil
	}
	return e
}

func indexOf(obj protocol.Object) protocol.IndexDoc {
	if e := entityOf(obj); e != nil {
		return e.Index()
	}
	return protocol.IndexDoc{}
}

// pageHref is the page of an object on this node: for its own objects the
// object's IRI (the same as ActivityPub's), for a peer's copy this node's
// page of it, with this node's judgement of its signatures (the reader
// stays on the node they trust; the page links the origin's).
func pageHref(obj protocol.Object) string { return "/objects/" + obj.ID }

func (h *Handler) item(loc *locale, obj protocol.Object, words []string) item {
	doc := indexOf(obj)
	name, nameLang := text(doc.Name, loc.Tag)
	if name == "" {
		name = obj.Key
	}
	desc, descLang := text(doc.Description, loc.Tag)
	fb := descLang
	if fb == "" {
		fb = nameLang
	}
	return item{Href: pageHref(obj), Name: name, Kind: loc.T("kind." + string(obj.Type)),
		NameHTML: highlight(name, words), Description: highlight(protocol.Clip(plainText(desc), 280), words),
		FallbackLang: fb, NameLang: nameLang, DescLang: descLang,
		Verified: obj.Verification != nil && obj.Verification.Status == protocol.Verified,
		Updated:  loc.Date(obj.Updated)}
}

// highlight escapes s and marks the words of the query in it
// (case-insensitively): a match starts where a word of s starts, and a
// query word shorter than three letters marks only a whole word (so "de"
// marks "de", not the "de" of "model"); a longer one also marks the
// start of a longer word ("model" in "models"), as the search stems.
func highlight(s string, words []string) template.HTML {
	var b strings.Builder
	prevWord := false // whether the rune before i is part of a word
	for i := 0; i < len(s); {
		best := 0
		if !prevWord {
			for _, w := range words {
				if n := matchAt(s[i:], w); n > best {
					best = n
				}
			}
		}
		if best > 0 {
			b.WriteString("<mark>" + template.HTMLEscapeString(s[i:i+best]) + "</mark>")
			r, _ := utf8.DecodeLastRuneInString(s[i : i+best])
			prevWord = isWordRune(r)
			i += best
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteString(template.HTMLEscapeString(s[i : i+size]))
		prevWord = isWordRune(r)
		i += size
	}
	return template.HTML(b.String())
}

// matchAt is the length in bytes of the start of s that matches the
// query word w (case-insensitively), or 0: w's runes in order, and when w
// is shorter than three runes, no word rune after them.
func matchAt(s, w string) int {
	n, runes := 0, 0
	for _, wr := range w {
		r, size := utf8.DecodeRuneInString(s[n:])
		if size == 0 || (r != wr && unicode.ToLower(r) != wr) { // w is lower case (queryWords)
			return 0
		}
		n += size
		runes++
	}
	if runes < 3 {
		if r, _ := utf8.DecodeRuneInString(s[n:]); n < len(s) && isWordRune(r) {
			return 0
		}
	}
	return n
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// queryWords are the words of a query that results mark: those of two
// letters or more, and of those only the longer ones when there are any
// (in "modelo de negocio", "de" is a word every text has, not what the
// reader looks for).
func queryWords(q string) []string {
	var out, short []string
	for _, f := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127)
	}) {
		switch n := utf8.RuneCountInString(f); {
		case n >= 3:
			out = append(out, f)
		case n == 2:
			short = append(short, f)
		}
	}
	if len(out) == 0 {
		return short
	}
	return out
}

type count struct {
	Label string
	N     string
}

type homeView struct {
	Counts    []count
	Following string
	Followers string
	Latest    []item
	Members   []Member
	KindLabel string
	RoleLabel string
}

// Home serves / to browsers.
func (h *Handler) Home(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/actor" { // the actor's page is its organisation's
		h.Organisation(w, r)
		return
	}
	loc := h.locale(w, r)
	o, err := h.d.Catalogue().Overview(r.Context(), 10)
	if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: home", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	v := homeView{Following: loc.Num(o.Following), Followers: loc.Num(o.Followers),
		KindLabel: loc.T("orgkind." + h.d.Site.OrgKind), RoleLabel: loc.T("role." + h.d.Site.TrustRole)}
	for _, k := range protocol.Kinds {
		if n := o.Counts[k]; n > 0 {
			v.Counts = append(v.Counts, count{Label: loc.T("kind." + string(k)), N: loc.Num(n)})
		}
	}
	for _, obj := range o.Latest {
		v.Latest = append(v.Latest, h.item(loc, obj, nil))
	}
	if h.d.Federation != nil {
		ms, _ := h.d.Federation.GossipMembers()
		for _, m := range ms {
			v.Members = append(v.Members, Member{Name: m.Name, Country: m.Country, Healthy: m.Status == gossipAlive})
		}
	}
	h.render(w, r, http.StatusOK, "home", h.d.Site.Name, v)
}

// facetNames are the search facets in the order the page shows them.
var facetNames = search.FacetFields()

type facetValue struct {
	Label, N, Href string
	Active         bool
}

type facet struct {
	Name   string
	Label  string
	Values []facetValue
}

type searchView struct {
	Q         string
	Total     string
	Items     []item
	Facets    []facet
	Next      string
	Filters   []facetValue // the active filters, each with a link removing it
	Error     string       // about the filters or the page asked for
	TextError string       // about the search text: shown at its field
	Restarted bool         // the page asked for belonged to another search: this is the first
}

// Search serves /search?q=...&FACET=VALUE...&cursor=...
func (h *Handler) Search(w http.ResponseWriter, r *http.Request) {
	loc := h.locale(w, r)
	q := r.URL.Query()
	v := searchView{Q: q.Get("q")}
	filters := map[string][]string{}
	for _, f := range facetNames {
		if vals := q[f]; len(vals) > 0 {
			filters[f] = vals
		}
	}
	query := search.Query{Text: v.Q, Lang: loc.Tag, Filters: filters, Limit: 20, Cursor: q.Get("cursor"), Facets: true}
	res, err := h.d.Catalogue().Search(r.Context(), query, h.d.SearchWait)
	var qe *search.QueryError
	if errors.As(err, &qe) && qe.Field == "cursor" {
		// A page of another search (most often the same one in another
		// language: a cursor belongs to its language's query), or a
		// damaged link: the first page of this one, said so.
		query.Cursor, v.Restarted = "", true
		res, err = h.d.Catalogue().Search(r.Context(), query, h.d.SearchWait)
	}
	status := http.StatusOK
	switch {
	case errors.As(err, &qe) && qe.Field == "q": // what the index refuses of the text, said at its field
		status, v.TextError, v.Total = http.StatusBadRequest, loc.T("search.too_long"), loc.Num(0)
		if qe.Rule == "utf8" {
			v.TextError, v.Q = loc.T("search.bad_text"), strings.ToValidUTF8(v.Q, "\uFFFD")
		}
		h.render(w, r, status, "search", loc.T("search.title"), v)
		return
	case errors.Is(err, search.ErrInvalidQuery):
		status, v.Error = http.StatusBadRequest, loc.T("search.invalid")
	case err != nil:
		h.d.Logger.ErrorContext(r.Context(), "web: search", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	words := queryWords(v.Q)
	v.Total = loc.Num(int(res.Total))
	for _, hit := range res.Hits {
		v.Items = append(v.Items, h.item(loc, hit.Object, words))
	}
	base := url.Values{}
	for k, vs := range q {
		if k != "cursor" && k != "lang" {
			base[k] = vs
		}
	}
	link := func(vals url.Values) string { return "/search?" + vals.Encode() }
	labels := h.facetLabeler(r.Context(), loc, res.Facets["problem_profile"], q["problem_profile"])
	for _, f := range facetNames {
		counts := res.Facets[f]
		if len(counts) == 0 {
			continue
		}
		fc := facet{Name: f, Label: loc.T("facet." + f)}
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			if counts[a] != counts[b] {
				return counts[b] - counts[a]
			}
			return strings.Compare(a, b)
		})
		for _, k := range keys {
			vals := cloneValues(base)
			active := slices.Contains(vals[f], k)
			if active {
				vals[f] = slices.DeleteFunc(slices.Clone(vals[f]), func(s string) bool { return s == k })
			} else {
				vals.Add(f, k)
			}
			fc.Values = append(fc.Values, facetValue{Label: labels(f, k), N: loc.Num(counts[k]), Href: link(vals), Active: active})
		}
		v.Facets = append(v.Facets, fc)
	}
	for _, f := range facetNames {
		for _, k := range q[f] {
			vals := cloneValues(base)
			vals[f] = slices.DeleteFunc(slices.Clone(vals[f]), func(s string) bool { return s == k })
			v.Filters = append(v.Filters, facetValue{Label: loc.T("facet."+f) + ": " + labels(f, k), Href: link(vals), Active: true})
		}
	}
	if res.Next != "" {
		// The cursor and the language travel together: the next page is
		// the same query only in the same language.
		vals := cloneValues(base)
		vals.Set("cursor", res.Next)
		vals.Set("lang", loc.Tag)
		v.Next = link(vals)
	}
	title := loc.T("search.title")
	if v.Q != "" {
		title = v.Q + " – " + title
	}
	h.render(w, r, status, "search", title, v)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// facetLabeler names facet values in the reader's language: kinds, languages
// and trust states from the messages, problem profiles by their names (read
// only when the page shows one: the results' counts or an active filter).
func (h *Handler) facetLabeler(ctx context.Context, loc *locale, counts map[string]int, active []string) func(f, k string) string {
	var profiles map[string]protocol.Object
	if len(counts) > 0 || len(active) > 0 {
		var err error
		if profiles, err = h.d.Catalogue().ProblemProfiles(ctx); err != nil {
			h.d.Logger.Warn("search page: problem profile names", "err", err)
		}
	}
	return func(f, k string) string {
		switch f {
		case "type":
			return loc.T("kind." + k)
		case "language":
			return loc.LangName(k)
		case "verified":
			return loc.T("status." + k)
		case "nature":
			return optionLabel(loc, "nature", k)
		case "licence":
			return optionLabel(loc, "licence_category", k)
		case "scope":
			return optionLabel(loc, "administrative_scopes", k)
		case "problem_profile":
			if obj, ok := profiles[k]; ok {
				if name, _ := text(indexOf(obj).Name, loc.Tag); name != "" {
					return name
				}
			}
		}
		return k
	}
}

type langText struct {
	Tag, Name, Title, Description string
	Tags                          []string
	// An interlinker's texts in this language (interlinker_view.go).
	URI                                    string   // its web address (http or https only)
	Instructions, Constraints, Regulations string   // plain text, shown with their line breaks
	Files                                  []string // files or links it offers
}

type field struct {
	Label string
	Value []string
}

// appendField adds the row label (a message id) with the non-empty values
// of vals; a row without any is left out.
func appendField(fs []field, loc *locale, label string, vals ...string) []field {
	var kept []string
	for _, s := range vals {
		if s != "" {
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 {
		return fs
	}
	return append(fs, field{Label: loc.T(label), Value: kept})
}

type signerView struct {
	Name, Country, Kind, EntityID, Anchor string
	Chain                                 []string
}

type versionView struct {
	N       uint64
	Href    string
	Date    string
	Current bool
}

type objectView struct {
	Title      string
	Kind       string
	IRI        string
	Version    uint64
	Texts      []langText
	Fields     []field
	Origin     string
	Local      bool
	Status     string // verified, unverified, invalid, unsigned
	StatusText string
	Reason     string   // the stored technical reason, shown in <details>
	Cause      Cause    // Classify's reading of the record
	Sentences  []string // the provenance in words: one per signer when verified
	Checked    string
	Expires    string
	Signers    []signerView
	Versions   []versionView
	JSONHref   string
	AS2Href    string
	CPSVHref   string
	// PubliccodeHref: a software interlinker's publiccode.yml.
	PubliccodeHref string
	Deleted        bool
	Uses           *usesView       // adoptions, ratings, their forms, the version comparison (uses.go)
	Phases         []phaseView     // a co-production schema's phases
	Addressing     *addressingView // a problem profile's interlinkers and schemas
	Pubs           *pubsView       // an organisation's: what its node publishes
	Story          *storyView      // a story's parts, participants and links
	EditHref       string          // the editor's form, when this node may change it
}

// Object serves /objects/{id} to browsers (?version=N for an older version).
func (h *Handler) Object(w http.ResponseWriter, r *http.Request, id string) {
	loc := h.locale(w, r)
	var version uint64
	if s := r.URL.Query().Get("version"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n == 0 {
			h.Error(w, r, http.StatusBadRequest)
			return
		}
		version = n
	}
	p, err := h.d.Catalogue().ObjectByID(r.Context(), id, version)
	if errors.Is(err, storage.ErrNotFound) {
		h.Error(w, r, http.StatusNotFound)
		return
	} else if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: object", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	obj := p.Object
	e := entityOf(obj) // decoded once: the fields, and the schema, profile or organisation parts
	var doc protocol.IndexDoc
	if e != nil {
		doc = e.Index()
	}
	v := objectView{Kind: loc.T("kind." + string(obj.Type)), IRI: obj.IRI, Version: obj.Version, Origin: obj.Origin,
		Local: obj.Origin == h.d.URIs.Base(), Deleted: obj.Deleted,
		JSONHref: "/api/v1/objects/" + obj.ID, AS2Href: obj.IRI, EditHref: editHref(obj, h.d.URIs.Base())}
	v.Title, _ = text(doc.Name, loc.Tag)
	if v.Title == "" {
		v.Title = obj.Key
	}
	langs := doc.Name.Languages()
	for _, l := range doc.Description.Languages() {
		if !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	// the reader's language first
	if i := slices.Index(langs, loc.Tag); i > 0 {
		langs = append([]string{loc.Tag}, slices.Delete(langs, i, i+1)...)
	}
	story, _ := e.(*protocol.Story)
	for _, l := range langs {
		desc, tags := doc.Description[l], doc.Tags[l]
		if story != nil { // the other parts and the governance model have their own place below
			desc = story.Summary[l]
			tags = slices.DeleteFunc(slices.Clone(tags), func(t string) bool { return t == story.Governance })
		}
		lt := langText{Tag: l, Name: loc.LangName(l), Title: doc.Name[l], Description: plainText(desc), Tags: tags}
		if il, ok := e.(*protocol.Interlinker); ok {
			interlinkerTexts(&lt, il)
		}
		v.Texts = append(v.Texts, lt)
	}
	add := func(label string, vals ...string) { v.Fields = appendField(v.Fields, loc, label, vals...) }
	add("field.key", obj.Key)
	add("field.nature", optionLabels(loc, "nature", doc.Nature)...)
	langNames := make([]string, 0, len(doc.Languages))
	for _, l := range doc.Languages {
		langNames = append(langNames, loc.LangName(l))
	}
	add("field.languages", langNames...)
	add("field.problem_profiles", doc.ProblemProfiles...)
	add("field.licence", optionLabels(loc, "licence_category", doc.LicenceCategory)...)
	add("field.scopes", optionLabels(loc, "administrative_scopes", doc.Scopes...)...)
	if il, ok := e.(*protocol.Interlinker); ok {
		v.Fields = interlinkerFields(v.Fields, loc, il)
	}
	add("field.country", doc.Country)
	add("field.target", doc.Target)
	add("field.created", loc.Date(obj.Created))
	add("field.updated", loc.Date(obj.Updated))
	if obj.Type == protocol.KindPublicService {
		v.CPSVHref = "/api/v1/export/cpsv"
	}
	if il, ok := entityOf(obj).(*protocol.Interlinker); ok && (il.Nature == protocol.NatureSoftware || il.Nature == protocol.NatureExternalSoftware) {
		v.PubliccodeHref = "/api/v1/objects/" + obj.ID + "/publiccode.yml"
	}
	v.Status = "unsigned"
	if ver := obj.Verification; ver != nil {
		v.Status = strings.ToLower(ver.Status)
		v.Reason, v.Checked = ver.Reason, loc.Date(ver.Checked)
		if !ver.Expires.IsZero() {
			v.Expires = loc.Date(ver.Expires)
		}
		for _, s := range ver.Signers {
			sv := signerView{Name: s.Name, Country: s.Country, EntityID: s.EntityID, Anchor: s.Anchor, Chain: s.Path}
			if s.OrgKind != "" {
				sv.Kind = loc.T("orgkind." + s.OrgKind)
			}
			v.Signers = append(v.Signers, sv)
		}
	}
	v.StatusText = loc.T("status." + v.Status)
	v.Cause = Classify(obj.Verification, len(h.d.Site.Anchors) > 0)
	v.Sentences = provenanceSentences(loc, v.Cause, obj.Verification)
	for i := len(p.Versions) - 1; i >= 0; i-- {
		m := p.Versions[i]
		v.Versions = append(v.Versions, versionView{N: m.Version, Href: "?version=" + strconv.FormatUint(m.Version, 10),
			Date: loc.Date(m.Updated), Current: m.Version == obj.Version})
	}
	if !obj.Deleted {
		var err error
		switch e := e.(type) {
		case *protocol.CoproductionSchema:
			v.Phases, err = h.schemaPhases(r.Context(), loc, e)
		case *protocol.Organisation:
			v.Pubs, err = h.publications(r.Context(), loc, obj.Origin)
		case *protocol.ProblemProfile:
			v.Addressing, err = h.addressing(r.Context(), loc, e.Key)
		case *protocol.Story:
			v.Story, err = h.storyOf(r.Context(), loc, e)
		}
		if err != nil {
			h.d.Logger.ErrorContext(r.Context(), "web: object", "err", err)
			h.Error(w, r, http.StatusInternalServerError)
			return
		}
	}
	if v.Uses, err = h.uses(r, loc, obj, p.Versions); err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: object", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	status := http.StatusOK
	if obj.Deleted {
		status = http.StatusGone
	}
	if fillUses(r, v.Uses) { // a form post refused: its errors beside the fields
		status = http.StatusUnprocessableEntity
	}
	h.render(w, r, status, "object", v.Title, v)
}

// markup matches an HTML tag or comment: descriptions imported from the
// INTERLINK catalogue carry some (<p>, <br>, <a>).
var markup = regexp.MustCompile(`(?s)<!--.*?-->|<[a-zA-Z/!][^<>]*>`)

// plainText is a description as text: tags dropped (a paragraph or line
// break becomes a space), entities decoded, white space collapsed. The
// page escapes what it shows, so no markup of a description ever renders.
func plainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	return strings.Join(strings.Fields(html.UnescapeString(markup.ReplaceAllString(s, " "))), " ")
}
