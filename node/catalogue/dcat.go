package catalogue

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/cpsv"
	"github.com/interlink-project/interlink-node/protocol/dcat"
)

// ErrNoSuchPage is a catalogue page past the last.
var ErrNoSuchPage = errors.New("catalogue: no such page")

// DCATPage renders page (from 1) of the node's own interlinkers and public
// services as a DCAT-AP catalogue in format, perPage entries a page,
// interlinkers first, each kind in the order this node stored them (objects keep their place as
// long as none is deleted). c describes the catalogue (its IRI, title,
// publisher); its Modified is set here; pageURL addresses page n.
func (s *Service) DCATPage(ctx context.Context, c dcat.Catalog, page, perPage int, pageURL func(int) string, format cpsv.Format) ([]byte, error) {
	var entries []dcat.Entry
	var orgs []*protocol.Organisation
	base := s.d.URIs.Base()
	// DCAT-AP has no class for the other kinds: problem profiles, schemas,
	// adoptions, ratings and the stories of finished processes (a story's
	// service is listed as a public service) stay out of the catalogue.
	for _, kind := range []protocol.Kind{protocol.KindInterlinker, protocol.KindPublicService, protocol.KindOrganisation} {
		objs, err := s.listAll(ctx, map[string][]string{"type": {string(kind)}})
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			local := o.Origin == base || strings.HasPrefix(o.IRI, base+"/")
			if kind != protocol.KindOrganisation && !local {
				continue // the catalogue lists what this node publishes
			}
			e, err := protocol.DecodeEntity(o.Body)
			if err != nil {
				return nil, fmt.Errorf("catalogue page: %s: %w", o.IRI, err)
			}
			if org, ok := e.(*protocol.Organisation); ok {
				if org.IRI == "" {
					org.IRI = o.IRI
				}
				orgs = append(orgs, org)
				continue
			}
			if o.Updated.After(c.Modified) {
				c.Modified = o.Updated
			}
			entries = append(entries, dcat.Entry{Meta: o.Meta, Entity: e})
		}
	}
	p := dcat.Paging{Page: page, PerPage: perPage, Total: len(entries), URL: pageURL}
	if page < 1 || page > p.Pages() {
		return nil, fmt.Errorf("%w: page %d of %d", ErrNoSuchPage, page, p.Pages())
	}
	from := min((page-1)*perPage, len(entries))
	to := min(from+perPage, len(entries))
	doc, err := dcat.Page(c, entries[from:to], orgs, p, base)
	if err != nil || format == cpsv.FormatJSONLD || format == "" {
		return doc, err
	}
	ds, err := cpsv.Dataset(doc)
	if err != nil {
		return nil, err
	}
	order := []string{c.IRI}
	for _, e := range entries[from:to] {
		if s, ok := e.Entity.(*protocol.PublicService); ok && s.IRI != "" {
			order = append(order, s.IRI)
			continue
		}
		order = append(order, e.Meta.IRI)
	}
	return cpsv.Serialize(format, ds, dcat.Prefixes(), order...)
}
