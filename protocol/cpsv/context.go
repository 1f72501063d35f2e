package cpsv

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// processContext applies a local context (null, a string URL, an object, or
// an array of those) to active and returns the new active context; active
// itself is never modified.
func (x *expander) processContext(active *context, local any, depth int) (*context, error) {
	if depth > 4 {
		return nil, fmt.Errorf("contexts nest deeper than 4 levels")
	}
	items, ok := local.([]any)
	if !ok {
		items = []any{local}
	}
	result := active
	for i, item := range items {
		x.contexts++
		if x.contexts > maxContextLen*maxDepth {
			return nil, fmt.Errorf("too many contexts")
		}
		switch t := item.(type) {
		case nil:
			result = &context{Terms: map[string]*termDef{}}
		case string:
			if !IsContextURL(t) {
				return nil, fmt.Errorf("%w: remote context %q (only the CPSV-AP 3.2.0 context is known; nothing is fetched)", errUnsupported, protocol.Clip(t, 100))
			}
			next := result.clone()
			for term, def := range officialTerms() {
				next.Terms[term] = def
			}
			result = next
		case map[string]any:
			next, err := x.localContext(result, t, depth)
			if err != nil {
				return nil, err
			}
			result = next
		default:
			return nil, fmt.Errorf("context %d is %s, not null, a string or an object", i, jsonType(item))
		}
	}
	return result, nil
}

func (c *context) clone() *context {
	n := *c
	n.Terms = make(map[string]*termDef, len(c.Terms)+8)
	for k, v := range c.Terms {
		n.Terms[k] = v
	}
	return &n
}

// localContext applies one context object.
func (x *expander) localContext(active *context, local map[string]any, depth int) (*context, error) {
	ctx := active.clone()
	if _, ok := local["@import"]; ok {
		return nil, fmt.Errorf("%w @import", errUnsupported)
	}
	if b, ok := local["@base"]; ok {
		switch t := b.(type) {
		case nil:
			ctx.Base = ""
		case string:
			ctx.Base = t
		default:
			return nil, fmt.Errorf("@base is %s, not a string", jsonType(b))
		}
	}
	if l, ok := local["@language"]; ok {
		switch t := l.(type) {
		case nil:
			ctx.Lang = ""
		case string:
			ctx.Lang = t
		default:
			return nil, fmt.Errorf("@language is %s, not a string", jsonType(l))
		}
	}
	defined := map[string]bool{}
	if v, ok := local["@vocab"]; ok {
		switch t := v.(type) {
		case nil:
			ctx.Vocab = ""
		case string:
			iri, err := x.contextIRI(ctx, local, defined, t, true, depth)
			if err != nil {
				return nil, err
			}
			ctx.Vocab = iri
		default:
			return nil, fmt.Errorf("@vocab is %s, not a string", jsonType(v))
		}
	}
	for _, term := range slices.Sorted(maps.Keys(local)) {
		if strings.HasPrefix(term, "@") {
			continue // @version, @protected, @propagate, @direction and the above
		}
		if err := x.defineTerm(ctx, local, defined, term, depth); err != nil {
			return nil, err
		}
	}
	return ctx, nil
}

// defineTerm creates the definition of term from local, defining the terms
// it depends on first.
func (x *expander) defineTerm(ctx *context, local map[string]any, defined map[string]bool, term string, depth int) error {
	if done, seen := defined[term]; seen {
		if !done {
			return fmt.Errorf("term %q is defined through itself", protocol.Clip(term, 64))
		}
		return nil
	}
	defined[term] = false
	x.terms++
	if x.terms > maxTerms {
		return fmt.Errorf("more than %d term definitions", maxTerms)
	}
	def := &termDef{}
	switch t := local[term].(type) {
	case nil:
		def.Null = true
	case string:
		iri, err := x.contextIRI(ctx, local, defined, t, true, depth)
		if err != nil {
			return err
		}
		def.IRI = iri
		def.Prefix = !strings.ContainsAny(term, ":/") && endsWithGenDelim(iri)
		def.Null = iri == ""
	case map[string]any:
		if _, ok := t["@reverse"]; ok {
			return fmt.Errorf("term %q: %w @reverse", protocol.Clip(term, 64), errUnsupported)
		}
		if id, ok := t["@id"]; ok {
			switch s := id.(type) {
			case nil:
				def.Null = true
			case string:
				iri, err := x.contextIRI(ctx, local, defined, s, true, depth)
				if err != nil {
					return err
				}
				def.IRI = iri
				def.Null = iri == ""
			default:
				return fmt.Errorf("term %q: @id is %s, not a string", protocol.Clip(term, 64), jsonType(id))
			}
		} else {
			// The term names its own IRI: a compact or absolute IRI, or a
			// name under @vocab. It is not looked up as a term.
			iri := ""
			if prefix, _, ok := strings.Cut(term, ":"); ok {
				if _, inLocal := local[prefix]; inLocal && prefix != term {
					if err := x.defineTerm(ctx, local, defined, prefix, depth); err != nil {
						return err
					}
				}
				iri = x.expandIRI(ctx, term, false)
			} else if ctx.Vocab != "" {
				iri = ctx.Vocab + term
			}
			if !strings.Contains(iri, ":") {
				iri = "" // no IRI mapping: the term is ignored
			}
			def.IRI = iri
			def.Null = iri == ""
		}
		if p, ok := t["@prefix"].(bool); ok {
			def.Prefix = p
		}
		if typ, ok := t["@type"]; ok {
			s, ok := typ.(string)
			if !ok {
				return fmt.Errorf("term %q: @type is %s, not a string", protocol.Clip(term, 64), jsonType(typ))
			}
			switch s {
			case "@id", "@vocab":
				def.Type = s
			case "@none":
			case "@json":
				return fmt.Errorf("term %q: %w @json", protocol.Clip(term, 64), errUnsupported)
			default:
				iri, err := x.contextIRI(ctx, local, defined, s, true, depth)
				if err != nil {
					return err
				}
				def.Type = iri
			}
		}
		if l, ok := t["@language"]; ok {
			lang := ""
			switch s := l.(type) {
			case nil:
			case string:
				lang = s
			default:
				return fmt.Errorf("term %q: @language is %s, not a string", protocol.Clip(term, 64), jsonType(l))
			}
			def.Lang = &lang
		}
		if c, ok := t["@container"]; ok {
			containers, err := stringOrStrings(c)
			if err != nil {
				return fmt.Errorf("term %q: @container %w", protocol.Clip(term, 64), err)
			}
			for _, cn := range containers {
				switch cn {
				case "@set":
				case "@list", "@language", "@index":
					def.Container = cn
				default:
					return fmt.Errorf("term %q: %w @container %s", protocol.Clip(term, 64), errUnsupported, protocol.Clip(cn, 32))
				}
			}
		}
		if sc, ok := t["@context"]; ok {
			def.Context = sc
		}
	default:
		return fmt.Errorf("term %q is defined by %s, not a string or an object", protocol.Clip(term, 64), jsonType(local[term]))
	}
	if keyword(def.IRI) && def.IRI != "@type" && def.IRI != "@id" {
		def.Null = true // aliases of other keywords are not supported: ignore the term
	}
	ctx.Terms[term] = def
	defined[term] = true
	return nil
}

// contextIRI expands value while a local context is being processed: terms
// and prefixes of local are defined first.
func (x *expander) contextIRI(ctx *context, local map[string]any, defined map[string]bool, value string, vocab bool, depth int) (string, error) {
	if keyword(value) {
		return value, nil
	}
	if _, ok := local[value]; ok && vocab {
		if err := x.defineTerm(ctx, local, defined, value, depth); err != nil {
			return "", err
		}
	}
	if prefix, _, ok := strings.Cut(value, ":"); ok && prefix != "" {
		if _, inLocal := local[prefix]; inLocal {
			if err := x.defineTerm(ctx, local, defined, prefix, depth); err != nil {
				return "", err
			}
		}
	}
	return x.expandIRI(ctx, value, vocab), nil
}

var keywords = []string{"@base", "@container", "@context", "@direction", "@graph", "@id", "@import", "@included",
	"@index", "@json", "@language", "@list", "@nest", "@none", "@prefix", "@propagate", "@protected", "@reverse",
	"@set", "@type", "@value", "@version", "@vocab"}

func keyword(s string) bool { return strings.HasPrefix(s, "@") && slices.Contains(keywords, s) }

func endsWithGenDelim(iri string) bool {
	return iri != "" && strings.ContainsRune(":/?#[]@", rune(iri[len(iri)-1]))
}

// expandIRI expands a term, compact IRI or IRI. With vocab it is a property
// or type (terms and @vocab apply); otherwise an @id (compact IRIs and
// @base apply). It returns "" for a term mapped to null or an unknown keyword.
func (x *expander) expandIRI(ctx *context, value string, vocab bool) string {
	if strings.HasPrefix(value, "@") {
		if keyword(value) {
			return value
		}
		return ""
	}
	if vocab {
		if td, ok := ctx.Terms[value]; ok {
			if td.Null {
				return ""
			}
			return td.IRI
		}
	}
	if prefix, suffix, ok := strings.Cut(value, ":"); ok {
		if prefix == "_" || strings.HasPrefix(suffix, "//") {
			return value
		}
		if td, ok := ctx.Terms[prefix]; ok && !td.Null && (td.Prefix || endsWithGenDelim(td.IRI)) && !keyword(td.IRI) {
			return td.IRI + suffix
		}
		if prefix != "" {
			return value // an absolute IRI
		}
	}
	if vocab && ctx.Vocab != "" {
		return ctx.Vocab + value
	}
	if !vocab && ctx.Base != "" {
		if b, err := url.Parse(ctx.Base); err == nil && b.IsAbs() {
			if r, err := url.Parse(value); err == nil {
				return b.ResolveReference(r).String()
			}
		}
	}
	return value
}

func stringOrStrings(v any) ([]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{t}, nil
	case []any:
		out := make([]string, 0, len(t))
		for i, item := range t {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("item %d is %s, not a string", i, jsonType(item))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("is %s, not a string or an array of strings", jsonType(v))
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
