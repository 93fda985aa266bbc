package backoffice

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/database"
	"maintenant/app/equipment"
	"maintenant/app/web"
)

// boxRow is one box kept for warranty.
type boxRow struct {
	E        *equipment.Equipment
	Warranty *web.CivilDate
	// Disposable tells that the warranty has ended: the box can be thrown away.
	Disposable bool
}

// boxListPage is the view model of the warranty boxes list.
type boxListPage struct {
	web.Page
	Rows []boxRow
	// Disposable is the number of boxes that can be thrown away, whatever the page.
	Disposable int
	NextURL    string
	FirstURL   string
}

// handleEquipmentBoxes handles the "GET /admin/equipment/boxes" route: the boxes kept for warranty,
// by warranty end date, those whose warranty has ended first (they can be thrown away).
func (h *handler) handleEquipmentBoxes(c *fiber.Ctx) error {
	ctx := c.UserContext()
	today := h.Today()
	after := c.Query("after")
	es, more, err := equipment.Boxes(ctx, h.DB.Bun, equipment.BoxFilter{After: after, Limit: 50})
	if err != nil {
		return err
	}
	p := &boxListPage{Page: h.NewPage(c, "admin_boxes.title")}
	if p.Disposable, err = equipment.DisposableBoxes(ctx, h.DB.Bun, today); err != nil {
		return err
	}
	for _, e := range es {
		p.Rows = append(p.Rows, boxRow{E: e, Warranty: h.CivilDate(e.WarrantyEndsOn, today), Disposable: e.BoxDisposable(today)})
	}
	if more {
		p.NextURL = equipmentPath + "/boxes?after=" + equipment.BoxCursor(es[len(es)-1])
	}
	if after != "" {
		p.FirstURL = equipmentPath + "/boxes"
	}
	return h.Render(c, fiber.StatusOK, "backoffice/equipment/boxes", p)
}

// boxAct runs a change of an item's box and goes back to back (the item's page by default); a
// refusal shows the item's page again with its message.
func (h *handler) boxAct(c *fiber.Ctx, do func(ctx context.Context, tx *database.Tx, id uuid.UUID, version int) (*equipment.Equipment, error), flash string) error {
	id, err := equipmentID(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	var e *equipment.Equipment
	if err := h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		e, err = do(ctx, tx, id, version)
		return err
	}); err != nil {
		refusal, ok := web.Refused(err)
		if !ok {
			return err
		}
		return h.renderEquipmentShow(c, id, func(p *equipmentShowPage) int {
			p.Form = map[string]string{"box_location": c.FormValue("box_location")}
			return web.ShowRefusal(&p.Page, refusal, nil)
		})
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, flash, "Name", e.Name))
	if c.FormValue("back") == "boxes" {
		return h.Redirect(c, equipmentPath+"/boxes")
	}
	return h.Redirect(c, equipmentPath+"/"+id.String()+"#box")
}

// handleEquipmentBox handles the "POST /admin/equipment/:id/box" route: where the item's box is
// kept for its warranty (422 without a warranty end date).
func (h *handler) handleEquipmentBox(c *fiber.Ctx) error {
	return h.boxAct(c, func(ctx context.Context, tx *database.Tx, id uuid.UUID, version int) (*equipment.Equipment, error) {
		return equipment.SetBox(ctx, tx, id, c.FormValue("box_location"), version, web.Actor(c), h.Now())
	}, "admin_boxes.flash.stored")
}

// handleEquipmentBoxDiscard handles the "POST /admin/equipment/:id/box/discard" route: the box was
// thrown away (409 while the warranty runs).
func (h *handler) handleEquipmentBoxDiscard(c *fiber.Ctx) error {
	return h.boxAct(c, func(ctx context.Context, tx *database.Tx, id uuid.UUID, version int) (*equipment.Equipment, error) {
		return equipment.DiscardBox(ctx, tx, id, version, web.Actor(c), h.Now(), h.Today())
	}, "admin_boxes.flash.discarded")
}
