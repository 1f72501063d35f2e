package web

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// TestClassify runs the classifier over reasons built exactly as
// protocol/trustchain, protocol/entity and protocol/signedobject build them
// (their format strings around their sentinel errors).
func TestClassify(t *testing.T) {
	leaf, anchor := "https://leaf.example", "https://anchor.example"
	checked := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	unv := func(err error) *protocol.Verification {
		return &protocol.Verification{Status: protocol.Unverified, Checked: checked, Reason: err.Error()}
	}
	tests := []struct {
		name    string
		v       *protocol.Verification
		anchors bool
		want    Cause
	}{
		{"no record", nil, true, CauseUnsigned},
		{"verified", &protocol.Verification{Status: protocol.Verified, Checked: checked,
			Signers: []protocol.SignerInfo{{EntityID: leaf, Anchor: anchor, Path: []string{leaf, anchor}}}}, true, CauseVerified},
		{"not checked", &protocol.Verification{Status: protocol.Unverified}, true, CauseNotChecked},
		{"walk: not pinned, no anchors", unv(fmt.Errorf("trustchain: %s: %s: %w: %w", leaf, leaf, trustchain.ErrNotPinned,
			fmt.Errorf("not a pinned anchor, and it names no authority"))), false, CauseNoAnchor},
		{"walk: not pinned", unv(fmt.Errorf("trustchain: %s: %s: %w: %w", leaf, "anchor "+anchor, trustchain.ErrNotPinned,
			fmt.Errorf("its entity configuration lists none of the pinned keys"))), true, CauseNotAnchored},
		{"walk: no path", unv(fmt.Errorf("trustchain: %s: %s: %w: %w", leaf, anchor, trustchain.ErrNoPath,
			fmt.Errorf("%s publishes no federation_fetch_endpoint", anchor))), true, CauseNotAnchored},
		// federation/trust.ErrUnverified's text (node/web imports no federation package, not even in tests)
		{"trust: unverified", unv(fmt.Errorf("%w: %w", errors.New("signer has no trust chain to a pinned anchor"), trustchain.ErrNoPath)), true, CauseNotAnchored},
		{"untrusted key", unv(fmt.Errorf("signedobject: signatures[0]: %w: %w", signedobject.ErrUntrustedKey, trustchain.ErrNotPinned)), true, CauseNotAnchored},
		{"signer revoked", unv(fmt.Errorf("trustchain: %s: content key %q signed at %s, first seen %s: %w at %s", leaf, "k1",
			"2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z", trustchain.ErrRevoked, "2025-01-01T12:00:00Z")), true, CauseSignerRevoked},
		{"key revoked", unv(fmt.Errorf("trustchain: %s: %w", leaf, fmt.Errorf("key %q: %w", "k1", entity.ErrKeyRevoked))), true, CauseKeyRetired},
		{"key retired", unv(fmt.Errorf("trustchain: %s: %w", leaf, fmt.Errorf("key %q: %w", "k1", entity.ErrKeyRetired))), true, CauseKeyRetired},
		{"signature expired", unv(fmt.Errorf("signedobject: verify %s: %w: exp %s, now %s", leaf+"/objects/1", signedobject.ErrExpired,
			"2025-01-01T00:00:00Z", "2025-03-01T00:00:00Z")), true, CauseSigExpired},
		{"statement expired", unv(fmt.Errorf("trustchain: %s: %s: %w: %w", leaf, anchor, trustchain.ErrExpired, entity.ErrExpired)), true, CauseStmtExpired},
		{"not yet valid", unv(fmt.Errorf("signedobject: verify: %w", signedobject.ErrNotYetValid)), true, CauseNotYetValid},
		{"bad signature", unv(fmt.Errorf("signedobject: signatures[0]: %w", signedobject.ErrBadSignature)), true, CauseBadSignature},
		{"fetch failed", unv(fmt.Errorf("trustchain: %s: %s: %w: %w", leaf, anchor, trustchain.ErrFetch, fmt.Errorf("GET %s: connection refused", anchor))), true, CauseUnreachable},
		{"other", unv(fmt.Errorf("trustchain: %s: %w", leaf, trustchain.ErrHintLoop)), true, CauseOther},
	}
	for _, tt := range tests {
		if got := Classify(tt.v, tt.anchors); got != tt.want {
			t.Errorf("%s: Classify = %s, want %s (reason %q)", tt.name, got, tt.want, reasonOf(tt.v))
		}
	}
}

func reasonOf(v *protocol.Verification) string {
	if v == nil {
		return ""
	}
	return v.Reason
}

// TestClassifyPrefersRecordedCause: a record with the verifier's cause is
// read by it, whatever its reason text says; without an anchor pinned the
// page says so rather than blaming the signer.
func TestClassifyPrefersRecordedCause(t *testing.T) {
	v := &protocol.Verification{Status: protocol.Unverified, Checked: time.Now(), Reason: "jws expired", Cause: protocol.CauseSignerRevoked}
	if got := Classify(v, true); got != CauseSignerRevoked {
		t.Errorf("Classify = %s, want the recorded %s", got, CauseSignerRevoked)
	}
	v.Cause = protocol.CauseNotAnchored
	if got := Classify(v, false); got != CauseNoAnchor {
		t.Errorf("no anchor pinned: Classify = %s, want %s", got, CauseNoAnchor)
	}
}
