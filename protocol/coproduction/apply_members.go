package coproduction

import (
	"fmt"
	"slices"
)

// The changes of membership and rights: invite, request, join, decline,
// admit, remove, grant.

func invite(p *Process, c Change, m Meta) error {
	var in Invite
	if err := decodeData(c, &in); err != nil {
		return err
	}
	if err := checkURL(in.Entity); err != nil {
		return fmt.Errorf("%w: entity: %w", ErrInvalid, err)
	}
	if len(in.Name) > MaxName {
		return fmt.Errorf("%w: name is too long", ErrInvalid)
	}
	x := p.Participant(in.Entity)
	if c.Op == OpRequest {
		switch {
		case !p.Public:
			return fmt.Errorf("%w: the process is not public: ask for an invitation", ErrForbidden)
		case in.Entity != m.Author:
			return fmt.Errorf("%w: an organisation requests to join for itself", ErrForbidden)
		case x != nil && x.Membership != Declined && x.Membership != Removed:
			return fmt.Errorf("%w: %s is already %s", ErrInvalid, in.Entity, x.Membership)
		}
		in.Role = Observer
	} else {
		if err := need(p, m, Administer, ""); err != nil {
			return err
		}
		if in.Role == "" {
			in.Role = CoProducer
		}
		if !slices.Contains(Roles, in.Role) || in.Role == Initiator {
			return fmt.Errorf("%w: role %q: co-producer or observer", ErrInvalid, in.Role)
		}
		if x != nil && x.Membership == Active {
			return fmt.Errorf("%w: %s already takes part", ErrInvalid, in.Entity)
		}
	}
	ms := Invited
	if c.Op == OpRequest {
		ms = Requested
	}
	np := &Participant{Entity: in.Entity, Actor: in.Actor, Name: in.Name, Role: in.Role, Membership: ms,
		Grants: []Grant{{Scope: "", Rights: DefaultRights(in.Role)}}, Since: m.Seq}
	if x != nil {
		*x = *np
	} else {
		p.Participants = append(p.Participants, np)
	}
	return nil
}

func answer(p *Process, c Change, m Meta) error {
	x := p.Participant(m.Author)
	if x == nil || x.Membership != Invited {
		return fmt.Errorf("%w: %s has no pending invitation", ErrForbidden, m.Author)
	}
	var in Invite // optional: how the organisation names itself
	if len(c.Data) > 0 {
		if err := decodeData(c, &in); err != nil {
			return err
		}
		if len(in.Name) > MaxName {
			return fmt.Errorf("%w: name is too long", ErrInvalid)
		}
	}
	x.Membership, x.Since = Declined, m.Seq
	if c.Op == OpJoin {
		x.Membership = Active
		if c.Actor != "" {
			x.Actor = c.Actor
		}
		if in.Name != "" {
			x.Name = in.Name
		}
	}
	return nil
}

func member(p *Process, c Change, m Meta) error {
	var in Member
	if err := decodeData(c, &in); err != nil {
		return err
	}
	if err := need(p, m, Administer, ""); err != nil {
		return err
	}
	x := p.Participant(in.Entity)
	switch {
	case x == nil:
		return fmt.Errorf("%w: %s is not a participant", ErrNotFound, in.Entity)
	case in.Entity == p.Host:
		return fmt.Errorf("%w: the host cannot be removed or admitted", ErrForbidden)
	case c.Op == OpAdmit && x.Membership != Requested:
		return fmt.Errorf("%w: %s did not ask to join", ErrInvalid, in.Entity)
	}
	x.Since = m.Seq
	x.Membership = Removed
	if c.Op == OpAdmit {
		x.Membership = Active
	}
	return nil
}

func grant(p *Process, c Change, m Meta) error {
	var in GrantData
	if err := decodeData(c, &in); err != nil {
		return err
	}
	if err := need(p, m, Administer, ""); err != nil {
		return err
	}
	x := p.Participant(in.Entity)
	if x == nil {
		return fmt.Errorf("%w: %s is not a participant", ErrNotFound, in.Entity)
	}
	if len(in.Grants) > MaxList {
		return fmt.Errorf("%w: more than %d grants", ErrInvalid, MaxList)
	}
	for i, g := range in.Grants {
		if g.Scope != "" {
			if _, ok := p.find(g.Scope); !ok {
				return fmt.Errorf("%w: grants[%d].scope %q", ErrNotFound, i, g.Scope)
			}
		}
		for _, r := range g.Rights {
			if !slices.Contains(Rights, r) {
				return fmt.Errorf("%w: grants[%d]: right %q is not one of %v", ErrInvalid, i, r, Rights)
			}
		}
	}
	x.Grants = in.Grants
	return nil
}
