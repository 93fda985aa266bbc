package backoffice

import (
	"context"
	"html"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/clients"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/web"
)

const clientsPath = "/admin/clients"

// clientListPage is the view model of the client list.
type clientListPage struct {
	web.Page
	Query     string
	Status    string
	Sort      string
	Dir       string
	Filtered  bool
	Statuses  []string
	Orders    []string
	Order     string
	Clients   []clients.Client
	Total     int
	NextURL   string
	FirstURL  string
	NameSort  clientSortHeader
	DateSort  clientSortHeader
	CanManage bool
}

// clientSortHeader is a sortable column header: the link that sorts by it, and how the list is
// sorted by it now ("ascending", "descending" or "" for aria-sort).
type clientSortHeader struct {
	URL  string
	Aria string
}

// clientListQuery is the state of the list in its URL.
type clientListQuery struct {
	Query, Status, Sort, Dir, After string
}

// url builds the list's URL, leaving out the defaults so that links stay short.
func (q clientListQuery) url() string {
	v := url.Values{}
	if q.Query != "" {
		v.Set("q", q.Query)
	}
	if q.Status != string(clients.StatusActive) {
		v.Set("status", q.Status)
	}
	if q.Sort != string(clients.SortName) {
		v.Set("sort", q.Sort)
	}
	if q.Dir != defaultClientDir(q.Sort) {
		v.Set("dir", q.Dir)
	}
	if q.After != "" {
		v.Set("after", q.After)
	}
	if len(v) == 0 {
		return clientsPath
	}
	return clientsPath + "?" + v.Encode()
}

// defaultClientDir is the direction a column sorts in at the first click: names A to Z, newest first.
func defaultClientDir(sort string) string {
	if sort == string(clients.SortCreated) {
		return "desc"
	}
	return "asc"
}

// handleClientIndex handles the "GET /admin/clients" route: search, filter, sort, keyset pages.
func (h *handler) handleClientIndex(c *fiber.Ctx) error {
	f := clients.Filter{
		Query: c.Query("q"), Status: clients.Status(c.Query("status")), Sort: clients.Sort(c.Query("sort")),
		After: c.Query("after"),
	}
	dir := c.Query("dir")
	// The sort menu of the search form (the only way to sort on a phone, where the date column is
	// hidden) sends both at once as "order".
	if sort, d, ok := strings.Cut(c.Query("order"), "_"); ok {
		f.Sort, dir = clients.Sort(sort), d
	}
	f.Normalize()
	if dir != "asc" && dir != "desc" {
		dir = defaultClientDir(string(f.Sort))
	}
	f.Desc = dir == "desc"
	list, err := clients.List(c.UserContext(), h.DB.Bun, f)
	if err != nil {
		return err
	}
	q := clientListQuery{Query: f.Query, Status: string(f.Status), Sort: string(f.Sort), Dir: dir}
	p := &clientListPage{
		Page: h.NewPage(c, "clients.title"), Query: q.Query, Status: q.Status, Sort: q.Sort, Dir: dir,
		Filtered: f.Query != "" || f.Status != clients.StatusActive,
		Statuses: []string{string(clients.StatusActive), string(clients.StatusArchived), string(clients.StatusAll)},
		Orders:   []string{"name_asc", "name_desc", "created_desc", "created_asc"},
		Order:    q.Sort + "_" + dir,
		Clients:  list.Clients, Total: list.Total, CanManage: web.CurrentUser(c).IsManager(),
	}
	if list.Next != "" {
		next := q
		next.After = list.Next
		p.NextURL = next.url()
	}
	if f.After != "" {
		p.FirstURL = q.url()
	}
	header := func(sort clients.Sort) clientSortHeader {
		s := q
		s.Sort = string(sort)
		if q.Sort == string(sort) {
			hd := clientSortHeader{Aria: "ascending"}
			if q.Dir == "desc" {
				hd.Aria = "descending"
			}
			s.Dir = map[string]string{"asc": "desc", "desc": "asc"}[q.Dir]
			hd.URL = s.url()
			return hd
		}
		s.Dir = defaultClientDir(string(sort))
		return clientSortHeader{URL: s.url()}
	}
	p.NameSort, p.DateSort = header(clients.SortName), header(clients.SortCreated)
	return h.Render(c, fiber.StatusOK, "backoffice/clients/index", p)
}

// clientFormPage is the view model of the client form, for a new client and for an edit.
type clientFormPage struct {
	web.Page
	Client *clients.Client
	IsNew  bool
	Action string
}

// clientFormFields are the form's inputs, named as the catalogue's per-field keys.
var clientFormFields = []string{
	"name", "siren", "siret", "vat_number", "address_line1", "address_line2", "postal_code", "city",
	"country", "billing_email", "phone", "notes", "einvoice_address",
}

// readClientForm reads the submitted client and the raw input (kept for a form shown again).
func readClientForm(c *fiber.Ctx) (*clients.Client, map[string]string) {
	form := map[string]string{}
	for _, name := range clientFormFields {
		form[name] = c.FormValue(name)
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	cl := &clients.Client{
		Name: form["name"], SIREN: form["siren"], SIRET: form["siret"], VATNumber: form["vat_number"],
		AddressLine1: form["address_line1"], AddressLine2: form["address_line2"], PostalCode: form["postal_code"],
		City: form["city"], Country: form["country"], BillingEmail: form["billing_email"], Phone: form["phone"],
		Notes: form["notes"], EInvoiceAddress: form["einvoice_address"], Version: version,
	}
	return cl, form
}

// clientFormValues fills the form with a saved client.
func clientFormValues(cl *clients.Client) map[string]string {
	return map[string]string{
		"name": cl.Name, "siren": cl.SIREN, "siret": cl.SIRET, "vat_number": cl.VATNumber, "einvoice_address": cl.EInvoiceAddress,
		"address_line1": cl.AddressLine1, "address_line2": cl.AddressLine2, "postal_code": cl.PostalCode,
		"city": cl.City, "country": cl.Country, "billing_email": cl.BillingEmail, "phone": cl.Phone, "notes": cl.Notes,
	}
}

func (h *handler) newClientFormPage(c *fiber.Ctx, cl *clients.Client, isNew bool) *clientFormPage {
	p := &clientFormPage{Page: h.NewPage(c, "clients.new.title"), Client: cl, IsNew: isNew, Action: clientsPath}
	if !isNew {
		p.Title = h.T(c, "clients.edit.title", "Name", cl.Name)
		p.Action = clientsPath + "/" + cl.ID.String()
	}
	return p
}

// handleClientNew handles the "GET /admin/clients/new" route.
func (h *handler) handleClientNew(c *fiber.Ctx) error {
	p := h.newClientFormPage(c, &clients.Client{Country: "FR"}, true)
	p.Form = map[string]string{"country": "FR"}
	return h.Render(c, fiber.StatusOK, "backoffice/clients/form", p)
}

// handleClientCreate handles the "POST /admin/clients" route.
func (h *handler) handleClientCreate(c *fiber.Ctx) error {
	cl, form := readClientForm(c)
	err := h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if err := clients.Create(ctx, tx, cl, h.Now()); err != nil {
			return err
		}
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: audit.ClientCreated, TargetType: "client", TargetID: cl.ID.String(), ClientID: cl.ID,
			Details: map[string]any{"name": cl.Name},
		})
	})
	if apperr.KindOf(err) == apperr.Invalid {
		p := h.newClientFormPage(c, cl, true)
		_ = web.FormError(&p.Page, err, form)
		return h.Render(c, fiber.StatusUnprocessableEntity, "backoffice/clients/form", p)
	}
	if err != nil {
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "clients.flash.created", "Name", shortName(cl.Name)))
	return h.Redirect(c, clientsPath+"/"+cl.ID.String())
}

// clientShowPage is the view model of a client's page. The page is a column of sections (identity
// and billing, contacts, and what later features add: contracts, tickets, equipment, invoices).
type clientShowPage struct {
	web.Page
	Client    *clients.Client
	Contacts  []contactRow
	Contracts []*contracts.Contract
	CanManage bool
}

// loadClientShowPage reads what the client's page shows, in a bounded number of queries.
func (h *handler) loadClientShowPage(c *fiber.Ctx, id uuid.UUID) (*clientShowPage, error) {
	ctx := c.UserContext()
	cl, err := clients.Get(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	contacts, err := accounts.ListClientUsers(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	cs, err := contracts.ListByClient(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	p := &clientShowPage{Page: h.NewPage(c, "clients.show.title"), Client: cl, Contacts: contactRows(contacts),
		Contracts: cs, CanManage: web.CurrentUser(c).IsManager()}
	p.Title = cl.Name
	p.Form = map[string]string{"role": string(accounts.Member), "language": "fr"}
	return p, nil
}

// handleClientShow handles the "GET /admin/clients/:id" route.
func (h *handler) handleClientShow(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	p, err := h.loadClientShowPage(c, id)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/clients/show", p)
}

// handleClientEdit handles the "GET /admin/clients/:id/edit" route.
func (h *handler) handleClientEdit(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	cl, err := clients.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	p := h.newClientFormPage(c, cl, false)
	p.Form = clientFormValues(cl)
	return h.Render(c, fiber.StatusOK, "backoffice/clients/form", p)
}

// handleClientUpdate handles the "POST /admin/clients/:id" route. The form carries the version it
// was read at: a save over someone else's change gets 409 and the form again with the input kept.
func (h *handler) handleClientUpdate(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	cl, form := readClientForm(c)
	cl.ID = id
	var saved *clients.Client
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		before, err := clients.Get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := clients.Update(ctx, tx, cl, h.Now()); err != nil {
			return err
		}
		saved = cl
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: audit.ClientUpdated, TargetType: "client", TargetID: id.String(), ClientID: id,
			Details: map[string]any{"changed": changedClientFields(before, cl)},
		})
	})
	switch apperr.KindOf(err) {
	case apperr.Internal:
		if err != nil {
			return err
		}
	case apperr.Invalid, apperr.Conflict:
		current, gerr := clients.Get(c.UserContext(), h.DB.Bun, id)
		if gerr != nil {
			return gerr
		}
		p := h.newClientFormPage(c, current, false)
		status := fiber.StatusUnprocessableEntity
		if apperr.KindOf(err) == apperr.Conflict {
			// The form comes back with the input kept and the version now saved: saving again
			// overwrites knowingly.
			status = fiber.StatusConflict
			p.Message = "error.stale"
			p.Form = form
		} else {
			_ = web.FormError(&p.Page, err, form)
			current.Version = cl.Version
		}
		return h.Render(c, status, "backoffice/clients/form", p)
	default:
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "clients.flash.updated", "Name", shortName(saved.Name)))
	return h.Redirect(c, clientsPath+"/"+id.String())
}

// changedClientFields lists the fields a save changed, for the audit log.
func changedClientFields(before, after *clients.Client) []string {
	b, a := clientFormValues(before), clientFormValues(after)
	out := []string{}
	for _, name := range clientFormFields {
		if b[name] != a[name] {
			out = append(out, name)
		}
	}
	return out
}

// handleClientArchive handles the "POST /admin/clients/:id/archive" route.
func (h *handler) handleClientArchive(c *fiber.Ctx) error {
	return h.setClientArchived(c, true)
}

// handleClientUnarchive handles the "POST /admin/clients/:id/unarchive" route.
func (h *handler) handleClientUnarchive(c *fiber.Ctx) error {
	return h.setClientArchived(c, false)
}

func (h *handler) setClientArchived(c *fiber.Ctx, archived bool) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	var cl *clients.Client
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var changed bool
		var err error
		action := audit.ClientArchived
		if archived {
			changed, err = clients.Archive(ctx, tx, id, h.Now())
		} else {
			action = audit.ClientUnarchived
			changed, err = clients.Unarchive(ctx, tx, id, h.Now())
		}
		if err != nil {
			return err
		}
		if cl, err = clients.Get(ctx, tx, id); err != nil {
			return err
		}
		if !changed {
			return nil
		}
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: action, TargetType: "client", TargetID: id.String(), ClientID: id,
		})
	})
	if err != nil {
		return err
	}
	msg := "clients.flash.unarchived"
	if archived {
		msg = "clients.flash.archived"
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, msg, "Name", shortName(cl.Name)))
	return h.Redirect(c, clientsPath+"/"+id.String())
}

// shortName keeps a name short enough for a flash message (the flash cookie is bounded).
func shortName(s string) string {
	r := []rune(s)
	if len(r) <= 80 {
		return s
	}
	return string(r[:79]) + "…"
}

// handleClientChoices handles the "GET /admin/clients/choices" route: the <option>s of every client a
// list may be filtered by (not archived, plus ?selected= even archived, marked selected), by name.
// The list filters render only the selected client and fetch these when the select is first
// hovered, touched or focused, so a list page does not carry hundreds of clients it rarely needs.
func (h *handler) handleClientChoices(c *fiber.Ctx) error {
	selected, _ := uuid.Parse(c.Query("selected"))
	choices, err := contracts.ClientChoices(c.UserContext(), h.DB.Bun, selected)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("html", "utf-8")
	var b strings.Builder
	b.Grow(len(choices) * 64)
	for _, ch := range choices {
		b.WriteString(`<option value="`)
		b.WriteString(ch.ID.String())
		if ch.ID == selected {
			b.WriteString(`" selected>`)
		} else {
			b.WriteString(`">`)
		}
		b.WriteString(html.EscapeString(ch.Name))
		b.WriteString("</option>\n")
	}
	return c.SendString(b.String())
}
