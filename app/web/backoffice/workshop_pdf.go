package backoffice

import (
	"github.com/gofiber/fiber/v2"

	"maintenant/app/documents"
	"maintenant/app/equipment"
	"maintenant/app/web"
)

// handleWorkshopPDF handles the "GET /admin/workshop/:id.pdf" route: the stay's intake receipt.
func (h *handler) handleWorkshopPDF(c *fiber.Ctx) error {
	id, err := intakeID(c)
	if err != nil {
		return err
	}
	in, err := equipment.GetIntake(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	return h.SendIntakePDF(c, in)
}

// maxLabels bounds one sheet of labels (ten A4 pages).
const maxLabels = 240

// handleEquipmentLabels handles the "GET /admin/equipment/labels.pdf" route: the labels of the
// items of the list's filter (client, kind, status, search), each with the QR code of its staff page.
func (h *handler) handleEquipmentLabels(c *fiber.Ctx) error {
	f := equipment.Filter{Query: c.Query("q"), Limit: 200}
	if c.Query("client") == stockFilter {
		f.Stock = true
	} else if id, err := web.ParseUUID(c.Query("client")); err == nil {
		f.ClientID = id
	}
	if k := equipment.Kind(c.Query("kind")); k.Valid() {
		f.Kind = k
	}
	if s := equipment.Status(c.Query("status")); s.Valid() {
		f.Status = s
	}
	var items []*equipment.Equipment
	for len(items) < maxLabels {
		page, more, err := equipment.List(c.UserContext(), h.DB.Bun, f)
		if err != nil {
			return err
		}
		items = append(items, page...)
		if !more {
			break
		}
		last := page[len(page)-1]
		f.After = cursorOf(last)
	}
	if len(items) > maxLabels {
		items = items[:maxLabels]
	}
	return h.sendLabels(c, items, "etiquettes.pdf")
}

// handleEquipmentLabel handles the "GET /admin/equipment/:id/label.pdf" route: one item's label.
func (h *handler) handleEquipmentLabel(c *fiber.Ctx) error {
	id, err := equipmentID(c)
	if err != nil {
		return err
	}
	e, err := equipment.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	return h.sendLabels(c, []*equipment.Equipment{e}, "etiquette.pdf")
}

func (h *handler) sendLabels(c *fiber.Ctx, items []*equipment.Equipment, name string) error {
	labels := make([]documents.Label, 0, len(items))
	for _, e := range items {
		owner := e.ClientName
		if e.Stock() {
			owner = h.T(c, "admin_equipment.stock")
		}
		l := documents.Label{Name: e.Name, Client: owner, Kind: h.T(c, e.Kind.Label()), URL: h.Config.URL(equipmentPath + "/" + e.ID.String())}
		if e.Serial != "" {
			l.Serial = h.T(c, "admin_equipment.serial_short") + " " + e.Serial
		}
		labels = append(labels, l)
	}
	pdf, err := documents.Labels(labels, h.T(c, "documents.labels.title"))
	if err != nil {
		return err
	}
	return web.SendPDF(c, name, pdf)
}
