package portal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/equipment"
	"maintenant/app/i18n"
	"maintenant/app/provider"
	"maintenant/app/sla"
	"maintenant/app/tickets"
	"maintenant/app/web"
)

const ticketsPath = "/portal/tickets"

// Catalogue keys of the portal's ticket problems.
const (
	errTicketContract = "portal.tickets.error.contract_required"
	errTicketReason   = "portal.tickets.error.reason_required"
)

// Query values of the list's filters.
const (
	ticketsWhoAll  = "all"
	ticketsWhoMine = "mine"
)

// homeTicketCount is the number of open tickets the home card shows.
const homeTicketCount = 5

// ticketRow is a ticket of a list with its SLA at the time of the page.
type ticketRow struct {
	T   *tickets.Ticket
	SLA tickets.SLAView
}

// ticketFilterLink is one choice of a list filter, as a link that keeps the other filter.
type ticketFilterLink struct {
	Label  string
	URL    string
	Active bool
}

// ticketListPage is the view model of the portal's list of fault reports.
type ticketListPage struct {
	web.Page
	Rows     []ticketRow
	Who      string
	Group    tickets.Group
	Groups   []ticketFilterLink
	Whos     []ticketFilterLink
	Default  bool
	NextURL  string
	FirstURL string
}

// ticketListURL builds the list's URL with its filters, leaving out the defaults.
func ticketListURL(who string, g tickets.Group, after string) string {
	q := url.Values{}
	if who == ticketsWhoMine {
		q.Set("who", who)
	}
	if g != tickets.GroupOpen {
		q.Set("status", string(g))
	}
	if after != "" {
		q.Set("after", after)
	}
	if len(q) == 0 {
		return ticketsPath
	}
	return ticketsPath + "?" + q.Encode()
}

// handleTicketIndex handles the "GET /portal/tickets" route: the company's fault reports (every
// client user sees them all, or only his own with who=mine), still open by default, the newest
// first, with their status, impact and deadlines.
func (h *handler) handleTicketIndex(c *fiber.Ctx) error {
	u := web.CurrentUser(c)
	who := ticketsWhoAll
	if c.Query("who") == ticketsWhoMine {
		who = ticketsWhoMine
	}
	group, _ := tickets.ParseGroup(c.Query("status"))
	after := c.Query("after")
	page, err := tickets.ListForClient(c.UserContext(), h.DB.Bun, web.ClientID(c), tickets.ClientFilter{
		Group: group, Mine: who == ticketsWhoMine, UserID: u.ID, After: after,
	})
	if err != nil {
		return err
	}
	now := h.Now()
	p := &ticketListPage{Page: h.NewPage(c, "portal.tickets.title"), Who: who, Group: group,
		Default: who == ticketsWhoAll && group == tickets.GroupOpen}
	for _, t := range page.Tickets {
		p.Rows = append(p.Rows, ticketRow{T: t, SLA: t.SLAAt(now)})
	}
	for _, g := range []tickets.Group{tickets.GroupOpen, tickets.GroupClosed, tickets.GroupAll} {
		p.Groups = append(p.Groups, ticketFilterLink{Label: "portal.tickets.group." + string(g), URL: ticketListURL(who, g, ""), Active: g == group})
	}
	for _, w := range []string{ticketsWhoAll, ticketsWhoMine} {
		p.Whos = append(p.Whos, ticketFilterLink{Label: "portal.tickets.who." + w, URL: ticketListURL(w, group, ""), Active: w == who})
	}
	if page.Next != "" {
		p.NextURL = ticketListURL(who, group, page.Next)
	}
	if after != "" {
		p.FirstURL = ticketListURL(who, group, "")
	}
	return h.Render(c, fiber.StatusOK, "portal/tickets/index", p)
}

// openTicketRows returns the client's open tickets for the home, the newest first.
func (h *handler) openTicketRows(ctx context.Context, clientID uuid.UUID) ([]ticketRow, bool, error) {
	page, err := tickets.ListForClient(ctx, h.DB.Bun, clientID, tickets.ClientFilter{Group: tickets.GroupOpen, Limit: homeTicketCount})
	if err != nil {
		return nil, false, err
	}
	now := h.Now()
	rows := make([]ticketRow, 0, len(page.Tickets))
	for _, t := range page.Tickets {
		rows = append(rows, ticketRow{T: t, SLA: t.SLAAt(now)})
	}
	return rows, page.Next != "", nil
}

// ticketNewPage is the view model of the fault report form.
type ticketNewPage struct {
	web.Page
	Choices  []tickets.ContractChoice
	Impacts  []tickets.Impact
	MaxFiles int
	// Equipment are the client's items the report may be about (optional).
	Equipment []*equipment.Equipment
	// FilesLost says the files chosen before a refused submission must be chosen again.
	FilesLost bool
	// BadFile is the name of the refused file, shown before the problem.
	BadFile string
}

// ContractID is the contract selected in the form: the submitted one, else the only one.
func (p *ticketNewPage) ContractID() string {
	if v, ok := p.Form["contract_id"]; ok {
		return v
	}
	if len(p.Choices) == 1 {
		return p.Choices[0].ID.String()
	}
	return ""
}

func (h *handler) ticketNewData(c *fiber.Ctx) (*ticketNewPage, error) {
	choices, err := tickets.ContractChoices(c.UserContext(), h.DB.Bun, web.ClientID(c), h.Now(), h.Config.Location)
	if err != nil {
		return nil, err
	}
	items, err := equipment.Options(c.UserContext(), h.DB.Bun, web.ClientID(c))
	if err != nil {
		return nil, err
	}
	return &ticketNewPage{Page: h.NewPage(c, "portal.tickets.new.title"), Choices: choices,
		Impacts: tickets.Impacts(), MaxFiles: tickets.MaxAttachmentsPerMessage, Equipment: items}, nil
}

// handleTicketNew handles the "GET /portal/tickets/new" route: the form to report a fault.
func (h *handler) handleTicketNew(c *fiber.Ctx) error {
	p, err := h.ticketNewData(c)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "portal/tickets/new", p)
}

// uploadedFiles returns the files of a multipart form's "attachments" field (none for another
// kind of form), leaving out the empty part a browser sends when no file was chosen.
func uploadedFiles(c *fiber.Ctx) ([]*multipart.FileHeader, error) {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return nil, nil
	}
	form, err := c.MultipartForm()
	if err != nil {
		return nil, apperr.Invalidf("error.bad_request")
	}
	var out []*multipart.FileHeader
	for _, fh := range form.File["attachments"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue
		}
		out = append(out, fh)
	}
	return out, nil
}

// checkFiles finds the first problem with the uploaded files before anything is written, so that
// the form shows it with the other fields' problems: too many, too large, empty or of a refused
// type (from the content, like tickets.AddAttachment). It returns the problem's key and the file's
// displayed name.
func checkFiles(files []*multipart.FileHeader) (key, name string, err error) {
	if len(files) > tickets.MaxAttachmentsPerMessage {
		return tickets.ErrAttachmentTooMany, "", nil
	}
	for _, fh := range files {
		name := tickets.SanitizeFilename(fh.Filename)
		switch {
		case fh.Size == 0:
			return tickets.ErrAttachmentEmpty, name, nil
		case fh.Size > tickets.MaxAttachmentBytes:
			return tickets.ErrAttachmentTooLarge, name, nil
		}
		f, err := fh.Open()
		if err != nil {
			return "", "", fmt.Errorf("portal: open upload: %w", err)
		}
		head := make([]byte, 1024)
		n, err := io.ReadFull(f, head)
		f.Close()
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return "", "", fmt.Errorf("portal: read upload: %w", err)
		}
		if _, ok := tickets.SniffType(head[:n]); !ok {
			return tickets.ErrAttachmentType, name, nil
		}
	}
	return "", "", nil
}

// storeFiles records the uploaded files of a ticket's report (messageID uuid.Nil) or of one of its
// messages within tx, appending the storage key of each file stored to keys (so that the caller
// deletes them if the transaction rolls back). A refused file is Invalid on "attachments"; its
// name is put in bad.
func (h *handler) storeFiles(ctx context.Context, tx *database.Tx, ticketID, messageID uuid.UUID, actor tickets.Actor,
	files []*multipart.FileHeader, keys *[]string, bad *string) error {
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return fmt.Errorf("portal: open upload: %w", err)
		}
		a, err := tickets.AddAttachment(ctx, tx, h.Files, ticketID, messageID, actor, false, fh.Filename, f, h.Now())
		f.Close()
		if err != nil {
			*bad = tickets.SanitizeFilename(fh.Filename)
			return err
		}
		*keys = append(*keys, a.StorageKey)
	}
	return nil
}

// forgetFiles deletes stored files whose transaction rolled back: nothing points to them.
func (h *handler) forgetFiles(ctx context.Context, keys []string) {
	for _, k := range keys {
		if err := h.Files.Delete(context.WithoutCancel(ctx), k); err != nil {
			h.Logger.Warn("portal: delete orphan attachment", "key", k, "err", err)
		}
	}
}

// clientActor is the session's user acting on a ticket from the portal.
func clientActor(c *fiber.Ctx) tickets.Actor {
	u := web.CurrentUser(c)
	return tickets.ClientActor(web.Actor(c), web.ClientID(c), u.Name)
}

// handleTicketCreate handles the "POST /portal/tickets" route: a client user reports a fault with
// up to MaxAttachmentsPerMessage files. The client, the reporter and the channel come from the
// session; the ticket, its files, its history and audit entries and the mails to the managers are
// one transaction. Bad input (or a refused file) gives the form back with 422 and nothing saved.
func (h *handler) handleTicketCreate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := web.CurrentUser(c)
	clientID := web.ClientID(c)
	form := map[string]string{}
	for _, k := range []string{"contract_id", "service_label", "title", "description", "priority", "contact_phone", "equipment_id"} {
		form[k] = c.FormValue(k)
	}
	in := tickets.OpenInput{
		ClientID: clientID, ServiceLabel: form["service_label"], Title: form["title"], Description: form["description"],
		Channel: tickets.ChannelPortal, ReporterID: u.ID, ReporterLabel: u.Name, ContactPhone: form["contact_phone"],
	}
	if pr, err := sla.ParsePriority(form["priority"]); err == nil {
		in.Priority = pr
	}
	choices, err := tickets.ContractChoices(ctx, h.DB.Bun, clientID, h.Now(), h.Config.Location)
	if err != nil {
		return err
	}
	fields := apperr.Fields{}
	switch raw := form["contract_id"]; {
	case raw == "" && len(choices) > 0:
		fields.Add("contract_id", errTicketContract)
	case raw != "":
		id, err := uuid.Parse(raw)
		if err != nil {
			fields.Add("contract_id", "tickets.error.contract_unknown")
		}
		in.ContractID = id
	}
	var item uuid.UUID
	if raw := form["equipment_id"]; raw != "" {
		if item, err = uuid.Parse(raw); err != nil {
			fields.Add("equipment_id", "equipment.error.unknown")
		}
	}
	files, err := uploadedFiles(c)
	if err != nil {
		return err
	}
	var bad string
	key, name, err := checkFiles(files)
	if err != nil {
		return err
	}
	if key != "" {
		fields.Add("attachments", key)
		bad = name
	}
	if len(fields) > 0 {
		check := in
		check.Normalize()
		for f, msg := range apperr.FieldsOf(check.Validate()) {
			fields.Add(f, msg)
		}
		return h.ticketNewAgain(c, fields.Err(), form, len(files) > 0, bad)
	}

	var t *tickets.Ticket
	var keys []string
	actor := clientActor(c)
	err = h.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		var err error
		if t, err = tickets.Open(ctx, tx, in, actor, h.Now(), h.Config.Location); err != nil {
			return err
		}
		if err := equipment.LinkTicket(ctx, tx, clientID, t.ID, item); err != nil {
			return err
		}
		if err := h.storeFiles(ctx, tx, t.ID, uuid.Nil, actor, files, &keys, &bad); err != nil {
			return err
		}
		return h.mailNewTicket(ctx, tx, t, u, len(files))
	})
	if err != nil {
		h.forgetFiles(ctx, keys)
		return h.ticketNewAgain(c, err, form, len(files) > 0, bad)
	}
	h.SetFlash(c, web.FlashSuccess, h.ticketCreatedFlash(c, t))
	return h.Redirect(c, ticketsPath+"/"+t.ID.String())
}

// ticketCreatedFlash tells the reference of a new ticket and the deadlines its contract promises,
// in the provider's time zone.
func (h *handler) ticketCreatedFlash(c *fiber.Ctx, t *tickets.Ticket) string {
	lang := web.Lang(c)
	at := func(nt time.Time) string { return i18n.DateTime(lang, nt.In(h.Config.Location)) }
	if !t.HasSLA() || t.ReactionDueAt.IsZero() || t.ResolutionDueAt.IsZero() {
		return h.T(c, "portal.tickets.flash.created_no_sla", "Reference", t.Reference())
	}
	return h.T(c, "portal.tickets.flash.created", "Reference", t.Reference(),
		"Reaction", at(t.ReactionDueAt.Time), "Resolution", at(t.ResolutionDueAt.Time))
}

// ticketNewAgain gives the report form back with the problems of err (422), the user's input kept;
// other errors go to the error handler.
func (h *handler) ticketNewAgain(c *fiber.Ctx, err error, form map[string]string, hadFiles bool, bad string) error {
	p, perr := h.ticketNewData(c)
	if perr != nil {
		return perr
	}
	if ferr := web.FormError(&p.Page, err, form); ferr != nil {
		return ferr
	}
	p.FilesLost = hadFiles
	if p.Err("attachments") != "" {
		p.BadFile = bad
	}
	return h.Render(c, fiber.StatusUnprocessableEntity, "portal/tickets/new", p)
}

// mailNewTicket tells every active manager of a new fault report, within tx: one mail per ticket
// and manager.
func (h *handler) mailNewTicket(ctx context.Context, tx *database.Tx, t *tickets.Ticket, by *accounts.User, files int) error {
	managers, err := accounts.ActiveManagers(ctx, tx)
	if err != nil {
		return err
	}
	org, err := providerName(ctx, tx)
	if err != nil {
		return err
	}
	for _, m := range managers {
		d := map[string]any{
			"Name": m.Name, "Reference": t.Reference(), "Title": t.Title, "ClientName": t.ClientName, "By": by.Name,
			"Impact": tickets.ImpactKey(t.Priority), "Priority": tickets.PriorityKey(t.Priority),
			"Contract": t.ContractReference, "Service": t.ServiceLabel, "Description": t.Description,
			"Phone": t.ContactPhone, "Files": files, "HasSLA": t.HasSLA(),
			"ReactionDue": t.ReactionDueAt.Time, "ResolutionDue": t.ResolutionDueAt.Time,
			"OrgName": org, "Link": h.Config.URL("/admin/tickets/" + t.ID.String()),
		}
		if err := h.SendMailOnce(ctx, tx, m, "ticket_new_staff", d, "ticket-new:"+t.ID.String()+":"+m.ID.String()); err != nil {
			return err
		}
	}
	return nil
}

// mailClientMessage tells the ticket's assignee and every active manager that the
// client wrote, within tx: one mail per event and recipient. event names the message or the
// reopening for the dedupe key.
func (h *handler) mailClientMessage(ctx context.Context, tx *database.Tx, t *tickets.Ticket, by *accounts.User, event, body string, reopened, resumed bool, files int) error {
	var to []*accounts.User
	if t.AssigneeID.Valid {
		a, err := accounts.UserByID(ctx, tx, t.AssigneeID.UUID)
		if err != nil && apperr.KindOf(err) != apperr.NotFound {
			return err
		}
		if err == nil && a.Active {
			to = append(to, a)
		}
	}
	managers, err := accounts.ActiveManagers(ctx, tx)
	if err != nil {
		return err
	}
	for _, m := range managers {
		if len(to) == 0 || to[0].ID != m.ID {
			to = append(to, m)
		}
	}
	org, err := providerName(ctx, tx)
	if err != nil {
		return err
	}
	for _, r := range to {
		d := map[string]any{
			"Name": r.Name, "Reference": t.Reference(), "Title": t.Title, "ClientName": t.ClientName, "By": by.Name,
			"Body": body, "Reopened": reopened, "Resumed": resumed, "Files": files, "OrgName": org,
			"Link": h.Config.URL("/admin/tickets/" + t.ID.String()),
		}
		if err := h.SendMailOnce(ctx, tx, r, "ticket_client_message", d, "ticket-client:"+event+":"+r.ID.String()); err != nil {
			return err
		}
	}
	return nil
}

// providerName is the provider's name, for the signature of mails.
func providerName(ctx context.Context, tx *database.Tx) (string, error) {
	org, err := provider.Get(ctx, tx)
	if err != nil {
		return "", err
	}
	return org.Name, nil
}

// ticketEventView is a line of a ticket's history as the client reads it.
type ticketEventView struct {
	At   time.Time
	Who  string
	Text string
	Note string
}

// ticketShowPage is the view model of a ticket's page in the portal.
type ticketShowPage struct {
	web.Page
	D *tickets.Detail
	T *tickets.Ticket
	// Waiting says the provider waits for the client's answer.
	Waiting bool
	// MayClose and MayReopen offer the resolution's confirmation and the reopening.
	MayClose, MayReopen bool
	ReopenUntil         time.Time
	ReopenExpired       bool
	MayWrite            bool
	Events              []ticketEventView
	MaxFiles            int
	// ReopenOpen unfolds the reopening form (after a problem with it).
	ReopenOpen bool
	FilesLost  bool
	BadFile    string
}

func (h *handler) ticketShowData(c *fiber.Ctx, id uuid.UUID) (*ticketShowPage, error) {
	now := h.Now()
	d, err := tickets.LoadDetailForClient(c.UserContext(), h.DB.Bun, web.ClientID(c), id, now)
	if err != nil {
		return nil, err
	}
	t := d.Ticket
	p := &ticketShowPage{Page: h.NewPage(c, "portal.tickets.title"), D: d, T: t,
		Waiting: t.Status == tickets.StatusWaitingClient, MayClose: t.ClientMayClose(), MayReopen: t.ClientMayReopen(now),
		ReopenUntil: t.ReopenDeadline(), MayWrite: t.Status != tickets.StatusClosed, MaxFiles: tickets.MaxAttachmentsPerMessage}
	p.ReopenExpired = t.Status == tickets.StatusResolved && !p.MayReopen
	p.Title = t.Reference() + " · " + t.Title
	for _, e := range d.Events {
		p.Events = append(p.Events, h.ticketEvent(c, e))
	}
	return p, nil
}

// ticketEvent writes a history entry for the client.
func (h *handler) ticketEvent(c *fiber.Ctx, e *tickets.Event) ticketEventView {
	v := ticketEventView{At: e.At, Who: e.ActorLabel, Note: e.Note}
	if e.IsSystem() {
		v.Who = h.T(c, "tickets.actor.system")
	}
	switch e.Kind {
	case tickets.EventStatus, tickets.EventReopened:
		v.Text = h.T(c, "portal.tickets.event.status", "Status", h.T(c, tickets.Status(e.To).Label()))
		if e.Kind == tickets.EventReopened {
			v.Text = h.T(c, "tickets.event.reopened")
		}
	case tickets.EventPriority:
		v.Text = h.T(c, "tickets.event.priority")
		if p, err := sla.ParsePriority(e.To); err == nil {
			v.Text = h.T(c, "portal.tickets.event.priority", "Impact", h.T(c, tickets.ImpactKey(p)))
		}
	default:
		v.Text = h.T(c, e.Kind.Label())
	}
	return v
}

// handleTicketShow handles the "GET /portal/tickets/:id" route: the ticket, its deadlines, the
// diagnosis and repair plan, the public conversation and what the client may do now.
func (h *handler) handleTicketShow(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	p, err := h.ticketShowData(c, id)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "portal/tickets/show", p)
}

// ticketShowAgain renders a ticket's page with the problem of one of its forms: a field to correct
// (422) or a refusal (409), the user's input kept; other errors go to the error handler.
func (h *handler) ticketShowAgain(c *fiber.Ctx, id uuid.UUID, err error, form map[string]string, reopen, hadFiles bool, bad string) error {
	e, ok := apperr.As(err)
	if !ok || (e.Kind != apperr.Invalid && e.Kind != apperr.Conflict) {
		return err
	}
	p, perr := h.ticketShowData(c, id)
	if perr != nil {
		return perr
	}
	p.Form, p.ReopenOpen = form, reopen
	status := fiber.StatusConflict
	if e.Kind == apperr.Invalid {
		status = fiber.StatusUnprocessableEntity
		p.Errors = e.Fields
		if len(p.Errors) == 0 {
			p.Message = e.Message
		}
		p.FilesLost = hadFiles
		if p.Err("attachments") != "" {
			p.BadFile = bad
		}
	} else {
		p.Message = e.Message
	}
	return h.Render(c, status, "portal/tickets/show", p)
}

// handleTicketMessage handles the "POST /portal/tickets/:id/messages" route: the client adds
// information, with up to MaxAttachmentsPerMessage files. A message on a ticket waiting on the
// client resumes it. The assignee (or, with none, the managers) is told by mail, in the same
// transaction.
func (h *handler) handleTicketMessage(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	clientID := web.ClientID(c)
	if _, err := tickets.GetForClient(ctx, h.DB.Bun, clientID, id); err != nil {
		return err
	}
	u := web.CurrentUser(c)
	body := c.FormValue("body")
	form := map[string]string{"body": body}
	files, err := uploadedFiles(c)
	if err != nil {
		return err
	}
	key, bad, err := checkFiles(files)
	if err != nil {
		return err
	}
	if key != "" {
		f := apperr.Fields{"attachments": key}
		if strings.TrimSpace(body) == "" {
			f.Add("body", "error.required")
		}
		return h.ticketShowAgain(c, id, f.Err(), form, false, true, bad)
	}
	actor := clientActor(c)
	var keys []string
	var resumed bool
	var t *tickets.Ticket
	err = h.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		msg, res, err := tickets.AddMessage(ctx, tx, id, actor, false, body, h.Now())
		if err != nil {
			return err
		}
		resumed = res
		if err := h.storeFiles(ctx, tx, id, msg.ID, actor, files, &keys, &bad); err != nil {
			return err
		}
		if t, err = tickets.GetForClient(ctx, tx, clientID, id); err != nil {
			return err
		}
		return h.mailClientMessage(ctx, tx, t, u, "message:"+msg.ID.String(), msg.Body, false, resumed, len(files))
	})
	if err != nil {
		h.forgetFiles(ctx, keys)
		return h.ticketShowAgain(c, id, err, form, false, len(files) > 0, bad)
	}
	flash := h.T(c, "portal.tickets.flash.message", "Reference", t.Reference())
	if resumed {
		flash = h.T(c, "portal.tickets.flash.message_resumed", "Reference", t.Reference())
	}
	h.SetFlash(c, web.FlashSuccess, flash)
	return h.Redirect(c, ticketsPath+"/"+id.String())
}

// ticketVersion reads the hidden version field of the close and reopen forms.
func ticketVersion(c *fiber.Ctx) int {
	v, _ := strconv.Atoi(c.FormValue("version"))
	return v
}

// handleTicketClose handles the "POST /portal/tickets/:id/close" route: the client confirms that a
// resolved ticket is fixed, which closes it.
func (h *handler) handleTicketClose(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if _, err := tickets.GetForClient(ctx, h.DB.Bun, web.ClientID(c), id); err != nil {
		return err
	}
	var t *tickets.Ticket
	err = h.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		var err error
		t, err = tickets.Transition(ctx, tx, id, tickets.StatusClosed, clientActor(c), "", ticketVersion(c), h.Now())
		return err
	})
	if err != nil {
		return h.ticketShowAgain(c, id, err, nil, false, false, "")
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "portal.tickets.flash.closed", "Reference", t.Reference()))
	return h.Redirect(c, ticketsPath+"/"+id.String())
}

// handleTicketReopen handles the "POST /portal/tickets/:id/reopen" route: the client says a
// resolved ticket is not fixed, with a reason, within tickets.ReopenWindow of the resolution. The
// assignee (or the managers) is told by mail in the same transaction.
func (h *handler) handleTicketReopen(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if _, err := tickets.GetForClient(ctx, h.DB.Bun, web.ClientID(c), id); err != nil {
		return err
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	form := map[string]string{"reason": c.FormValue("reason")}
	if reason == "" {
		return h.ticketShowAgain(c, id, apperr.Fields{"reason": errTicketReason}.Err(), form, true, false, "")
	}
	u := web.CurrentUser(c)
	var t *tickets.Ticket
	err = h.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		var err error
		if t, err = tickets.Transition(ctx, tx, id, tickets.StatusInProgress, clientActor(c), reason, ticketVersion(c), h.Now()); err != nil {
			return err
		}
		return h.mailClientMessage(ctx, tx, t, u, "reopen:"+t.ID.String()+":"+strconv.Itoa(t.ReopenedCount), reason, true, false, 0)
	})
	if err != nil {
		if msg, ok := apperr.FieldsOf(err)["note"]; ok {
			err = apperr.Fields{"reason": msg}.Err()
		}
		return h.ticketShowAgain(c, id, err, form, true, false, "")
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "portal.tickets.flash.reopened", "Reference", t.Reference()))
	return h.Redirect(c, ticketsPath+"/"+id.String())
}

// handleTicketAttachment handles the "GET /portal/tickets/:id/attachments/:aid" route: a file of
// one of the client's tickets, with the type decided from its content, never sniffed by the
// browser, shown in the page only for images and PDF, and never cached by a shared cache.
func (h *handler) handleTicketAttachment(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	aid, err := web.ParseUUID(c.Params("aid"))
	if err != nil {
		return err
	}
	a, rc, err := tickets.OpenAttachmentForClient(c.UserContext(), h.DB.Bun, h.Files, web.ClientID(c), id, aid)
	if err != nil {
		return err
	}
	disposition := "attachment"
	if a.Inline() {
		disposition = "inline"
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderContentDisposition, disposition+"; "+contentDispositionName(a.Filename))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Response().SetBodyStream(rc, int(a.SizeBytes))
	return nil
}

// contentDispositionName writes a file name for Content-Disposition: an ASCII fallback and the
// exact name in UTF-8 (RFC 6266, RFC 8187).
func contentDispositionName(name string) string {
	var ascii, ext strings.Builder
	for _, r := range name {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' {
			ascii.WriteRune(r)
		} else {
			ascii.WriteByte('_')
		}
	}
	const attrChar = "!#$&+-.^_`|~"
	for _, b := range []byte(name) {
		if ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z') || ('0' <= b && b <= '9') || strings.IndexByte(attrChar, b) >= 0 {
			ext.WriteByte(b)
		} else {
			fmt.Fprintf(&ext, "%%%02X", b)
		}
	}
	return `filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}
