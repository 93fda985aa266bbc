package portal

import (
	"github.com/gofiber/fiber/v2"

	"maintenant/app/interventions"
	"maintenant/app/web"
)

// handleInterventionPDF handles the "GET /portal/interventions/:id.pdf" route: the client's own
// intervention sheet as a document. Another client's intervention answers 404, exactly like a
// missing one.
func (h *handler) handleInterventionPDF(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	s, err := interventions.GetSheetForClient(c.UserContext(), h.DB.Bun, web.ClientID(c), id)
	if err != nil {
		return err
	}
	return h.SendInterventionPDF(c, s)
}
