// Package inbound turns the mails of the support mailbox into tickets. A River periodic job (once
// per cluster) polls the mailbox over IMAP; each mail is recorded once (its Message-ID, or the digest
// of its source, is unique in inbound_messages) in the same transaction as the ticket or message it
// becomes, and moved to the processed folder only after that commit: a crash in between leaves the
// mail in the inbox, and the next poll finds it recorded and only moves it. Mails from unknown
// senders, for another client's ticket, too large or unreadable go to the triage list, where staff
// attach them to a client or discard them; machine-written mails (auto-replies, lists, bounces, our
// own) are recorded and ignored, never answered.
package inbound

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
)

// Status is what became of a mail.
type Status string

// The statuses: a new ticket, a message on a ticket, waiting in triage, ignored (written by a
// machine), discarded by staff from triage.
const (
	StatusTicket    Status = "ticket"
	StatusMessage   Status = "message"
	StatusTriage    Status = "triage"
	StatusIgnored   Status = "ignored"
	StatusDiscarded Status = "discarded"
)

// Statuses lists the statuses in the order the triage page's tabs offer them.
func Statuses() []Status {
	return []Status{StatusTriage, StatusTicket, StatusMessage, StatusIgnored, StatusDiscarded}
}

// Valid tells whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses() {
		if v == s {
			return true
		}
	}
	return false
}

// Label is the catalogue key naming the status ("inbound.status.triage").
func (s Status) Label() string { return "inbound.status." + string(s) }

// The reasons a mail went to triage or was ignored; their labels are "inbound.reason.<reason>".
const (
	ReasonUnknownSender    = "unknown_sender"
	ReasonNotTicketClient  = "not_ticket_client"
	ReasonUnknownReference = "unknown_reference"
	ReasonTicketClosed     = "ticket_closed"
	ReasonSeveralContracts = "several_contracts"
	ReasonTooLarge         = "too_large"
	ReasonUnparseable      = "unparseable"
	ReasonProcessingError  = "processing_error"
	ReasonOwnMessage       = "own_message"
	ReasonAutoSubmitted    = "auto_submitted"
	ReasonBulk             = "bulk"
	ReasonList             = "list"
	ReasonBounce           = "bounce"
)

// Message is one mail read from the mailbox, with what became of it.
type Message struct {
	bun.BaseModel `bun:"table:inbound_messages,alias:im"`

	ID uuid.UUID `bun:"id,pk,type:uuid"`
	// DedupeKey is "mid:<Message-ID>", or "sha256:<digest>" for a mail without Message-ID.
	DedupeKey   string       `bun:"dedupe_key"`
	MessageID   string       `bun:"message_id"`
	Digest      string       `bun:"digest"`
	ReceivedAt  time.Time    `bun:"received_at"`
	SentAt      bun.NullTime `bun:"sent_at"`
	FromAddress string       `bun:"from_address"`
	FromName    string       `bun:"from_name"`
	Subject     string       `bun:"subject"`
	SizeBytes   int64        `bun:"size_bytes"`
	// Raw is the source; only its header when RawComplete is false (a mail over the size limit).
	Raw         []byte `bun:"raw"`
	RawComplete bool   `bun:"raw_complete"`
	// BodyText went into the ticket; FullText is the whole text, quoted parts and signature included.
	BodyText        string        `bun:"body_text"`
	FullText        string        `bun:"full_text"`
	Status          Status        `bun:"status"`
	Reason          string        `bun:"reason"`
	Notes           string        `bun:"notes"`
	ClientID        uuid.NullUUID `bun:"client_id,type:uuid"`
	TicketID        uuid.NullUUID `bun:"ticket_id,type:uuid"`
	TicketMessageID uuid.NullUUID `bun:"ticket_message_id,type:uuid"`
	AckSentAt       bun.NullTime  `bun:"ack_sent_at"`
	DecidedBy       uuid.NullUUID `bun:"decided_by,type:uuid"`
	DecidedAt       bun.NullTime  `bun:"decided_at"`

	// TicketNumber and ClientName are read with the mail, for display.
	TicketNumber int    `bun:"ticket_number,scanonly"`
	ClientName   string `bun:"client_name,scanonly"`
}

// ReasonLabel is the catalogue key of the reason ("inbound.reason.unknown_sender"), "" without one.
func (m *Message) ReasonLabel() string {
	if m.Reason == "" {
		return ""
	}
	return "inbound.reason." + m.Reason
}

// Sender is the sender as people read it: "Name <address>" or the address.
func (m *Message) Sender() string {
	if m.FromName != "" && m.FromAddress != "" {
		return m.FromName + " <" + m.FromAddress + ">"
	}
	if m.FromAddress == "" {
		return "?"
	}
	return m.FromAddress
}

// listColumns are the columns of a list (never the source).
var listColumns = []string{"id", "message_id", "received_at", "sent_at", "from_address", "from_name", "subject",
	"size_bytes", "raw_complete", "status", "reason", "client_id", "ticket_id", "ticket_message_id", "ack_sent_at"}

func selectMessages(db bun.IDB, model any, withSource bool) *bun.SelectQuery {
	q := db.NewSelect().Model(model)
	if withSource {
		q = q.Column("im.*")
	} else {
		for _, c := range listColumns {
			q = q.Column("im." + c)
		}
	}
	return q.ColumnExpr("coalesce(t.number, 0) AS ticket_number, coalesce(c.name, '') AS client_name").
		Join("LEFT JOIN tickets AS t ON t.id = im.ticket_id").
		Join("LEFT JOIN clients AS c ON c.id = im.client_id")
}

// Get returns one mail with its source and texts.
func Get(ctx context.Context, db bun.IDB, id uuid.UUID) (*Message, error) {
	m := new(Message)
	if err := selectMessages(db, m, true).Where("im.id = ?", id).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("inbound message")
		}
		return nil, fmt.Errorf("inbound: get: %w", err)
	}
	return m, nil
}

// Page is a keyset page of mails, newest first.
type Page struct {
	Messages []*Message
	Next     string
}

// List returns up to limit mails of one status received before the cursor, newest first.
func List(ctx context.Context, db bun.IDB, status Status, cursor string, limit int) (*Page, error) {
	if limit <= 0 || limit > 100 {
		limit = 30
	}
	var ms []*Message
	q := selectMessages(db, &ms, false).Where("im.status = ?", status).
		OrderExpr("im.received_at DESC, im.id DESC").Limit(int64(limit + 1))
	if at, id, ok := database.ParseCursor(cursor); ok {
		q = q.Where("(im.received_at, im.id) < (?, ?)", at, id)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("inbound: list: %w", err)
	}
	p := &Page{Messages: ms}
	if len(ms) > limit {
		p.Messages = ms[:limit]
		last := p.Messages[limit-1]
		p.Next = database.Cursor(last.ReceivedAt, last.ID)
	}
	return p, nil
}

// CountTriage counts the mails waiting in triage.
func CountTriage(ctx context.Context, db bun.IDB) (int, error) {
	n, err := db.NewSelect().Table("inbound_messages").Where("status = ?", StatusTriage).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("inbound: count triage: %w", err)
	}
	return int(n), nil
}

// OfTicket is how a ticket's page shows what came by email: the mail of the report itself
// (Report, uuid.Nil when the ticket was not opened by email) and the mail of each message.
type OfTicket struct {
	Report   uuid.UUID
	Messages map[uuid.UUID]uuid.UUID
}

// ReportMail is the id of the mail the ticket was opened from, "" when not opened by email.
func (o *OfTicket) ReportMail() string {
	if o == nil || o.Report == uuid.Nil {
		return ""
	}
	return o.Report.String()
}

// MessageMail is the id of the mail message messageID came from, "" when it was not emailed.
func (o *OfTicket) MessageMail(messageID uuid.UUID) string {
	if o == nil {
		return ""
	}
	if id, ok := o.Messages[messageID]; ok {
		return id.String()
	}
	return ""
}

// ForTicket returns the mails that became ticket ticketID or its messages.
func ForTicket(ctx context.Context, db bun.IDB, ticketID uuid.UUID) (*OfTicket, error) {
	var rows []struct {
		ID              uuid.UUID     `bun:"id"`
		Status          Status        `bun:"status"`
		TicketMessageID uuid.NullUUID `bun:"ticket_message_id"`
	}
	if err := db.NewSelect().Table("inbound_messages").Column("id", "status", "ticket_message_id").
		Where("ticket_id = ?", ticketID).Limit(1000).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("inbound: for ticket: %w", err)
	}
	out := &OfTicket{Messages: map[uuid.UUID]uuid.UUID{}}
	for _, r := range rows {
		if r.Status == StatusTicket {
			out.Report = r.ID
		} else if r.TicketMessageID.Valid {
			out.Messages[r.TicketMessageID.UUID] = r.ID
		}
	}
	return out, nil
}

// State is the mailbox as the last poll saw it.
type State struct {
	bun.BaseModel `bun:"table:inbound_state"`

	ID            int          `bun:"id,pk"`
	LastPollAt    bun.NullTime `bun:"last_poll_at"`
	LastSuccessAt bun.NullTime `bun:"last_success_at"`
	LastError     string       `bun:"last_error"`
	LastErrorAt   bun.NullTime `bun:"last_error_at"`
	// Waiting is how many mails were still in the inbox after the last poll.
	Waiting       int          `bun:"waiting"`
	ProcessedLast int          `bun:"processed_last"`
	PollingUntil  bun.NullTime `bun:"polling_until"`
}

// GetState returns the mailbox state.
func GetState(ctx context.Context, db bun.IDB) (*State, error) {
	s := new(State)
	if err := db.NewSelect().Model(s).Where("id = 1").Scan(ctx); database.NoRows(err) {
		return &State{ID: 1}, nil
	} else if err != nil {
		return nil, fmt.Errorf("inbound: state: %w", err)
	}
	return s, nil
}
