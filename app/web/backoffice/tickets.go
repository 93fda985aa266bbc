package backoffice

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/sla"
	"maintenant/app/tickets"
	"maintenant/app/web"
)

const ticketsPath = "/admin/tickets"

// Values of the queue's "status" filter besides a status name: the work still to do (the default),
// the finished tickets, and every ticket.
const (
	ticketStatusOpen   = ""
	ticketStatusClosed = "closed_group"
	ticketStatusAll    = "all"
)

// ticketAssigneeNone is the queue's "assignee" filter for the tickets assigned to nobody.
const ticketAssigneeNone = "none"

// ticketListPage is the view model of the queue.
type ticketListPage struct {
	web.Page
	Q         ticketListQuery
	Filtered  bool
	Statuses  []tickets.Status
	Prios     []sla.Priority
	States    []tickets.SLAState
	Clients   []contracts.ClientChoice
	Assignees []tickets.Choice
	Rows      []ticketRow
	NextURL   string
	FirstURL  string
	DueSort   string
	NewSort   string
	// Quick are one-tap filters for the usual questions ("mine", "unassigned", "breached").
	Quick []ticketQuick
}

// ticketQuick is a one-tap filter of the queue.
type ticketQuick struct {
	Label  string
	URL    string
	Active bool
}

// ticketRow is one line of the queue.
type ticketRow struct {
	T   *tickets.Ticket
	SLA tickets.SLAState
	// Due is the deadline of the clock running now (zero when none) and Rel says how far it is.
	Due time.Time
	Rel *ticketRel
}

// ticketRel is a wall-clock distance to a deadline in words: the catalogue key with its duration.
type ticketRel struct {
	Key      string
	Duration string
	Late     bool
}

// ticketRelative says how far a deadline is from now ("dans 2 h 30", "dépassé de 1 h").
func ticketRelative(due, now time.Time) *ticketRel {
	if due.IsZero() {
		return nil
	}
	d := due.Sub(now)
	if d < 0 {
		return &ticketRel{Key: "admin_tickets.rel.overdue", Duration: ticketDuration(-d), Late: true}
	}
	return &ticketRel{Key: "admin_tickets.rel.in", Duration: ticketDuration(d)}
}

// ticketDuration writes a duration in hours and minutes, or in days past two days.
func ticketDuration(d time.Duration) string {
	if d >= 48*time.Hour {
		return i18n.Duration(d.Truncate(24*time.Hour)/24) + "j"
	}
	return i18n.Duration(d)
}

// ticketListQuery is the state of the queue in its URL.
type ticketListQuery struct {
	Status, Priority, Client, Assignee, SLA, Search, Sort, After string
}

func (q ticketListQuery) url() string {
	v := url.Values{}
	for _, kv := range [][2]string{{"status", q.Status}, {"priority", q.Priority}, {"client", q.Client},
		{"assignee", q.Assignee}, {"sla", q.SLA}, {"q", q.Search}, {"after", q.After}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if q.Sort == tickets.SortNewest {
		v.Set("sort", q.Sort)
	}
	if len(v) == 0 {
		return ticketsPath
	}
	return ticketsPath + "?" + v.Encode()
}

// handleTicketIndex handles the "GET /admin/tickets" route: the queue, filtered by status,
// priority, client, assignee, SLA state and text, sorted by nearest deadline or newest first.
func (h *handler) handleTicketIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := h.Now()
	q := ticketListQuery{Search: strings.TrimSpace(c.Query("q")), After: c.Query("after")}
	if len([]rune(q.Search)) > 100 {
		q.Search = string([]rune(q.Search)[:100])
	}
	f := tickets.QueueFilter{Search: q.Search, After: q.After, Now: now, Statuses: tickets.OpenStatuses()}
	switch s := c.Query("status"); s {
	case ticketStatusAll:
		f.Statuses, q.Status = nil, s
	case ticketStatusClosed:
		f.Statuses, q.Status = []tickets.Status{tickets.StatusResolved, tickets.StatusClosed}, s
	default:
		if st, ok := tickets.ParseStatus(s); ok {
			f.Statuses, q.Status = []tickets.Status{st}, s
		}
	}
	if p, err := sla.ParsePriority(c.Query("priority")); err == nil && c.Query("priority") != "" {
		f.Priority, q.Priority = p, p.String()
	}
	if id, err := uuid.Parse(c.Query("client")); err == nil {
		f.ClientID, q.Client = id, id.String()
	}
	if a := c.Query("assignee"); a == ticketAssigneeNone {
		f.Unassigned, q.Assignee = true, a
	} else if id, err := uuid.Parse(a); err == nil {
		f.AssigneeID, q.Assignee = id, id.String()
	}
	if st, ok := tickets.ParseSLAState(c.Query("sla")); ok {
		f.SLA, q.SLA = st, string(st)
	}
	if c.Query("sort") == tickets.SortNewest {
		f.Sort, q.Sort = tickets.SortNewest, tickets.SortNewest
	}
	page, err := tickets.Queue(ctx, h.DB.Bun, f)
	if err != nil {
		return err
	}
	clientChoices, err := contracts.SelectedClient(ctx, h.DB.Bun, f.ClientID)
	if err != nil {
		return err
	}
	assignees, err := tickets.AssigneeChoices(ctx, h.DB.Bun)
	if err != nil {
		return err
	}
	p := &ticketListPage{
		Page: h.NewPage(c, "admin_tickets.title"), Q: q,
		Filtered: q.Status != "" || q.Priority != "" || q.Client != "" || q.Assignee != "" || q.SLA != "" || q.Search != "",
		Statuses: tickets.Statuses(), Prios: sla.Priorities(), States: tickets.SLAStates(),
		Clients: clientChoices, Assignees: assignees,
	}
	for _, t := range page.Tickets {
		row := ticketRow{T: t, SLA: t.SLAAt(now).State}
		if !t.NextDueAt.IsZero() {
			row.Due = t.NextDueAt.Time
			row.Rel = ticketRelative(row.Due, now)
		}
		p.Rows = append(p.Rows, row)
	}
	me := web.CurrentUser(c).ID.String()
	for _, qf := range []struct {
		label string
		q     ticketListQuery
	}{
		{"admin_tickets.quick.all", ticketListQuery{}},
		{"admin_tickets.quick.mine", ticketListQuery{Assignee: me}},
		{"admin_tickets.quick.unassigned", ticketListQuery{Assignee: ticketAssigneeNone}},
		{"admin_tickets.quick.at_risk", ticketListQuery{SLA: string(tickets.SLAAtRisk)}},
		{"admin_tickets.quick.breached", ticketListQuery{SLA: string(tickets.SLABreached)}},
	} {
		cur := q
		cur.After, cur.Sort = "", ""
		p.Quick = append(p.Quick, ticketQuick{Label: qf.label, URL: qf.q.url(), Active: cur == qf.q})
	}
	base := q
	base.After = ""
	if page.Next != "" {
		next := q
		next.After = page.Next
		p.NextURL = next.url()
	}
	if q.After != "" {
		p.FirstURL = base.url()
	}
	base.Sort = tickets.SortDeadline
	p.DueSort = base.url()
	base.Sort = tickets.SortNewest
	p.NewSort = base.url()
	return h.Render(c, fiber.StatusOK, "backoffice/tickets/index", p)
}

// ticketNewPage is the view model of the form with which staff log a ticket reported by phone or
// email.
type ticketNewPage struct {
	web.Page
	Clients   []contracts.ClientChoice
	ClientID  string
	Client    string
	Contacts  []accounts.User
	Contracts []tickets.ContractChoice
	Prios     []sla.Priority
	Channels  []tickets.Channel
}

// newTicketPage fills the form for the client clientID (uuid.Nil: the client is still to choose).
func (h *handler) newTicketPage(c *fiber.Ctx, clientID uuid.UUID, form map[string]string) (*ticketNewPage, error) {
	ctx := c.UserContext()
	choices, err := contracts.ClientChoices(ctx, h.DB.Bun, uuid.Nil)
	if err != nil {
		return nil, err
	}
	p := &ticketNewPage{
		Page: h.NewPage(c, "admin_tickets.new.title"), Clients: choices, Prios: sla.Priorities(),
		Channels: []tickets.Channel{tickets.ChannelPhone, tickets.ChannelEmail},
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
	users, err := accounts.ListClientUsers(ctx, h.DB.Bun, clientID)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Active {
			p.Contacts = append(p.Contacts, u)
		}
	}
	if p.Contracts, err = tickets.ContractChoices(ctx, h.DB.Bun, clientID, h.Now(), h.Config.Location); err != nil {
		return nil, err
	}
	return p, nil
}

// handleTicketNew handles the "GET /admin/tickets/new" route: choose the client first
// (?client=<id>), then the contact, the contract and what happened.
func (h *handler) handleTicketNew(c *fiber.Ctx) error {
	clientID, _ := uuid.Parse(c.Query("client"))
	form := map[string]string{"priority": sla.Normal.String(), "channel": string(tickets.ChannelPhone)}
	p, err := h.newTicketPage(c, clientID, form)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/tickets/new", p)
}

// ticketContractService splits the form's "contract_service" value, "<contract id>|<service label>"
// ("" for no contract).
func ticketContractService(v string) (uuid.UUID, string, bool) {
	if v == "" {
		return uuid.Nil, "", true
	}
	idStr, label, _ := strings.Cut(v, "|")
	id, err := uuid.Parse(idStr)
	if err != nil {
		return uuid.Nil, "", false
	}
	return id, label, true
}

// handleTicketCreate handles the "POST /admin/tickets" route: staff log a fault reported by phone or
// email on behalf of a client contact. The contact is one of the client's active users, or, for
// someone without an account, only a name.
func (h *handler) handleTicketCreate(c *fiber.Ctx) error {
	form := map[string]string{}
	for _, k := range []string{"client_id", "reporter_id", "reporter_label", "contact_phone", "contract_service",
		"title", "description", "priority", "channel"} {
		form[k] = c.FormValue(k)
	}
	clientID, _ := uuid.Parse(form["client_id"])
	in := tickets.OpenInput{
		ClientID: clientID, Title: form["title"], Description: form["description"], Channel: tickets.Channel(form["channel"]),
		ReporterLabel: form["reporter_label"], ContactPhone: form["contact_phone"],
	}
	bad := apperr.Fields{}
	if form["client_id"] != "" && clientID == uuid.Nil {
		bad.Add("client_id", "tickets.error.client_unknown")
	}
	if in.Channel != tickets.ChannelPhone && in.Channel != tickets.ChannelEmail {
		bad.Add("channel", "tickets.error.channel")
	}
	if pr, err := sla.ParsePriority(form["priority"]); err == nil {
		in.Priority = pr
	}
	if form["reporter_id"] != "" {
		id, err := uuid.Parse(form["reporter_id"])
		if err != nil {
			bad.Add("reporter_id", "tickets.error.reporter_unknown")
		}
		in.ReporterID = id
	}
	var ok bool
	if in.ContractID, in.ServiceLabel, ok = ticketContractService(form["contract_service"]); !ok {
		bad.Add("contract_service", "tickets.error.contract_unknown")
	}
	u := web.CurrentUser(c)
	actor := tickets.StaffActor(web.Actor(c), u.Name)
	var t *tickets.Ticket
	err := h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		t, err = tickets.Open(ctx, tx, in, actor, h.Now(), h.Config.Location)
		if err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				return err
			}
			for k, v := range apperr.FieldsOf(err) {
				bad.Add(k, v)
			}
		}
		return bad.Err()
	})
	if err != nil {
		if apperr.KindOf(err) != apperr.Invalid {
			return err
		}
		fields := apperr.FieldsOf(err)
		for _, k := range []string{"contract_id", "service_label"} {
			if v, ok := fields[k]; ok {
				delete(fields, k)
				if _, has := fields["contract_service"]; !has {
					fields["contract_service"] = v
				}
			}
		}
		p, perr := h.newTicketPage(c, clientID, form)
		if perr != nil {
			return perr
		}
		p.Errors = fields
		return h.Render(c, fiber.StatusUnprocessableEntity, "backoffice/tickets/new", p)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_tickets.flash.created", "Reference", t.Reference()))
	return h.Redirect(c, ticketsPath+"/"+t.ID.String())
}
