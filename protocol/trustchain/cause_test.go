package trustchain

import (
	"errors"
	"fmt"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/jose"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
)

// TestCauseOf classifies errors as the verifier wraps them: a statement's
// expiry (inside a SignerError) is not the version's own, and the most
// specific cause wins when several sentinels are wrapped together.
func TestCauseOf(t *testing.T) {
	signer := func(err error) error { return &SignerError{Entity: "https://a.example", Err: err} }
	for _, tc := range []struct {
		name string
		err  error
		want protocol.Cause
	}{
		{"nil", nil, protocol.CauseVerified},
		{"revoked", signer(fmt.Errorf("trustchain: https://a.example: %w", ErrRevoked)), protocol.CauseSignerRevoked},
		{"key revoked", signer(entity.ErrKeyRevoked), protocol.CauseKeyRetired},
		{"key retired", fmt.Errorf("judge: %w", entity.ErrKeyRetired), protocol.CauseKeyRetired},
		{"version expired", fmt.Errorf("verify: %w", signedobject.ErrExpired), protocol.CauseSigExpired},
		{"statement expired", signer(fmt.Errorf("statement: %w", entity.ErrExpired)), protocol.CauseStmtExpired},
		{"chain link expired", fmt.Errorf("x: %w", ErrExpired), protocol.CauseStmtExpired},
		{"not yet valid", fmt.Errorf("x: %w", jose.ErrNotYetValid), protocol.CauseNotYetValid},
		{"no anchor", signer(fmt.Errorf("x: %w", ErrNotPinned)), protocol.CauseNotAnchored},
		{"no path", signer(ErrNoPath), protocol.CauseNotAnchored},
		{"untrusted key", signedobject.ErrUntrustedKey, protocol.CauseNotAnchored},
		{"unreachable", signer(fmt.Errorf("fetch: %w: connection refused", ErrFetch)), protocol.CauseUnreachable},
		{"not found", signer(ErrNotFound), protocol.CauseUnreachable},
		{"bad signature", fmt.Errorf("x: %w", signedobject.ErrBadSignature), protocol.CauseBadSignature},
		{"forged origin", signedobject.ErrForgedOrigin, protocol.CauseBadSignature},
		{"revoked and expired", signer(errors.Join(ErrRevoked, entity.ErrExpired)), protocol.CauseSignerRevoked},
		{"other", errors.New("disk on fire"), protocol.CauseOther},
	} {
		if got := CauseOf(tc.err); got != tc.want {
			t.Errorf("%s: CauseOf(%v) = %s, want %s", tc.name, tc.err, got, tc.want)
		}
	}
	// A SignerError reads as what it wraps.
	if e := signer(ErrNoPath); e.Error() != ErrNoPath.Error() || !errors.Is(e, ErrNoPath) {
		t.Errorf("SignerError changes the message or hides the sentinel: %v", e)
	}
}
