// Package mail is the outbox: every message is written in the transaction of the change that causes
// it, and a River worker delivers it by SMTP when SMTP_URL is set. Without SMTP, messages stay in the
// outbox where staff read them.
package mail

import (
	"context"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
)

// Status is where a message stands.
type Status string

// The statuses of a message: kept (no SMTP configured: readable in the outbox only), queued for
// delivery, sent, or failed after every retry.
const (
	Kept   Status = "kept"
	Queued Status = "queued"
	Sent   Status = "sent"
	Failed Status = "failed"
)

// Message is one mail in the outbox.
type Message struct {
	bun.BaseModel `bun:"table:outbox_messages"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	CreatedAt time.Time `bun:"created_at"`
	ToAddress string    `bun:"to_address"`
	ToName    string    `bun:"to_name"`
	Subject   string    `bun:"subject"`
	TextBody  string    `bun:"text_body"`
	HTMLBody  string    `bun:"html_body"`
	Kind      string    `bun:"kind"`
	// DedupeKey, when set, makes a second enqueue of the same event a no-op.
	DedupeKey *string    `bun:"dedupe_key"`
	Status    Status     `bun:"status"`
	Attempts  int        `bun:"attempts"`
	LastError string     `bun:"last_error"`
	SentAt    *time.Time `bun:"sent_at"`
	// ThreadRef is the ticket the mail belongs to ("T-1042"): Enqueue takes it from a "[T-1042]" in
	// the subject when not set, and delivery then threads the mail under that ticket
	// (References / In-Reply-To ThreadMessageID) so that the client's reply finds its way back.
	ThreadRef string `bun:"thread_ref"`
	// ReplyTo is where replies go: the support mailbox (Outbox.ReplyTo) for ticket mails, else "".
	ReplyTo string `bun:"reply_to"`
	// Attachments are written by Enqueue with the message and read back by the delivery job
	// (WithAttachments); Get leaves them out.
	Attachments []Attachment `bun:"-"`
	// AttachmentCount is filled by List.
	AttachmentCount int `bun:"attachment_count,scanonly"`
}

// Limits of an attachment (the database holds the same ones).
const (
	MaxAttachmentBytes    = 10 << 20
	MaxAttachmentFilename = 200
	MaxAttachments        = 10
)

// Attachment is a file attached to an outbox message.
type Attachment struct {
	bun.BaseModel `bun:"table:outbox_attachments,alias:oa"`

	MessageID uuid.UUID `bun:"message_id,pk,type:uuid"`
	// Position orders a message's attachments from 0; the outbox viewer names them by it.
	Position    int    `bun:"position,pk"`
	Filename    string `bun:"filename"`
	ContentType string `bun:"content_type"`
	// Content is empty in the listing (Attachments), which gives Size instead.
	Content []byte `bun:"content"`
	Size    int    `bun:"size,scanonly"`
}

// validAttachment tells whether a file can go in a mail: a plain file name (no path, no control
// character, no quote), a well-formed media type and 1 byte to MaxAttachmentBytes.
func validAttachment(a *Attachment) bool {
	name := a.Filename
	if name == "" || utf8.RuneCountInString(name) > MaxAttachmentFilename || !utf8.ValidString(name) ||
		strings.ContainsAny(name, "/\\\"") || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return false
	}
	if mt, _, err := mime.ParseMediaType(a.ContentType); err != nil || !strings.Contains(mt, "/") || len(a.ContentType) > 200 {
		return false
	}
	return len(a.Content) > 0 && len(a.Content) <= MaxAttachmentBytes
}

// Inserter is the part of a River client the outbox needs.
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Outbox enqueues messages. With a nil Jobs the messages are kept, not delivered.
type Outbox struct {
	Jobs Inserter
	// ReplyTo is the support mailbox read by the inbound poller (SUPPORT_ADDRESS): ticket mails
	// carry it as Reply-To so that answers come back as messages of the ticket. "" for none.
	ReplyTo string
}

// threadSubject finds the ticket reference of a subject: "[T-1042] …" gives "T-1042".
var threadSubject = regexp.MustCompile(`\[(T-[0-9]{1,9})\]`)

// ThreadRefOf returns the ticket reference a subject carries between brackets ("[T-1042]"), or "".
func ThreadRefOf(subject string) string {
	if m := threadSubject.FindStringSubmatch(subject); m != nil {
		return m[1]
	}
	return ""
}

// MessageIDDomain is the right-hand side of the Message-IDs the application writes.
const MessageIDDomain = "maintenant"

// OutboxMessageID is the Message-ID (without angle brackets) of outbox message id.
func OutboxMessageID(id uuid.UUID) string { return id.String() + "@" + MessageIDDomain }

// ThreadMessageID is the Message-ID (without angle brackets) naming the thread of a ticket: every
// mail about ticket ref refers to it, so mail programs group them and replies carry it back.
func ThreadMessageID(ref string) string {
	return "ticket-" + strings.ToLower(ref) + "@" + MessageIDDomain
}

// ParseMessageID reads one of our Message-IDs (with or without angle brackets): the ticket
// reference of a thread id ("T-1042"), or the outbox message id. ok is false for anyone else's.
func ParseMessageID(s string) (ref string, outboxID uuid.UUID, ok bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "<"), ">")
	local, domain, found := strings.Cut(s, "@")
	if !found || !strings.EqualFold(domain, MessageIDDomain) {
		return "", uuid.Nil, false
	}
	if n, ok := strings.CutPrefix(strings.ToLower(local), "ticket-t-"); ok && n != "" && len(n) <= 9 && strings.Trim(n, "0123456789") == "" {
		return "T-" + n, uuid.Nil, true
	}
	if id, err := uuid.Parse(local); err == nil {
		return "", id, true
	}
	return "", uuid.Nil, false
}

// Enqueue stores a message and, when delivery is configured, its delivery job, in tx. A message whose
// DedupeKey was already used is silently skipped: one mail per event.
func (o *Outbox) Enqueue(ctx context.Context, tx *database.Tx, m *Message, now time.Time) error {
	if m.ToAddress == "" || strings.ContainsAny(m.ToAddress, "\r\n") || strings.ContainsAny(m.Subject, "\r\n") {
		return apperr.Invalidf("mail: bad recipient or subject")
	}
	if len(m.Attachments) > MaxAttachments {
		return apperr.Invalidf("mail: too many attachments")
	}
	for i := range m.Attachments {
		if !validAttachment(&m.Attachments[i]) {
			return apperr.Invalidf("mail: bad attachment")
		}
	}
	if m.ThreadRef == "" {
		m.ThreadRef = ThreadRefOf(m.Subject)
	}
	if m.ThreadRef != "" && m.ReplyTo == "" {
		m.ReplyTo = o.ReplyTo
	}
	m.ID = uuid.Must(uuid.NewV7())
	m.CreatedAt = now.UTC()
	m.Status = Kept
	if o.Jobs != nil {
		m.Status = Queued
	}
	q := tx.NewInsert().Model(m)
	if m.DedupeKey != nil {
		q = q.On("CONFLICT (dedupe_key) DO NOTHING")
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return fmt.Errorf("mail: enqueue: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if len(m.Attachments) > 0 {
		for i := range m.Attachments {
			m.Attachments[i].MessageID, m.Attachments[i].Position = m.ID, i
		}
		if _, err := tx.NewInsert().Model(&m.Attachments).Exec(ctx); err != nil {
			return fmt.Errorf("mail: enqueue attachments: %w", err)
		}
	}
	if o.Jobs != nil {
		if _, err := o.Jobs.InsertTx(ctx, tx.PGX(), DeliverArgs{MessageID: m.ID}, nil); err != nil {
			return fmt.Errorf("mail: enqueue delivery: %w", err)
		}
	}
	return nil
}

// Get returns one message.
func Get(ctx context.Context, db bun.IDB, id uuid.UUID) (*Message, error) {
	m := new(Message)
	if err := db.NewSelect().Model(m).Where("id = ?", id).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("message")
		}
		return nil, fmt.Errorf("mail: get: %w", err)
	}
	return m, nil
}

// WithAttachments returns the message with its attachments and their content, for delivery.
func WithAttachments(ctx context.Context, db bun.IDB, id uuid.UUID) (*Message, error) {
	m, err := Get(ctx, db, id)
	if err != nil {
		return nil, err
	}
	if err := db.NewSelect().Model(&m.Attachments).Where("oa.message_id = ?", id).
		OrderExpr("oa.position").Scan(ctx); err != nil {
		return nil, fmt.Errorf("mail: attachments: %w", err)
	}
	return m, nil
}

// Attachments lists a message's attachments without their content (Size gives their length).
func Attachments(ctx context.Context, db bun.IDB, messageID uuid.UUID) ([]Attachment, error) {
	var as []Attachment
	if err := db.NewSelect().Model(&as).Column("message_id", "position", "filename", "content_type").
		ColumnExpr("octet_length(oa.content) AS size").Where("oa.message_id = ?", messageID).
		OrderExpr("oa.position").Scan(ctx); err != nil {
		return nil, fmt.Errorf("mail: attachments: %w", err)
	}
	return as, nil
}

// GetAttachment returns one attachment of a message, with its content.
func GetAttachment(ctx context.Context, db bun.IDB, messageID uuid.UUID, position int) (*Attachment, error) {
	a := new(Attachment)
	if err := db.NewSelect().Model(a).Where("oa.message_id = ? AND oa.position = ?", messageID, position).
		Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("attachment")
		}
		return nil, fmt.Errorf("mail: attachment: %w", err)
	}
	return a, nil
}

// Page is a keyset page of the outbox, newest first.
type Page struct {
	Messages []Message
	Next     string
}

// List returns up to limit messages older than the cursor (empty for the first page), optionally
// only those sent to an address containing to.
func List(ctx context.Context, db bun.IDB, to, cursor string, limit int) (*Page, error) {
	if limit <= 0 || limit > 100 {
		limit = 30
	}
	var ms []Message
	q := db.NewSelect().Model(&ms).
		Column("id", "created_at", "to_address", "to_name", "subject", "kind", "status", "attempts", "sent_at").
		ColumnExpr("(SELECT count(*) FROM outbox_attachments AS oa WHERE oa.message_id = ?TableAlias.id) AS attachment_count").
		OrderExpr("created_at DESC, id DESC").Limit(int64(limit + 1))
	if to = strings.TrimSpace(to); to != "" {
		q = q.Where("to_address ILIKE ?", "%"+database.EscapeLike(to)+"%")
	}
	if at, id, ok := database.ParseCursor(cursor); ok {
		q = q.Where("(created_at, id) < (?, ?)", at, id)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("mail: list: %w", err)
	}
	p := &Page{Messages: ms}
	if len(ms) > limit {
		p.Messages = ms[:limit]
		last := p.Messages[limit-1]
		p.Next = database.Cursor(last.CreatedAt, last.ID)
	}
	return p, nil
}
