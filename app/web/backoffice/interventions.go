package backoffice

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/interventions"
	"maintenant/app/scheduling"
	"maintenant/app/tickets"
	"maintenant/app/web"
)

const interventionsPath = "/admin/interventions"

// interventionListPage is the view model of the list of interventions and of the pending list.
type interventionListPage struct {
	web.Page
	Q        interventionListQuery
	Pending  bool
	Filtered bool
	Statuses []interventions.Status
	Kinds    []interventions.Kind
	Clients  []contracts.ClientChoice
	Staff    []tickets.Choice
	// Contracts are the chosen client's, offered once a client is chosen.
	Contracts []*contracts.Contract
	Rows      []interventionRow
	NextURL   string
	FirstURL  string
}

// interventionRow is one line of a list.
type interventionRow struct {
	I *interventions.Intervention
	// Estimate is the estimated duration in words, "" when unknown.
	Estimate string
}

// interventionRows makes the lines of a list.
func interventionRows(is []*interventions.Intervention) []interventionRow {
	out := make([]interventionRow, 0, len(is))
	for _, i := range is {
		out = append(out, interventionRow{I: i, Estimate: interventionMinutes(i.EstimatedMinutes)})
	}
	return out
}

// interventionMinutes writes minutes as "1 h 30" ("" for 0).
func interventionMinutes(m int) string {
	if m == 0 {
		return ""
	}
	return i18n.Duration(time.Duration(m) * time.Minute)
}

// interventionListQuery is the state of the list in its URL.
type interventionListQuery struct {
	Status, Kind, Client, Contract, Tech, After string
}

// filtered tells whether any filter is set.
func (q interventionListQuery) filtered() bool {
	return q.Status != "" || q.Kind != "" || q.Client != "" || q.Contract != "" || q.Tech != ""
}

func (q interventionListQuery) url(base string) string {
	v := url.Values{}
	for _, kv := range [][2]string{{"status", q.Status}, {"kind", q.Kind}, {"client", q.Client}, {"contract", q.Contract},
		{"tech", q.Tech}, {"after", q.After}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

// handleInterventionIndex handles the "GET /admin/interventions" route: every intervention, newest
// first, filtered by status, kind, client, contract and technician.
func (h *handler) handleInterventionIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	q := interventionListQuery{After: c.Query("after")}
	f := interventions.Filter{Cursor: q.After}
	if st, ok := interventions.ParseStatus(c.Query("status")); ok {
		f.Statuses, q.Status = []interventions.Status{st}, string(st)
	}
	if k := interventions.Kind(c.Query("kind")); k.Valid() {
		f.Kind, q.Kind = k, string(k)
	}
	if id, err := uuid.Parse(c.Query("client")); err == nil {
		f.ClientID, q.Client = id, id.String()
	}
	if id, err := uuid.Parse(c.Query("contract")); err == nil {
		f.ContractID, q.Contract = id, id.String()
	}
	if id, err := uuid.Parse(c.Query("tech")); err == nil {
		f.TechnicianID, q.Tech = id, id.String()
	}
	page, err := interventions.List(ctx, h.DB.Bun, f)
	if err != nil {
		return err
	}
	clients, err := contracts.SelectedClient(ctx, h.DB.Bun, f.ClientID)
	if err != nil {
		return err
	}
	staff, err := tickets.AssigneeChoices(ctx, h.DB.Bun)
	if err != nil {
		return err
	}
	p := &interventionListPage{
		Page: h.NewPage(c, "admin_interventions.title"), Q: q, Filtered: q.filtered(),
		Statuses: interventions.Statuses(), Kinds: interventions.Kinds(), Clients: clients, Staff: staff,
		Rows: interventionRows(page.Interventions),
	}
	if f.ClientID != uuid.Nil {
		if p.Contracts, err = contracts.ListByClient(ctx, h.DB.Bun, f.ClientID); err != nil {
			return err
		}
	}
	h.interventionPager(p, page.Next, interventionsPath)
	return h.Render(c, fiber.StatusOK, "backoffice/interventions/index", p)
}

// handleInterventionPending handles the "GET /admin/interventions/pending" route: what is waiting or
// going on, oldest first, so that nothing is left waiting.
func (h *handler) handleInterventionPending(c *fiber.Ctx) error {
	q := interventionListQuery{After: c.Query("after")}
	page, err := interventions.Pending(c.UserContext(), h.DB.Bun, q.After, 0)
	if err != nil {
		return err
	}
	p := &interventionListPage{
		Page: h.NewPage(c, "admin_interventions.pending.title"), Q: q, Pending: true, Rows: interventionRows(page.Interventions),
	}
	h.interventionPager(p, page.Next, interventionsPath+"/pending")
	return h.Render(c, fiber.StatusOK, "backoffice/interventions/index", p)
}

// interventionPager sets the links to the next and the first page.
func (h *handler) interventionPager(p *interventionListPage, next, base string) {
	if next != "" {
		n := p.Q
		n.After = next
		p.NextURL = n.url(base)
	}
	if p.Q.After != "" {
		first := p.Q
		first.After = ""
		p.FirstURL = first.url(base)
	}
}

// interventionNewPage is the view model of the form creating an intervention, and of the form
// editing its header (Edit set).
type interventionNewPage struct {
	web.Page
	Clients   []contracts.ClientChoice
	ClientID  string
	Client    string
	Contracts []tickets.ContractChoice
	Kinds     []interventions.Kind
	Places    []interventions.Place
	Staff     []tickets.Choice
	// Checked are the technicians ticked (ids).
	Checked map[string]bool
	// Overlaps are the technicians' other interventions overlapping the slot: the save waits for
	// the confirmation (schedule_overlap.go).
	Overlaps []*scheduling.Entry
	// Edit is the intervention whose header is edited (nil: a new one); Version the version the
	// form saves against.
	Edit    *interventions.Intervention
	Version int
	// Frozen: the sheet is completed or cancelled, its header no longer changes.
	Frozen bool
}

// interventionFormKeys are the fields of the header form, as typed.
var interventionFormKeys = []string{"client_id", "contract_id", "ticket", "kind", "place", "title", "estimate", "scheduled_at"}

// interventionFormRename maps the store's field names to the form's.
var interventionFormRename = map[string]string{"ticket_id": "ticket", "estimated_minutes": "estimate"}

// newInterventionPage fills the form for the client clientID (uuid.Nil: the client is still to
// choose).
func (h *handler) newInterventionPage(c *fiber.Ctx, clientID uuid.UUID, form map[string]string, checked map[string]bool) (*interventionNewPage, error) {
	ctx := c.UserContext()
	choices, err := contracts.ClientChoices(ctx, h.DB.Bun, uuid.Nil)
	if err != nil {
		return nil, err
	}
	staff, err := tickets.AssigneeChoices(ctx, h.DB.Bun)
	if err != nil {
		return nil, err
	}
	p := &interventionNewPage{
		Page: h.NewPage(c, "admin_interventions.new.title"), Clients: choices,
		Kinds: interventions.Kinds(), Places: interventions.Places(), Staff: staff, Checked: checked,
	}
	p.Form = form
	for _, ch := range choices {
		if ch.ID == clientID {
			p.ClientID, p.Client = ch.ID.String(), ch.Name
		}
	}
	if p.ClientID == "" {
		return p, nil
	}
	if p.Contracts, err = tickets.ContractChoices(ctx, h.DB.Bun, clientID, h.Now(), h.Config.Location); err != nil {
		return nil, err
	}
	return p, nil
}

// handleInterventionNew handles the "GET /admin/interventions/new" route: choose the client first
// (?client=<id>), then the rest.
func (h *handler) handleInterventionNew(c *fiber.Ctx) error {
	clientID, _ := uuid.Parse(c.Query("client"))
	form := map[string]string{"kind": string(interventions.KindCorrective), "place": string(interventions.PlaceOnSite)}
	p, err := h.newInterventionPage(c, clientID, form, nil)
	if err != nil {
		return err
	}
	if len(p.Contracts) == 1 {
		p.Form["contract_id"] = p.Contracts[0].ID.String()
	}
	return h.Render(c, fiber.StatusOK, "backoffice/interventions/new", p)
}

// readInterventionForm reads the header form: the values as typed, the technicians ticked, and the
// input they make; what cannot be read is in bad. The ticket, typed by its reference, is looked up
// later (interventionTicketID).
func (h *handler) readInterventionForm(c *fiber.Ctx) (form map[string]string, checked map[string]bool, in interventions.Input, bad apperr.Fields) {
	form, checked, bad = map[string]string{}, map[string]bool{}, apperr.Fields{}
	for _, k := range interventionFormKeys {
		form[k] = c.FormValue(k)
	}
	clientID, _ := uuid.Parse(form["client_id"])
	in = interventions.Input{
		ClientID: clientID, Kind: interventions.Kind(form["kind"]), Place: interventions.Place(form["place"]), Title: form["title"],
	}
	if form["contract_id"] != "" {
		id, err := uuid.Parse(form["contract_id"])
		if err != nil {
			bad.Add("contract_id", "interventions.error.contract_unknown")
		}
		in.ContractID = id
	}
	if strings.TrimSpace(form["estimate"]) != "" {
		m, ok := parseInterventionMinutes(form["estimate"])
		if !ok || m <= 0 {
			bad.Add("estimated_minutes", "interventions.error.estimate")
		}
		in.EstimatedMinutes = max(m, 0)
	}
	if strings.TrimSpace(form["scheduled_at"]) != "" {
		at, ok := h.parseInterventionTime(form["scheduled_at"])
		if !ok {
			bad.Add("scheduled_at", "admin_interventions.error.datetime")
		}
		in.ScheduledAt = at
	}
	for _, raw := range c.Request().PostArgs().PeekMulti("technicians") {
		id, err := uuid.Parse(string(raw))
		if err != nil {
			bad.Add("technicians", "interventions.error.technician_unknown")
			continue
		}
		checked[id.String()] = true
		in.Technicians = append(in.Technicians, id)
	}
	return form, checked, in, bad
}

// resolveInterventionTicket sets the ticket of in from its typed reference, or records in bad that
// the client has no such ticket.
func resolveInterventionTicket(ctx context.Context, tx *database.Tx, in *interventions.Input, ref string, bad apperr.Fields) error {
	ref = strings.TrimSpace(ref)
	if ref == "" || in.ClientID == uuid.Nil {
		return nil
	}
	id, err := interventionTicketID(ctx, tx, in.ClientID, ref)
	if err != nil {
		return err
	}
	if id == uuid.Nil {
		bad.Add("ticket_id", "interventions.error.ticket_unknown")
	}
	in.TicketID = id
	return nil
}

// addInterventionProblems adds the problems of an Invalid error to bad; other errors are returned.
func addInterventionProblems(err error, bad apperr.Fields) error {
	if err == nil {
		return nil
	}
	if apperr.KindOf(err) != apperr.Invalid {
		return err
	}
	for k, v := range apperr.FieldsOf(err) {
		bad.Add(k, v)
	}
	return nil
}

// handleInterventionCreate handles the "POST /admin/interventions" route: records a new
// intervention; without an estimate its duration is unknown (">999").
func (h *handler) handleInterventionCreate(c *fiber.Ctx) error {
	form, checked, in, bad := h.readInterventionForm(c)
	var i *interventions.Intervention
	var overlaps []*scheduling.Entry
	err := h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if err := resolveInterventionTicket(ctx, tx, &in, form["ticket"], bad); err != nil {
			return err
		}
		var err error
		if len(bad) == 0 && c.FormValue("confirm_overlap") != "1" {
			if overlaps, err = interventionOverlaps(ctx, tx, uuid.Nil, in, nil); err != nil {
				return err
			}
			if len(overlaps) > 0 {
				return errOverlap()
			}
		}
		i, err = interventions.Create(ctx, tx, in, web.Actor(c), h.Now())
		if err := addInterventionProblems(err, bad); err != nil {
			return err
		}
		return bad.Err()
	})
	if err != nil {
		e, ok := web.Refused(err)
		if !ok {
			return err
		}
		p, perr := h.newInterventionPage(c, in.ClientID, form, checked)
		if perr != nil {
			return perr
		}
		p.Overlaps = overlaps
		return h.Render(c, web.ShowRefusal(&p.Page, e, interventionFormRename), "backoffice/interventions/new", p)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_interventions.flash.created", "Reference", i.Reference()))
	return h.Redirect(c, interventionsPath+"/"+i.ID.String())
}

// editInterventionPage fills the header form of intervention i; form and checked, when not nil, are
// the user's input shown instead of the saved values.
func (h *handler) editInterventionPage(c *fiber.Ctx, i *interventions.Intervention, form map[string]string, checked map[string]bool) (*interventionNewPage, error) {
	if form == nil {
		form = map[string]string{"contract_id": "", "kind": string(i.Kind), "place": string(i.Place), "title": i.Title,
			"estimate": interventionMinutes(i.EstimatedMinutes)}
		if i.ContractID.Valid {
			form["contract_id"] = i.ContractID.UUID.String()
		}
		if !i.ScheduledAt.IsZero() {
			form["scheduled_at"] = i.ScheduledAt.In(h.Config.Location).Format("2006-01-02T15:04")
		}
		if i.TicketID.Valid {
			var n int
			if err := h.DB.Bun.NewSelect().Table("tickets").Column("number").Where("id = ?", i.TicketID.UUID).
				Scan(c.UserContext(), &n); err != nil {
				return nil, err
			}
			form["ticket"] = tickets.Reference(n)
		}
		checked = map[string]bool{}
		for _, t := range i.Technicians {
			checked[t.ID.String()] = true
		}
	}
	p, err := h.newInterventionPage(c, i.ClientID, form, checked)
	if err != nil {
		return nil, err
	}
	p.Edit, p.Version, p.Frozen = i, i.Version, i.Status.IsFinal()
	p.Title = h.T(c, "admin_interventions.edit.title", "Reference", i.Reference())
	if p.Client == "" {
		p.ClientID, p.Client = i.ClientID.String(), i.ClientName // an archived client keeps its sheets
	}
	// The contract of the intervention stays offered even when it no longer runs.
	if i.ContractID.Valid && !slices.ContainsFunc(p.Contracts, func(ch tickets.ContractChoice) bool { return ch.ID == i.ContractID.UUID }) {
		p.Contracts = append(p.Contracts, tickets.ContractChoice{ID: i.ContractID.UUID, Reference: i.ContractReference})
	}
	// A technician no longer active stays shown while assigned.
	for _, t := range i.Technicians {
		if !slices.ContainsFunc(p.Staff, func(ch tickets.Choice) bool { return ch.ID == t.ID }) {
			p.Staff = append(p.Staff, tickets.Choice{ID: t.ID, Name: t.Name})
		}
	}
	return p, nil
}

// handleInterventionEdit handles the "GET /admin/interventions/:id/edit" route: the header of an
// open intervention (contract, ticket, kind, place, title, estimate, date, technicians). A completed
// or cancelled one is frozen: 409 with the reason.
func (h *handler) handleInterventionEdit(c *fiber.Ctx) error {
	id, err := interventionID(c)
	if err != nil {
		return err
	}
	i, err := interventions.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	p, err := h.editInterventionPage(c, i, nil, nil)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if p.Frozen {
		status, p.Message = fiber.StatusConflict, interventions.ErrFrozen
	}
	return h.Render(c, status, "backoffice/interventions/new", p)
}

// handleInterventionUpdate handles the "POST /admin/interventions/:id" route: saves the header of
// an open intervention against the version the form was read at (409 when someone saved in
// between, the input kept).
func (h *handler) handleInterventionUpdate(c *fiber.Ctx) error {
	id, err := interventionID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	before, err := interventions.Get(ctx, h.DB.Bun, id)
	if err != nil {
		return err
	}
	form, checked, in, bad := h.readInterventionForm(c)
	in.ClientID = before.ClientID // an intervention never changes client
	var i *interventions.Intervention
	var overlaps []*scheduling.Entry
	err = h.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		if before.Status.IsFinal() {
			return apperr.Conflictf(interventions.ErrFrozen)
		}
		if err := resolveInterventionTicket(ctx, tx, &in, form["ticket"], bad); err != nil {
			return err
		}
		if len(bad) > 0 {
			// Nothing is saved: the problems of the rest of the form come with those already found.
			check := in
			check.Normalize()
			if err := addInterventionProblems(check.Validate(), bad); err != nil {
				return err
			}
			return bad.Err()
		}
		if c.FormValue("confirm_overlap") != "1" {
			var err error
			if overlaps, err = interventionOverlaps(ctx, tx, id, in, before); err != nil {
				return err
			}
			if len(overlaps) > 0 {
				return errOverlap()
			}
		}
		var err error
		i, err = interventions.Update(ctx, tx, id, in, interventionVersion(c), web.Actor(c), h.Now())
		return err
	})
	if err != nil {
		e, ok := web.Refused(err)
		if !ok {
			return err
		}
		// Shown again against the current state: a stale form can then be saved again on purpose.
		current, gerr := interventions.Get(ctx, h.DB.Bun, id)
		if gerr != nil {
			return gerr
		}
		p, perr := h.editInterventionPage(c, current, form, checked)
		if perr != nil {
			return perr
		}
		p.Overlaps = overlaps
		return h.Render(c, web.ShowRefusal(&p.Page, e, interventionFormRename), "backoffice/interventions/new", p)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_interventions.flash.updated", "Reference", i.Reference()))
	return h.Redirect(c, interventionsPath+"/"+i.ID.String())
}

// interventionTicketID finds the ticket of the client by its reference as people type it ("T-0042",
// "42"); uuid.Nil when there is none.
func interventionTicketID(ctx context.Context, tx *database.Tx, clientID uuid.UUID, ref string) (uuid.UUID, error) {
	n, ok := tickets.ParseReference(ref)
	if !ok {
		return uuid.Nil, nil
	}
	var ids []uuid.UUID
	if err := tx.NewSelect().Table("tickets").Column("id").Where("number = ? AND client_id = ?", n, clientID).
		Scan(ctx, &ids); err != nil {
		return uuid.Nil, err
	}
	if len(ids) == 0 {
		return uuid.Nil, nil
	}
	return ids[0], nil
}

// parseInterventionMinutes reads a duration as people type it: "90" (minutes), "1 h 30", "1h30",
// "2 h", "1:30", "45 min". A leading minus gives a negative number (the domain refuses it).
func parseInterventionMinutes(s string) (int, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "min"), "mn")
	if s == "" {
		return 0, false
	}
	hours, mins, split := strings.Cut(s, "h")
	if !split {
		hours, mins, split = strings.Cut(s, ":")
	}
	atoi := func(v string) (int, bool) {
		if v == "" || len(v) > 6 {
			return 0, false
		}
		n, err := strconv.Atoi(v)
		return n, err == nil && n >= 0
	}
	var total int
	if split {
		hv, ok := atoi(hours)
		if !ok {
			return 0, false
		}
		mv := 0
		if mins != "" {
			if mv, ok = atoi(mins); !ok || mv >= 60 {
				return 0, false
			}
		}
		total = hv*60 + mv
	} else {
		v, ok := atoi(s)
		if !ok {
			return 0, false
		}
		total = v
	}
	if neg {
		total = -total
	}
	return total, true
}

// parseInterventionTime reads a date and time typed in the provider's time zone ("2026-03-02T09:30"
// from a datetime-local input, or "2026-03-02 09:30").
func (h *handler) parseInterventionTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, h.Config.Location); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
