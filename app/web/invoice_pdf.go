package web

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"maintenant/app/accounts"
	"maintenant/app/billing"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/documents"
	"maintenant/app/i18n"
	"maintenant/app/mail"
	"maintenant/app/provider"
)

// InvoicePDF renders invoice inv (read whole) as a PDF in lang and returns it with its file name
// ("F-2026-0042.pdf"). db is the connection or the transaction inv was read in (issuing renders the
// invoice it has just numbered, before its transaction commits). The caller has already loaded inv
// for this reader (billing.GetInvoice for staff, billing.GetInvoiceForClient in the portal).
func (s *Server) InvoicePDF(ctx context.Context, db bun.IDB, lang i18n.Lang, inv *billing.Invoice) ([]byte, string, error) {
	d := documents.InvoiceData{Invoice: inv}
	if inv.Seller == nil || inv.Buyer == nil {
		org, err := provider.Get(ctx, db)
		if err != nil {
			return nil, "", err
		}
		cl, err := clients.Get(ctx, db, inv.ClientID)
		if err != nil {
			return nil, "", err
		}
		d.Provider, d.Client = org, cl
	}
	pdf, err := documents.Invoice(d, func(id string, args ...any) string { return s.Catalogue.T(lang, id, args...) },
		func(cents int64) string { return i18n.Money(lang, cents) })
	if err != nil {
		return nil, "", err
	}
	name := inv.Reference()
	if name == "" {
		name = "facture-brouillon"
	}
	return pdf, pdfFileName(name) + ".pdf", nil
}

// SendInvoicePDF answers with invoice inv as a PDF in the reader's language (see InvoicePDF).
func (s *Server) SendInvoicePDF(c *fiber.Ctx, inv *billing.Invoice) error {
	pdf, name, err := s.InvoicePDF(c.UserContext(), s.DB.Bun, Lang(c), inv)
	if err != nil {
		return err
	}
	return SendPDF(c, name, pdf)
}

// MailInvoiceIssued sends the issued invoice inv to the client's billing contacts within tx (the
// issuing transaction: a rollback sends nothing), one mail each in their language with the PDF
// attached and a link to the invoice in the portal. The dedupe key makes a second call a no-op. It
// returns how many mails were written.
func (s *Server) MailInvoiceIssued(ctx context.Context, tx *database.Tx, inv *billing.Invoice) (int, error) {
	users, err := accounts.ListClientUsers(ctx, tx, inv.ClientID)
	if err != nil {
		return 0, err
	}
	pdfs := map[i18n.Lang][]byte{}
	var name string
	n := 0
	for i := range users {
		u := &users[i]
		if !u.Active || !u.MayApproveAndPay() {
			continue
		}
		lang, _ := i18n.Parse(u.Language)
		pdf, ok := pdfs[lang]
		if !ok {
			if pdf, name, err = s.InvoicePDF(ctx, tx, lang, inv); err != nil {
				return n, err
			}
			pdfs[lang] = pdf
		}
		data := map[string]any{
			"Name": u.Name, "Reference": inv.Reference(), "Title": inv.Title, "OrgName": inv.Seller.Name,
			"CreditNote": inv.Kind == billing.KindCreditNote, "TotalTTC": inv.TotalTTCCents, "DueDate": s.Noon(inv.DueDate),
			"Link": s.Config.URL("/portal/invoices/" + inv.ID.String()),
		}
		m, err := s.Composer.Compose("invoice_issued", lang, u.Email, u.Name, data)
		if err != nil {
			return n, err
		}
		key := "invoice-issued:" + inv.ID.String() + ":" + u.ID.String()
		m.DedupeKey = &key
		m.Attachments = []mail.Attachment{{Filename: name, ContentType: "application/pdf", Content: pdf}}
		if err := s.Outbox.Enqueue(ctx, tx, m, s.Now()); err != nil {
			return n, fmt.Errorf("web: mail invoice_issued: %w", err)
		}
		n++
	}
	return n, nil
}
