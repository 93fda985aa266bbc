package web

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/documents"
	"maintenant/app/i18n"
	"maintenant/app/interventions"
	"maintenant/app/provider"
	"maintenant/app/tickets"
)

// InterventionPDF renders the sheet sh as a PDF in lang and returns it with its file name
// ("I-0042.pdf"). db is the connection or the transaction the sheet was read in: completion renders
// the sheet it has just frozen, before its transaction commits. The caller has already loaded sh for
// this reader (interventions.GetSheet for staff, interventions.GetSheetForClient in the portal),
// which is what decides who may read it.
func (s *Server) InterventionPDF(ctx context.Context, db bun.IDB, lang i18n.Lang, sh *interventions.Sheet) ([]byte, string, error) {
	cl, err := clients.Get(ctx, db, sh.ClientID)
	if err != nil {
		return nil, "", err
	}
	org, err := provider.Get(ctx, db)
	if err != nil {
		return nil, "", err
	}
	d := documents.InterventionData{Sheet: sh, Provider: org, Client: cl, Lang: lang, Location: s.Config.Location}
	if sh.TicketID.Valid {
		tk, err := tickets.Get(ctx, db, sh.TicketID.UUID)
		switch {
		case apperr.KindOf(err) == apperr.NotFound:
		case err != nil:
			return nil, "", err
		default:
			d.TicketReference = tk.Reference()
		}
	}
	if sh.Status == interventions.StatusDone {
		e := new(interventions.RegisterEntry)
		err := db.NewSelect().Model(e).Where("r.intervention_id = ? AND r.addendum_id IS NULL", sh.ID).
			OrderExpr("r.seq").Limit(1).Scan(ctx)
		switch {
		case database.NoRows(err):
		case err != nil:
			return nil, "", fmt.Errorf("web: sheet register entry: %w", err)
		default:
			d.Entry = e
		}
	}
	pdf, err := documents.Intervention(d, func(id string, args ...any) string { return s.Catalogue.T(lang, id, args...) },
		func(cents int64) string { return i18n.Money(lang, cents) })
	if err != nil {
		return nil, "", err
	}
	return pdf, pdfFileName(sh.Reference()) + ".pdf", nil
}

// SendInterventionPDF answers with the sheet sh as a PDF in the reader's language. The caller has
// already loaded sh for this user (interventions.GetSheet for staff, interventions.GetSheetForClient
// in the portal).
func (s *Server) SendInterventionPDF(c *fiber.Ctx, sh *interventions.Sheet) error {
	pdf, name, err := s.InterventionPDF(c.UserContext(), s.DB.Bun, Lang(c), sh)
	if err != nil {
		return err
	}
	return SendPDF(c, name, pdf)
}

// SendPDF answers with a PDF document shown in the browser, named name ("I-0042.pdf", made of the
// characters of a reference), never cached.
func SendPDF(c *fiber.Ctx, name string, pdf []byte) error {
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Content-Security-Policy", pdfSecurityPolicy)
	return c.Status(fiber.StatusOK).Send(pdf)
}

// MailInterventionSheet sends the completed sheet sh to every active user of its client, within tx
// (the completion's transaction: a rollback sends nothing): one mail each, in their language, with
// the sheet's PDF attached and a link to it in the portal. The dedupe key (the intervention and the
// recipient) makes a second call a no-op. It returns how many mails were written.
func (s *Server) MailInterventionSheet(ctx context.Context, tx *database.Tx, sh *interventions.Sheet) (int, error) {
	org, err := provider.Get(ctx, tx)
	if err != nil {
		return 0, err
	}
	return s.MailPDF(ctx, tx, sh.ClientID, PDFMail{
		Template: "intervention_completed", Event: "intervention-completed:" + sh.ID.String(),
		PDF: func(lang i18n.Lang) ([]byte, string, error) { return s.InterventionPDF(ctx, tx, lang, sh) },
		Data: func(u *accounts.User) map[string]any {
			return map[string]any{
				"Name": u.Name, "Reference": sh.Reference(), "Title": sh.Title, "OrgName": org.Name,
				"CompletedAt": sh.CompletedAt, "Summary": sh.Summary, "Signed": sh.Signature != nil,
				"Link": s.Config.URL("/portal/interventions/" + sh.ID.String()), "BaseURL": s.Config.BaseURL.String(),
			}
		},
	})
}
