package web

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/billing"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/documents"
	"maintenant/app/einvoice"
	"maintenant/app/i18n"
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
	t := func(id string, args ...any) string { return s.Catalogue.T(lang, id, args...) }
	pdf, err := documents.Invoice(d, t, func(cents int64) string { return i18n.Money(lang, cents) })
	if err != nil {
		return nil, "", err
	}
	name := inv.Reference()
	if name == "" {
		name = "facture-brouillon"
	}
	if !inv.IsDraft() {
		// An issued invoice is a Factur-X file when its e-invoice can be built; one issued before
		// its data allowed it (a buyer without SIREN) stays a plain PDF, never a false PDF/A-3.
		doc, err := einvoice.Load(ctx, db, inv)
		if err != nil {
			return nil, "", err
		}
		if doc.Check() == nil {
			fx, err := facturX(pdf, doc, lang, t)
			switch {
			case err == nil:
				pdf = fx
			case apperr.KindOf(err) != apperr.Conflict:
				return nil, "", err
			}
		}
	}
	return pdf, pdfFileName(name) + ".pdf", nil
}

// facturX wraps the invoice's PDF with its CII XML into a Factur-X PDF/A-3 file whose metadata say
// what the PDF's title, author and subject say.
func facturX(pdf []byte, doc *einvoice.Document, lang i18n.Lang, t func(string, ...any) string) ([]byte, error) {
	inv := doc.Invoice
	xml, err := doc.XML()
	if err != nil {
		return nil, err
	}
	title := t("documents.invoice.title")
	if inv.Kind == billing.KindCreditNote {
		title = t("documents.invoice.credit_title")
	}
	title += " " + inv.Reference()
	tag := "fr-FR"
	if lang == i18n.EN {
		tag = "en-GB"
	}
	return einvoice.FacturX(pdf, xml, einvoice.Meta{
		Title: title, Author: inv.Seller.Name, Subject: title + " · " + inv.Title, Date: inv.IssueDate, Lang: tag,
	})
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
//
// The e-invoice must be buildable: an invoice whose data would make an invalid e-invoice (a client
// without SIREN, a VAT number whose key is wrong, a 0 % line without exemption) is refused with a
// Conflict saying what to fix, which rolls the issuing back (its number is not used).
func (s *Server) MailInvoiceIssued(ctx context.Context, tx *database.Tx, inv *billing.Invoice) (int, error) {
	doc, err := einvoice.Load(ctx, tx, inv)
	if err != nil {
		return 0, err
	}
	if _, err := doc.XML(); err != nil {
		return 0, err
	}
	return s.MailPDF(ctx, tx, inv.ClientID, PDFMail{
		Template: "invoice_issued", Event: "invoice-issued:" + inv.ID.String(),
		To:  (*accounts.User).MayApproveAndPay,
		PDF: func(lang i18n.Lang) ([]byte, string, error) { return s.InvoicePDF(ctx, tx, lang, inv) },
		Data: func(u *accounts.User) map[string]any {
			return map[string]any{
				"Name": u.Name, "Reference": inv.Reference(), "Title": inv.Title, "OrgName": inv.Seller.Name,
				"CreditNote": inv.Kind == billing.KindCreditNote, "TotalTTC": inv.TotalTTCCents, "DueDate": s.Noon(inv.DueDate),
				"Link": s.Config.URL("/portal/invoices/" + inv.ID.String()),
			}
		},
	})
}
