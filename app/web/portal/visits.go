package portal

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/contracts"
	"maintenant/app/scheduling"
	"maintenant/app/web"
)

// visitsPage is the view model of the client's preventive visits.
type visitsPage struct {
	web.Page
	Contract *contracts.Contract
	Upcoming []*scheduling.Entry
	Past     []*scheduling.Entry
	// Slot is the id of the element the section replaces when HTMX loads it ("" for the page).
	Slot string
}

// Numbers of visits shown.
const (
	upcomingVisits = 6
	pastVisits     = 5
)

// handleVisits handles "GET /portal/visits": the session client's upcoming preventive visits (date,
// what will be done) and the last ones done with their sheets; ?contract= keeps one contract's (another
// client's contract is 404). The home page and each contract page load it as a section.
func (h *handler) handleVisits(c *fiber.Ctx) error {
	ctx := c.UserContext()
	clientID := web.ClientID(c)
	p := &visitsPage{Page: h.NewPage(c, "portal.visits.title")}
	var contractID uuid.UUID
	if s := c.Query("contract"); s != "" {
		id, err := web.ParseUUID(s)
		if err != nil {
			return err
		}
		if p.Contract, err = contracts.GetForClient(ctx, h.DB.Bun, clientID, id); err != nil {
			return err
		}
		contractID = id
	}
	var err error
	if p.Upcoming, err = scheduling.Upcoming(ctx, h.DB.Bun, clientID, contractID, h.Now().Add(-12*time.Hour), upcomingVisits); err != nil {
		return err
	}
	if p.Past, err = scheduling.Past(ctx, h.DB.Bun, clientID, contractID, pastVisits); err != nil {
		return err
	}
	if t := c.Get("HX-Target"); t == "home-visits" || t == "contract-visits" {
		p.Slot = t
	}
	return h.Render(c, fiber.StatusOK, "portal/visits/index", p)
}
