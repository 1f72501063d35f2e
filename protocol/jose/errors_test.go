package jose_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/jose"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
)

// TestSharedReasons: signed objects and entity statements refuse for the
// shared reasons with jose's own values, under each package's names.
func TestSharedReasons(t *testing.T) {
	for _, c := range []struct {
		name                  string
		shared, object, entry error
	}{
		{"ErrTooLarge", jose.ErrTooLarge, signedobject.ErrTooLarge, entity.ErrTooLarge},
		{"ErrMalformed", jose.ErrMalformed, signedobject.ErrMalformed, entity.ErrMalformed},
		{"ErrAlgorithm", jose.ErrAlgorithm, signedobject.ErrAlgorithm, entity.ErrAlgorithm},
		{"ErrHeader", jose.ErrHeader, signedobject.ErrHeader, entity.ErrHeader},
		{"ErrType", jose.ErrType, signedobject.ErrType, entity.ErrType},
		{"ErrKid", jose.ErrKid, signedobject.ErrKid, entity.ErrKid},
		{"ErrBadSignature", jose.ErrBadSignature, signedobject.ErrBadSignature, entity.ErrBadSignature},
		{"ErrExpired", jose.ErrExpired, signedobject.ErrExpired, entity.ErrExpired},
		{"ErrNotYetValid", jose.ErrNotYetValid, signedobject.ErrNotYetValid, entity.ErrNotYetValid},
	} {
		if c.object != c.shared || c.entry != c.shared {
			t.Errorf("%s: signedobject's and entity's are not jose's value", c.name)
		}
	}
	// The errors of both parsers wrap them.
	big := []byte(strings.Repeat("A", entity.MaxBytes+1))
	if _, err := entity.Parse(big); !errors.Is(err, jose.ErrTooLarge) {
		t.Errorf("entity.Parse of %d bytes: %v", len(big), err)
	}
	if _, err := signedobject.Inspect([]byte(`{"payload":"e30","payload":"e30"}`)); !errors.Is(err, jose.ErrMalformed) {
		t.Errorf("signedobject.Inspect of a duplicate member: %v", err)
	}
	if _, err := entity.Parse([]byte("e30.e30")); !errors.Is(err, jose.ErrMalformed) {
		t.Errorf("entity.Parse of two parts: %v", err)
	}
}
