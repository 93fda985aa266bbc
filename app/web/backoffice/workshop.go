package backoffice

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/equipment"
	"maintenant/app/interventions"
	"maintenant/app/tickets"
	"maintenant/app/web"
)

const workshopPath = "/admin/workshop"

// newMachine is the value of the check-in's machine choice that creates the machine on the spot.
const newMachine = "new"

// workshopRow is one machine on the board.
type workshopRow struct {
	I *equipment.Intake
	// Days is how long the machine has been in the workshop.
	Days int
}

// workshopBoardPage is the view model of the workshop board.
type workshopBoardPage struct {
	web.Page
	Rows []workshopRow
}

// handleWorkshopBoard handles the "GET /admin/workshop" route: every machine now in the workshop,
// oldest first, with its age, the state of its backup and its loan device.
func (h *handler) handleWorkshopBoard(c *fiber.Ctx) error {
	is, err := equipment.Board(c.UserContext(), h.DB.Bun)
	if err != nil {
		return err
	}
	p := &workshopBoardPage{Page: h.NewPage(c, "admin_workshop.title")}
	now := h.Now()
	for _, i := range is {
		p.Rows = append(p.Rows, workshopRow{I: i, Days: int(now.Sub(i.BroughtAt).Hours() / 24)})
	}
	return h.Render(c, fiber.StatusOK, "backoffice/workshop/index", p)
}

// workshopNewPage is the view model of the check-in form.
type workshopNewPage struct {
	web.Page
	Clients  []contracts.ClientChoice
	ClientID string
	Client   string
	Machines []*equipment.Equipment
	Kinds    []equipment.Kind
}

var workshopCheckInFields = []string{"client_id", "equipment_id", "kind", "make", "model", "serial", "brought_by", "brought_at",
	"reason", "condition", "accessories", "label"}

func (h *handler) workshopNewData(c *fiber.Ctx, clientID uuid.UUID) (*workshopNewPage, error) {
	ctx := c.UserContext()
	p := &workshopNewPage{Page: h.NewPage(c, "admin_workshop.checkin.title")}
	var err error
	if p.Clients, err = contracts.ClientChoices(ctx, h.DB.Bun, clientID); err != nil {
		return nil, err
	}
	for _, ch := range p.Clients {
		if ch.ID == clientID {
			p.ClientID, p.Client = ch.ID.String(), ch.Name
		}
	}
	if p.ClientID == "" {
		return p, nil
	}
	all, err := equipment.Options(ctx, h.DB.Bun, clientID)
	if err != nil {
		return nil, err
	}
	for _, e := range all {
		if e.Kind.Machine() {
			p.Machines = append(p.Machines, e)
		}
	}
	for _, k := range equipment.Kinds() {
		if k.Machine() {
			p.Kinds = append(p.Kinds, k)
		}
	}
	return p, nil
}

// handleWorkshopNew handles the "GET /admin/workshop/new" route: choose the client first
// (?client=<id>), or start from an item (?equipment=<id>).
func (h *handler) handleWorkshopNew(c *fiber.Ctx) error {
	clientID, _ := uuid.Parse(c.Query("client"))
	form := map[string]string{"brought_at": h.Now().In(h.Config.Location).Truncate(time.Minute).Format("2006-01-02T15:04"),
		"kind": string(equipment.KindLaptop)}
	if id, err := uuid.Parse(c.Query("equipment")); err == nil {
		e, err := equipment.Get(c.UserContext(), h.DB.Bun, id)
		if err != nil {
			return err
		}
		clientID, form["equipment_id"] = e.ClientID.UUID, e.ID.String()
	}
	p, err := h.workshopNewData(c, clientID)
	if err != nil {
		return err
	}
	p.Form = form
	return h.Render(c, fiber.StatusOK, "backoffice/workshop/new", p)
}

// handleWorkshopCheckIn handles the "POST /admin/workshop" route: the machine (chosen, or created on
// the spot with the provider's name) enters the workshop, its workshop intervention is opened in the
// same transaction, assigned to the person checking it in, and the client's contacts are mailed the
// intake receipt.
func (h *handler) handleWorkshopCheckIn(c *fiber.Ctx) error {
	form := map[string]string{}
	for _, k := range workshopCheckInFields {
		form[k] = c.FormValue(k)
	}
	clientID, _ := uuid.Parse(form["client_id"])
	bad := apperr.Fields{}
	in := equipment.CheckIn{BroughtBy: form["brought_by"], Reason: form["reason"], Condition: form["condition"],
		Accessories: form["accessories"], Label: form["label"]}
	if at, ok := h.parseInterventionTime(form["brought_at"]); ok {
		in.BroughtAt = at
	} else {
		bad.Add("brought_at", "admin_workshop.error.datetime")
	}
	if form["equipment_id"] != newMachine {
		if id, err := uuid.Parse(form["equipment_id"]); err == nil {
			in.EquipmentID = id
		} else {
			bad.Add("equipment_id", "error.required")
		}
	}
	me := web.CurrentUser(c)
	var intake *equipment.Intake
	err := bad.Err()
	if err == nil {
		err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
			if form["equipment_id"] == newMachine {
				e, err := equipment.Create(ctx, tx, equipment.Input{ClientID: clientID, Kind: equipment.Kind(form["kind"]),
					Make: form["make"], Model: form["model"], Serial: form["serial"], InstalledOn: h.Today()}, h.Now())
				if err != nil {
					return err
				}
				in.EquipmentID = e.ID
			}
			owner, err := equipment.ClientOf(ctx, tx, in.EquipmentID)
			if err != nil {
				return err
			}
			if err := in.Validate(); err != nil {
				return err
			}
			e, err := equipment.Get(ctx, tx, in.EquipmentID)
			if err != nil {
				return err
			}
			i, err := interventions.Create(ctx, tx, interventions.Input{ClientID: owner, ContractID: e.ContractID.UUID,
				Kind: interventions.KindCorrective, Place: interventions.PlaceWorkshop,
				Title:       workshopTitle(h.T(c, "admin_workshop.intervention_title", "Name", e.Name), in.Reason),
				Technicians: []uuid.UUID{me.ID}}, web.Actor(c), h.Now())
			if err != nil {
				return err
			}
			if intake, err = equipment.CheckInMachine(ctx, tx, in, i.ID, me.ID, h.Now()); err != nil {
				return err
			}
			_, err = h.MailIntakeReceipt(ctx, tx, intake)
			return err
		})
	}
	if err != nil {
		refusal, ok := web.Refused(err)
		if !ok {
			return err
		}
		p, perr := h.workshopNewData(c, clientID)
		if perr != nil {
			return perr
		}
		p.Form = form
		status := web.ShowRefusal(&p.Page, refusal, nil)
		for k, v := range bad {
			if p.Errors == nil {
				p.Errors = map[string]string{}
			}
			p.Errors[k] = v
		}
		return h.Render(c, status, "backoffice/workshop/new", p)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_workshop.flash.checked_in", "Reference", intake.Reference(), "Name", intake.EquipmentName))
	return h.Redirect(c, workshopPath+"/"+intake.ID.String())
}

// workshopTitle is the title of a stay's intervention: "Atelier : 2026-03-14 — Ne démarre plus".
func workshopTitle(prefix, reason string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(reason), "\n")
	t := prefix + " — " + strings.TrimSpace(first)
	if r := []rune(t); len(r) > interventions.MaxTitle {
		t = string(r[:interventions.MaxTitle-1]) + "…"
	}
	return t
}

// workshopShowPage is the view model of a stay's page.
type workshopShowPage struct {
	web.Page
	I         *equipment.Intake
	Available []*equipment.Equipment
	Staff     []tickets.Choice
	// Open names the form a refusal belongs to (backup, refusal, loan, return).
	Open string
	Days int
}

func intakeID(c *fiber.Ctx) (uuid.UUID, error) { return web.ParseUUID(c.Params("id")) }

func (h *handler) workshopShowPage(c *fiber.Ctx, id uuid.UUID, form map[string]string) (*workshopShowPage, error) {
	ctx := c.UserContext()
	i, err := equipment.GetIntake(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	p := &workshopShowPage{Page: h.NewPage(c, "admin_workshop.show.title"), I: i, Days: int(h.Now().Sub(i.BroughtAt).Hours() / 24)}
	p.Title = i.Reference() + " " + i.EquipmentName
	if i.Open() {
		if p.Available, err = equipment.Available(ctx, h.DB.Bun); err != nil {
			return nil, err
		}
		if p.Staff, err = tickets.AssigneeChoices(ctx, h.DB.Bun); err != nil {
			return nil, err
		}
	}
	now := h.Now().In(h.Config.Location).Truncate(time.Minute).Format("2006-01-02T15:04")
	p.Form = map[string]string{"backup_at": now, "refused_at": now, "returned_at": now, "backup_by": web.CurrentUser(c).ID.String(),
		"returned_to": i.BroughtBy}
	for k, v := range form {
		p.Form[k] = v
	}
	return p, nil
}

// handleWorkshopShow handles the "GET /admin/workshop/:id" route: the stay, its backup gate, loans
// and return.
func (h *handler) handleWorkshopShow(c *fiber.Ctx) error {
	id, err := intakeID(c)
	if err != nil {
		return err
	}
	p, err := h.workshopShowPage(c, id, nil)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/workshop/show", p)
}

// workshopAct runs one change of a stay in a transaction, then back to the stay with a flash; a
// refusal shows the stay again (422 under the fields of the form open, 409 with its message).
func (h *handler) workshopAct(c *fiber.Ctx, open string, form map[string]string, bad apperr.Fields, flash string,
	do func(ctx context.Context, tx *database.Tx, id uuid.UUID, version int) (*equipment.Intake, error)) error {
	id, err := intakeID(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	var i *equipment.Intake
	err = bad.Err()
	if err == nil {
		err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
			var err error
			i, err = do(ctx, tx, id, version)
			return err
		})
	}
	if err != nil {
		refusal, ok := web.Refused(err)
		if !ok {
			return err
		}
		p, perr := h.workshopShowPage(c, id, form)
		if perr != nil {
			return perr
		}
		p.Open = open
		status := web.ShowRefusal(&p.Page, refusal, nil)
		return h.Render(c, status, "backoffice/workshop/show", p)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, flash, "Reference", i.Reference()))
	return h.Redirect(c, workshopPath+"/"+id.String()+"#"+open)
}

// formTime reads a date and time field of form into at, or records the problem in bad.
func (h *handler) formTime(form map[string]string, key string, bad apperr.Fields) time.Time {
	at, ok := h.parseInterventionTime(form[key])
	if !ok {
		bad.Add(key, "admin_workshop.error.datetime")
	}
	return at
}

// handleWorkshopBackup handles the "POST /admin/workshop/:id/backup" route: records the backup
// made before any work (where, who, when), which opens the gate.
func (h *handler) handleWorkshopBackup(c *fiber.Ctx) error {
	form := map[string]string{"backup_location": c.FormValue("backup_location"), "backup_by": c.FormValue("backup_by"), "backup_at": c.FormValue("backup_at")}
	bad := apperr.Fields{}
	at := h.formTime(form, "backup_at", bad)
	by, err := uuid.Parse(form["backup_by"])
	if err != nil {
		bad.Add("backup_by", "equipment.error.staff_unknown")
	}
	return h.workshopAct(c, "backup", form, bad, "admin_workshop.flash.backup",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID, version int) (*equipment.Intake, error) {
			return equipment.RecordBackup(ctx, tx, id, form["backup_location"], by, at, version, h.Now())
		})
}

// handleWorkshopRefusal handles the "POST /admin/workshop/:id/refusal" route: records the client's
// documented refusal of the backup (who, how, when).
func (h *handler) handleWorkshopRefusal(c *fiber.Ctx) error {
	form := map[string]string{"refused_by": c.FormValue("refused_by"), "refused_how": c.FormValue("refused_how"), "refused_at": c.FormValue("refused_at")}
	bad := apperr.Fields{}
	at := h.formTime(form, "refused_at", bad)
	return h.workshopAct(c, "backup", form, bad, "admin_workshop.flash.refusal",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID, version int) (*equipment.Intake, error) {
			return equipment.RecordRefusal(ctx, tx, id, form["refused_by"], form["refused_how"], at, version, h.Now())
		})
}

// handleWorkshopLend handles the "POST /admin/workshop/:id/loans" route: lends a device of the stock.
func (h *handler) handleWorkshopLend(c *fiber.Ctx) error {
	form := map[string]string{"loan_equipment_id": c.FormValue("loan_equipment_id")}
	bad := apperr.Fields{}
	dev, err := uuid.Parse(form["loan_equipment_id"])
	if err != nil {
		bad.Add("loan_equipment_id", "error.required")
	}
	return h.workshopAct(c, "loan", form, bad, "admin_workshop.flash.lent",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID, version int) (*equipment.Intake, error) {
			return equipment.Lend(ctx, tx, id, dev, web.CurrentUser(c).ID, version, h.Now())
		})
}

// handleWorkshopTakeBack handles the "POST /admin/workshop/:id/loans/:lid/return" route: the loan
// device is given back (a loan not lent on this stay is refused, 409).
func (h *handler) handleWorkshopTakeBack(c *fiber.Ctx) error {
	lid, err := web.ParseUUID(c.Params("lid"))
	if err != nil {
		return err
	}
	return h.workshopAct(c, "loan", nil, nil, "admin_workshop.flash.taken_back",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID, version int) (*equipment.Intake, error) {
			return equipment.TakeBack(ctx, tx, id, lid, web.CurrentUser(c).ID, version, h.Now())
		})
}

// handleWorkshopReturn handles the "POST /admin/workshop/:id/return" route: the machine is handed
// back (to whom, when, accessories checked) or kept in stock whole with its origin noted; the
// completed receipt is mailed to the client's contacts in the same transaction.
func (h *handler) handleWorkshopReturn(c *fiber.Ctx) error {
	form := map[string]string{}
	for _, k := range []string{"returned_to", "returned_at", "accessories_back", "kept_in_stock", "return_notes"} {
		form[k] = c.FormValue(k)
	}
	bad := apperr.Fields{}
	at := h.formTime(form, "returned_at", bad)
	r := equipment.Return{ReturnedTo: form["returned_to"], ReturnedAt: at, AccessoriesBack: form["accessories_back"] != "",
		KeptInStock: form["kept_in_stock"] != "", Notes: form["return_notes"]}
	return h.workshopAct(c, "return", form, bad, "admin_workshop.flash.returned",
		func(ctx context.Context, tx *database.Tx, id uuid.UUID, version int) (*equipment.Intake, error) {
			i, err := equipment.ReturnMachine(ctx, tx, id, r, web.CurrentUser(c).ID, version, h.Now())
			if err != nil {
				return nil, err
			}
			_, err = h.MailIntakeReceipt(ctx, tx, i)
			return i, err
		})
}
