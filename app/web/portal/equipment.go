package portal

import (
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/equipment"
	"maintenant/app/web"
)

const equipmentPath = "/portal/equipment"

// equipmentCard is an item as the client reads it, with its warranty and licence dates.
type equipmentCard struct {
	E        *equipment.Equipment
	Warranty *web.CivilDate
	Licence  *web.CivilDate
}

// equipmentListPage is the view model of the client's equipment.
type equipmentListPage struct {
	web.Page
	Items []equipmentCard
	// Stays are the client's latest workshop stays, with their receipts.
	Stays    []*equipment.Intake
	NextURL  string
	FirstURL string
}

// handleEquipmentIndex handles the "GET /portal/equipment" route: the client's equipment with its
// warranty and licence dates, by keyset pages, and its latest workshop stays with their receipts.
func (h *handler) handleEquipmentIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	clientID := web.ClientID(c)
	if clientID == uuid.Nil { // the portal admits client users only; never list everyone's
		return apperr.NotFoundf("client")
	}
	after := c.Query("after")
	items, more, err := equipment.List(ctx, h.DB.Bun, equipment.Filter{ClientID: clientID, After: after, Limit: 30})
	if err != nil {
		return err
	}
	p := &equipmentListPage{Page: h.NewPage(c, "portal.equipment.title")}
	today := h.Today()
	for _, e := range items {
		p.Items = append(p.Items, equipmentCard{E: e, Warranty: h.CivilDate(e.WarrantyEndsOn, today), Licence: h.CivilDate(e.LicenceExpiresOn, today)})
	}
	if after == "" {
		if p.Stays, err = equipment.IntakesForClient(ctx, h.DB.Bun, clientID, 20); err != nil {
			return err
		}
	}
	if more {
		last := items[len(items)-1]
		p.NextURL = equipmentPath + "?" + url.Values{"after": {database.Cursor(last.CreatedAt, last.ID)}}.Encode()
	}
	if after != "" {
		p.FirstURL = equipmentPath
	}
	return h.Render(c, fiber.StatusOK, "portal/equipment/index", p)
}

// equipmentShowPage is the view model of one item in the portal.
type equipmentShowPage struct {
	web.Page
	equipmentCard
	H *equipment.History
}

// handleEquipmentShow handles the "GET /portal/equipment/:id" route: one item of the client with its
// workshop stays, interventions and fault reports; another client's item is 404.
func (h *handler) handleEquipmentShow(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	clientID := web.ClientID(c)
	e, err := equipment.GetForClient(ctx, h.DB.Bun, clientID, id)
	if err != nil {
		return err
	}
	hist, err := equipment.HistoryOf(ctx, h.DB.Bun, clientID, e)
	if err != nil {
		return err
	}
	today := h.Today()
	p := &equipmentShowPage{Page: h.NewPage(c, "portal.equipment.title"), H: hist,
		equipmentCard: equipmentCard{E: e, Warranty: h.CivilDate(e.WarrantyEndsOn, today), Licence: h.CivilDate(e.LicenceExpiresOn, today)}}
	p.Title = e.Name
	return h.Render(c, fiber.StatusOK, "portal/equipment/show", p)
}

// intakeShowPage is the view model of a workshop stay in the portal.
type intakeShowPage struct {
	web.Page
	I *equipment.Intake
}

func (h *handler) clientIntake(c *fiber.Ctx) (*equipment.Intake, error) {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return nil, err
	}
	return equipment.GetIntakeForClient(c.UserContext(), h.DB.Bun, web.ClientID(c), id)
}

// handleIntakeShow handles the "GET /portal/equipment/intakes/:id" route: a workshop stay of the
// client's, its backup, loan device and return; another client's is 404.
func (h *handler) handleIntakeShow(c *fiber.Ctx) error {
	in, err := h.clientIntake(c)
	if err != nil {
		return err
	}
	p := &intakeShowPage{Page: h.NewPage(c, "portal.equipment.intake.title"), I: in}
	p.Title = in.Reference() + " " + in.EquipmentName
	return h.Render(c, fiber.StatusOK, "portal/equipment/intake", p)
}

// handleIntakePDF handles the "GET /portal/equipment/intakes/:id.pdf" route: the stay's receipt.
func (h *handler) handleIntakePDF(c *fiber.Ctx) error {
	in, err := h.clientIntake(c)
	if err != nil {
		return err
	}
	return h.SendIntakePDF(c, in)
}
