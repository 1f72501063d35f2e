package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage/search"
)

// searchFilters are the filters GET /api/v1/search takes (docs/api.md):
// the search index's own list, so that the CLI accepts every filter the
// API does (verified, signer_country, ...).
var searchFilters = search.FilterFields()

// maxSearchLimit is the largest page GET /api/v1/search serves
// (node/api_search.go, limitParam).
const maxSearchLimit = 100

// searchAnswer is the node's answer to a search.
type searchAnswer struct {
	Total  int                       `json:"total"`
	Items  []searchHit               `json:"items"`
	Facets map[string]map[string]int `json:"facets"`
	Next   string                    `json:"next"`
}

type searchHit struct {
	Score  float64         `json:"score"`
	Object protocol.Object `json:"object"`
}

func newSearchCmd(g *globalFlags) *cobra.Command {
	var (
		lang, cursor string
		filters      []string
		limit        int
		asJSON       bool
	)
	cmd := &cobra.Command{
		Use:   "search [QUERY] [--lang L] [--filter k=v]... [--limit N] [--json]",
		Short: "Search the federated catalogue",
		Long: `Search the catalogue the node holds (its own objects and its peers').
A filter may repeat: values of one filter are alternatives (OR), different
filters must all match (AND). Filters: ` + strings.Join(searchFilters, ", ") + `.
Without QUERY, every object that matches the filters is listed.`,
		Example: `  interlink search "business model" --lang en
  interlink search survey --filter type=Interlinker --filter nature=software --filter nature=externalsoftware`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{}
			if query := strings.TrimSpace(strings.Join(args, " ")); query != "" {
				q.Set("q", query)
			}
			if lang != "" {
				q.Set("lang", lang)
			}
			for _, f := range filters {
				k, v, ok := strings.Cut(f, "=")
				k, v = strings.TrimSpace(k), strings.TrimSpace(v)
				if !ok || k == "" || v == "" {
					return usageErrorf("--filter %q: want key=value", f)
				}
				if !slices.Contains(searchFilters, k) {
					return usageErrorf("--filter %q: unknown filter %q (known: %s)", f, k, strings.Join(searchFilters, ", "))
				}
				q.Add(k, v)
			}
			if cmd.Flags().Changed("limit") {
				if limit < 1 || limit > maxSearchLimit {
					return usageErrorf("--limit must be between 1 and %d, not %d", maxSearchLimit, limit)
				}
				q.Set("limit", strconv.Itoa(limit))
			}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			answer, done, err := getJSON[searchAnswer](cmd, g, "search", "/search", q, asJSON)
			if done || err != nil {
				return err
			}
			return writeSearch(cmd.OutOrStdout(), answer, lang)
		},
	}
	f := cmd.Flags()
	f.StringVar(&lang, "lang", "", "language (BCP 47) to search in and to show names in")
	f.StringArrayVar(&filters, "filter", nil, "filter key=value (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("filter", completeFilter)
	completeValues(cmd, "lang", searchLanguages...)
	f.IntVar(&limit, "limit", 0, fmt.Sprintf("results per page, 1 to %d (default: the node's)", maxSearchLimit))
	f.StringVar(&cursor, "cursor", "", "continue from the cursor a previous search printed")
	f.BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

// writeSearch prints the hits as a table, then the facets.
func writeSearch(w io.Writer, a *searchAnswer, lang string) error {
	var buf bytes.Buffer
	if len(a.Items) == 0 {
		fmt.Fprintln(&buf, "no results")
	} else {
		if err := writeTable(&buf, a.Items, func(h searchHit) []string {
			return []string{fmt.Sprintf("%.3f", h.Score), string(h.Object.Type), truncate(objectName(&h.Object, lang), 60), h.Object.IRI}
		}, "SCORE", "TYPE", "NAME", "IRI"); err != nil {
			return err
		}
		fmt.Fprintf(&buf, "%d of %d results\n", len(a.Items), a.Total)
	}
	if a.Next != "" {
		fmt.Fprintf(&buf, "more results: repeat with --cursor %s\n", a.Next)
	}
	if len(a.Facets) > 0 {
		fmt.Fprintln(&buf, "facets:")
		for _, name := range slices.Sorted(maps.Keys(a.Facets)) {
			if len(a.Facets[name]) > 0 {
				fmt.Fprintf(&buf, "  %s: %s\n", name, formatFacet(a.Facets[name]))
			}
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// maxFacetValues is how many values of one facet are shown.
const maxFacetValues = 10

// formatFacet renders counts largest first ("Interlinker 3, PublicService
// 1"), at most maxFacetValues of them.
func formatFacet(counts map[string]int) string {
	keys := slices.Sorted(maps.Keys(counts))
	slices.SortStableFunc(keys, func(a, b string) int { return cmp.Compare(counts[b], counts[a]) })
	var parts []string
	for i, k := range keys {
		if i == maxFacetValues {
			parts = append(parts, fmt.Sprintf("(%d more)", len(keys)-i))
			break
		}
		label := k
		if label == "" {
			label = `""`
		}
		parts = append(parts, fmt.Sprintf("%s %d", label, counts[k]))
	}
	return strings.Join(parts, ", ")
}

// nameFields are the body members that name an object, by kind: Interlinker
// and ProblemProfile "name", PublicService "title", Organisation
// "preferred_label" (and spellings peers may use).
var nameFields = []string{"name", "title", "preferred_label", "prefLabel", "label"}

// objectName is the object's name in lang, else in English, else in the
// first language in tag order; else its key or id.
func objectName(o *protocol.Object, lang string) string {
	var body map[string]json.RawMessage
	if json.Unmarshal(o.Body, &body) == nil {
		for _, field := range nameFields {
			raw, ok := body[field]
			if !ok {
				continue
			}
			var text protocol.Text
			if json.Unmarshal(raw, &text) == nil && len(text) > 0 {
				if name := pickLanguage(text, lang); name != "" {
					return name
				}
			}
			var s string
			if json.Unmarshal(raw, &s) == nil && s != "" {
				return s
			}
		}
	}
	return cmp.Or(o.Key, o.ID, o.IRI)
}

// pickLanguage chooses lang, then its base language ("pt" for "pt-BR"),
// then English, then the first tag in order.
func pickLanguage(t protocol.Text, lang string) string {
	candidates := []string{lang}
	if base, _, ok := strings.Cut(lang, "-"); ok {
		candidates = append(candidates, base)
	}
	for _, l := range append(candidates, "en") {
		if s := strings.TrimSpace(t[l]); l != "" && s != "" {
			return s
		}
	}
	for _, l := range slices.Sorted(maps.Keys(t)) {
		if s := strings.TrimSpace(t[l]); s != "" {
			return s
		}
	}
	return ""
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ") // one line
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
