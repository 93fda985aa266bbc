package backoffice

import (
	"context"
	"fmt"

	"maintenant/app/accounts"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/provider"
	"maintenant/app/tickets"
)

// The events of a ticket the client hears about by mail (template ticket_client_update, whose
// "Kind" is one of these).
const (
	ticketMailAcknowledged = "acknowledged"
	ticketMailDiagnosis    = "diagnosis"
	ticketMailMessage      = "message"
	ticketMailResolved     = "resolved"
)

// ticketClientRecipients are the people of the client told about a ticket: its reporter when it
// is an active client user; otherwise (a call logged without a contact, or a contact since
// deactivated) the client's active admins.
func ticketClientRecipients(ctx context.Context, tx *database.Tx, t *tickets.Ticket) ([]*accounts.User, error) {
	if t.ReporterID.Valid {
		u, err := accounts.ClientUser(ctx, tx, t.ClientID, t.ReporterID.UUID)
		if err == nil && u.Active {
			return []*accounts.User{u}, nil
		}
	}
	users, err := accounts.ListClientUsers(ctx, tx, t.ClientID)
	if err != nil {
		return nil, fmt.Errorf("backoffice: ticket recipients: %w", err)
	}
	var out []*accounts.User
	for i := range users {
		if users[i].Active && users[i].Role == accounts.Admin {
			out = append(out, &users[i])
		}
	}
	return out, nil
}

// mailTicketClient tells the client about an event of ticket t (kind: ticketMail…), within tx,
// in each recipient's language. msg is the staff message for ticketMailMessage. event tells this
// event from another of the same kind (a message id, a version, a resolution instant): with the
// ticket and the recipient it makes the dedupe key, one mail per event and recipient.
func (h *handler) mailTicketClient(ctx context.Context, tx *database.Tx, t *tickets.Ticket, kind string, msg *tickets.Message, event string) error {
	to, err := ticketClientRecipients(ctx, tx, t)
	if err != nil || len(to) == 0 {
		return err
	}
	org, err := provider.Get(ctx, tx)
	if err != nil {
		return err
	}
	for _, u := range to {
		lang, _ := i18n.Parse(u.Language)
		d := map[string]any{
			"Name": u.Name, "Reference": t.Reference(), "Title": t.Title, "Kind": kind,
			"What":    h.Catalogue.T(lang, "mail.ticket_client_update.what."+kind),
			"OrgName": org.Name, "Link": h.Config.URL("/portal/tickets/" + t.ID.String()),
			"Diagnosis": t.Diagnosis, "RepairPlan": t.RepairPlan,
		}
		if !t.ResolutionDueAt.IsZero() && kind == ticketMailAcknowledged {
			d["ResolutionDue"] = t.ResolutionDueAt.Time
		}
		if !t.ResolvedAt.IsZero() {
			d["ReopenUntil"] = t.ReopenDeadline()
		}
		if msg != nil {
			d["Author"], d["Body"] = msg.AuthorLabel, msg.Body
		}
		key := "ticket-" + kind + ":" + t.ID.String() + ":" + event + ":" + u.ID.String()
		if err := h.SendMailOnce(ctx, tx, u, "ticket_client_update", d, key); err != nil {
			return err
		}
	}
	return nil
}

// mailTicketAssigned tells the new assignee of ticket t that it is theirs now, within tx.
func (h *handler) mailTicketAssigned(ctx context.Context, tx *database.Tx, t *tickets.Ticket, by string) error {
	u, err := accounts.UserByID(ctx, tx, t.AssigneeID.UUID)
	if err != nil {
		return err
	}
	if !u.Active {
		return nil
	}
	org, err := provider.Get(ctx, tx)
	if err != nil {
		return err
	}
	lang, _ := i18n.Parse(u.Language)
	d := map[string]any{
		"Name": u.Name, "Reference": t.Reference(), "Title": t.Title, "ClientName": t.ClientName, "By": by,
		"Priority": h.Catalogue.T(lang, tickets.PriorityKey(t.Priority)), "OrgName": org.Name,
		"Link": h.Config.URL(ticketsPath + "/" + t.ID.String()),
	}
	if !t.NextDueAt.IsZero() {
		d["Due"] = t.NextDueAt.Time
	}
	key := fmt.Sprintf("ticket-assigned:%s:%d:%s", t.ID, t.Version, u.ID)
	return h.SendMailOnce(ctx, tx, u, "ticket_assigned", d, key)
}
