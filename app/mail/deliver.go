package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	gomail "github.com/wneessen/go-mail"
)

// DeliverArgs is the River job that sends one outbox message.
type DeliverArgs struct {
	MessageID uuid.UUID `json:"message_id" river:"unique"`
}

// Kind names the job for River.
func (DeliverArgs) Kind() string { return "mail.deliver" }

// InsertOpts makes the job unique per message and bounds its retries.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Sender hands a message to a mail server.
type Sender interface {
	Send(ctx context.Context, m *Message) error
}

// DeliverWorker sends queued messages. A message already sent is never sent again, whatever River
// retries; a failure is recorded and retried with River's backoff.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	DB     *bun.DB
	Sender Sender
	Now    func() time.Time
}

// Work delivers one message.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	m, err := WithAttachments(ctx, w.DB, job.Args.MessageID)
	if err != nil {
		return fmt.Errorf("mail: deliver: %w", err)
	}
	if m.Status == Sent {
		return nil
	}
	sendErr := w.Sender.Send(ctx, m)
	q := w.DB.NewUpdate().Model((*Message)(nil)).Set("attempts = attempts + 1").Where("id = ?", m.ID)
	if sendErr == nil {
		q = q.Set("status = ?", Sent).Set("sent_at = ?", w.Now().UTC()).Set("last_error = ''")
	} else {
		q = q.Set("last_error = ?", truncate(sendErr.Error(), 500))
		if job.Attempt >= job.MaxAttempts || permanent(sendErr) {
			q = q.Set("status = ?", Failed)
		}
	}
	if _, err := q.Exec(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("mail: record delivery: %w", err)
	}
	if sendErr != nil && permanent(sendErr) {
		// A refused address or a 5xx answer will not improve with retries.
		return river.JobCancel(sendErr)
	}
	return sendErr
}

// SMTPSender sends through the server of SMTP_URL (smtp://user:pass@host:587 with STARTTLS when
// offered, smtps://host:465 with TLS; ?tls=none disables TLS for a local relay).
type SMTPSender struct {
	URL  string
	From string
}

// Send delivers one message.
func (s *SMTPSender) Send(ctx context.Context, m *Message) error {
	u, err := url.Parse(s.URL)
	if err != nil {
		return fmt.Errorf("mail: smtp url: %w", err)
	}
	opts := []gomail.Option{gomail.WithTimeout(30 * time.Second)}
	port, _ := strconv.Atoi(u.Port())
	switch {
	case u.Scheme == "smtps":
		opts = append(opts, gomail.WithSSL())
		if port == 0 {
			port = 465
		}
	case u.Query().Get("tls") == "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if port == 0 {
		port = 587
	}
	opts = append(opts, gomail.WithPort(port))
	if u.User != nil {
		pw, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(u.User.Username()), gomail.WithPassword(pw))
	}
	client, err := gomail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return fmt.Errorf("mail: smtp client: %w", err)
	}
	msg := gomail.NewMsg()
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return fmt.Errorf("mail: from address: %w", err)
	}
	if err := msg.FromFormat(from.Name, from.Address); err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	if err := msg.AddToFormat(m.ToName, m.ToAddress); err != nil {
		return fmt.Errorf("%w: to: %v", errBadAddress, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(OutboxMessageID(m.ID))
	if m.ThreadRef != "" {
		root := "<" + ThreadMessageID(m.ThreadRef) + ">"
		msg.SetGenHeader(gomail.HeaderInReplyTo, root)
		msg.SetGenHeader(gomail.HeaderReferences, root)
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return fmt.Errorf("%w: reply-to: %v", errBadAddress, err)
		}
	}
	if strings.HasPrefix(m.Kind, "inbound_") {
		// Answers the application writes by itself: auto-responders must not answer them.
		msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-replied")
	}
	msg.SetDateWithValue(m.CreatedAt)
	msg.SetBodyString(gomail.TypeTextPlain, m.TextBody)
	if m.HTMLBody != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTMLBody)
	}
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Filename, bytes.NewReader(a.Content), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return fmt.Errorf("mail: attach %s: %w", a.Filename, err)
		}
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: send: %w", err)
	}
	return nil
}

// permanent tells whether a send error is final: the server refused for good (5xx) or the message
// could not be built (a malformed address).
func permanent(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return !se.IsTemp()
	}
	return errors.Is(err, errBadAddress)
}

var errBadAddress = errors.New("mail: malformed address")

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
