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
	"maintenant/app/equipment"
	"maintenant/app/tickets"
	"maintenant/app/web"
)

const equipmentPath = "/admin/equipment"

// stockFilter is the value of the client filter that lists the provider's own loan devices.
const stockFilter = "stock"

// equipmentListQuery is the state of the list in its URL.
type equipmentListQuery struct {
	Client, Kind, Status, Q, After string
}

func (q equipmentListQuery) url() string {
	v := url.Values{}
	for _, kv := range [][2]string{{"client", q.Client}, {"kind", q.Kind}, {"status", q.Status}, {"q", q.Q}, {"after", q.After}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if len(v) == 0 {
		return equipmentPath
	}
	return equipmentPath + "?" + v.Encode()
}

// equipmentListPage is the view model of the equipment list.
type equipmentListPage struct {
	web.Page
	Q        equipmentListQuery
	Filtered bool
	Clients  []contracts.ClientChoice
	Kinds    []equipment.Kind
	Statuses []equipment.Status
	Items    []*equipment.Equipment
	// LabelsURL is the sheet of labels of the list's filter.
	LabelsURL string
	NextURL   string
	FirstURL  string
}

// handleEquipmentIndex handles the "GET /admin/equipment" route: every item, filtered by client (or
// the provider's stock), kind, status and a search on name, make, model, serial and location,
// newest first by keyset pages.
func (h *handler) handleEquipmentIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	q := equipmentListQuery{After: c.Query("after"), Q: strings.TrimSpace(c.Query("q"))}
	f := equipment.Filter{After: q.After, Query: q.Q, Limit: 50}
	if c.Query("client") == stockFilter {
		f.Stock, q.Client = true, stockFilter
	} else if id, err := uuid.Parse(c.Query("client")); err == nil {
		f.ClientID, q.Client = id, id.String()
	}
	if k := equipment.Kind(c.Query("kind")); k.Valid() {
		f.Kind, q.Kind = k, string(k)
	}
	if s := equipment.Status(c.Query("status")); s.Valid() {
		f.Status, q.Status = s, string(s)
	}
	items, more, err := equipment.List(ctx, h.DB.Bun, f)
	if err != nil {
		return err
	}
	clients, err := contracts.SelectedClient(ctx, h.DB.Bun, f.ClientID)
	if err != nil {
		return err
	}
	p := &equipmentListPage{Page: h.NewPage(c, "admin_equipment.title"), Q: q, Clients: clients, Items: items,
		Kinds: equipment.Kinds(), Statuses: equipment.Statuses(),
		Filtered: q.Client != "" || q.Kind != "" || q.Status != "" || q.Q != ""}
	lq := q
	lq.After = ""
	p.LabelsURL = equipmentPath + "/labels.pdf" + strings.TrimPrefix(lq.url(), equipmentPath)
	if more {
		n := q
		last := items[len(items)-1]
		n.After = database.Cursor(last.CreatedAt, last.ID)
		p.NextURL = n.url()
	}
	if q.After != "" {
		first := q
		first.After = ""
		p.FirstURL = first.url()
	}
	return h.Render(c, fiber.StatusOK, "backoffice/equipment/index", p)
}

// equipmentFormPage is the view model of the form creating or editing an item.
type equipmentFormPage struct {
	web.Page
	// E is the item edited (nil for a new one).
	E         *equipment.Equipment
	Clients   []contracts.ClientChoice
	Contracts []tickets.ContractChoice
	Kinds     []equipment.Kind
	Statuses  []equipment.Status
	Action    string
	Stock     bool
}

func (h *handler) equipmentFormData(c *fiber.Ctx, e *equipment.Equipment, clientID uuid.UUID) (*equipmentFormPage, error) {
	ctx := c.UserContext()
	title := "admin_equipment.new.title"
	p := &equipmentFormPage{Kinds: equipment.Kinds(), Statuses: equipment.Statuses(), Action: equipmentPath}
	if e != nil {
		title = "admin_equipment.edit.title"
		p.E, p.Action, clientID = e, equipmentPath+"/"+e.ID.String(), e.ClientID.UUID
		p.Stock = e.Stock()
	}
	p.Page = h.NewPage(c, title)
	var err error
	if p.Clients, err = contracts.ClientChoices(ctx, h.DB.Bun, clientID); err != nil {
		return nil, err
	}
	if clientID != uuid.Nil {
		if p.Contracts, err = tickets.ContractChoices(ctx, h.DB.Bun, clientID, h.Now(), h.Config.Location); err != nil {
			return nil, err
		}
	}
	return p, nil
}

var equipmentFormFields = []string{"client_id", "kind", "name", "make", "model", "serial", "location", "installed_on",
	"purchased_on", "warranty_ends_on", "contract_id", "status", "notes", "seats", "licence_expires_on"}

// handleEquipmentNew handles the "GET /admin/equipment/new" route (?client=<id> or ?client=stock):
// the name is proposed by the provider's convention, the install date being today.
func (h *handler) handleEquipmentNew(c *fiber.Ctx) error {
	ctx := c.UserContext()
	clientID, _ := uuid.Parse(c.Query("client"))
	p, err := h.equipmentFormData(c, nil, clientID)
	if err != nil {
		return err
	}
	today := h.Today()
	p.Form = map[string]string{"kind": string(equipment.KindWorkstation), "status": string(equipment.StatusInService),
		"installed_on": today.Format(time.DateOnly)}
	if c.Query("client") == stockFilter {
		p.Form["client_id"], p.Form["status"], p.Form["kind"] = stockFilter, string(equipment.StatusInStock), string(equipment.KindLaptop)
	} else if clientID != uuid.Nil {
		p.Form["client_id"] = clientID.String()
		name, err := equipment.ProposeName(ctx, h.DB.Bun, clientID, today)
		if err != nil {
			return err
		}
		p.Form["name"] = name
		if len(p.Contracts) == 1 {
			p.Form["contract_id"] = p.Contracts[0].ID.String()
		}
	}
	return h.Render(c, fiber.StatusOK, "backoffice/equipment/form", p)
}

// parseEquipmentForm reads the form; what cannot be parsed is recorded in bad.
func parseEquipmentForm(c *fiber.Ctx) (map[string]string, equipment.Input, apperr.Fields) {
	form := map[string]string{}
	for _, k := range equipmentFormFields {
		form[k] = c.FormValue(k)
	}
	bad := apperr.Fields{}
	in := equipment.Input{Kind: equipment.Kind(form["kind"]), Name: form["name"], Make: form["make"], Model: form["model"],
		Serial: form["serial"], Location: form["location"], Status: equipment.Status(form["status"]), Notes: form["notes"]}
	if form["client_id"] != stockFilter {
		in.ClientID, _ = uuid.Parse(form["client_id"])
	}
	if v := strings.TrimSpace(form["contract_id"]); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			bad.Add("contract_id", "equipment.error.contract_unknown")
		}
		in.ContractID = id
	}
	for _, d := range []struct {
		key string
		to  *time.Time
	}{{"installed_on", &in.InstalledOn}, {"purchased_on", &in.PurchasedOn}, {"warranty_ends_on", &in.WarrantyEndsOn}, {"licence_expires_on", &in.LicenceExpiresOn}} {
		if v := strings.TrimSpace(form[d.key]); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				bad.Add(d.key, "admin_equipment.error.date")
				continue
			}
			*d.to = t
		}
	}
	if v := strings.TrimSpace(form["seats"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			bad.Add("seats", "equipment.error.seats")
		}
		in.Seats = n
	}
	return form, in, bad
}

// handleEquipmentCreate handles the "POST /admin/equipment" route.
func (h *handler) handleEquipmentCreate(c *fiber.Ctx) error {
	form, in, bad := parseEquipmentForm(c)
	if form["client_id"] == "" {
		bad.Add("client_id", "error.required")
	}
	var e *equipment.Equipment
	err := bad.Err()
	if err == nil {
		err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
			var err error
			e, err = equipment.Create(ctx, tx, in, h.Now())
			return err
		})
	}
	if err != nil {
		return h.equipmentFormAgain(c, nil, in.ClientID, form, bad, err)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_equipment.flash.created", "Name", e.Name))
	return h.Redirect(c, equipmentPath+"/"+e.ID.String())
}

func (h *handler) equipmentFormAgain(c *fiber.Ctx, e *equipment.Equipment, clientID uuid.UUID, form map[string]string, bad apperr.Fields, err error) error {
	refusal, ok := web.Refused(err)
	if !ok {
		return err
	}
	p, perr := h.equipmentFormData(c, e, clientID)
	if perr != nil {
		return perr
	}
	p.Form = form
	status := web.ShowRefusal(&p.Page, refusal, nil)
	for k, v := range bad {
		if p.Errors == nil {
			p.Errors = map[string]string{}
		}
		if _, ok := p.Errors[k]; !ok {
			p.Errors[k] = v
		}
	}
	return h.Render(c, status, "backoffice/equipment/form", p)
}

func equipmentID(c *fiber.Ctx) (uuid.UUID, error) { return web.ParseUUID(c.Params("id")) }

// handleEquipmentEdit handles the "GET /admin/equipment/:id/edit" route.
func (h *handler) handleEquipmentEdit(c *fiber.Ctx) error {
	id, err := equipmentID(c)
	if err != nil {
		return err
	}
	e, err := equipment.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	p, err := h.equipmentFormData(c, e, uuid.Nil)
	if err != nil {
		return err
	}
	p.Form = equipmentFormValues(e)
	return h.Render(c, fiber.StatusOK, "backoffice/equipment/form", p)
}

func equipmentFormValues(e *equipment.Equipment) map[string]string {
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	f := map[string]string{"kind": string(e.Kind), "name": e.Name, "make": e.Make, "model": e.Model, "serial": e.Serial,
		"location": e.Location, "installed_on": day(e.InstalledOn), "purchased_on": day(e.PurchasedOn),
		"warranty_ends_on": day(e.WarrantyEndsOn), "status": string(e.Status), "notes": e.Notes,
		"licence_expires_on": day(e.LicenceExpiresOn), "version": strconv.Itoa(e.Version)}
	if e.ContractID.Valid {
		f["contract_id"] = e.ContractID.UUID.String()
	}
	if e.Seats > 0 {
		f["seats"] = strconv.Itoa(e.Seats)
	}
	return f
}

// handleEquipmentUpdate handles the "POST /admin/equipment/:id" route; a stale version is 409 with
// the input kept.
func (h *handler) handleEquipmentUpdate(c *fiber.Ctx) error {
	id, err := equipmentID(c)
	if err != nil {
		return err
	}
	e, err := equipment.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	form, in, bad := parseEquipmentForm(c)
	form["version"] = c.FormValue("version")
	version, _ := strconv.Atoi(form["version"])
	err = bad.Err()
	if err == nil {
		err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
			var err error
			e, err = equipment.Update(ctx, tx, id, in, version, h.Now())
			return err
		})
	}
	if err != nil {
		return h.equipmentFormAgain(c, e, uuid.Nil, form, bad, err)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_equipment.flash.updated", "Name", e.Name))
	return h.Redirect(c, equipmentPath+"/"+e.ID.String())
}

// equipmentShowPage is the view model of an item's page with its history.
type equipmentShowPage struct {
	web.Page
	E        *equipment.Equipment
	H        *equipment.History
	Warranty *web.CivilDate
	Licence  *web.CivilDate
	// Open is the current workshop stay, if any.
	Open *equipment.Intake
	// BoxDisposable tells that the box kept for warranty can be thrown away (equipment_boxes.go).
	BoxDisposable bool
}

// handleEquipmentShow handles the "GET /admin/equipment/:id" route (what an equipment label's QR
// code opens): the item, its dates and its whole history.
func (h *handler) handleEquipmentShow(c *fiber.Ctx) error {
	id, err := equipmentID(c)
	if err != nil {
		return err
	}
	return h.renderEquipmentShow(c, id, nil)
}

// renderEquipmentShow renders an item's page; refuse, when not nil, puts a refusal on it and
// returns the status.
func (h *handler) renderEquipmentShow(c *fiber.Ctx, id uuid.UUID, refuse func(*equipmentShowPage) int) error {
	ctx := c.UserContext()
	e, err := equipment.Get(ctx, h.DB.Bun, id)
	if err != nil {
		return err
	}
	hist, err := equipment.HistoryOf(ctx, h.DB.Bun, uuid.Nil, e)
	if err != nil {
		return err
	}
	today := h.Today()
	p := &equipmentShowPage{Page: h.NewPage(c, "admin_equipment.show.title"), E: e, H: hist,
		Warranty: h.CivilDate(e.WarrantyEndsOn, today), Licence: h.CivilDate(e.LicenceExpiresOn, today),
		BoxDisposable: e.BoxDisposable(today)}
	p.Title = e.Name
	for _, s := range hist.Stays {
		if s.Open() {
			p.Open = s
		}
	}
	status := fiber.StatusOK
	if refuse != nil {
		status = refuse(p)
	}
	return h.Render(c, status, "backoffice/equipment/show", p)
}

// expiryRow is one line of the expiry list.
type expiryRow struct {
	X   equipment.Expiry
	Due *web.CivilDate
}

// expiryListPage is the view model of the expiry list.
type expiryListPage struct {
	web.Page
	Client   string
	Clients  []contracts.ClientChoice
	Rows     []expiryRow
	NextURL  string
	FirstURL string
}

// handleEquipmentExpiries handles the "GET /admin/equipment/expiries" route: warranty and licence
// ends from 30 days ago on, soonest first, by keyset pages (the boxes kept for warranty are stored
// by this date).
func (h *handler) handleEquipmentExpiries(c *fiber.Ctx) error {
	ctx := c.UserContext()
	today := h.Today()
	f := equipment.ExpiryFilter{From: today.AddDate(0, 0, -30), After: c.Query("after"), Limit: 50}
	p := &expiryListPage{Page: h.NewPage(c, "admin_equipment.expiries.title")}
	if id, err := uuid.Parse(c.Query("client")); err == nil {
		f.ClientID, p.Client = id, id.String()
	}
	xs, more, err := equipment.Expiries(ctx, h.DB.Bun, f)
	if err != nil {
		return err
	}
	if p.Clients, err = contracts.SelectedClient(ctx, h.DB.Bun, f.ClientID); err != nil {
		return err
	}
	link := func(after string) string {
		v := url.Values{}
		if p.Client != "" {
			v.Set("client", p.Client)
		}
		if after != "" {
			v.Set("after", after)
		}
		if len(v) == 0 {
			return equipmentPath + "/expiries"
		}
		return equipmentPath + "/expiries?" + v.Encode()
	}
	for _, x := range xs {
		p.Rows = append(p.Rows, expiryRow{X: x, Due: h.CivilDate(x.On, today)})
	}
	if more {
		p.NextURL = link(equipment.ExpiryCursor(xs[len(xs)-1]))
	}
	if f.After != "" {
		p.FirstURL = link("")
	}
	return h.Render(c, fiber.StatusOK, "backoffice/equipment/expiries", p)
}

// cursorOf is the keyset position of an item in the list.
func cursorOf(e *equipment.Equipment) string { return database.Cursor(e.CreatedAt, e.ID) }
