package catalogue

import (
	"context"
	"fmt"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/cpsv"
	"github.com/interlink-project/interlink-node/storage"
)

// ExportCPSV writes every live PublicService and Organisation the node
// holds as one CPSV-AP 3.2.0 JSON-LD document.
func (s *Service) ExportCPSV(ctx context.Context) ([]byte, error) {
	var services []*protocol.PublicService
	var orgs []*protocol.Organisation
	for _, kind := range []protocol.Kind{protocol.KindPublicService, protocol.KindOrganisation} {
		after := ""
		for {
			items, next, err := s.d.Store.List(ctx, storage.ListOptions{
				Filters: map[string][]string{"type": {string(kind)}}, After: after, Limit: 1000})
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				e, err := protocol.DecodeEntity(it.Body)
				if err != nil {
					return nil, fmt.Errorf("export %s: %w", it.IRI, err)
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
	doc, err := cpsv.Export(services, orgs, s.d.URIs.Base())
	if err != nil {
		return nil, fmt.Errorf("export cpsv: %w", err)
	}
	return doc, nil
}
