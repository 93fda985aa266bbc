package backoffice

import (
	"context"
	"net/url"
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
	Clients  []contracts.ClientChoice
	Rows     []interventionRow
	NextURL  string
	FirstURL string
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
	Status, Client, After string
}

func (q interventionListQuery) url(base string) string {
	v := url.Values{}
	for _, kv := range [][2]string{{"status", q.Status}, {"client", q.Client}, {"after", q.After}} {
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
// first, filtered by status and client.
func (h *handler) handleInterventionIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	q := interventionListQuery{After: c.Query("after")}
	f := interventions.Filter{Cursor: q.After}
	if st, ok := interventions.ParseStatus(c.Query("status")); ok {
		f.Statuses, q.Status = []interventions.Status{st}, string(st)
	}
	if id, err := uuid.Parse(c.Query("client")); err == nil {
		f.ClientID, q.Client = id, id.String()
	}
	page, err := interventions.List(ctx, h.DB.Bun, f)
	if err != nil {
		return err
	}
	clients, err := contracts.ClientChoices(ctx, h.DB.Bun, f.ClientID)
	if err != nil {
		return err
	}
	p := &interventionListPage{
		Page: h.NewPage(c, "admin_interventions.title"), Q: q, Filtered: q.Status != "" || q.Client != "",
		Statuses: interventions.Statuses(), Clients: clients, Rows: interventionRows(page.Interventions),
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

// interventionNewPage is the view model of the form creating an intervention.
type interventionNewPage struct {
	web.Page
	Clients   []contracts.ClientChoice
	ClientID  string
	Client    string
	Contracts []tickets.ContractChoice
	Kinds     []interventions.Kind
	Places    []interventions.Place
}

// newInterventionPage fills the form for the client clientID (uuid.Nil: the client is still to
// choose).
func (h *handler) newInterventionPage(c *fiber.Ctx, clientID uuid.UUID, form map[string]string) (*interventionNewPage, error) {
	ctx := c.UserContext()
	choices, err := contracts.ClientChoices(ctx, h.DB.Bun, uuid.Nil)
	if err != nil {
		return nil, err
	}
	p := &interventionNewPage{
		Page: h.NewPage(c, "admin_interventions.new.title"), Clients: choices,
		Kinds: interventions.Kinds(), Places: interventions.Places(),
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
	p, err := h.newInterventionPage(c, clientID, form)
	if err != nil {
		return err
	}
	if len(p.Contracts) == 1 {
		p.Form["contract_id"] = p.Contracts[0].ID.String()
	}
	return h.Render(c, fiber.StatusOK, "backoffice/interventions/new", p)
}

// handleInterventionCreate handles the "POST /admin/interventions" route: records a new
// intervention; without an estimate its duration is unknown (">999").
func (h *handler) handleInterventionCreate(c *fiber.Ctx) error {
	form := map[string]string{}
	for _, k := range []string{"client_id", "contract_id", "ticket", "kind", "place", "title", "estimate", "scheduled_at"} {
		form[k] = c.FormValue(k)
	}
	clientID, _ := uuid.Parse(form["client_id"])
	in := interventions.Input{
		ClientID: clientID, Kind: interventions.Kind(form["kind"]), Place: interventions.Place(form["place"]), Title: form["title"],
	}
	bad := apperr.Fields{}
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
	var i *interventions.Intervention
	err := h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if ref := strings.TrimSpace(form["ticket"]); ref != "" && clientID != uuid.Nil {
			id, err := interventionTicketID(ctx, tx, clientID, ref)
			if err != nil {
				return err
			}
			if id == uuid.Nil {
				bad.Add("ticket_id", "interventions.error.ticket_unknown")
			}
			in.TicketID = id
		}
		var err error
		i, err = interventions.Create(ctx, tx, in, web.Actor(c), h.Now())
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
		p, perr := h.newInterventionPage(c, clientID, form)
		if perr != nil {
			return perr
		}
		p.Errors = map[string]string{}
		rename := map[string]string{"ticket_id": "ticket", "estimated_minutes": "estimate"}
		for k, v := range apperr.FieldsOf(err) {
			if r, ok := rename[k]; ok {
				k = r
			}
			p.Errors[k] = v
		}
		return h.Render(c, fiber.StatusUnprocessableEntity, "backoffice/interventions/new", p)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_interventions.flash.created", "Reference", i.Reference()))
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
