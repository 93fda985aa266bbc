package web

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/mail"
)

// PDFMail is a document mailed as a PDF to a client's users: the intervention sheet at completion,
// the workshop receipt, the issued invoice.
type PDFMail struct {
	// Template names the mail (views/emails/NAME and its subject in the catalogue).
	Template string
	// Event starts the dedupe key of each recipient's mail ("invoice-issued:<id>").
	Event string
	// To picks the recipients among the client's active users; nil takes them all.
	To func(u *accounts.User) bool
	// PDF renders the document in a language, with its file name.
	PDF func(lang i18n.Lang) ([]byte, string, error)
	// Data is what the mail of one recipient says.
	Data func(u *accounts.User) map[string]any
}

// MailPDF writes one mail per chosen active user of clientID in tx (the action's transaction: a
// rollback sends nothing), in the user's language with the PDF attached, the PDF rendered once per
// language. The dedupe key (event and recipient) makes a second call a no-op. It returns how many
// mails were written.
func (s *Server) MailPDF(ctx context.Context, tx *database.Tx, clientID uuid.UUID, m PDFMail) (int, error) {
	users, err := accounts.ListClientUsers(ctx, tx, clientID)
	if err != nil {
		return 0, err
	}
	type doc struct {
		pdf  []byte
		name string
	}
	docs := map[i18n.Lang]doc{}
	n := 0
	for i := range users {
		u := &users[i]
		if !u.Active || (m.To != nil && !m.To(u)) {
			continue
		}
		lang, _ := i18n.Parse(u.Language)
		d, ok := docs[lang]
		if !ok {
			if d.pdf, d.name, err = m.PDF(lang); err != nil {
				return n, err
			}
			docs[lang] = d
		}
		msg, err := s.Composer.Compose(m.Template, lang, u.Email, u.Name, m.Data(u))
		if err != nil {
			return n, err
		}
		key := m.Event + ":" + u.ID.String()
		msg.DedupeKey = &key
		msg.Attachments = []mail.Attachment{{Filename: d.name, ContentType: "application/pdf", Content: d.pdf}}
		if err := s.Outbox.Enqueue(ctx, tx, msg, s.Now()); err != nil {
			return n, fmt.Errorf("web: mail %s: %w", m.Template, err)
		}
		n++
	}
	return n, nil
}
