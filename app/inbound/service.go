package inbound

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/mail"
	"maintenant/app/provider"
	"maintenant/app/sla"
	"maintenant/app/storage"
	"maintenant/app/tickets"
)

// Defaults of the limits.
const (
	// DefaultMaxBytes is the largest mail read whole (INBOUND_MAX_BYTES); a larger one is refused and
	// kept in triage with its header only.
	DefaultMaxBytes = 25 << 20
	// DefaultAcksPerHour bounds the acknowledgements sent to one address per hour (INBOUND_ACKS_PER_HOUR).
	DefaultAcksPerHour = 3
)

// Service records the mails of the mailbox and turns them into tickets.
type Service struct {
	DB    *database.DB
	Files storage.Store
	// Outbox and Composer write the acknowledgements; without a Composer none is sent.
	Outbox   *mail.Outbox
	Composer *mail.Composer
	Now      func() time.Time
	Location *time.Location
	// BaseURL is the application's address, for the links of the acknowledgements.
	BaseURL string
	// OwnAddresses are the application's own addresses (MAIL_FROM, the support mailbox): a mail from
	// one of them is ignored, never answered.
	OwnAddresses []string
	MaxBytes     int64
	AcksPerHour  int
	Logger       *slog.Logger
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) maxBytes() int64 {
	if s.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return s.MaxBytes
}

// Outcome is what Ingest did with a mail.
type Outcome struct {
	Message *Message
	// Duplicate is true when the mail had already been recorded (nothing was done again).
	Duplicate bool
}

// Ingest records one mail and acts on it, all in one transaction: the record, the ticket or
// message it becomes, its files and the acknowledgement commit together, or nothing does. raw is
// the source; complete is false when only its header was read (size is then the mail's real
// size, over the limit). A mail already recorded (same Message-ID, or same source when it has no
// Message-ID) is a Duplicate and changes nothing.
func (s *Service) Ingest(ctx context.Context, raw []byte, size int64, complete bool) (*Outcome, error) {
	now := s.now()
	sum := sha256.Sum256(raw)
	m := &Message{
		ID: uuid.Must(uuid.NewV7()), Digest: hex.EncodeToString(sum[:]), ReceivedAt: now, SizeBytes: size,
		Raw: raw, RawComplete: complete, Status: StatusTriage,
	}
	p, perr := Parse(raw)
	if p != nil {
		m.MessageID = truncateRunes(strings.ToValidUTF8(p.MessageID, ""), 1000)
		m.FromAddress = truncateRunes(p.FromAddress, 320)
		m.FromName = truncateRunes(p.FromName, 300)
		m.Subject = truncateRunes(p.Subject, 1000)
		if !p.Date.IsZero() {
			m.SentAt = bun.NullTime{Time: p.Date}
		}
		m.FullText = p.FullText
		m.BodyText = p.Text
	}
	m.DedupeKey = "sha256:" + m.Digest
	if m.MessageID != "" {
		m.DedupeKey = "mid:" + strings.ToLower(m.MessageID)
	}
	out := &Outcome{Message: m}
	err := s.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		res, err := tx.NewInsert().Model(m).
			On("CONFLICT (dedupe_key) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("inbound: record: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			out.Duplicate = true
			return nil
		}
		switch {
		case !complete:
			m.Reason, m.Notes = ReasonTooLarge, fmt.Sprintf("%d > %d", size, s.maxBytes())
		case perr != nil:
			m.Reason, m.Notes = ReasonUnparseable, truncateRunes(perr.Error(), 500)
		default:
			if err := s.decide(ctx, tx, m, p, now); err != nil {
				return err
			}
		}
		return s.save(ctx, tx, m)
	})
	if err != nil && !errors.Is(err, context.Canceled) && !out.Duplicate {
		// Something unexpected (a rule of the database, a storage failure): keep the mail in triage
		// rather than fail on it at every poll.
		s.logger().Error("inbound: processing failed, kept in triage", "message_id", m.MessageID, "err", err)
		m2 := *m
		m2.ID, m2.Status, m2.Reason, m2.Notes = uuid.Must(uuid.NewV7()), StatusTriage, ReasonProcessingError, truncateRunes(err.Error(), 500)
		m2.ClientID, m2.TicketID, m2.TicketMessageID, m2.AckSentAt = uuid.NullUUID{}, uuid.NullUUID{}, uuid.NullUUID{}, bun.NullTime{}
		out = &Outcome{Message: &m2}
		err = s.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			res, err := tx.NewInsert().Model(&m2).
				On("CONFLICT (dedupe_key) DO NOTHING").Exec(ctx)
			if err != nil {
				return fmt.Errorf("inbound: record: %w", err)
			}
			n, _ := res.RowsAffected()
			out.Duplicate = n == 0
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

func (s *Service) save(ctx context.Context, tx bun.IDB, m *Message) error {
	_, err := tx.NewUpdate().Model(m).WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("inbound: save: %w", err)
	}
	return nil
}

// own tells whether addr is one of the application's addresses.
func (s *Service) own(addr string) bool {
	for _, a := range s.OwnAddresses {
		if a != "" && strings.EqualFold(strings.TrimSpace(a), addr) {
			return true
		}
	}
	return false
}

// decide applies the matching rules to a new mail, within tx.
func (s *Service) decide(ctx context.Context, tx *database.Tx, m *Message, p *Parsed, now time.Time) error {
	if s.own(p.FromAddress) {
		m.Status, m.Reason = StatusIgnored, ReasonOwnMessage
		return nil
	}
	if p.Automatic != "" {
		m.Status, m.Reason = StatusIgnored, p.Automatic
		return nil
	}
	user, err := clientUser(ctx, tx, p.FromAddress)
	if err != nil {
		return err
	}
	ref, err := reference(ctx, tx, p)
	if err != nil {
		return err
	}
	if ref != 0 {
		t := new(tickets.Ticket)
		err := tx.NewSelect().Model(t).Column("id", "client_id", "status").Where("number = ?", ref).Scan(ctx)
		if database.NoRows(err) {
			m.Reason = ReasonUnknownReference
			return nil
		} else if err != nil {
			return fmt.Errorf("inbound: ticket %d: %w", ref, err)
		}
		if user == nil || user.ClientID.UUID != t.ClientID {
			// Never say anything about the ticket to someone outside its client.
			m.Reason = ReasonNotTicketClient
			return nil
		}
		m.ClientID = user.ClientID
		actor := clientActor(user)
		msg, _, err := tickets.AddMessage(ctx, tx, t.ID, actor, false, messageBody(p), now)
		switch {
		case apperr.KindOf(err) == apperr.Conflict:
			m.Reason = ReasonTicketClosed
			return nil
		case err != nil:
			return fmt.Errorf("inbound: add message: %w", err)
		}
		m.Status, m.Reason = StatusMessage, ""
		m.TicketID = uuid.NullUUID{UUID: t.ID, Valid: true}
		m.TicketMessageID = uuid.NullUUID{UUID: msg.ID, Valid: true}
		return s.attach(ctx, tx, m, p, t.ID, msg.ID, actor, now)
	}
	if user == nil {
		m.Reason = ReasonUnknownSender
		return nil
	}
	m.ClientID = user.ClientID
	choices, err := tickets.ContractChoices(ctx, tx, user.ClientID.UUID, now, s.Location)
	if err != nil {
		return err
	}
	if len(choices) > 1 {
		m.Reason = ReasonSeveralContracts
		return nil
	}
	in := tickets.OpenInput{
		ClientID: user.ClientID.UUID, Title: ticketTitle(p), Description: messageBody(p), Priority: sla.Normal,
		Channel: tickets.ChannelEmail, ReporterID: user.ID,
	}
	if len(choices) == 1 {
		in.ContractID = choices[0].ID
	}
	actor := clientActor(user)
	t, err := tickets.Open(ctx, tx, in, actor, now, s.Location)
	if err != nil {
		return fmt.Errorf("inbound: open ticket: %w", err)
	}
	m.Status, m.Reason = StatusTicket, ""
	m.TicketID = uuid.NullUUID{UUID: t.ID, Valid: true}
	if err := s.attach(ctx, tx, m, p, t.ID, uuid.Nil, actor, now); err != nil {
		return err
	}
	return s.acknowledge(ctx, tx, m, user, t, now)
}

// clientUser returns the active client user with that address, nil for anyone else (staff too).
func clientUser(ctx context.Context, db bun.IDB, addr string) (*accounts.User, error) {
	u, err := accounts.UserByEmail(ctx, db, addr)
	if apperr.KindOf(err) == apperr.NotFound {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if u.Kind != accounts.Client || !u.Active || !u.ClientID.Valid {
		return nil, nil
	}
	return u, nil
}

func clientActor(u *accounts.User) tickets.Actor {
	return tickets.ClientActor(audit.Actor{UserID: u.ID, Label: u.Email, UserAgent: "email"}, u.ClientID.UUID, u.Name)
}

// reference finds the ticket a mail answers: "[T-1042]" in its subject, or one of our Message-IDs
// in its In-Reply-To or References (a ticket's thread, or an outbox mail about a ticket). 0 for none.
func reference(ctx context.Context, db bun.IDB, p *Parsed) (int, error) {
	if ref := mail.ThreadRefOf(p.Subject); ref != "" {
		if n, ok := tickets.ParseReference(ref); ok {
			return n, nil
		}
	}
	ids := append(append([]string{}, p.InReplyTo...), p.References...)
	for _, id := range ids {
		ref, outboxID, ok := mail.ParseMessageID(id)
		if !ok {
			continue
		}
		if ref == "" {
			var thread string
			err := db.NewSelect().Table("outbox_messages").Column("thread_ref").Where("id = ?", outboxID).Scan(ctx, &thread)
			if database.NoRows(err) {
				continue
			} else if err != nil {
				return 0, fmt.Errorf("inbound: outbox reference: %w", err)
			}
			ref = thread
		}
		if n, ok := tickets.ParseReference(ref); ok {
			return n, nil
		}
	}
	return 0, nil
}

// ticketTitle is the subject of the mail without the "Re:" / "TR:" prefixes, or the first line of
// its text.
func ticketTitle(p *Parsed) string {
	t := p.Subject
	for {
		l := strings.ToLower(t)
		cut := false
		for _, pre := range []string{"re:", "re :", "tr:", "tr :", "fw:", "fwd:", "aw:"} {
			if strings.HasPrefix(l, pre) {
				t, cut = strings.TrimSpace(t[len(pre):]), true
				break
			}
		}
		if !cut {
			break
		}
	}
	if t == "" {
		t, _, _ = strings.Cut(strings.TrimSpace(p.Text), "\n")
	}
	if t == "" {
		t = "E-mail " + p.FromAddress
	}
	return truncateRunes(oneLine(t), tickets.MaxTitle)
}

// messageBody is the text that goes into the ticket.
func messageBody(p *Parsed) string {
	b := strings.TrimSpace(p.Text)
	if b == "" {
		b = strings.TrimSpace(p.FullText)
	}
	if b == "" {
		b = oneLine(p.Subject)
	}
	if b == "" {
		b = "—"
	}
	return truncateRunes(b, tickets.MaxMessage)
}

// attach stores the files of a mail with the ticket (or its message), under the portal's upload
// rules; a file refused by them (type, size, count) is noted on the record instead.
func (s *Service) attach(ctx context.Context, tx bun.IDB, m *Message, p *Parsed, ticketID, messageID uuid.UUID, actor tickets.Actor, now time.Time) error {
	var notes []string
	for i, part := range p.Parts {
		name := part.Filename
		if name == "" {
			name = fmt.Sprintf("piece-jointe-%d", i+1)
		}
		_, err := tickets.AddAttachment(ctx, tx, s.Files, ticketID, messageID, actor, false, name, bytes.NewReader(part.Content), now)
		if apperr.KindOf(err) == apperr.Invalid {
			notes = append(notes, tickets.SanitizeFilename(name)+": "+apperr.FieldsOf(err)["attachments"])
			continue
		}
		if err != nil {
			return fmt.Errorf("inbound: attachment: %w", err)
		}
	}
	if len(notes) > 0 {
		m.Notes = truncateRunes(strings.Join(notes, "\n"), 4000)
	}
	return nil
}

// acknowledge mails the sender of a new emailed ticket its reference and deadlines, unless the
// address had AcksPerHour acknowledgements in the last hour already.
func (s *Service) acknowledge(ctx context.Context, tx *database.Tx, m *Message, u *accounts.User, t *tickets.Ticket, now time.Time) error {
	if s.Composer == nil || s.Outbox == nil {
		return nil
	}
	limit := s.AcksPerHour
	if limit <= 0 {
		limit = DefaultAcksPerHour
	}
	n, err := tx.NewSelect().Table("inbound_messages").Where("from_address = ?", m.FromAddress).
		Where("ack_sent_at > ?", now.Add(-time.Hour)).Count(ctx)
	if err != nil {
		return fmt.Errorf("inbound: count acknowledgements: %w", err)
	}
	if n >= int64(limit) {
		m.Notes = strings.TrimSpace(m.Notes + "\nack_rate_limited")
		return nil
	}
	org, err := provider.Get(ctx, tx)
	if err != nil {
		return err
	}
	lang, _ := i18n.Parse(u.Language)
	d := map[string]any{
		"Name": u.Name, "Reference": t.Reference(), "Title": t.Title, "OrgName": org.Name, "BaseURL": s.BaseURL,
		"Link": s.BaseURL + "/portal/tickets/" + t.ID.String(),
	}
	if !t.ReactionDueAt.IsZero() {
		d["ReactionDue"] = t.ReactionDueAt.Time
	}
	if !t.ResolutionDueAt.IsZero() {
		d["ResolutionDue"] = t.ResolutionDueAt.Time
	}
	msg, err := s.Composer.Compose("inbound_ack", lang, u.Email, u.Name, d)
	if err != nil {
		return err
	}
	msg.ThreadRef = t.Reference()
	key := "inbound-ack:" + m.ID.String()
	msg.DedupeKey = &key
	if err := s.Outbox.Enqueue(ctx, tx, msg, now); err != nil {
		return fmt.Errorf("inbound: acknowledgement: %w", err)
	}
	m.AckSentAt = bun.NullTime{Time: now}
	return nil
}
