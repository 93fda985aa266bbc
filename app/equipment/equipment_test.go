package equipment_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/equipment"
	"maintenant/app/interventions"
	"maintenant/app/testutil"
)

// now is 2 December 2026, 10:00 in Paris.
var now = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestNameFor(t *testing.T) {
	d := day("2026-03-14")
	for _, c := range []struct {
		taken []string
		want  string
	}{
		{nil, "2026-03-14"},
		{[]string{"2026-03-13", "Serveur"}, "2026-03-14"},
		{[]string{"2026-03-14"}, "2026-03-14B"},
		{[]string{"2026-03-14", "2026-03-14b"}, "2026-03-14C"},
		{[]string{"2026-03-14", "2026-03-14C"}, "2026-03-14B"},
		{append([]string{"2026-03-14"}, lettersFrom("2026-03-14", 2, 26)...), "2026-03-14AA"},
	} {
		if got := equipment.NameFor(d, c.taken); got != c.want {
			t.Errorf("NameFor(%v) = %q, want %q", c.taken, got, c.want)
		}
	}
}

func lettersFrom(base string, from, to int) []string {
	var out []string
	for n := from; n <= to; n++ {
		out = append(out, base+string(rune('A'+n-1)))
	}
	return out
}

type fixture struct {
	db            *database.DB
	client, other uuid.UUID
	tech          *accounts.User
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: testutil.DB(t)}
	newClient := func(name string) uuid.UUID {
		c := &clients.Client{Name: name}
		if err := clients.Create(ctx, f.db.Bun, c, now); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	f.client, f.other = newClient("Cabinet Durand"), newClient("Boulangerie Martin")
	f.tech = &accounts.User{Kind: accounts.Staff, Role: accounts.Technician, Email: "theo@example.fr", Name: "Théo Tech", Active: true}
	if err := accounts.CreateUser(ctx, f.db.Bun, f.tech, now); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) create(t *testing.T, in equipment.Input) *equipment.Equipment {
	t.Helper()
	e, err := equipment.Create(context.Background(), f.db.Bun, in, now)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func fieldOf(t *testing.T, err error, field, want string) {
	t.Helper()
	if got := apperr.FieldsOf(err)[field]; got != want {
		t.Fatalf("field %s = %q, want %q (err %v)", field, got, want, err)
	}
}

func TestCreateNamesMachinesByInstallDate(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	in := equipment.Input{ClientID: f.client, Kind: equipment.KindWorkstation, InstalledOn: day("2026-03-14")}
	a, b := f.create(t, in), f.create(t, in)
	if a.Name != "2026-03-14" || b.Name != "2026-03-14B" {
		t.Fatalf("names %q %q", a.Name, b.Name)
	}
	// Another client has its own names.
	o := f.create(t, equipment.Input{ClientID: f.other, Kind: equipment.KindLaptop, InstalledOn: day("2026-03-14")})
	if o.Name != "2026-03-14" {
		t.Fatalf("other client's name %q", o.Name)
	}
	// Without an install date, today.
	c := f.create(t, equipment.Input{ClientID: f.client, Kind: equipment.KindPrinter})
	if c.Name != "2026-12-02" {
		t.Fatalf("name without date %q", c.Name)
	}
	if got, _ := equipment.ProposeName(ctx, f.db.Bun, f.client, day("2026-03-14")); got != "2026-03-14C" {
		t.Fatalf("proposed %q", got)
	}
	// A licence needs a name.
	_, err := equipment.Create(ctx, f.db.Bun, equipment.Input{ClientID: f.client, Kind: equipment.KindLicence}, now)
	fieldOf(t, err, "name", "error.required")
	// A name taken by the client, whatever the case.
	_, err = equipment.Create(ctx, f.db.Bun, equipment.Input{ClientID: f.client, Kind: equipment.KindOther, Name: "2026-03-14b"}, now)
	fieldOf(t, err, "name", "equipment.error.name_taken")
}

func TestCreateRefusesBadInput(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.create(t, equipment.Input{ClientID: f.client, Kind: equipment.KindLaptop, Serial: "5CD123XYZ"})
	for _, c := range []struct {
		name  string
		in    equipment.Input
		field string
		want  string
	}{
		{"duplicate serial", equipment.Input{ClientID: f.client, Kind: equipment.KindWorkstation, Serial: " 5cd123xyz "}, "serial", "equipment.error.serial_taken"},
		{"warranty before purchase", equipment.Input{ClientID: f.client, Kind: equipment.KindWorkstation,
			PurchasedOn: day("2026-05-01"), WarrantyEndsOn: day("2026-04-30")}, "warranty_ends_on", "equipment.error.warranty_before_purchase"},
		{"seats on a laptop", equipment.Input{ClientID: f.client, Kind: equipment.KindLaptop, Seats: 3}, "seats", "equipment.error.licence_only"},
		{"unknown kind", equipment.Input{ClientID: f.client, Kind: "toaster", Name: "x"}, "kind", "equipment.error.kind"},
		{"client on loan", equipment.Input{ClientID: f.client, Kind: equipment.KindLaptop, Status: equipment.StatusOnLoan}, "status", "equipment.error.loan_status"},
		{"another client's contract", equipment.Input{ClientID: f.client, Kind: equipment.KindLaptop, ContractID: uuid.Must(uuid.NewV7())}, "contract_id", "equipment.error.contract_unknown"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := equipment.Create(ctx, f.db.Bun, c.in, now)
			fieldOf(t, err, c.field, c.want)
		})
	}
	// The same serial at another client is fine.
	f.create(t, equipment.Input{ClientID: f.other, Kind: equipment.KindLaptop, Serial: "5CD123XYZ"})
	// The database holds the rules too.
	if _, err := f.db.Bun.ExecContext(ctx, `INSERT INTO equipment (id, client_id, kind, name, purchased_on, warranty_ends_on, created_at, updated_at)
		VALUES (?, ?, 'laptop', 'x', '2026-05-01', '2026-04-01', now(), now())`, uuid.Must(uuid.NewV7()), f.client); err == nil {
		t.Fatal("the database accepted a warranty ending before the purchase")
	}
	if _, err := f.db.Bun.ExecContext(ctx, `INSERT INTO equipment (id, client_id, kind, name, serial, created_at, updated_at)
		VALUES (?, ?, 'laptop', 'y', '5cd123XYZ', now(), now())`, uuid.Must(uuid.NewV7()), f.client); !database.IsUniqueViolation(err) {
		t.Fatalf("duplicate serial in the database: %v", err)
	}
}

func TestUpdateKeepsWorkshopStatusAndVersion(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	e := f.create(t, equipment.Input{ClientID: f.client, Kind: equipment.KindLaptop, InstalledOn: day("2026-01-05")})
	in := equipment.Input{Kind: equipment.KindLaptop, Name: e.Name, Make: "Dell", Model: "Latitude 5440", Status: equipment.StatusInWorkshop}
	_, err := equipment.Update(ctx, f.db.Bun, e.ID, in, e.Version, now)
	fieldOf(t, err, "status", "equipment.error.status_workshop")
	in.Status = equipment.StatusInService
	got, err := equipment.Update(ctx, f.db.Bun, e.ID, in, e.Version, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title() != "2026-01-05 (Dell Latitude 5440)" || got.ClientID.UUID != f.client {
		t.Fatalf("updated %+v", got)
	}
	if _, err := equipment.Update(ctx, f.db.Bun, e.ID, in, e.Version, now); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("stale update: %v", err)
	}
}

// workshop checks a machine in with its workshop intervention, as the backoffice does.
func (f *fixture) checkIn(t *testing.T, e *equipment.Equipment) *equipment.Intake {
	t.Helper()
	ctx := context.Background()
	var in *equipment.Intake
	err := f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		i, err := interventions.Create(ctx, tx, interventions.Input{ClientID: e.ClientID.UUID, Kind: interventions.KindCorrective,
			Place: interventions.PlaceWorkshop, Title: "Atelier : " + e.Name}, audit.Actor{UserID: f.tech.ID, Label: f.tech.Name}, now)
		if err != nil {
			return err
		}
		in, err = equipment.CheckInMachine(ctx, tx, equipment.CheckIn{EquipmentID: e.ID, BroughtBy: "Maître Durand",
			BroughtAt: now.Add(-time.Hour), Reason: "Ne démarre plus", Accessories: "Chargeur, sacoche", Label: "42"}, i.ID, f.tech.ID, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestBackupGateRefusesWorkUntilBackupOrRefusal(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	for _, refuse := range []bool{false, true} {
		e := f.create(t, equipment.Input{ClientID: f.client, Kind: equipment.KindLaptop})
		in := f.checkIn(t, e)
		if in.Reference() == "" || in.BackupState != equipment.BackupPending || in.GateOpen() {
			t.Fatalf("intake %+v", in)
		}
		log := func() error {
			i, err := interventions.Get(ctx, f.db.Bun, in.InterventionID)
			if err != nil {
				t.Fatal(err)
			}
			_, err = interventions.AddTimeEntry(ctx, f.db.Bun, i.ID, &interventions.TimeEntry{TechnicianID: f.tech.ID,
				Category: interventions.CategoryWork, StartedAt: now.Add(-30 * time.Minute), Minutes: 15}, i.Version, now)
			return err
		}
		fieldOf(t, log(), "category", interventions.ErrBackupGate)
		var err error
		if refuse {
			_, err = equipment.RecordRefusal(ctx, f.db.Bun, in.ID, "", "", time.Time{}, in.Version, now)
			fieldOf(t, err, "refused_by", "error.required")
			in, err = equipment.RecordRefusal(ctx, f.db.Bun, in.ID, "Maître Durand", "Par téléphone, confirmé par courriel", now, in.Version, now)
		} else {
			_, err = equipment.RecordBackup(ctx, f.db.Bun, in.ID, "", f.tech.ID, now, in.Version, now)
			fieldOf(t, err, "backup_location", "error.required")
			in, err = equipment.RecordBackup(ctx, f.db.Bun, in.ID, "NAS atelier /sauvegardes/durand", f.tech.ID, now.Add(-45*time.Minute), in.Version, now)
		}
		if err != nil {
			t.Fatal(err)
		}
		if !in.GateOpen() {
			t.Fatalf("gate still closed: %+v", in)
		}
		if err := log(); err != nil {
			t.Fatalf("refuse=%v: time after the gate: %v", refuse, err)
		}
		now = now.Add(time.Hour) // no overlap between the two rounds
	}
	// Other interventions are never blocked.
	if blocked, err := equipment.WorkBlocked(ctx, f.db.Bun, uuid.Must(uuid.NewV7())); err != nil || blocked {
		t.Fatalf("unrelated intervention blocked=%v err=%v", blocked, err)
	}
}

func TestCheckInOfAMachineAlreadyInTheWorkshop(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	e := f.create(t, equipment.Input{ClientID: f.client, Kind: equipment.KindLaptop})
	f.checkIn(t, e)
	if got, _ := equipment.Get(ctx, f.db.Bun, e.ID); got.Status != equipment.StatusInWorkshop {
		t.Fatalf("status %s", got.Status)
	}
	if _, err := equipment.ClientOf(ctx, f.db.Bun, e.ID); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("ClientOf a machine in the workshop: %v", err)
	}
	err := f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		i, err := interventions.Create(ctx, tx, interventions.Input{ClientID: f.client, Kind: interventions.KindCorrective,
			Place: interventions.PlaceWorkshop, Title: "Deuxième dépôt"}, audit.Actor{UserID: f.tech.ID}, now)
		if err != nil {
			return err
		}
		_, err = equipment.CheckInMachine(ctx, tx, equipment.CheckIn{EquipmentID: e.ID, BroughtBy: "X", BroughtAt: now, Reason: "Y"}, i.ID, f.tech.ID, now)
		return err
	})
	if apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("second check-in: %v", err)
	}
	// Concurrent check-ins of one machine: exactly one wins.
	e2 := f.create(t, equipment.Input{ClientID: f.client, Kind: equipment.KindWorkstation})
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for n := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[n] = f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
				i, err := interventions.Create(ctx, tx, interventions.Input{ClientID: f.client, Kind: interventions.KindCorrective,
					Place: interventions.PlaceWorkshop, Title: "Dépôt"}, audit.Actor{UserID: f.tech.ID}, now)
				if err != nil {
					return err
				}
				_, err = equipment.CheckInMachine(ctx, tx, equipment.CheckIn{EquipmentID: e2.ID, BroughtBy: "X", BroughtAt: now, Reason: "Y"}, i.ID, f.tech.ID, now)
				return err
			})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case apperr.KindOf(err) != apperr.Conflict:
			t.Fatalf("concurrent check-in: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d check-ins succeeded", ok)
	}
	// A stock device or a licence cannot be checked in.
	lic := f.create(t, equipment.Input{ClientID: f.client, Kind: equipment.KindLicence, Name: "Office", Seats: 5})
	if _, err := equipment.ClientOf(ctx, f.db.Bun, lic.ID); apperr.FieldsOf(err)["equipment_id"] != "equipment.error.not_checkable" {
		t.Fatalf("licence check-in: %v", err)
	}
}

func TestLoansAreTrackedUntilReturned(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	e := f.create(t, equipment.Input{ClientID: f.client, Kind: equipment.KindLaptop})
	in := f.checkIn(t, e)
	dev := f.create(t, equipment.Input{Kind: equipment.KindLaptop, Name: "Prêt 1", Status: equipment.StatusInStock})
	if avail, _ := equipment.Available(ctx, f.db.Bun); len(avail) != 1 || avail[0].ID != dev.ID {
		t.Fatalf("available %v", avail)
	}
	// A client's machine is not a loan device.
	_, err := equipment.Lend(ctx, f.db.Bun, in.ID, e.ID, f.tech.ID, in.Version, now)
	fieldOf(t, err, "loan_equipment_id", "equipment.error.loan_unavailable")
	in, err = equipment.Lend(ctx, f.db.Bun, in.ID, dev.ID, f.tech.ID, in.Version, now)
	if err != nil {
		t.Fatal(err)
	}
	loan := in.OpenLoan()
	if loan == nil || loan.EquipmentName != "Prêt 1" {
		t.Fatalf("loan %+v", in.Loans)
	}
	if got, _ := equipment.Get(ctx, f.db.Bun, dev.ID); got.Status != equipment.StatusOnLoan {
		t.Fatalf("device status %s", got.Status)
	}
	// Lent once at a time.
	_, err = equipment.Lend(ctx, f.db.Bun, in.ID, dev.ID, f.tech.ID, in.Version, now)
	fieldOf(t, err, "loan_equipment_id", "equipment.error.loan_unavailable")
	// The machine cannot go back while the loan is out.
	_, err = equipment.ReturnMachine(ctx, f.db.Bun, in.ID, equipment.Return{ReturnedTo: "Maître Durand", ReturnedAt: now, AccessoriesBack: true}, f.tech.ID, in.Version, now)
	fieldOf(t, err, "loan", "equipment.error.loan_out")
	// Returning a loan that was not lent (unknown, or of another stay) is refused.
	if _, err := equipment.TakeBack(ctx, f.db.Bun, in.ID, uuid.Must(uuid.NewV7()), f.tech.ID, in.Version, now); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("take back of no loan: %v", err)
	}
	in, err = equipment.TakeBack(ctx, f.db.Bun, in.ID, loan.ID, f.tech.ID, in.Version, now)
	if err != nil {
		t.Fatal(err)
	}
	if in.OpenLoan() != nil || len(in.Loans) != 1 {
		t.Fatalf("loans after take back %+v", in.Loans)
	}
	if _, err := equipment.TakeBack(ctx, f.db.Bun, in.ID, loan.ID, f.tech.ID, in.Version, now); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("second take back: %v", err)
	}
	if got, _ := equipment.Get(ctx, f.db.Bun, dev.ID); got.Status != equipment.StatusInStock {
		t.Fatalf("device status after take back %s", got.Status)
	}
	// Return: to whom, accessories checked back.
	_, err = equipment.ReturnMachine(ctx, f.db.Bun, in.ID, equipment.Return{ReturnedTo: "", ReturnedAt: now}, f.tech.ID, in.Version, now)
	fieldOf(t, err, "returned_to", "error.required")
	_, err = equipment.ReturnMachine(ctx, f.db.Bun, in.ID, equipment.Return{ReturnedTo: "Maître Durand", ReturnedAt: now}, f.tech.ID, in.Version, now)
	fieldOf(t, err, "accessories_back", "equipment.error.accessories_back")
	in, err = equipment.ReturnMachine(ctx, f.db.Bun, in.ID, equipment.Return{ReturnedTo: "Maître Durand", ReturnedAt: now, AccessoriesBack: true}, f.tech.ID, in.Version, now)
	if err != nil {
		t.Fatal(err)
	}
	if in.Open() || in.ReturnedByName != "Théo Tech" {
		t.Fatalf("returned %+v", in)
	}
	if got, _ := equipment.Get(ctx, f.db.Bun, e.ID); got.Status != equipment.StatusInService {
		t.Fatalf("machine status after return %s", got.Status)
	}
	if _, err := equipment.Lend(ctx, f.db.Bun, in.ID, dev.ID, f.tech.ID, in.Version, now); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("lend on a closed stay: %v", err)
	}
	if board, _ := equipment.Board(ctx, f.db.Bun); len(board) != 0 {
		t.Fatalf("board after return %d", len(board))
	}
	// The portal sees its own stays only.
	if _, err := equipment.GetIntakeForClient(ctx, f.db.Bun, f.other, in.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("other client's intake: %v", err)
	}
	if _, err := equipment.GetForClient(ctx, f.db.Bun, f.other, e.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("other client's item: %v", err)
	}
	if _, err := equipment.GetForClient(ctx, f.db.Bun, f.client, dev.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("stock device from the portal: %v", err)
	}
}

func TestListFiltersAndPages(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	for n := 0; n < 5; n++ {
		f.create(t, equipment.Input{ClientID: f.client, Kind: equipment.KindWorkstation, Make: "HP", InstalledOn: day("2026-02-01")})
	}
	f.create(t, equipment.Input{ClientID: f.client, Kind: equipment.KindLicence, Name: "Microsoft 365", Seats: 4, LicenceExpiresOn: day("2027-01-01")})
	f.create(t, equipment.Input{ClientID: f.other, Kind: equipment.KindWorkstation, Make: "HP"})
	page, more, err := equipment.List(ctx, f.db.Bun, equipment.Filter{ClientID: f.client, Kind: equipment.KindWorkstation, Limit: 3})
	if err != nil || len(page) != 3 || !more {
		t.Fatalf("page 1: %d %v %v", len(page), more, err)
	}
	last := page[2]
	page2, more, err := equipment.List(ctx, f.db.Bun, equipment.Filter{ClientID: f.client, Kind: equipment.KindWorkstation, Limit: 3,
		After: database.Cursor(last.CreatedAt, last.ID)})
	if err != nil || len(page2) != 2 || more {
		t.Fatalf("page 2: %d %v %v", len(page2), more, err)
	}
	found, _, _ := equipment.List(ctx, f.db.Bun, equipment.Filter{Query: "365"})
	if len(found) != 1 || found[0].Seats != 4 {
		t.Fatalf("search %v", found)
	}
	hp, _, _ := equipment.List(ctx, f.db.Bun, equipment.Filter{Query: "hp"})
	if len(hp) != 6 {
		t.Fatalf("search hp %d", len(hp))
	}
}

func TestExpiriesSortedAcrossWarrantiesAndLicences(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.create(t, equipment.Input{ClientID: f.client, Kind: equipment.KindLaptop, Name: "A", PurchasedOn: day("2024-01-10"), WarrantyEndsOn: day("2027-01-10")})
	f.create(t, equipment.Input{ClientID: f.client, Kind: equipment.KindLicence, Name: "Office", Seats: 3, LicenceExpiresOn: day("2026-12-20")})
	f.create(t, equipment.Input{ClientID: f.other, Kind: equipment.KindServer, Name: "S", WarrantyEndsOn: day("2026-12-05")})
	f.create(t, equipment.Input{ClientID: f.other, Kind: equipment.KindServer, Name: "Old", WarrantyEndsOn: day("2026-11-05")})
	f.create(t, equipment.Input{ClientID: f.other, Kind: equipment.KindServer, Name: "Retired", Status: equipment.StatusRetired, WarrantyEndsOn: day("2026-12-06")})
	xs, more, err := equipment.Expiries(ctx, f.db.Bun, equipment.ExpiryFilter{From: day("2026-12-02"), Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(xs) != 2 || !more || xs[0].Name != "S" || xs[1].Name != "Office" || xs[1].Kind != equipment.ExpiryLicence || xs[1].ClientName != "Cabinet Durand" {
		t.Fatalf("page 1: %+v more=%v", xs, more)
	}
	xs, more, err = equipment.Expiries(ctx, f.db.Bun, equipment.ExpiryFilter{From: day("2026-12-02"), Limit: 2, After: equipment.ExpiryCursor(xs[1])})
	if err != nil || len(xs) != 1 || more || xs[0].Name != "A" || !xs[0].On.Equal(day("2027-01-10")) {
		t.Fatalf("page 2: %+v more=%v err=%v", xs, more, err)
	}
	xs, _, _ = equipment.Expiries(ctx, f.db.Bun, equipment.ExpiryFilter{ClientID: f.other, From: day("2026-01-01")})
	if len(xs) != 2 {
		t.Fatalf("other client's expiries %d", len(xs))
	}
}

func TestHistoryGathersStaysInterventionsAndTickets(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	e := f.create(t, equipment.Input{ClientID: f.client, Kind: equipment.KindLaptop})
	in := f.checkIn(t, e)
	h, err := equipment.HistoryOf(ctx, f.db.Bun, uuid.Nil, e)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Stays) != 1 || len(h.Interventions) != 1 || h.Interventions[0].ID != in.InterventionID || h.Interventions[0].Place != "workshop" {
		t.Fatalf("history %+v", h)
	}
	if got, err := equipment.IntakeOfIntervention(ctx, f.db.Bun, in.InterventionID); err != nil || got.ID != in.ID {
		t.Fatalf("intake of intervention: %v", err)
	}
	// Portal scope: another client's view has nothing.
	h, err = equipment.HistoryOf(ctx, f.db.Bun, f.other, e)
	if err != nil || len(h.Stays) != 0 {
		t.Fatalf("other client's stays %+v %v", h, err)
	}
}
