package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"maintenant/app/accounts"
	"maintenant/app/audit"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/equipment"
	"maintenant/app/interventions"
	"maintenant/app/testutil"
)

// cabinetLaptop records a laptop of the Cabinet with a warranty and a licence, checks the laptop
// into the workshop with its backup, and returns the laptop and its stay.
func cabinetLaptop(t *testing.T, app *testutil.App) (*equipment.Equipment, *equipment.Intake) {
	t.Helper()
	ctx := context.Background()
	cab, err := clients.ByName(ctx, app.DB.Bun, "Cabinet Durand Avocats")
	if err != nil {
		t.Fatal(err)
	}
	tech, err := accounts.UserByEmail(ctx, app.DB.Bun, testutil.Technician)
	if err != nil {
		t.Fatal(err)
	}
	now := app.Clock.Now()
	var e *equipment.Equipment
	var in *equipment.Intake
	err = app.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		var err error
		if e, err = equipment.Create(ctx, tx, equipment.Input{ClientID: cab.ID, Kind: equipment.KindLaptop, Name: "PORTABLE-TEST",
			Make: "Dell", Model: "Latitude 7440", Serial: "PT-0001", PurchasedOn: now.AddDate(-2, 0, 0), WarrantyEndsOn: now.AddDate(0, 0, 20)}, now); err != nil {
			return err
		}
		if _, err = equipment.Create(ctx, tx, equipment.Input{ClientID: cab.ID, Kind: equipment.KindLicence, Name: "LICENCE-TEST", Seats: 5,
			LicenceExpiresOn: now.AddDate(0, 6, 0)}, now); err != nil {
			return err
		}
		i, err := interventions.Create(ctx, tx, interventions.Input{ClientID: cab.ID, Kind: interventions.KindCorrective,
			Place: interventions.PlaceWorkshop, Title: "Atelier : PORTABLE-TEST"}, audit.Actor{UserID: tech.ID}, now)
		if err != nil {
			return err
		}
		if in, err = equipment.CheckInMachine(ctx, tx, equipment.CheckIn{EquipmentID: e.ID, BroughtBy: "Maître Durand", BroughtAt: now,
			Reason: "Écran noir", Accessories: "Chargeur"}, i.ID, tech.ID, now); err != nil {
			return err
		}
		in, err = equipment.RecordBackup(ctx, tx, in.ID, "NAS atelier", tech.ID, now, in.Version, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e, in
}

func TestPortalEquipmentAndReceipts(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	e, in := cabinetLaptop(t, app)
	cab := app.LoginAs(t, testutil.CabinetUser)
	list := cab.Get("/portal/equipment")
	text := list.Text(t)
	for _, want := range []string{"PORTABLE-TEST", "LICENCE-TEST", "Garantie jusqu'au", "Licence jusqu'au", "dans 20 jours", in.Reference()} {
		if !strings.Contains(text, want) {
			t.Errorf("portal equipment lacks %q", want)
		}
	}
	if list.StatusCode != http.StatusOK || t.Failed() {
		t.Fatalf("%d\n%s", list.StatusCode, text)
	}
	if text := cab.Get("/portal/equipment/" + e.ID.String()).Text(t); !strings.Contains(text, "Latitude 7440") || !strings.Contains(text, in.Reference()) {
		t.Fatalf("item page:\n%s", text)
	}
	if text := cab.Get("/portal/equipment/intakes/" + in.ID.String()).Text(t); !strings.Contains(text, "sauvegardé") || !strings.Contains(text, "Chargeur") {
		t.Fatalf("stay page:\n%s", text)
	}
	if pdf := cab.Get("/portal/equipment/intakes/" + in.ID.String() + ".pdf"); pdf.StatusCode != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("receipt PDF: %d", pdf.StatusCode)
	}
}

// Another client's item, stay and receipt answer 404 exactly like missing ones, and its items are
// not listed.
func TestPortalEquipmentCrossClient(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	e, in := cabinetLaptop(t, app)
	boul := app.LoginAs(t, testutil.BoulangerieUser)
	for _, p := range []string{
		"/portal/equipment/" + e.ID.String(),
		"/portal/equipment/intakes/" + in.ID.String(),
		"/portal/equipment/intakes/" + in.ID.String() + ".pdf",
		"/portal/equipment/01900000-0000-7000-8000-000000000000",
		"/portal/equipment/not-an-id",
	} {
		if res := boul.Get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s as the Boulangerie: %d", p, res.StatusCode)
		}
	}
	if text := boul.Get("/portal/equipment").Text(t); strings.Contains(text, "PORTABLE-TEST") || strings.Contains(text, in.Reference()) {
		t.Error("the Boulangerie sees the Cabinet's equipment")
	}
	// Staff stay out of the portal.
	if res := app.LoginAs(t, testutil.Technician).Get("/portal/equipment"); res.StatusCode == http.StatusOK {
		t.Errorf("staff reach the portal equipment: %d", res.StatusCode)
	}
}

// A fault report can name one of the client's items; another client's item is refused (422) and
// nothing is recorded.
func TestPortalTicketAboutEquipment(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	e, _ := cabinetLaptop(t, app)
	cab := app.LoginAs(t, testutil.CabinetUser)
	form := cab.Get("/portal/tickets/new").Doc(t)
	if form.Find(`select[name="equipment_id"] option[value="`+e.ID.String()+`"]`).Length() != 1 {
		t.Fatal("the laptop is not offered on the fault report form")
	}
	contract, _ := form.Find(`select[name="contract_id"] option[value!=""]`).First().Attr("value")
	fields := url.Values{"contract_id": {contract}, "title": {"L'écran reste noir"}, "description": {"Depuis la mise à jour."},
		"priority": {"high"}, "equipment_id": {e.ID.String()}}
	res := postMultipart(t, cab, "/portal/tickets", fields)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("report: %d\n%s", res.StatusCode, res.Body)
	}
	tk := strings.TrimPrefix(res.Header.Get("Location"), "/portal/tickets/")
	var linked string
	if err := app.DB.Bun.NewRaw("SELECT equipment_id::text FROM ticket_equipment WHERE ticket_id = ?", tk).Scan(t.Context(), &linked); err != nil || linked != e.ID.String() {
		t.Fatalf("link %q %v", linked, err)
	}
	if text := cab.Get("/portal/equipment/" + e.ID.String()).Text(t); !strings.Contains(text, "L'écran reste noir") {
		t.Fatalf("the item's page lacks its ticket:\n%s", text)
	}
	// The Boulangerie cannot file a report about the Cabinet's laptop.
	boul := app.LoginAs(t, testutil.BoulangerieUser)
	bform := boul.Get("/portal/tickets/new").Doc(t)
	bcontract, _ := bform.Find(`select[name="contract_id"] option[value!=""]`).First().Attr("value")
	before := 0
	if err := app.DB.Bun.NewRaw("SELECT count(*) FROM tickets").Scan(t.Context(), &before); err != nil {
		t.Fatal(err)
	}
	fields = url.Values{"contract_id": {bcontract}, "title": {"L'écran reste noir"}, "description": {"Depuis la mise à jour."},
		"priority": {"high"}, "equipment_id": {e.ID.String()}}
	res = postMultipart(t, boul, "/portal/tickets", fields)
	if res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find("#f-equipment_id-error").Length() != 1 {
		t.Fatalf("report about another client's item: %d", res.StatusCode)
	}
	after := 0
	if err := app.DB.Bun.NewRaw("SELECT count(*) FROM tickets").Scan(t.Context(), &after); err != nil || after != before {
		t.Fatalf("tickets %d → %d", before, after)
	}
}
