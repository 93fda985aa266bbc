package backoffice

import (
	"github.com/gofiber/fiber/v2"

	"maintenant/app/contracts"
	"maintenant/app/web"
)

// handleContractPDF handles the "GET /admin/contracts/:id.pdf" route: the contract document with
// every clause, its deadlines, its amendments and the signature blocks.
func (h *handler) handleContractPDF(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	ct, err := contracts.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	return h.SendContractPDF(c, ct)
}
