package backoffice

import (
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/inbound"
	"maintenant/app/sla"
	"maintenant/app/tickets"
	"maintenant/app/web"
)

// ticketShowPage is the view model of a ticket's page.
type ticketShowPage struct {
	web.Page
	T         *tickets.Ticket
	D         *tickets.Detail
	Reporter  *accounts.User
	Actions   []ticketAction
	Assignees []tickets.Choice
	Prios     []sla.Priority
	Levels    []int
	Clocks    []ticketClock
	Pauses    []ticketPause
	Events    []ticketEvent
	// Open names the action form to show unfolded (the one that came back with an error).
	Open string
	// Mail tells which parts of the ticket came by email, with their original.
	Mail *inbound.OfTicket
}

// ticketAction is a status button.
type ticketAction struct {
	To      tickets.Status
	Label   string
	Confirm string
	Primary bool
}

// ticketClock is one SLA clock as the page shows it.
type ticketClock struct {
	Label   string
	View    tickets.ClockView
	Target  string
	Elapsed string
	Left    string
	Delay   string
}

// ticketPause is one pause of the resolution clock.
type ticketPause struct {
	Kind     string
	From     time.Time
	To       time.Time
	Running  bool
	Duration string
}

// ticketEvent is one line of the history, in words.
type ticketEvent struct {
	At     time.Time
	Actor  string
	System bool
	What   string
	Detail string
	Note   string
}

// ticketID reads the ticket id of the URL (404 when malformed).
func ticketID(c *fiber.Ctx) (uuid.UUID, error) { return web.ParseUUID(c.Params("id")) }

// ticketActor is the staff member acting.
func ticketActor(c *fiber.Ctx) tickets.Actor {
	return tickets.StaffActor(web.Actor(c), web.CurrentUser(c).Name)
}

// ticketVersion reads the hidden version of an action form.
func ticketVersion(c *fiber.Ctx) int {
	v, _ := strconv.Atoi(c.FormValue("version"))
	return v
}

// handleTicketShow handles the "GET /admin/tickets/:id" route: everything about a ticket and the
// forms to work on it.
func (h *handler) handleTicketShow(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	p, err := h.ticketShowPage(c, id, nil)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/tickets/show", p)
}

// ticketShowPage reads a ticket's page; form, when not nil, is the user's input to show again over
// the forms' defaults.
func (h *handler) ticketShowPage(c *fiber.Ctx, id uuid.UUID, form map[string]string) (*ticketShowPage, error) {
	ctx := c.UserContext()
	now := h.Now()
	d, err := tickets.LoadDetail(ctx, h.DB.Bun, id, now)
	if err != nil {
		return nil, err
	}
	t := d.Ticket
	assignees, err := tickets.AssigneeChoices(ctx, h.DB.Bun)
	if err != nil {
		return nil, err
	}
	p := &ticketShowPage{
		Page: h.NewPage(c, "admin_tickets.show.title"), T: t, D: d, Assignees: assignees, Prios: sla.Priorities(),
	}
	p.Title = h.T(c, "admin_tickets.show.title_ref", "Reference", t.Reference(), "Title", t.Title)
	if p.Mail, err = inbound.ForTicket(ctx, h.DB.Bun, t.ID); err != nil {
		return nil, err
	}
	if t.ReporterID.Valid {
		if u, err := accounts.ClientUser(ctx, h.DB.Bun, t.ClientID, t.ReporterID.UUID); err == nil {
			p.Reporter = u
		} else if apperr.KindOf(err) != apperr.NotFound {
			return nil, err
		}
	}
	for _, to := range t.Status.Next() {
		if to == tickets.StatusDiagnosed { // the diagnosis form records the texts and makes the move
			continue
		}
		a := ticketAction{To: to, Label: to.ActionLabel(), Primary: ticketNextStep[t.Status] == to}
		if tickets.IsReopen(t.Status, to) {
			a.Label = "tickets.action.reopen"
		}
		switch to {
		case tickets.StatusResolved:
			a.Confirm = h.T(c, "admin_tickets.confirm.resolve", "Reference", t.Reference())
		case tickets.StatusClosed:
			a.Confirm = h.T(c, "admin_tickets.confirm.close", "Reference", t.Reference())
		}
		if a.Primary { // the usual step first, under the thumb
			p.Actions = append([]ticketAction{a}, p.Actions...)
		} else {
			p.Actions = append(p.Actions, a)
		}
	}
	if t.IsOpen() {
		for l := t.EscalationLevel + 1; l <= tickets.MaxEscalation; l++ {
			p.Levels = append(p.Levels, l)
		}
	}
	if t.HasSLA() {
		for _, cl := range []struct {
			label string
			v     tickets.ClockView
		}{{"admin_tickets.sla.reaction", d.SLA.Reaction}, {"admin_tickets.sla.resolution", d.SLA.Resolution}} {
			row := ticketClock{Label: cl.label, View: cl.v, Target: i18n.Duration(cl.v.Target)}
			if cl.v.ElapsedKnown {
				row.Elapsed = i18n.Duration(cl.v.Elapsed)
				if left := cl.v.Left(); left >= 0 {
					row.Left = i18n.Duration(left)
				} else {
					row.Delay = i18n.Duration(cl.v.Delay())
				}
			}
			p.Clocks = append(p.Clocks, row)
		}
	}
	for _, ps := range d.Pauses {
		row := ticketPause{Kind: ps.Kind.Label(), From: ps.StartedAt, Running: ps.IsOpen()}
		end := now
		if !row.Running {
			row.To, end = ps.EndedAt.Time, ps.EndedAt.Time
		}
		row.Duration = ticketDuration(end.Sub(ps.StartedAt))
		p.Pauses = append(p.Pauses, row)
	}
	for i := len(d.Events) - 1; i >= 0; i-- { // the newest first
		p.Events = append(p.Events, h.ticketEvent(c, d.Events[i]))
	}
	p.Form = map[string]string{
		"diagnosis": t.Diagnosis, "repair_plan": t.RepairPlan, "priority": t.Priority.String(),
	}
	if t.AssigneeID.Valid {
		p.Form["assignee_id"] = t.AssigneeID.UUID.String()
	}
	if len(p.Levels) > 0 {
		p.Form["level"] = strconv.Itoa(p.Levels[0])
	}
	for k, v := range form {
		p.Form[k] = v
	}
	return p, nil
}

// ticketEvent writes a history entry in words.
func (h *handler) ticketEvent(c *fiber.Ctx, e *tickets.Event) ticketEvent {
	ev := ticketEvent{At: e.At, Actor: e.ActorLabel, System: e.IsSystem(), What: h.T(c, e.Kind.Label()), Note: e.Note}
	if ev.System {
		ev.Actor = h.T(c, "tickets.actor.system")
	}
	word := func(key func(string) string, v string) string {
		if v == "" {
			return h.T(c, "admin_tickets.nobody")
		}
		return h.T(c, key(v))
	}
	arrow := func(from, to string) string {
		if from == "" {
			return to
		}
		return from + " → " + to
	}
	switch e.Kind {
	case tickets.EventOpened:
		ev.Detail = h.T(c, "admin_tickets.event.via", "Channel", h.T(c, tickets.Channel(e.To).Label()))
	case tickets.EventStatus, tickets.EventReopened:
		st := func(s string) string { return ticketStatusKey(tickets.Status(s)) }
		ev.Detail = arrow(word(st, e.From), word(st, e.To))
	case tickets.EventPriority:
		pr := func(s string) string { return "tickets.priority." + s }
		ev.Detail = arrow(word(pr, e.From), word(pr, e.To))
	case tickets.EventEscalated:
		lv := func(s string) string { return "tickets.escalation." + s }
		ev.Detail = arrow(word(lv, e.From), word(lv, e.To))
	case tickets.EventAssigned:
		name := func(s string) string {
			if s == "" {
				return h.T(c, "admin_tickets.nobody")
			}
			return s
		}
		ev.Detail = arrow(name(e.From), name(e.To))
		if e.From == "" {
			ev.Detail = name(e.To)
		}
	}
	return ev
}

// ticketShowAgain answers a refused action with the ticket's page: 422 with the problems under the
// fields of the form named open, or 409 with the conflict's message; both keep the user's input.
// rename maps the store's field names to the form's ("note" → "priority_note").
func (h *handler) ticketShowAgain(c *fiber.Ctx, id uuid.UUID, err error, open string, form, rename map[string]string) error {
	e, ok := web.Refused(err)
	if !ok {
		return err
	}
	p, perr := h.ticketShowPage(c, id, form)
	if perr != nil {
		return perr
	}
	p.Open = open
	return h.Render(c, web.ShowRefusal(&p.Page, e, rename), "backoffice/tickets/show", p)
}

// handleTicketStatus handles the "POST /admin/tickets/:id/status" route: moves the ticket to an
// allowed next status; acknowledging and resolving tell the client.
func (h *handler) handleTicketStatus(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	form := map[string]string{"status_note": c.FormValue("status_note")}
	to, ok := tickets.ParseStatus(c.FormValue("to"))
	if !ok {
		return h.ticketShowAgain(c, id, apperr.Conflictf(tickets.ErrTransition), "status", form, nil)
	}
	var t *tickets.Ticket
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		if t, err = tickets.Transition(ctx, tx, id, to, ticketActor(c), form["status_note"], ticketVersion(c), h.Now()); err != nil {
			return err
		}
		switch to {
		case tickets.StatusAcknowledged:
			return h.mailTicketClient(ctx, tx, t, ticketMailAcknowledged, nil, "")
		case tickets.StatusResolved:
			return h.mailTicketClient(ctx, tx, t, ticketMailResolved, nil, strconv.FormatInt(t.ResolvedAt.Time.UnixMicro(), 10))
		}
		return nil
	})
	if err != nil {
		return h.ticketShowAgain(c, id, err, "status", form, map[string]string{"note": "status_note"})
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_tickets.flash.status", "Reference", t.Reference(), "Status", h.T(c, ticketStatusKey(t.Status))))
	return h.Redirect(c, ticketsPath+"/"+id.String())
}

// handleTicketDiagnosis handles the "POST /admin/tickets/:id/diagnosis" route: records the
// diagnosis and the repair plan (acknowledging a new ticket) and tells the client.
func (h *handler) handleTicketDiagnosis(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	form := map[string]string{"diagnosis": c.FormValue("diagnosis"), "repair_plan": c.FormValue("repair_plan")}
	var t *tickets.Ticket
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		before, err := tickets.Get(ctx, tx, id)
		if err != nil {
			return err
		}
		if t, err = tickets.SetDiagnosis(ctx, tx, id, form["diagnosis"], form["repair_plan"], ticketActor(c), ticketVersion(c), h.Now()); err != nil {
			return err
		}
		if t.Version == before.Version { // nothing changed
			return nil
		}
		return h.mailTicketClient(ctx, tx, t, ticketMailDiagnosis, nil, strconv.Itoa(t.Version))
	})
	if err != nil {
		return h.ticketShowAgain(c, id, err, "diagnosis", form, nil)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_tickets.flash.diagnosis", "Reference", t.Reference()))
	return h.Redirect(c, ticketsPath+"/"+id.String())
}

// handleTicketAssign handles the "POST /admin/tickets/:id/assign" route: gives the ticket to a
// technician (or to nobody) and tells the new assignee.
func (h *handler) handleTicketAssign(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	form := map[string]string{"assignee_id": c.FormValue("assignee_id")}
	assignee := uuid.Nil
	if form["assignee_id"] != "" {
		if assignee, err = uuid.Parse(form["assignee_id"]); err != nil {
			return h.ticketShowAgain(c, id, apperr.Fields{"assignee_id": "tickets.error.assignee_unknown"}.Err(), "assign", form, nil)
		}
	}
	var t *tickets.Ticket
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		before, err := tickets.Get(ctx, tx, id)
		if err != nil {
			return err
		}
		if t, err = tickets.Assign(ctx, tx, id, assignee, ticketActor(c), ticketVersion(c), h.Now()); err != nil {
			return err
		}
		if assignee == uuid.Nil || t.Version == before.Version || assignee == web.CurrentUser(c).ID {
			return nil
		}
		return h.mailTicketAssigned(ctx, tx, t, web.CurrentUser(c).Name)
	})
	if err != nil {
		return h.ticketShowAgain(c, id, err, "assign", form, nil)
	}
	msg := h.T(c, "admin_tickets.flash.unassigned", "Reference", t.Reference())
	if t.AssigneeName != "" {
		msg = h.T(c, "admin_tickets.flash.assigned", "Reference", t.Reference(), "Name", t.AssigneeName)
	}
	h.SetFlash(c, web.FlashSuccess, msg)
	return h.Redirect(c, ticketsPath+"/"+id.String())
}

// handleTicketPriority handles the "POST /admin/tickets/:id/priority" route: another priority, with
// a note; the deadlines follow.
func (h *handler) handleTicketPriority(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	form := map[string]string{"priority": c.FormValue("priority"), "priority_note": c.FormValue("priority_note")}
	pr, perr := sla.ParsePriority(form["priority"])
	if perr != nil {
		return h.ticketShowAgain(c, id, apperr.Fields{"priority": "tickets.error.priority"}.Err(), "priority", form, nil)
	}
	var t *tickets.Ticket
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		t, err = tickets.ChangePriority(ctx, tx, id, pr, ticketActor(c), form["priority_note"], ticketVersion(c), h.Now())
		return err
	})
	if err != nil {
		return h.ticketShowAgain(c, id, err, "priority", form, map[string]string{"note": "priority_note"})
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_tickets.flash.priority", "Reference", t.Reference(), "Priority", h.T(c, tickets.PriorityKey(t.Priority))))
	return h.Redirect(c, ticketsPath+"/"+id.String())
}

// handleTicketEscalate handles the "POST /admin/tickets/:id/escalate" route: raises the escalation
// level by hand, with a note. Escalating never makes another person's form stale (the store keeps
// the version), so the form's version is not checked; the same level twice is a conflict.
func (h *handler) handleTicketEscalate(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	form := map[string]string{"level": c.FormValue("level"), "escalate_note": c.FormValue("escalate_note")}
	level, _ := strconv.Atoi(form["level"])
	var t *tickets.Ticket
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		t, err = tickets.Escalate(ctx, tx, id, level, ticketActor(c), form["escalate_note"], h.Now())
		return err
	})
	if err != nil {
		return h.ticketShowAgain(c, id, err, "escalate", form, map[string]string{"note": "escalate_note"})
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_tickets.flash.escalated", "Reference", t.Reference(), "Level", h.T(c, tickets.EscalationKey(t.EscalationLevel))))
	return h.Redirect(c, ticketsPath+"/"+id.String())
}

// handleTicketMessage handles the "POST /admin/tickets/:id/messages" route: a public message (mailed
// to the client) or an internal note (never shown nor mailed to the client), with attachments
// (multipart). A message adds to the conversation and never conflicts with another change, so
// the form's version is not checked.
func (h *handler) handleTicketMessage(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	form := map[string]string{"body": c.FormValue("body")}
	internal := c.FormValue("internal") != "off" // a note unless the message is said to be public
	form["internal"] = "off"
	if internal {
		form["internal"] = "on"
	}
	var files []*multipart.FileHeader
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		mf, err := c.MultipartForm()
		if err != nil {
			return fiber.ErrBadRequest
		}
		for _, fh := range mf.File["attachments"] {
			if fh.Filename == "" && fh.Size == 0 { // the empty file input of a browser
				continue
			}
			files = append(files, fh)
		}
	}
	if len(files) > tickets.MaxAttachmentsPerMessage {
		return h.ticketShowAgain(c, id, apperr.Fields{"attachments": tickets.ErrAttachmentTooMany}.Err(), "message", form, nil)
	}
	var t *tickets.Ticket
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		actor := ticketActor(c)
		now := h.Now()
		msg, _, err := tickets.AddMessage(ctx, tx, id, actor, internal, form["body"], now)
		if err != nil {
			return err
		}
		for _, fh := range files {
			if err := h.ticketAttach(ctx, tx, id, msg.ID, actor, internal, fh, now); err != nil {
				return err
			}
		}
		if t, err = tickets.Get(ctx, tx, id); err != nil {
			return err
		}
		if internal {
			return nil
		}
		return h.mailTicketClient(ctx, tx, t, ticketMailMessage, msg, msg.ID.String())
	})
	if err != nil {
		return h.ticketShowAgain(c, id, err, "message", form, nil)
	}
	key := "admin_tickets.flash.message"
	if internal {
		key = "admin_tickets.flash.note"
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, key, "Reference", t.Reference()))
	return h.Redirect(c, ticketsPath+"/"+id.String()+"#conversation")
}

// ticketAttach stores one uploaded file with a message.
func (h *handler) ticketAttach(ctx context.Context, tx *database.Tx, ticketID, messageID uuid.UUID, actor tickets.Actor, internal bool, fh *multipart.FileHeader, now time.Time) error {
	if fh.Size > tickets.MaxAttachmentBytes {
		return apperr.Fields{"attachments": tickets.ErrAttachmentTooLarge}.Err()
	}
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("backoffice: open upload: %w", err)
	}
	defer f.Close()
	_, err = tickets.AddAttachment(ctx, tx, h.Files, ticketID, messageID, actor, internal, fh.Filename, f, now)
	return err
}

// handleTicketAttachment handles the "GET /admin/tickets/:id/attachments/:aid" route: a file of the
// ticket, with its sniffed type, nosniff, and as a download unless it is an image or a PDF.
func (h *handler) handleTicketAttachment(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	aid, err := web.ParseUUID(c.Params("aid"))
	if err != nil {
		return err
	}
	a, rc, err := tickets.OpenAttachment(c.UserContext(), h.DB.Bun, h.Files, id, aid)
	if err != nil {
		return err
	}
	defer rc.Close()
	disposition := "attachment"
	if a.Inline() {
		disposition = "inline"
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType(disposition, map[string]string{"filename": a.Filename}))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	body, err := io.ReadAll(io.LimitReader(rc, tickets.MaxAttachmentBytes+1))
	if err != nil {
		return fmt.Errorf("backoffice: read attachment: %w", err)
	}
	return c.Send(body)
}

// ticketStatusKey is the catalogue key naming a status for staff: the shared words, but "waiting on
// the client" rather than the portal's "waiting on your answer".
func ticketStatusKey(s tickets.Status) string {
	if s == tickets.StatusWaitingClient {
		return "admin_tickets.status.waiting_client"
	}
	return s.Label()
}

// ticketNextStep is the usual next status from each status: its button is the primary one.
var ticketNextStep = map[tickets.Status]tickets.Status{
	tickets.StatusNew:           tickets.StatusAcknowledged,
	tickets.StatusAcknowledged:  tickets.StatusInProgress,
	tickets.StatusDiagnosed:     tickets.StatusInProgress,
	tickets.StatusInProgress:    tickets.StatusResolved,
	tickets.StatusWaitingClient: tickets.StatusInProgress,
	tickets.StatusResolved:      tickets.StatusClosed,
}
