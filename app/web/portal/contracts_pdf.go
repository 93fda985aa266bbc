package portal

import (
	"github.com/gofiber/fiber/v2"

	"maintenant/app/contracts"
	"maintenant/app/web"
)

// handleContractPDF handles the "GET /portal/contracts/:id.pdf" route: the client's own contract
// as a document. Another client's contract answers 404, exactly like a missing one.
func (h *handler) handleContractPDF(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	ct, err := contracts.GetForClient(c.UserContext(), h.DB.Bun, web.ClientID(c), id)
	if err != nil {
		return err
	}
	return h.SendContractPDF(c, ct)
}
