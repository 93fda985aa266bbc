package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/documents"
	"maintenant/app/policy"
)

// SendPolicyPDF answers with a published version of the maintenance policy as a PDF, in the
// reader's language. The policy is the provider's and the same for every client.
func (s *Server) SendPolicyPDF(c *fiber.Ctx, v *policy.Version) error {
	org, err := s.org(c)
	if err != nil {
		return err
	}
	lang := Lang(c)
	pdf, err := documents.Policy(documents.PolicyData{Version: v, Provider: org},
		func(id string, args ...any) string { return s.Catalogue.T(lang, id, args...) })
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="politique-maintenance-v`+strconv.Itoa(v.No)+`.pdf"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Content-Security-Policy", pdfSecurityPolicy)
	return c.Status(fiber.StatusOK).Send(pdf)
}
