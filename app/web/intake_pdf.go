package web

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"maintenant/app/accounts"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/documents"
	"maintenant/app/equipment"
	"maintenant/app/i18n"
	"maintenant/app/provider"
)

// IntakePDF renders the receipt of a workshop stay in lang and returns it with its file name
// ("A-0042.pdf"). The caller has already loaded in for this reader (equipment.GetIntake for staff,
// equipment.GetIntakeForClient in the portal), which is what decides who may read it.
func (s *Server) IntakePDF(ctx context.Context, db bun.IDB, lang i18n.Lang, in *equipment.Intake) ([]byte, string, error) {
	cl, err := clients.Get(ctx, db, in.ClientID)
	if err != nil {
		return nil, "", err
	}
	org, err := provider.Get(ctx, db)
	if err != nil {
		return nil, "", err
	}
	pdf, err := documents.Intake(documents.IntakeData{Intake: in, Provider: org, Client: cl, Lang: lang, Location: s.Config.Location},
		func(id string, args ...any) string { return s.Catalogue.T(lang, id, args...) })
	if err != nil {
		return nil, "", err
	}
	return pdf, pdfFileName(in.Reference()) + ".pdf", nil
}

// SendIntakePDF answers with the receipt of the stay in in the reader's language.
func (s *Server) SendIntakePDF(c *fiber.Ctx, in *equipment.Intake) error {
	pdf, name, err := s.IntakePDF(c.UserContext(), s.DB.Bun, Lang(c), in)
	if err != nil {
		return err
	}
	return SendPDF(c, name, pdf)
}

// MailIntakeReceipt sends the receipt of a stay to every active user of its client within tx (the
// check-in's or the return's transaction: a rollback sends nothing), one mail each in their
// language with the receipt attached and a link to it in the portal. The dedupe key (the stay, the
// step and the recipient) makes a second call a no-op. It returns how many mails were written.
func (s *Server) MailIntakeReceipt(ctx context.Context, tx *database.Tx, in *equipment.Intake) (int, error) {
	org, err := provider.Get(ctx, tx)
	if err != nil {
		return 0, err
	}
	step, at := "received", in.BroughtAt
	if !in.Open() {
		step, at = "returned", in.ReturnedAt
	}
	return s.MailPDF(ctx, tx, in.ClientID, PDFMail{
		Template: "intake_receipt", Event: "intake-" + step + ":" + in.ID.String(),
		PDF: func(lang i18n.Lang) ([]byte, string, error) { return s.IntakePDF(ctx, tx, lang, in) },
		Data: func(u *accounts.User) map[string]any {
			return map[string]any{
				"Name": u.Name, "Reference": in.Reference(), "Machine": in.EquipmentName, "OrgName": org.Name,
				"Returned": !in.Open(), "At": at, "By": in.BroughtBy, "To": in.ReturnedTo,
				"Link": s.Config.URL("/portal/equipment/intakes/" + in.ID.String()), "BaseURL": s.Config.BaseURL.String(),
			}
		},
	})
}
