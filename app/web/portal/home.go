package portal

import (
	"github.com/gofiber/fiber/v2"

	"maintenant/app/clients"
	"maintenant/app/web"
)

// homePage is the view model of the portal home.
type homePage struct {
	web.Page
	Client *clients.Client
}

// handleHome handles the "GET /portal" route.
func (h *handler) handleHome(c *fiber.Ctx) error {
	cl, err := clients.Get(c.UserContext(), h.DB.Bun, web.ClientID(c))
	if err != nil {
		return err
	}
	p := &homePage{Page: h.NewPage(c, "portal.home.title"), Client: cl}
	return h.Render(c, fiber.StatusOK, "portal/home", p)
}
