package backoffice_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/interventions"
	"maintenant/app/testutil"
)

// demoContract returns the id of the demo contract of a client.
func demoContract(t *testing.T, app *testutil.App, client string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := app.DB.Bun.NewRaw(`SELECT ct.id FROM contracts AS ct JOIN clients AS cl ON cl.id = ct.client_id
		WHERE cl.name = ?`, client).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// hoursUsed reads the included hours of a contract in the month of the app's clock, months back.
func hoursUsed(t *testing.T, app *testutil.App, contractID uuid.UUID, monthsBack int) interventions.Usage {
	t.Helper()
	loc, _ := time.LoadLocation("Europe/Paris")
	now := app.Clock.Now().In(loc)
	u, err := interventions.HoursUsed(context.Background(), app.DB.Bun, contractID,
		time.Date(now.Year(), now.Month()-time.Month(monthsBack), 10, 12, 0, 0, 0, loc), loc)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// completeCovered completes a sheet of the contract with minutes of covered work, started at.
func completeCovered(t *testing.T, app *testutil.App, contractID uuid.UUID, at time.Time, minutes int) {
	t.Helper()
	var clientID, tech uuid.UUID
	ctx := context.Background()
	if err := app.DB.Bun.NewRaw("SELECT client_id FROM contracts WHERE id = ?", contractID).Scan(ctx, &clientID); err != nil {
		t.Fatal(err)
	}
	if err := app.DB.Bun.NewRaw("SELECT id FROM users WHERE email = ?", testutil.Manager).Scan(ctx, &tech); err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{UserID: tech, Label: testutil.Manager}
	err := app.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		i, err := interventions.Create(ctx, tx, interventions.Input{ClientID: clientID, ContractID: contractID,
			Kind: interventions.KindCorrective, Place: interventions.PlaceRemote, Title: "Poste bloqué au démarrage"}, actor, at)
		if err != nil {
			return err
		}
		if i, err = interventions.TakeUp(ctx, tx, i.ID, tech, i.Version, actor, at); err != nil {
			return err
		}
		if i, err = interventions.AddTimeEntry(ctx, tx, i.ID, &interventions.TimeEntry{TechnicianID: tech,
			Category: interventions.CategoryWork, StartedAt: at, Minutes: minutes}, i.Version, at); err != nil {
			return err
		}
		_, _, err = interventions.Complete(ctx, tx, i.ID, i.Version, actor, at.Add(time.Duration(minutes)*time.Minute), nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func duration(m int) string { return i18n.Duration(time.Duration(m) * time.Minute) }

// The contract page shows the included hours used this month with a bar and its words, the months
// before with their overrun, and the overrun of this month at the contract's rate once over.
func TestContractIncludedHours(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	m := app.LoginAs(t, testutil.Manager)
	cabinet := demoContract(t, app, "Cabinet Durand Avocats")
	path := "/admin/contracts/" + cabinet.String()

	cur, last := hoursUsed(t, app, cabinet, 0), hoursUsed(t, app, cabinet, 1)
	if cur.IncludedMinutes != 240 || cur.UsedMinutes == 0 || cur.OverrunMinutes != 0 || last.OverrunMinutes == 0 {
		t.Fatalf("demo hours: this month %+v, last month %+v; want some used, last month over", cur, last)
	}
	res := m.Get(path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	sec := res.Doc(t).Find("#included-hours")
	if sec.Length() != 1 {
		t.Fatal("no included hours on the contract page")
	}
	text := strings.Join(strings.Fields(sec.Text()), " ")
	for _, want := range []string{
		"Utilisées ce mois-ci (novembre 2026)", duration(cur.UsedMinutes) + " utilisées / 4 h incluses",
		"Reste " + duration(cur.RemainingMinutes()) + " ce mois-ci.",
		"octobre 2026", duration(last.OverrunMinutes), strings.Join(strings.Fields(i18n.Money(i18n.FR, int64(last.OverrunMinutes)*8000/60)), " "),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("hours card lacks %q:\n%s", want, text)
		}
	}
	if sec.Find("svg[aria-hidden=true] rect").Length() != 2 || !strings.Contains(text, "% des heures incluses du mois") {
		t.Error("no bar with its text")
	}
	if strings.Contains(text, "Dépassement :") {
		t.Error("an overrun shown for this month, which is under")
	}

	// Over this month: the overrun and its price at 80 € an hour.
	loc, _ := time.LoadLocation("Europe/Paris")
	now := app.Clock.Now().In(loc)
	completeCovered(t, app, cabinet, time.Date(now.Year(), now.Month(), now.Day()-2, 6, 0, 0, 0, loc), cur.RemainingMinutes()+40)
	text = strings.Join(strings.Fields(m.Get(path).Doc(t).Find("#included-hours").Text()), " ")
	for _, want := range []string{"Dépassement : 40 min au-delà des heures incluses, soit 53,33", "4 h 40 utilisées / 4 h incluses"} {
		if !strings.Contains(text, want) {
			t.Errorf("over this month, the card lacks %q:\n%s", want, text)
		}
	}

	// A contract without included hours shows none.
	bakery := "/admin/contracts/" + demoContract(t, app, "Boulangerie Martin").String()
	if res := m.Get(bakery); res.StatusCode != http.StatusOK || res.Doc(t).Find("#included-hours").Length() != 0 {
		t.Errorf("bakery contract: %d, hours card shown", res.StatusCode)
	}
}

// TestHoursFiltersAndEditInBrowser shows, on the demo data, the contract page's included hours, the
// list of interventions filtered by kind and technician, and the form editing an intervention's
// header, at desktop and phone widths: axe-clean, no sideways scroll, no console error
// (artifacts/screenshots/contract-hours-*.png, interventions-filtered-*.png,
// intervention-edit-*.png).
func TestHoursFiltersAndEditInBrowser(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	ctx := context.Background()
	cabinet := demoContract(t, app, "Cabinet Durand Avocats")
	var tech, open uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM users WHERE email = ?", testutil.Technician).Scan(ctx, &tech); err != nil {
		t.Fatal(err)
	}
	if err := app.DB.Bun.NewRaw("SELECT id FROM interventions WHERE status = 'in_progress' ORDER BY number LIMIT 1").Scan(ctx, &open); err != nil {
		t.Fatal(err)
	}
	base := app.Listen(t)
	b := testutil.Browser(t)
	testutil.BrowserLogin(t, b, base, testutil.Manager)
	testutil.WaitFor(t, b, `location.pathname !== '/login'`)
	for _, page := range []struct{ path, ready, name string }{
		{"/admin/contracts/" + cabinet.String(), `document.querySelector('#included-hours table') !== null`, "contract-hours"},
		{"/admin/interventions?kind=corrective&tech=" + tech.String(), `document.querySelectorAll('#interventions > li').length >= 1`, "interventions-filtered"},
		{"/admin/interventions/" + open.String() + "/edit", `document.querySelector('input[name="technicians"]') !== null`, "intervention-edit"},
	} {
		testutil.Run(t, b, chromedp.Navigate(base+page.path))
		testutil.WaitFor(t, b, page.ready)
		for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
			setViewport(t, b, v)
			testutil.Axe(t, b)
			if out := testutil.HorizontalOverflow(t, b); len(out) > 0 {
				t.Errorf("%s at %d px scrolls sideways: %s", page.name, v.Width, strings.Join(out, "; "))
			}
			testutil.Screenshot(t, b, page.name+"-"+v.Name)
		}
		setViewport(t, b, testutil.Desktop)
		testutil.CheckConsole(t, b)
	}
}
