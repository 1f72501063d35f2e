package catalogue

import (
	"slices"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

// A story is co-signed by its participants' nodes, as a service by those of
// its co-producers; other kinds by their origin alone.
func TestCosigners(t *testing.T) {
	self := "https://re.example"
	story := &protocol.Story{Type: protocol.KindStory, Participants: []protocol.StoryParticipant{
		{Organisation: "https://re.example"}, {Organisation: "https://Civic.example/actor"}, {Organisation: "https://civic.example"}, {Organisation: "https://zgz.example:8443"}}}
	svc := &protocol.PublicService{Type: protocol.KindPublicService, CoproducedBy: []string{"https://civic.example/org"}}
	for _, tc := range []struct {
		name string
		e    protocol.Entity
		want []string
	}{
		{"story", story, []string{self, "https://civic.example", "https://zgz.example:8443"}},
		{"service", svc, []string{self, "https://civic.example"}},
		{"rating", &protocol.Rating{Type: protocol.KindRating}, []string{self}},
	} {
		if got := cosigners(self, tc.e); !slices.Equal(got, tc.want) {
			t.Errorf("%s: cosigners = %v, want %v", tc.name, got, tc.want)
		}
	}
}
