package backoffice

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/kits"
	"maintenant/app/web"
)

const kitsPath = "/admin/kits"

// kitSpareRows is how many empty lines the content form offers for new items.
const kitSpareRows = 3

// kitListPage is the view model of the kit list.
type kitListPage struct {
	web.Page
	Kits []*kits.Kit
	// Restocks is the number of lines on the restock list (first page's worth at most).
	Restocks int
	NextURL  string
	FirstURL string
}

// handleKitIndex handles the "GET /admin/kits" route: every kit by name, where it is and whether it
// is complete, by keyset pages.
func (h *handler) handleKitIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	after, _ := uuid.Parse(c.Query("after"))
	ks, more, err := kits.List(ctx, h.DB.Bun, kits.Filter{After: after, Limit: 50})
	if err != nil {
		return err
	}
	rs, _, err := kits.RestockList(ctx, h.DB.Bun, kits.RestockFilter{Limit: 200})
	if err != nil {
		return err
	}
	p := &kitListPage{Page: h.NewPage(c, "admin_kits.title"), Kits: ks, Restocks: len(rs)}
	if more {
		p.NextURL = kitsPath + "?after=" + ks[len(ks)-1].ID.String()
	}
	if after != uuid.Nil {
		p.FirstURL = kitsPath
	}
	return h.Render(c, fiber.StatusOK, "backoffice/kits/index", p)
}

// kitID reads the kit id of the URL (404 when malformed).
func kitID(c *fiber.Ctx) (uuid.UUID, error) { return web.ParseUUID(c.Params("id")) }

// kitShowPage is the view model of a kit's page.
type kitShowPage struct {
	web.Page
	K     *kits.Kit
	Items []*kits.Item
	// Mine tells whether the current user has the kit out.
	Mine     bool
	History  []*kits.Outing
	NextURL  string
	FirstURL string
}

// handleKitShow handles the "GET /admin/kits/:id" route: the kit, its content list line by line
// (what it holds, what is missing or low, what was reported) and its outings, newest first.
func (h *handler) handleKitShow(c *fiber.Ctx) error {
	id, err := kitID(c)
	if err != nil {
		return err
	}
	p, err := h.kitShowData(c, id)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/kits/show", p)
}

func (h *handler) kitShowData(c *fiber.Ctx, id uuid.UUID) (*kitShowPage, error) {
	ctx := c.UserContext()
	k, err := kits.Get(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	items, err := kits.Items(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	after := c.Query("after")
	hist, more, err := kits.History(ctx, h.DB.Bun, id, after, 20)
	if err != nil {
		return nil, err
	}
	p := &kitShowPage{Page: h.NewPage(c, "admin_kits.show.title"), K: k, Items: items, History: hist,
		Mine: k.HolderID.Valid && k.HolderID.UUID == web.CurrentUser(c).ID}
	p.Title = k.Name
	base := kitsPath + "/" + id.String()
	if more {
		p.NextURL = base + "?after=" + kits.OutingCursor(hist[len(hist)-1]) + "#history"
	}
	if after != "" {
		p.FirstURL = base + "#history"
	}
	return p, nil
}

// kitAct runs one action on a kit in a transaction: on success a flash and back to to (the kit's
// page when empty); a refusal shows the kit's page again with its message (409) or 422.
func (h *handler) kitAct(c *fiber.Ctx, to string, do func(ctx context.Context, tx *database.Tx, id uuid.UUID) (string, error)) error {
	id, err := kitID(c)
	if err != nil {
		return err
	}
	var flash string
	if err := h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		flash, err = do(ctx, tx, id)
		return err
	}); err != nil {
		refusal, ok := web.Refused(err)
		if !ok {
			return err
		}
		p, perr := h.kitShowData(c, id)
		if perr != nil {
			return perr
		}
		return h.Render(c, web.ShowRefusal(&p.Page, refusal, nil), "backoffice/kits/show", p)
	}
	h.SetFlash(c, web.FlashSuccess, flash)
	if to == "" {
		to = kitsPath + "/" + id.String()
	}
	return h.Redirect(c, to)
}

// handleKitTake handles the "POST /admin/kits/:id/take" route: the current user takes the kit out
// (409 when it is already out).
func (h *handler) handleKitTake(c *fiber.Ctx) error {
	return h.kitAct(c, "", func(ctx context.Context, tx *database.Tx, id uuid.UUID) (string, error) {
		if _, err := kits.Take(ctx, tx, id, web.Actor(c), h.Now()); err != nil {
			return "", err
		}
		k, err := kits.Get(ctx, tx, id)
		if err != nil {
			return "", err
		}
		return h.T(c, "admin_kits.flash.taken", "Name", k.Name), nil
	})
}

// handleKitReport handles the "POST /admin/kits/:id/items/:iid/report" route: one click puts the
// line on the restock list, reported by the current user (409 when it already is).
func (h *handler) handleKitReport(c *fiber.Ctx) error {
	iid, err := web.ParseUUID(c.Params("iid"))
	if err != nil {
		return err
	}
	return h.kitAct(c, "", func(ctx context.Context, tx *database.Tx, id uuid.UUID) (string, error) {
		it, err := kits.Report(ctx, tx, id, iid, web.Actor(c), h.Now())
		if err != nil {
			return "", err
		}
		return h.T(c, "admin_kits.flash.reported", "Item", it.Name), nil
	})
}

// handleKitRestock handles the "POST /admin/kits/:id/items/:iid/restock" route (manager): the line
// is full again and leaves the restock list. back=restock returns to the restock list.
func (h *handler) handleKitRestock(c *fiber.Ctx) error {
	iid, err := web.ParseUUID(c.Params("iid"))
	if err != nil {
		return err
	}
	to := ""
	if c.FormValue("back") == "restock" {
		to = kitsPath + "/restock"
	}
	return h.kitAct(c, to, func(ctx context.Context, tx *database.Tx, id uuid.UUID) (string, error) {
		it, err := kits.RestockItem(ctx, tx, id, iid, web.Actor(c), h.Now())
		if err != nil {
			return "", err
		}
		return h.T(c, "admin_kits.flash.restocked", "Item", it.Name), nil
	})
}

// kitReturnPage is the view model of the return check.
type kitReturnPage struct {
	web.Page
	K     *kits.Kit
	Items []*kits.Item
}

// presentField is the form field of a line's count at the return check.
func presentField(id uuid.UUID) string { return "present." + id.String() }

// handleKitReturnForm handles the "GET /admin/kits/:id/return" route: the return check, one count
// per line of the content list, filled with what the kit should hold (409 when it is not out).
func (h *handler) handleKitReturnForm(c *fiber.Ctx) error {
	id, err := kitID(c)
	if err != nil {
		return err
	}
	p, err := h.kitReturnData(c, id)
	if err != nil {
		return err
	}
	if !p.K.Out() {
		return apperr.Conflictf(kits.ErrNotOut)
	}
	p.Form = map[string]string{}
	for _, it := range p.Items {
		p.Form[presentField(it.ID)] = strconv.Itoa(it.OnHand)
	}
	return h.Render(c, fiber.StatusOK, "backoffice/kits/return", p)
}

func (h *handler) kitReturnData(c *fiber.Ctx, id uuid.UUID) (*kitReturnPage, error) {
	ctx := c.UserContext()
	k, err := kits.Get(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	items, err := kits.Items(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	p := &kitReturnPage{Page: h.NewPage(c, "admin_kits.return.title"), K: k, Items: items}
	p.Title = h.T(c, "admin_kits.return.title_name", "Name", k.Name)
	return p, nil
}

// handleKitReturn handles the "POST /admin/kits/:id/return" route: the kit comes back with its
// check; the lines missing or low go on the restock list. 422 with the counts kept for a count that
// is not a whole number of 0 or more; 409 when the kit is not out.
func (h *handler) handleKitReturn(c *fiber.Ctx) error {
	id, err := kitID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	items, err := kits.Items(ctx, h.DB.Bun, id)
	if err != nil {
		return err
	}
	form := map[string]string{}
	present := map[uuid.UUID]int{}
	bad := apperr.Fields{}
	for _, it := range items {
		k := presentField(it.ID)
		v := strings.TrimSpace(c.FormValue(k))
		form[k] = v
		if v == "" {
			bad.Add(k, "error.required")
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			bad.Add(k, "kits.error.quantity")
			continue
		}
		present[it.ID] = n
	}
	var o *kits.Outing
	err = bad.Err()
	if err == nil {
		err = h.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			var err error
			o, err = kits.Return(ctx, tx, id, present, web.Actor(c), h.Now())
			return err
		})
	}
	if err != nil {
		refusal, ok := web.Refused(err)
		if !ok {
			return err
		}
		p, perr := h.kitReturnData(c, id)
		if perr != nil {
			return perr
		}
		p.Form = form
		status := web.ShowRefusal(&p.Page, refusal, nil)
		if status == fiber.StatusConflict {
			return h.Render(c, status, "backoffice/kits/return", p)
		}
		for k, v := range bad {
			p.Errors[k] = v
		}
		p.Message = "admin_kits.return.fix"
		return h.Render(c, status, "backoffice/kits/return", p)
	}
	k, err := kits.Get(ctx, h.DB.Bun, id)
	if err != nil {
		return err
	}
	if o.ShortLines > 0 {
		h.SetFlash(c, web.FlashWarning, h.T(c, "admin_kits.flash.returned_short", "Name", k.Name, "Count", o.ShortLines))
	} else {
		h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_kits.flash.returned", "Name", k.Name))
	}
	return h.Redirect(c, kitsPath+"/"+id.String())
}

// kitRestockPage is the view model of the restock list.
type kitRestockPage struct {
	web.Page
	Rows     []*kits.Restock
	NextURL  string
	FirstURL string
}

// handleKitRestockList handles the "GET /admin/kits/restock" route: the lines reported missing or
// low and not restocked yet, oldest report first, with who reported them and when.
func (h *handler) handleKitRestockList(c *fiber.Ctx) error {
	after := c.Query("after")
	rs, more, err := kits.RestockList(c.UserContext(), h.DB.Bun, kits.RestockFilter{After: after, Limit: 50})
	if err != nil {
		return err
	}
	p := &kitRestockPage{Page: h.NewPage(c, "admin_kits.restock.title"), Rows: rs}
	if more {
		last := rs[len(rs)-1]
		p.NextURL = kitsPath + "/restock?after=" + database.Cursor(last.ReportedAt, last.ID)
	}
	if after != "" {
		p.FirstURL = kitsPath + "/restock"
	}
	return h.Render(c, fiber.StatusOK, "backoffice/kits/restock", p)
}

// kitFormPage is the view model of the form creating a kit or editing its content list.
type kitFormPage struct {
	web.Page
	// K is the kit edited (nil for a new one).
	K      *kits.Kit
	Action string
	// Rows are the numbers of the content rows; Existing tells which carry a line already saved.
	Rows     []int
	Existing map[int]bool
}

var kitItemFields = []string{"id", "name", "quantity", "consumable", "min_level", "unit_price", "remove"}

func (h *handler) kitFormData(c *fiber.Ctx, k *kits.Kit, form map[string]string, rows int) *kitFormPage {
	p := &kitFormPage{Page: h.NewPage(c, "admin_kits.new.title"), K: k, Action: kitsPath, Existing: map[int]bool{}}
	if k != nil {
		p.Page = h.NewPage(c, "admin_kits.edit.title")
		p.Action = kitsPath + "/" + k.ID.String()
	}
	p.Form = form
	for n := range rows {
		p.Rows = append(p.Rows, n)
		if form[fmt.Sprintf("items.%d.id", n)] != "" {
			p.Existing[n] = true
		}
	}
	return p
}

// handleKitNew handles the "GET /admin/kits/new" route (manager).
func (h *handler) handleKitNew(c *fiber.Ctx) error {
	form := map[string]string{}
	p := h.kitFormData(c, nil, form, kitSpareRows+2)
	return h.Render(c, fiber.StatusOK, "backoffice/kits/form", p)
}

// handleKitEdit handles the "GET /admin/kits/:id/edit" route (manager): the name, the description
// and the content list, with spare rows for new lines.
func (h *handler) handleKitEdit(c *fiber.Ctx) error {
	id, err := kitID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	k, err := kits.Get(ctx, h.DB.Bun, id)
	if err != nil {
		return err
	}
	items, err := kits.Items(ctx, h.DB.Bun, id)
	if err != nil {
		return err
	}
	form := map[string]string{"name": k.Name, "description": k.Description, "version": strconv.Itoa(k.Version)}
	for n, it := range items {
		pre := fmt.Sprintf("items.%d.", n)
		form[pre+"id"], form[pre+"name"], form[pre+"quantity"] = it.ID.String(), it.Name, strconv.Itoa(it.Quantity)
		if it.Consumable {
			form[pre+"consumable"], form[pre+"min_level"] = "on", strconv.Itoa(it.MinLevel)
		}
		if it.UnitPriceCents > 0 {
			form[pre+"unit_price"] = contractEurosInput(it.UnitPriceCents, web.Lang(c))
		}
	}
	p := h.kitFormData(c, k, form, len(items)+kitSpareRows)
	return h.Render(c, fiber.StatusOK, "backoffice/kits/form", p)
}

// parseKitForm reads the kit form; numbers that cannot be read are recorded in bad.
func parseKitForm(c *fiber.Ctx) (map[string]string, kits.Input, int, apperr.Fields) {
	form := map[string]string{"name": c.FormValue("name"), "description": c.FormValue("description"), "version": c.FormValue("version")}
	in := kits.Input{Name: form["name"], Description: form["description"]}
	bad := apperr.Fields{}
	rows := 0
	for n := 0; n < kits.MaxItems+kitSpareRows; n++ {
		pre := fmt.Sprintf("items.%d.", n)
		if !c.Request().PostArgs().Has(pre + "name") {
			break
		}
		rows++
		for _, k := range kitItemFields {
			form[pre+k] = strings.TrimSpace(c.FormValue(pre + k))
		}
		it := kits.ItemInput{Name: form[pre+"name"], Consumable: form[pre+"consumable"] != "", Remove: form[pre+"remove"] != ""}
		if v := form[pre+"id"]; v != "" {
			id, err := uuid.Parse(v)
			if err != nil {
				bad.Add(pre+"name", "kits.error.item_unknown")
			}
			it.ID = id
		}
		readInt := func(field, msg string) int {
			v := form[pre+field]
			if v == "" {
				return 0
			}
			x, err := strconv.Atoi(v)
			if err != nil {
				bad.Add(pre+field, msg)
				return -1
			}
			return x
		}
		it.Quantity = readInt("quantity", "kits.error.quantity_line")
		if it.Consumable {
			it.MinLevel = readInt("min_level", "kits.error.min_level")
		}
		if v := form[pre+"unit_price"]; v != "" {
			cents, problem := parseContractDecimal(v, 2)
			if problem != "" {
				bad.Add(pre+"unit_price", "kits.error.unit_price")
				cents = -1
			}
			it.UnitPriceCents = cents
		}
		if it.Remove || it.Name != "" || it.ID != uuid.Nil || form[pre+"quantity"] != "" {
			if it.Name != "" && form[pre+"quantity"] == "" && !it.Remove {
				bad.Add(pre+"quantity", "kits.error.quantity_line")
			}
		}
		in.Items = append(in.Items, it)
	}
	return form, in, rows, bad
}

// kitFormAgain shows the kit form again with the problems of err and the user's input.
func (h *handler) kitFormAgain(c *fiber.Ctx, k *kits.Kit, form map[string]string, rows int, bad apperr.Fields, err error) error {
	refusal, ok := web.Refused(err)
	if !ok {
		return err
	}
	p := h.kitFormData(c, k, form, max(rows, 1))
	status := web.ShowRefusal(&p.Page, refusal, nil)
	for k, v := range bad {
		if p.Errors == nil {
			p.Errors = map[string]string{}
		}
		p.Errors[k] = v
	}
	if status == fiber.StatusUnprocessableEntity && p.Message == "" {
		p.Message = "admin_kits.form.fix"
	}
	return h.Render(c, status, "backoffice/kits/form", p)
}

// handleKitCreate handles the "POST /admin/kits" route (manager).
func (h *handler) handleKitCreate(c *fiber.Ctx) error {
	form, in, rows, bad := parseKitForm(c)
	var k *kits.Kit
	err := bad.Err()
	if err == nil {
		err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
			var err error
			k, err = kits.Create(ctx, tx, in, web.Actor(c), h.Now())
			return err
		})
	}
	if err != nil {
		return h.kitFormAgain(c, nil, form, rows, bad, err)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_kits.flash.created", "Name", k.Name))
	return h.Redirect(c, kitsPath+"/"+k.ID.String())
}

// handleKitUpdate handles the "POST /admin/kits/:id" route (manager); a stale version is 409 with
// the input kept.
func (h *handler) handleKitUpdate(c *fiber.Ctx) error {
	id, err := kitID(c)
	if err != nil {
		return err
	}
	k, err := kits.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	form, in, rows, bad := parseKitForm(c)
	version, _ := strconv.Atoi(form["version"])
	err = bad.Err()
	if err == nil {
		err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
			var err error
			k, err = kits.Update(ctx, tx, id, in, version, web.Actor(c), h.Now())
			return err
		})
	}
	if err != nil {
		return h.kitFormAgain(c, k, form, rows, bad, err)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_kits.flash.updated", "Name", k.Name))
	return h.Redirect(c, kitsPath+"/"+id.String())
}

// kitPick is the intervention sheet's section taking consumables from the kits the current user
// has out.
type kitPick struct {
	Items []kits.HeldItem
}

// kitPickFor returns the kit section of an open sheet for the current user: nil when the user has
// no kit out.
func (h *handler) kitPickFor(c *fiber.Ctx) (*kitPick, error) {
	items, out, err := kits.Held(c.UserContext(), h.DB.Bun, web.CurrentUser(c).ID)
	if err != nil || !out {
		return nil, err
	}
	return &kitPick{Items: items}, nil
}

// handleInterventionKitUse handles the "POST /admin/interventions/:id/kit" route: a consumable of
// the current user's kit goes on the sheet as a material line and leaves the kit, in one
// transaction (422 for a quantity under 1 or above what the kit holds).
func (h *handler) handleInterventionKitUse(c *fiber.Ctx) error {
	form := map[string]string{"kit_item": c.FormValue("kit_item"), "kit_quantity": c.FormValue("kit_quantity"),
		"kit_billable": c.FormValue("kit_billable")}
	rename := map[string]string{"quantity": "kit_quantity", "item_id": "kit_item"}
	return h.interventionAct(c, "kit", form, rename, "admin_kits.flash.used",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID) error {
			bad := apperr.Fields{}
			itemID, err := uuid.Parse(form["kit_item"])
			if err != nil {
				bad.Add("item_id", "kits.error.item_unknown")
			}
			q, err := strconv.Atoi(strings.TrimSpace(form["kit_quantity"]))
			if err != nil || q < 1 {
				bad.Add("quantity", "kits.error.quantity_use")
			}
			if err := bad.Err(); err != nil {
				return err
			}
			_, _, err = kits.UseOnSheet(ctx, tx, kits.UseInput{ItemID: itemID, InterventionID: id, Quantity: q,
				Billable: form["kit_billable"] != "", ExpectedVersion: interventionVersion(c)}, web.Actor(c), h.Now())
			return err
		})
}
