package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/apperr"
	"maintenant/app/clients"
	"maintenant/app/contracts"
	"maintenant/app/documents"
	"maintenant/app/i18n"
)

// pdfSecurityPolicy replaces the pages' policy on PDF responses: nothing of ours runs in them, and
// Chromium's built-in viewer needs its inline styles and its plugin to show the document.
const pdfSecurityPolicy = "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// SendContractPDF answers with the contract document of ct in the reader's language. The caller has
// already loaded ct for this user (contracts.Get for staff, contracts.GetForClient in the portal),
// which is what decides who may read it.
func (s *Server) SendContractPDF(c *fiber.Ctx, ct *contracts.Contract) error {
	ctx := c.UserContext()
	versions, err := contracts.Versions(ctx, s.DB.Bun, ct.ID)
	if err != nil {
		return err
	}
	cl, err := clients.Get(ctx, s.DB.Bun, ct.ClientID)
	if err != nil {
		return err
	}
	org, err := s.org(c)
	if err != nil {
		return err
	}
	var policy *contracts.SLAPolicy
	if ct.Terms != nil && ct.Terms.SLAPolicyID.Valid {
		policy, err = contracts.GetSLAPolicy(ctx, s.DB.Bun, ct.Terms.SLAPolicyID.UUID)
		if apperr.KindOf(err) == apperr.NotFound {
			policy, err = nil, nil
		}
		if err != nil {
			return err
		}
	}
	// The preventive plan is part of the terms (app/scheduling): the plan of the terms printed.
	var plan []string
	plans, err := contracts.Plans(ctx, s.DB.Bun, ct.ID, len(versions))
	if err != nil {
		return err
	}
	if n := ct.CurrentVersion; n >= 1 && n <= len(plans) && plans[n-1] != "" {
		plan = s.PlanTermsLines(c, plans[n-1])
	}
	changed := make([]bool, len(plans))
	for i, ch := range contracts.PlanChanges(plans) {
		changed[i] = ch != nil
	}
	lang := Lang(c)
	pdf, err := documents.Contract(documents.ContractData{
		Contract: ct, Versions: versions, Policy: policy, Provider: org, Client: cl,
		Today: contracts.Day(s.Now().In(s.Config.Location)), Location: s.Config.Location, Plan: plan,
		PlanChanged: changed,
	}, func(id string, args ...any) string { return s.Catalogue.T(lang, id, args...) },
		func(cents int64) string { return i18n.Money(lang, cents) })
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+pdfFileName(ct.Reference)+`.pdf"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Content-Security-Policy", pdfSecurityPolicy)
	return c.Status(fiber.StatusOK).Send(pdf)
}

// pdfFileName keeps only the characters a reference is made of, so that the header stays well
// formed whatever the reference.
func pdfFileName(ref string) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return -1
	}, ref)
	if name == "" {
		return "document"
	}
	return name
}
