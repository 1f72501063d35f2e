package catalogue

import (
	"context"
	"fmt"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/cpsv"
	"github.com/interlink-project/interlink-node/protocol/publiccode"
	"github.com/interlink-project/interlink-node/storage"
)

// ExportCPSV writes every live PublicService and Organisation the node
// holds as one CPSV-AP 3.2.0 JSON-LD document.
func (s *Service) ExportCPSV(ctx context.Context) ([]byte, error) {
	return s.ExportCPSVAs(ctx, cpsv.FormatJSONLD)
}

// ExportCPSVAs is ExportCPSV in a format: JSON-LD, Turtle or RDF/XML.
func (s *Service) ExportCPSVAs(ctx context.Context, format cpsv.Format) ([]byte, error) {
	services, orgs, err := s.cpsvEntities(ctx)
	if err != nil {
		return nil, err
	}
	doc, err := cpsv.ExportAs(format, services, orgs, s.d.URIs.Base())
	if err != nil {
		return nil, fmt.Errorf("export cpsv: %w", err)
	}
	return doc, nil
}

// cpsvEntities reads every live PublicService and Organisation. CPSV-AP
// has no place for the other kinds: a story (KindStory) is skipped, the
// service its process produced is exported as a service.
func (s *Service) cpsvEntities(ctx context.Context) ([]*protocol.PublicService, []*protocol.Organisation, error) {
	var services []*protocol.PublicService
	var orgs []*protocol.Organisation
	for _, kind := range []protocol.Kind{protocol.KindPublicService, protocol.KindOrganisation} {
		after := ""
		for {
			items, next, err := s.d.Store.List(ctx, storage.ListOptions{
				Filters: map[string][]string{"type": {string(kind)}}, After: after, Limit: 1000})
			if err != nil {
				return nil, nil, err
			}
			for _, it := range items {
				e, err := protocol.DecodeEntity(it.Body)
				if err != nil {
					return nil, nil, fmt.Errorf("export %s: %w", it.IRI, err)
				}
				switch v := e.(type) {
				case *protocol.PublicService:
					services = append(services, v)
				case *protocol.Organisation:
					orgs = append(orgs, v)
				}
			}
			if next == "" {
				break
			}
			after = next
		}
	}
	return services, orgs, nil
}

// ExportPubliccode writes the software interlinker ref names (its id, or
// its IRI when ref contains "://") as a publiccode.yml document. A
// knowledge interlinker or another kind of object is refused with an error
// wrapping publiccode.ErrNotSoftware; an unknown ref with storage.ErrNotFound.
func (s *Service) ExportPubliccode(ctx context.Context, ref string) ([]byte, error) {
	var obj protocol.Object
	var err error
	if strings.Contains(ref, "://") {
		obj, err = s.d.Store.Get(ctx, ref)
	} else {
		obj, err = s.d.Store.GetByID(ctx, ref)
	}
	if err != nil {
		return nil, err
	}
	if obj.Deleted {
		return nil, fmt.Errorf("export publiccode.yml of %s: the object was deleted: %w", obj.IRI, storage.ErrNotFound)
	}
	e, err := protocol.DecodeEntity(obj.Body)
	if err != nil {
		return nil, fmt.Errorf("export publiccode.yml of %s: %w", obj.IRI, err)
	}
	it, ok := e.(*protocol.Interlinker)
	if !ok {
		return nil, fmt.Errorf("%w: %s is a %s", publiccode.ErrNotSoftware, obj.IRI, e.Kind())
	}
	return publiccode.Export(it)
}
