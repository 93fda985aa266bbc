package backoffice

import (
	"github.com/gofiber/fiber/v2"

	"maintenant/app/interventions"
)

// handleInterventionPDF handles the "GET /admin/interventions/:id.pdf" route: the sheet as a
// document, as the client receives it (never the internal notes).
func (h *handler) handleInterventionPDF(c *fiber.Ctx) error {
	id, err := interventionID(c)
	if err != nil {
		return err
	}
	s, err := interventions.GetSheet(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	return h.SendInterventionPDF(c, s)
}
