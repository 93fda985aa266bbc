package web

import (
	"github.com/gofiber/fiber/v2"

	"maintenant/app/apperr"
	"maintenant/app/billing"
	"maintenant/app/clients"
	"maintenant/app/documents"
	"maintenant/app/i18n"
)

// QuotePDF renders the document of quote q (read whole) in the reader's language, with its
// acceptance block once accepted. The caller has already loaded q for this user (billing.Get for
// staff, billing.GetForClient in the portal), which is what decides who may read it.
func (s *Server) QuotePDF(c *fiber.Ctx, q *billing.Quote) ([]byte, error) {
	ctx := c.UserContext()
	cl, err := clients.Get(ctx, s.DB.Bun, q.ClientID)
	if err != nil {
		return nil, err
	}
	org, err := s.org(c)
	if err != nil {
		return nil, err
	}
	var acc *billing.Acceptance
	if q.Status == billing.StatusAccepted {
		acc, err = billing.GetAcceptance(ctx, s.DB.Bun, q.ID)
		if err != nil && apperr.KindOf(err) != apperr.NotFound {
			return nil, err
		}
	}
	lang := Lang(c)
	return documents.Quote(documents.QuoteData{Quote: q, Provider: org, Client: cl, Acceptance: acc, Location: s.Config.Location},
		func(id string, args ...any) string { return s.Catalogue.T(lang, id, args...) },
		func(cents int64) string { return i18n.Money(lang, cents) })
}

// SendQuotePDF answers with the document of quote q (see QuotePDF).
func (s *Server) SendQuotePDF(c *fiber.Ctx, q *billing.Quote) error {
	pdf, err := s.QuotePDF(c, q)
	if err != nil {
		return err
	}
	name := q.Reference()
	if name == "" {
		name = "devis-brouillon"
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+pdfFileName(name)+`.pdf"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Content-Security-Policy", pdfSecurityPolicy)
	return c.Status(fiber.StatusOK).Send(pdf)
}
