package portal

import "github.com/gofiber/fiber/v2"

// handleInvoiceXML handles the "GET /portal/invoices/:id.xml" route: the e-invoice alone (CII XML,
// Factur-X EN 16931) of one of the client's issued invoices or credit notes; another client's is
// 404 like a missing one.
func (h *handler) handleInvoiceXML(c *fiber.Ctx) error {
	inv, err := h.invoiceOfClient(c)
	if err != nil {
		return err
	}
	return h.SendInvoiceXML(c, inv)
}
