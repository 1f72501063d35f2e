package httpsig

import (
	"errors"
	"net/http"
	"testing"
)

func TestClaimedKeyID(t *testing.T) {
	const sig = `keyId="https://a.example/actor#main-key",algorithm="rsa-sha256",headers="(request-target) host date",signature="c2ln"`
	for _, h := range []http.Header{{"Signature": {sig}}, {"Authorization": {"Signature " + sig}}} {
		if k, err := ClaimedKeyID(h); err != nil || k != "https://a.example/actor#main-key" {
			t.Errorf("%v: %q %v", h, k, err)
		}
	}
	if _, err := ClaimedKeyID(http.Header{}); !errors.Is(err, ErrUnsigned) {
		t.Errorf("unsigned: %v", err)
	}
	for _, bad := range []http.Header{
		{"Signature": {`algorithm="rsa-sha256",signature="c2ln"`}},     // no keyId
		{"Signature": {sig, sig}},                                      // two signatures
		{"Signature": {`keyId="https://a.example/k",signature="c2ln`}}, // unterminated
	} {
		if k, err := ClaimedKeyID(bad); !errors.Is(err, ErrBadSignature) || k != "" {
			t.Errorf("%v: %q %v", bad, k, err)
		}
	}
}
