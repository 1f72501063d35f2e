package accounts

import (
	"context"
	"fmt"
)

// Actions the account pages record (Audit's action); other pages add
// their own names (lower-case ASCII letters, digits and . _ -).
const (
	ActionUserCreate      = "user.create"
	ActionUserDisable     = "user.disable"
	ActionUserEnable      = "user.enable"
	ActionUserRole        = "user.role"
	ActionUserPassword    = "user.password"
	ActionUserDisplayName = "user.display_name"
	ActionSignOutAll      = "session.sign_out_everywhere"
	ActionSessionEnd      = "session.end"
	ActionTokenCreate     = "token.create"
	ActionTokenRevoke     = "token.revoke"
)

// Audit appends an entry to the audit list: user made a change (action)
// to target (an object IRI, a user id, a setting name), with detail. The
// client's address comes from ctx (WithClient). The oldest entries beyond
// Config.AuditRetention are pruned in the same write. Never pass a
// password or a secret as target or detail.
func (s *Service) Audit(ctx context.Context, user User, action, target, detail string) error {
	e := AuditEntry{Time: s.cfg.Now().UTC(), UserID: user.ID, Username: user.Username, Action: action,
		Target: target, Detail: detail, Address: ClientFrom(ctx).Address}
	if _, err := s.store.AppendAudit(ctx, e, s.cfg.AuditRetention); err != nil {
		return fmt.Errorf("accounts: audit %s: %w", action, err)
	}
	return nil
}

// ListAudit returns up to limit audit entries, newest first, below the
// cursor before (0: from the newest); next is the cursor of the following
// page, 0 at the end.
func (s *Service) ListAudit(ctx context.Context, before uint64, limit int) ([]AuditEntry, uint64, error) {
	es, next, err := s.store.ListAudit(ctx, before, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("accounts: list audit: %w", err)
	}
	return es, next, nil
}
