package inbound

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/sla"
	"maintenant/app/tickets"
)

// ErrNotInTriage is the Conflict of acting on a mail that left triage meanwhile (another member of
// staff attached or discarded it).
const ErrNotInTriage = "inbound.error.not_in_triage"

// AttachInput is staff's decision for a mail in triage: the client it concerns and how to open
// its ticket.
type AttachInput struct {
	ClientID   uuid.UUID
	ContractID uuid.UUID
	// ServiceLabel is one of the contract's services, or "".
	ServiceLabel string
	// ReporterID is one of the client's users, uuid.Nil to name the sender only.
	ReporterID uuid.UUID
	Priority   sla.Priority
}

// lockTriage reads a mail in triage for update.
func lockTriage(ctx context.Context, tx bun.IDB, id uuid.UUID) (*Message, error) {
	m := new(Message)
	if err := tx.NewSelect().Model(m).Where("im.id = ?", id).For("UPDATE").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("inbound message")
		}
		return nil, fmt.Errorf("inbound: lock: %w", err)
	}
	if m.Status != StatusTriage {
		return nil, apperr.Conflictf(ErrNotInTriage)
	}
	return m, nil
}

// AttachToClient opens a ticket (channel email) from a mail in triage, for client in.ClientID, by
// staff, with the mail's text and files; the mail leaves triage. Audited (inbound.attached).
// Errors: NotFound; Conflict ErrNotInTriage; Invalid with the fields of tickets.Open.
func (s *Service) AttachToClient(ctx context.Context, tx *database.Tx, id uuid.UUID, in AttachInput, actor tickets.Actor) (*tickets.Ticket, error) {
	now := s.now()
	m, err := lockTriage(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	p := &Parsed{Subject: m.Subject, FromAddress: m.FromAddress, Text: m.BodyText, FullText: m.FullText}
	if m.RawComplete {
		if parsed, err := Parse(m.Raw); err == nil {
			p = parsed
		}
	}
	open := tickets.OpenInput{
		ClientID: in.ClientID, ContractID: in.ContractID, ServiceLabel: in.ServiceLabel, Title: ticketTitle(p),
		Description: messageBody(p), Priority: in.Priority, Channel: tickets.ChannelEmail, ReporterID: in.ReporterID,
	}
	if in.ReporterID == uuid.Nil {
		open.ReporterLabel = truncateRunes(m.Sender(), tickets.MaxReporter)
	}
	t, err := tickets.Open(ctx, tx, open, actor, now, s.Location)
	if err != nil {
		return nil, err
	}
	m.Status, m.Reason = StatusTicket, ""
	m.ClientID = uuid.NullUUID{UUID: in.ClientID, Valid: true}
	m.TicketID = uuid.NullUUID{UUID: t.ID, Valid: true}
	m.DecidedBy = uuid.NullUUID{UUID: actor.Audit.UserID, Valid: actor.Audit.UserID != uuid.Nil}
	m.DecidedAt = bun.NullTime{Time: now}
	if err := s.attach(ctx, tx, m, p, t.ID, uuid.Nil, actor, now); err != nil {
		return nil, err
	}
	if err := s.save(ctx, tx, m); err != nil {
		return nil, err
	}
	if err := audit.Write(ctx, tx, now, actor.Audit, audit.Event{
		Action: audit.InboundAttached, TargetType: "inbound_message", TargetID: m.ID.String(), ClientID: in.ClientID,
		Details: map[string]any{"ticket": t.Reference(), "from": m.FromAddress},
	}); err != nil {
		return nil, err
	}
	return t, nil
}

// Discard takes a mail out of triage for good, by staff (spam, a mistaken address). The mail and
// its source stay recorded. Audited (inbound.discarded). Errors: NotFound; Conflict ErrNotInTriage.
func (s *Service) Discard(ctx context.Context, tx *database.Tx, id uuid.UUID, actor tickets.Actor) error {
	now := s.now()
	m, err := lockTriage(ctx, tx, id)
	if err != nil {
		return err
	}
	m.Status = StatusDiscarded
	m.DecidedBy = uuid.NullUUID{UUID: actor.Audit.UserID, Valid: actor.Audit.UserID != uuid.Nil}
	m.DecidedAt = bun.NullTime{Time: now}
	if err := s.save(ctx, tx, m); err != nil {
		return err
	}
	return audit.Write(ctx, tx, now, actor.Audit, audit.Event{
		Action: audit.InboundDiscarded, TargetType: "inbound_message", TargetID: m.ID.String(),
		Details: map[string]any{"from": m.FromAddress, "subject": m.Subject, "reason": m.Reason},
	})
}
