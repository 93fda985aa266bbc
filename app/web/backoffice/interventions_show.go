package backoffice

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/interventions"
	"maintenant/app/tickets"
	"maintenant/app/web"
)

// interventionShowPage is the view model of an intervention's sheet.
type interventionShowPage struct {
	web.Page
	S          *interventions.Sheet
	Frozen     bool
	CanTakeUp  bool
	Moves      []interventions.Status
	CanCancel  bool
	CanPlan    bool
	CanFinish  bool
	Estimate   string
	Groups     []interventionTimeGroup
	Total      string
	Categories []interventions.Category
	Staff      []tickets.Choice
	ActionRows []int
	Materials  []interventionMaterial
	// MaterialsCents is what the billable materials add up to.
	MaterialsCents int64
	// Open names the form that came back with an error.
	Open string
	// ShowSignature offers the client's signature on site, or shows it: once work started.
	ShowSignature bool
	// Quote is the reference of the accepted quote the intervention carries out ("" when none).
	Quote string
	// KitPick offers the consumables of the current user's kits (nil when none is out; kits.go).
	KitPick *kitPick
}

// interventionTimeGroup is the time of one category.
type interventionTimeGroup struct {
	Category interventions.Category
	Entries  []interventionEntry
	Minutes  int
	Total    string
}

// interventionMaterial is a material with its quantity as people write it ("1,5").
type interventionMaterial struct {
	M   *interventions.Material
	Qty string
}

// interventionEntry is a time entry with its duration in words.
type interventionEntry struct {
	E        *interventions.TimeEntry
	Duration string
}

// interventionID reads the intervention id of the URL (404 when malformed).
func interventionID(c *fiber.Ctx) (uuid.UUID, error) { return web.ParseUUID(c.Params("id")) }

// interventionVersion reads the hidden version of a form.
func interventionVersion(c *fiber.Ctx) int {
	v, _ := strconv.Atoi(c.FormValue("version"))
	return v
}

// handleInterventionShow handles the "GET /admin/interventions/:id" route: the sheet and the forms
// that fill it in.
func (h *handler) handleInterventionShow(c *fiber.Ctx) error {
	id, err := interventionID(c)
	if err != nil {
		return err
	}
	p, err := h.interventionShowPage(c, id, nil)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/interventions/show", p)
}

// interventionShowPage reads a sheet's page; form, when not nil, is the user's input shown again
// over the forms' defaults.
func (h *handler) interventionShowPage(c *fiber.Ctx, id uuid.UUID, form map[string]string) (*interventionShowPage, error) {
	ctx := c.UserContext()
	s, err := interventions.GetSheet(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	staff, err := tickets.AssigneeChoices(ctx, h.DB.Bun)
	if err != nil {
		return nil, err
	}
	p := &interventionShowPage{
		Page: h.NewPage(c, "admin_interventions.show.title"), S: s, Frozen: s.Status.IsFinal(),
		Categories: interventions.Categories(), Staff: staff,
	}
	p.Title = h.T(c, "admin_interventions.show.title_ref", "Reference", s.Reference(), "Title", s.Title)
	if p.Quote, err = h.QuoteReference(ctx, uuid.Nil, s.QuoteID); err != nil {
		return nil, err
	}
	p.ShowSignature = s.Signature != nil || s.Status == interventions.StatusInProgress || s.Status == interventions.StatusDone
	me := web.CurrentUser(c).ID
	if !p.Frozen {
		if p.KitPick, err = h.kitPickFor(c); err != nil {
			return nil, err
		}
		assigned := false
		for _, t := range s.Technicians {
			assigned = assigned || t.ID == me
		}
		p.CanTakeUp = s.Status == interventions.StatusTodo || s.Status == interventions.StatusScheduled ||
			(s.Status == interventions.StatusInProgress && !assigned)
		for _, to := range s.Status.Next() {
			switch to {
			case interventions.StatusDone:
				p.CanFinish = true
			case interventions.StatusCancelled:
				p.CanCancel = true
			case interventions.StatusScheduled:
				p.CanPlan = true
			case interventions.StatusInProgress:
				if !p.CanTakeUp {
					p.Moves = append(p.Moves, to)
				}
			default:
				p.Moves = append(p.Moves, to)
			}
		}
	}
	byCat := map[interventions.Category]*interventionTimeGroup{}
	for _, cat := range interventions.Categories() {
		p.Groups = append(p.Groups, interventionTimeGroup{Category: cat})
	}
	for i := range p.Groups {
		byCat[p.Groups[i].Category] = &p.Groups[i]
	}
	total := 0
	for _, e := range s.TimeEntries {
		if g := byCat[e.Category]; g != nil {
			g.Entries = append(g.Entries, interventionEntry{E: e, Duration: interventionMinutes(e.Minutes)})
			g.Minutes += e.Minutes
			g.Total = interventionMinutes(g.Minutes)
		}
		total += e.Minutes
	}
	p.Total, p.Estimate = interventionMinutes(total), interventionMinutes(s.EstimatedMinutes)
	for _, m := range s.Materials {
		qty := m.QuantityMilli.String()
		if p.Lang == i18n.FR {
			qty = strings.Replace(qty, ".", ",", 1)
		}
		p.Materials = append(p.Materials, interventionMaterial{M: m, Qty: qty})
		p.MaterialsCents += m.BilledCents()
	}
	now := h.Now().In(h.Config.Location)
	p.Form = map[string]string{
		"category": string(interventions.CategoryWork), "technician_id": me.String(),
		"started_at": now.Truncate(time.Minute).Format("2006-01-02T15:04"), "quantity": "1",
		"summary": s.Summary, "internal_notes": s.InternalNotes,
	}
	if s.SignLater {
		p.Form["sign_later"] = "on"
	}
	for n, a := range s.Actions {
		p.Form[fmt.Sprintf("actions.%d.target", n)] = a.Target
		p.Form[fmt.Sprintf("actions.%d.done", n)] = a.Done
		p.Form[fmt.Sprintf("actions.%d.remaining", n)] = a.Remaining
	}
	rows := len(s.Actions) + 1
	if form != nil {
		if n := interventionActionCount(form); n > 0 {
			rows = n
		}
	}
	for n := range rows {
		p.ActionRows = append(p.ActionRows, n)
	}
	for k, v := range form {
		p.Form[k] = v
	}
	return p, nil
}

// interventionActionCount is the number of action rows in a submitted form.
func interventionActionCount(form map[string]string) int {
	n := 0
	for {
		if _, ok := form[fmt.Sprintf("actions.%d.target", n)]; !ok {
			return n
		}
		n++
	}
}

// interventionShowAgain answers a refused action with the sheet: 422 with the problems under the
// fields of the form named open, or 409 with the conflict's message; both keep the user's input.
func (h *handler) interventionShowAgain(c *fiber.Ctx, id uuid.UUID, err error, open string, form, rename map[string]string) error {
	e, ok := web.Refused(err)
	if !ok {
		return err
	}
	p, perr := h.interventionShowPage(c, id, form)
	if perr != nil {
		return perr
	}
	p.Open = open
	return h.Render(c, web.ShowRefusal(&p.Page, e, rename), "backoffice/interventions/show", p)
}

// interventionDone answers a saved action: a flash and back to the sheet, at the part worked on.
func (h *handler) interventionDone(c *fiber.Ctx, id uuid.UUID, flash, anchor string) error {
	h.SetFlash(c, web.FlashSuccess, h.T(c, flash))
	to := interventionsPath + "/" + id.String()
	if anchor != "" {
		to += "#" + anchor
	}
	return h.Redirect(c, to)
}

// interventionAct runs one change of a sheet in a transaction and answers it.
func (h *handler) interventionAct(c *fiber.Ctx, open string, form, rename map[string]string, flash string,
	do func(ctx context.Context, tx *database.Tx, id uuid.UUID) error) error {
	id, err := interventionID(c)
	if err != nil {
		return err
	}
	if err := h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error { return do(ctx, tx, id) }); err != nil {
		return h.interventionShowAgain(c, id, err, open, form, rename)
	}
	return h.interventionDone(c, id, flash, open)
}

// handleInterventionTakeUp handles the "POST /admin/interventions/:id/takeup" route: the current
// user takes up the intervention (the same one, never a copy) and it moves to in progress.
func (h *handler) handleInterventionTakeUp(c *fiber.Ctx) error {
	return h.interventionAct(c, "status", nil, nil, "admin_interventions.flash.taken_up",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID) error {
			_, err := interventions.TakeUp(ctx, tx, id, web.CurrentUser(c).ID, interventionVersion(c), web.Actor(c), h.Now())
			return err
		})
}

// handleInterventionStatus handles the "POST /admin/interventions/:id/status" route: moves the
// intervention along its status machine (planning needs a date, cancelling a reason).
func (h *handler) handleInterventionStatus(c *fiber.Ctx) error {
	form := map[string]string{"scheduled_at": c.FormValue("scheduled_at"), "cancel_reason": c.FormValue("cancel_reason")}
	return h.interventionAct(c, "status", form, nil, "admin_interventions.flash.status",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID) error {
			to, ok := interventions.ParseStatus(c.FormValue("to"))
			if !ok {
				return apperr.Conflictf(interventions.ErrTransition)
			}
			var at time.Time
			if form["scheduled_at"] != "" {
				if at, ok = h.parseInterventionTime(form["scheduled_at"]); !ok {
					return apperr.Fields{"scheduled_at": "admin_interventions.error.datetime"}.Err()
				}
			}
			_, err := interventions.Transition(ctx, tx, id, to, at, form["cancel_reason"], interventionVersion(c), web.Actor(c), h.Now())
			return err
		})
}

// handleInterventionTime handles the "POST /admin/interventions/:id/time" route: adds a time entry.
func (h *handler) handleInterventionTime(c *fiber.Ctx) error {
	form := map[string]string{}
	for _, k := range []string{"category", "technician_id", "started_at", "minutes", "billable", "note"} {
		form[k] = c.FormValue(k)
	}
	return h.interventionAct(c, "time", form, nil, "admin_interventions.flash.time",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID) error {
			e := &interventions.TimeEntry{Category: interventions.Category(form["category"]), Billable: form["billable"] != "", Note: form["note"]}
			bad := apperr.Fields{}
			if form["technician_id"] == "" { // the current user by default
				form["technician_id"] = web.CurrentUser(c).ID.String()
			}
			e.TechnicianID, _ = uuid.Parse(form["technician_id"])
			if at, ok := h.parseInterventionTime(form["started_at"]); ok {
				e.StartedAt = at
			} else if form["started_at"] != "" {
				bad.Add("started_at", "admin_interventions.error.datetime")
			}
			m, ok := parseInterventionMinutes(form["minutes"])
			if !ok {
				bad.Add("minutes", "interventions.error.minutes")
			}
			e.Minutes = m
			if err := bad.Err(); err != nil {
				return err
			}
			_, err := interventions.AddTimeEntry(ctx, tx, id, e, interventionVersion(c), h.Now())
			return err
		})
}

// handleInterventionTimeDelete handles the "POST /admin/interventions/:id/time/:eid/delete" route.
func (h *handler) handleInterventionTimeDelete(c *fiber.Ctx) error {
	eid, err := web.ParseUUID(c.Params("eid"))
	if err != nil {
		return err
	}
	return h.interventionAct(c, "time", nil, nil, "admin_interventions.flash.time_deleted",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID) error {
			_, err := interventions.DeleteTimeEntry(ctx, tx, id, eid, interventionVersion(c), h.Now())
			return err
		})
}

// handleInterventionActions handles the "POST /admin/interventions/:id/actions" route: saves what
// was done and what remains on each equipment item or service.
func (h *handler) handleInterventionActions(c *fiber.Ctx) error {
	form := map[string]string{}
	var actions []interventions.EquipmentAction
	for n := 0; n < 50; n++ {
		k := fmt.Sprintf("actions.%d.", n)
		if !c.Request().PostArgs().Has(k + "target") {
			break
		}
		a := interventions.EquipmentAction{Target: c.FormValue(k + "target"), Done: c.FormValue(k + "done"), Remaining: c.FormValue(k + "remaining")}
		form[k+"target"], form[k+"done"], form[k+"remaining"] = a.Target, a.Done, a.Remaining
		actions = append(actions, a)
	}
	return h.interventionAct(c, "actions", form, nil, "admin_interventions.flash.actions",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID) error {
			_, err := interventions.SetActions(ctx, tx, id, actions, interventionVersion(c), h.Now())
			return err
		})
}

// handleInterventionMaterial handles the "POST /admin/interventions/:id/materials" route: adds
// material handed over to the client.
func (h *handler) handleInterventionMaterial(c *fiber.Ctx) error {
	form := map[string]string{}
	for _, k := range []string{"description", "quantity", "unit_price", "material_billable"} {
		form[k] = c.FormValue(k)
	}
	return h.interventionAct(c, "materials", form, nil, "admin_interventions.flash.material",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID) error {
			m := &interventions.Material{Description: form["description"], Billable: form["material_billable"] != ""}
			bad := apperr.Fields{}
			q, ok := interventions.ParseQuantity(form["quantity"])
			if !ok || q <= 0 {
				bad.Add("quantity", "interventions.error.quantity")
			}
			m.QuantityMilli = q
			cents, problem := parseContractDecimal(form["unit_price"], 2)
			if problem != "" {
				bad.Add("unit_price", "interventions.error.unit_price")
			}
			m.UnitPriceCents = cents
			if err := m.Validate(); err != nil {
				for k, v := range apperr.FieldsOf(err) {
					bad.Add(k, v)
				}
			}
			if err := bad.Err(); err != nil {
				return err
			}
			_, err := interventions.AddMaterial(ctx, tx, id, m, interventionVersion(c), h.Now())
			return err
		})
}

// handleInterventionMaterialDelete handles the "POST /admin/interventions/:id/materials/:mid/delete"
// route.
func (h *handler) handleInterventionMaterialDelete(c *fiber.Ctx) error {
	mid, err := web.ParseUUID(c.Params("mid"))
	if err != nil {
		return err
	}
	return h.interventionAct(c, "materials", nil, nil, "admin_interventions.flash.material_deleted",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID) error {
			_, err := interventions.DeleteMaterial(ctx, tx, id, mid, interventionVersion(c), h.Now())
			return err
		})
}

// handleInterventionNotes handles the "POST /admin/interventions/:id/notes" route: the summary for
// the client, the internal notes and whether the client signs later from the portal.
func (h *handler) handleInterventionNotes(c *fiber.Ctx) error {
	form := map[string]string{"summary": c.FormValue("summary"), "internal_notes": c.FormValue("internal_notes"), "sign_later": c.FormValue("sign_later")}
	return h.interventionAct(c, "notes", form, nil, "admin_interventions.flash.notes",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID) error {
			_, err := interventions.SetNotes(ctx, tx, id, form["summary"], form["internal_notes"], form["sign_later"] != "", interventionVersion(c), h.Now())
			return err
		})
}

// handleInterventionComplete handles the "POST /admin/interventions/:id/complete" route: freezes the
// sheet, adds it to the maintenance register and mails its PDF to the client's contacts, in one
// transaction.
func (h *handler) handleInterventionComplete(c *fiber.Ctx) error {
	id, err := interventionID(c)
	if err != nil {
		return err
	}
	sent := 0
	if err := h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		s, _, err := interventions.Complete(ctx, tx, id, interventionVersion(c), web.Actor(c), h.Now(), h.Config.Location)
		if err != nil {
			return err
		}
		sent, err = h.MailInterventionSheet(ctx, tx, s)
		return err
	}); err != nil {
		return h.interventionShowAgain(c, id, err, "complete", nil, nil)
	}
	flash := "admin_interventions.flash.completed"
	if sent == 0 {
		flash = "admin_interventions.flash.completed_unsent"
	}
	return h.interventionDone(c, id, flash, "complete")
}

// handleInterventionAddendum handles the "POST /admin/interventions/:id/addendum" route: a
// correction or complement of a completed sheet, also written in the register.
func (h *handler) handleInterventionAddendum(c *fiber.Ctx) error {
	form := map[string]string{"body": c.FormValue("body")}
	return h.interventionAct(c, "addendum", form, nil, "admin_interventions.flash.addendum",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID) error {
			_, _, err := interventions.AddAddendum(ctx, tx, id, form["body"], web.Actor(c), h.Now(), h.Config.Location)
			return err
		})
}

// handleInterventionSign handles the "POST /admin/interventions/:id/sign" route: the client signs
// the sheet on the technician's device, with a typed name and a drawing. The store keeps when, and
// from which address and browser; a sheet is signed once (409).
func (h *handler) handleInterventionSign(c *fiber.Ctx) error {
	f := web.ReadSignature(c, interventions.SignedOnSite)
	return h.interventionAct(c, "signature", f.Form, nil, "admin_interventions.flash.signed",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID) error {
			switch _, err := interventions.SignatureFor(ctx, tx, uuid.Nil, id); {
			case err == nil:
				return apperr.Conflictf(interventions.ErrAlreadySigned)
			case apperr.KindOf(err) != apperr.NotFound:
				return err
			}
			if len(f.Problems) > 0 {
				return f.Problems.Err()
			}
			_, err := interventions.Sign(ctx, tx, uuid.Nil, id, f.Input, web.Actor(c), h.Now())
			return err
		})
}

// handleInterventionSignature handles the "GET /admin/interventions/:id/signature" route: the
// client's drawn signature of a sheet.
func (h *handler) handleInterventionSignature(c *fiber.Ctx) error {
	id, err := interventionID(c)
	if err != nil {
		return err
	}
	s, err := interventions.SignatureFor(c.UserContext(), h.DB.Bun, uuid.Nil, id)
	if err != nil {
		return err
	}
	return web.SendSignature(c, s)
}
