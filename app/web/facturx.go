package web

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"maintenant/app/billing"
	"maintenant/app/einvoice"
)

// InvoiceXML returns the CII XML (Factur-X EN 16931) of the issued invoice inv, read whole, with its
// file name ("F-2026-0042.xml"). An invoice that cannot be an e-invoice is a Conflict naming what
// to fix.
func (s *Server) InvoiceXML(ctx context.Context, db bun.IDB, inv *billing.Invoice) ([]byte, string, error) {
	doc, err := einvoice.Load(ctx, db, inv)
	if err != nil {
		return nil, "", err
	}
	xml, err := doc.XML()
	if err != nil {
		return nil, "", err
	}
	return xml, pdfFileName(inv.Reference()) + ".xml", nil
}

// SendInvoiceXML answers with the XML of invoice inv as a download.
func (s *Server) SendInvoiceXML(c *fiber.Ctx, inv *billing.Invoice) error {
	xml, name, err := s.InvoiceXML(c.UserContext(), s.DB.Bun, inv)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/xml; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Status(fiber.StatusOK).Send(xml)
}

// einvoiceProblem is the template function "einvoice": for an invoice read whole, "" when its
// download is a Factur-X file, else the catalogue key of what keeps it from being one.
func einvoiceProblem(inv *billing.Invoice) string { return einvoice.Problem(inv) }
