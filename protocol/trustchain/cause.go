package trustchain

import (
	"errors"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/jose"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
)

// SignerError is a failure to find or trust a signer's key: its chain or
// its entity configuration. It says the same as Err and wraps it, so that
// CauseOf can tell a statement that expired from a version whose own
// signature did.
type SignerError struct {
	Entity string
	Err    error
}

func (e *SignerError) Error() string { return e.Err.Error() }
func (e *SignerError) Unwrap() error { return e.Err }

// errExpiredJWS stands for jose.ErrExpired in causeRules: a statement's
// expiry or the version's own, told apart by CauseOf.
var errExpiredJWS = errors.New("jws expired (statement or version)")

// causeRules classify an error, the most specific first.
var causeRules = []struct {
	cause     protocol.Cause
	sentinels []error
}{
	{protocol.CauseSignerRevoked, []error{ErrRevoked}},
	{protocol.CauseKeyRetired, []error{entity.ErrKeyRevoked, entity.ErrKeyRetired}},
	{protocol.CauseStmtExpired, []error{ErrExpired}},
	{"", []error{errExpiredJWS}},
	{protocol.CauseNotYetValid, []error{jose.ErrNotYetValid}},
	{protocol.CauseNotAnchored, []error{ErrNotPinned, ErrNoPath, ErrAuthorityHint, ErrKeyNotListed, signedobject.ErrUntrustedKey}},
	{protocol.CauseUnreachable, []error{ErrFetch, ErrNotFound}},
	{protocol.CauseBadSignature, []error{jose.ErrBadSignature, jose.ErrMalformed, jose.ErrAlgorithm, jose.ErrTooLarge,
		signedobject.ErrMissingCosigner, signedobject.ErrUnknownSigner, signedobject.ErrForgedOrigin}},
}

// CauseOf classifies why a version is not verified (a chain error of
// VerifyObject, or the refusal of a version judged again) for people;
// nil is CauseVerified.
func CauseOf(err error) protocol.Cause {
	if err == nil {
		return protocol.CauseVerified
	}
	for _, r := range causeRules {
		for _, s := range r.sentinels {
			if s == errExpiredJWS {
				if !errors.Is(err, jose.ErrExpired) {
					continue
				}
				// A statement's expiry surfaces inside a SignerError;
				// outside one it is the version's own signature.
				if se := (*SignerError)(nil); errors.As(err, &se) {
					return protocol.CauseStmtExpired
				}
				return protocol.CauseSigExpired
			}
			if errors.Is(err, s) {
				return r.cause
			}
		}
	}
	return protocol.CauseOther
}
