package backoffice

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/scheduling"
	"maintenant/app/tickets"
	"maintenant/app/web"
)

// reschedulePage is the view model of the short reschedule form.
type reschedulePage struct {
	web.Page
	E         *scheduling.Entry
	History   []*scheduling.Reschedule
	Staff     []tickets.Choice
	Conflicts []scheduleItem
	Action    string
	Back      string
}

func (h *handler) reschedulePage(c *fiber.Ctx, id uuid.UUID, form map[string]string) (*reschedulePage, error) {
	ctx := c.UserContext()
	e, err := scheduling.GetEntry(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, apperr.NotFoundf("intervention")
	}
	p := &reschedulePage{Page: h.NewPage(c, "schedule.reschedule.title"), E: e, Action: rescheduleURL(id)}
	p.Title = h.T(c, "schedule.reschedule.title_ref", "Reference", e.Reference())
	if p.History, err = scheduling.History(ctx, h.DB.Bun, id); err != nil {
		return nil, err
	}
	if p.Staff, err = tickets.AssigneeChoices(ctx, h.DB.Bun); err != nil {
		return nil, err
	}
	p.Back = c.Query("back")
	if p.Back == "" || p.Back[0] != '/' || (len(p.Back) > 1 && p.Back[1] == '/') {
		p.Back = schedulePath + "?view=week&date=" + dayIn(e.ScheduledAt, h.Config.Location).Format(time.DateOnly)
	}
	if form == nil {
		local := e.ScheduledAt.In(h.Config.Location)
		form = map[string]string{"date": local.Format(time.DateOnly), "time": local.Format("15:04"),
			"version": strconv.Itoa(e.Version)}
		if len(e.TechnicianIDs) > 0 {
			form["technician_id"] = e.TechnicianIDs[0]
		}
	}
	p.Form = form
	return p, nil
}

// handleRescheduleForm handles "GET /admin/schedule/:id/reschedule".
func (h *handler) handleRescheduleForm(c *fiber.Ctx) error {
	id, err := interventionID(c)
	if err != nil {
		return err
	}
	p, err := h.reschedulePage(c, id, nil)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/schedule/reschedule", p)
}

// handleReschedule handles "POST /admin/schedule/:id/reschedule": new date, time and technician
// with a reason; an overlap asks for a confirmation (422 with the conflicts), a stale form is 409;
// the client is mailed, in the same transaction, when the date it was given changes.
func (h *handler) handleReschedule(c *fiber.Ctx) error {
	id, err := interventionID(c)
	if err != nil {
		return err
	}
	form := map[string]string{}
	for _, k := range []string{"date", "time", "technician_id", "reason", "version", "confirm"} {
		form[k] = c.FormValue(k)
	}
	loc := h.Config.Location
	in := scheduling.RescheduleInput{Reason: form["reason"], Confirmed: form["confirm"] == "1"}
	if d, err := time.ParseInLocation("2006-01-02 15:04", form["date"]+" "+form["time"], loc); err == nil {
		in.At = d
	}
	in.TechnicianID, _ = uuid.Parse(form["technician_id"])
	version, _ := strconv.Atoi(form["version"])
	var res *scheduling.RescheduleResult
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		if res, err = scheduling.RescheduleVisit(ctx, tx, id, in, version, web.Actor(c), h.Now(), h.today()); err != nil || !res.Saved {
			return err
		}
		if res.DateChanged {
			return h.mailReschedule(ctx, tx, res)
		}
		return nil
	})
	if e, ok := web.Refused(err); ok {
		p, perr := h.reschedulePage(c, id, form)
		if perr != nil {
			return perr
		}
		status := fiber.StatusConflict
		if web.FormError(&p.Page, err, form) == nil {
			status = fiber.StatusUnprocessableEntity
		} else {
			p.Message = e.Message
		}
		return h.Render(c, status, "backoffice/schedule/reschedule", p)
	}
	if err != nil {
		return err
	}
	if !res.Saved {
		p, err := h.reschedulePage(c, id, form)
		if err != nil {
			return err
		}
		today := h.today()
		for _, e := range res.Conflicts {
			p.Conflicts = append(p.Conflicts, h.scheduleItem(e, today))
		}
		p.Errors = map[string]string{"confirm": scheduling.ErrConflict}
		return h.Render(c, fiber.StatusUnprocessableEntity, "backoffice/schedule/reschedule", p)
	}
	msg := "schedule.reschedule.saved"
	if res.DateChanged {
		msg = "schedule.reschedule.saved_told"
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, msg))
	back := c.FormValue("back")
	if back == "" || back[0] != '/' || (len(back) > 1 && back[1] == '/') {
		back = schedulePath + "?view=week&date=" + dayIn(res.Intervention.ScheduledAt, h.Config.Location).Format(time.DateOnly)
	}
	return h.Redirect(c, back)
}

// mailReschedule tells each active contact of the client the visit's new date.
func (h *handler) mailReschedule(ctx context.Context, tx *database.Tx, res *scheduling.RescheduleResult) error {
	i := res.Intervention
	users, err := accounts.ListClientUsers(ctx, tx, i.ClientID)
	if err != nil {
		return fmt.Errorf("backoffice: reschedule recipients: %w", err)
	}
	for n := range users {
		u := &users[n]
		if !u.Active {
			continue
		}
		d := map[string]any{
			"Name": u.Name, "Reference": i.Reference(), "Title": i.Title, "From": res.Record.FromAt, "To": res.Record.ToAt,
			"Reason": res.Record.Reason, "Link": h.Config.URL("/portal/interventions/" + i.ID.String()),
		}
		key := "visit-rescheduled:" + res.Record.ID.String() + ":" + u.ID.String()
		if err := h.SendMailOnce(ctx, tx, u, "visit_rescheduled", d, key); err != nil {
			return err
		}
	}
	return nil
}

// checklistPage is the view model of a visit's checklist card.
type checklistPage struct {
	web.Page
	ID      uuid.UUID
	Items   []*scheduling.ChecklistItem
	Frozen  bool
	Version int
}

// handleChecklist handles "GET /admin/interventions/:id/checklist": the checklist card of a
// visit's sheet (loaded into the sheet by HTMX; empty for an intervention without a checklist).
func (h *handler) handleChecklist(c *fiber.Ctx) error {
	id, err := interventionID(c)
	if err != nil {
		return err
	}
	i, err := interventions.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	items, err := scheduling.Checklist(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	p := &checklistPage{Page: h.NewPage(c, "schedule.checklist.title"), ID: id, Items: items, Frozen: i.Status.IsFinal(), Version: i.Version}
	return h.Render(c, fiber.StatusOK, "backoffice/schedule/checklist", p)
}

// handleChecklistSave handles "POST /admin/interventions/:id/checklist": the ticked steps, back to
// the sheet (the sheet's version moved on, so the whole sheet is read again).
func (h *handler) handleChecklistSave(c *fiber.Ctx) error {
	var checked []int
	for _, v := range c.Request().PostArgs().PeekMulti("step") {
		if n, err := strconv.Atoi(string(v)); err == nil {
			checked = append(checked, n)
		}
	}
	return h.interventionAct(c, "checklist", nil, nil, "schedule.checklist.saved",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID) error {
			return scheduling.SetChecklist(ctx, tx, id, checked, interventionVersion(c), web.CurrentUser(c).Name, h.Now())
		})
}
