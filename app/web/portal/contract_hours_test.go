package portal_test

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
	"maintenant/app/seed"
	"maintenant/app/testutil"
)

// demoContractOf returns the id of the demo contract of a client.
func demoContractOf(t *testing.T, app *testutil.App, client string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := app.DB.Bun.NewRaw(`SELECT ct.id FROM contracts AS ct JOIN clients AS cl ON cl.id = ct.client_id
		WHERE cl.name = ?`, client).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// The client reads, in plain words, the included hours used this month, what is left, the months
// before, and what the overrun costs once over.
func TestPortalContractIncludedHours(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	ctx := context.Background()
	cabinet := demoContractOf(t, app, "Cabinet Durand Avocats")
	loc, _ := time.LoadLocation("Europe/Paris")
	now := app.Clock.Now().In(loc)
	usage := func(back int) interventions.Usage {
		u, err := interventions.HoursUsed(ctx, app.DB.Bun, cabinet, time.Date(now.Year(), now.Month()-time.Month(back), 10, 12, 0, 0, 0, loc), loc)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	dur := func(m int) string { return i18n.Duration(time.Duration(m) * time.Minute) }
	cur, last := usage(0), usage(1)
	if cur.UsedMinutes == 0 || cur.OverrunMinutes != 0 || last.OverrunMinutes == 0 {
		t.Fatalf("demo hours: this month %+v, last month %+v", cur, last)
	}

	c := app.LoginAs(t, testutil.CabinetUser)
	path := "/portal/contracts/" + cabinet.String()
	card := func() string {
		t.Helper()
		res := c.Get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		return squash(res.Doc(t).Find("#included-hours").Text())
	}
	text := card()
	wantText(t, "hours card", text,
		"Ce mois-ci (novembre 2026), nous avons passé "+dur(cur.UsedMinutes)+" à vos interventions, sur les 4 h comprises",
		"Il vous reste "+dur(cur.RemainingMinutes())+" ce mois-ci.",
		"octobre 2026", dur(last.UsedMinutes)+" sur 4 h", dur(last.OverrunMinutes), squash(i18n.Money(i18n.FR, int64(last.OverrunMinutes)*8000/60)))
	if strings.Contains(text, "dépasse") {
		t.Errorf("an overrun said for this month, which is under:\n%s", text)
	}

	// Over this month: the extra time and its price.
	var clientID, tech uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT client_id FROM contracts WHERE id = ?", cabinet).Scan(ctx, &clientID); err != nil {
		t.Fatal(err)
	}
	if err := app.DB.Bun.NewRaw("SELECT id FROM users WHERE email = ?", testutil.Technician).Scan(ctx, &tech); err != nil {
		t.Fatal(err)
	}
	at := time.Date(now.Year(), now.Month(), now.Day()-2, 6, 0, 0, 0, loc)
	actor := audit.Actor{UserID: tech, Label: testutil.Technician}
	if err := app.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		i, err := interventions.Create(ctx, tx, interventions.Input{ClientID: clientID, ContractID: cabinet,
			Kind: interventions.KindCorrective, Place: interventions.PlaceRemote, Title: "Messagerie bloquée"}, actor, at)
		if err != nil {
			return err
		}
		if i, err = interventions.TakeUp(ctx, tx, i.ID, tech, i.Version, actor, at); err != nil {
			return err
		}
		if i, err = interventions.AddTimeEntry(ctx, tx, i.ID, &interventions.TimeEntry{TechnicianID: tech,
			Category: interventions.CategoryWork, StartedAt: at, Minutes: cur.RemainingMinutes() + 90}, i.Version, at); err != nil {
			return err
		}
		_, _, err = interventions.Complete(ctx, tx, i.ID, i.Version, actor, at.Add(5*time.Hour), loc)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	wantText(t, "hours card over", card(),
		"le temps passé dépasse de 1 h 30 les heures comprises : ce temps en plus est facturé "+i18n.Money(i18n.FR, 12000)+" HT")

	// The Boulangerie's contract includes no hours: no card.
	b := app.LoginAs(t, testutil.BoulangerieUser)
	bakery := "/portal/contracts/" + demoContractOf(t, app, "Boulangerie Martin").String()
	if res := b.Get(bakery); res.StatusCode != http.StatusOK || res.Doc(t).Find("#included-hours").Length() != 0 {
		t.Errorf("bakery contract: %d, hours card shown", res.StatusCode)
	}
	// Another client's contract is not found, hours and all.
	if res := b.Get(path); res.StatusCode != http.StatusNotFound {
		t.Errorf("the cabinet's contract seen by the bakery: %d, want 404", res.StatusCode)
	}
}

// TestPortalContractHoursInBrowser shows the law firm's contract page with its included hours at
// desktop and phone widths: axe-clean, no sideways scroll, no console error, no raw message id
// (artifacts/screenshots/portal-contract-hours-*.png).
func TestPortalContractHoursInBrowser(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	cabinet := demoContractOf(t, app, "Cabinet Durand Avocats")
	base := app.Listen(t)
	b := testutil.Browser(t)
	testutil.Run(t, b, chromedp.Navigate(base+"/login"))
	testutil.WaitPath(t, b, "/login")
	testutil.Run(t, b,
		chromedp.SendKeys(chromedp.CSS("#f-email"), testutil.CabinetUser),
		chromedp.SendKeys(chromedp.CSS("#f-password"), seed.DemoPassword),
		chromedp.Click(chromedp.CSS(`main form[action="/login"] button`)),
	)
	testutil.WaitFor(t, b, `location.pathname !== '/login'`)
	testutil.Run(t, b, chromedp.Navigate(base+"/portal/contracts/"+cabinet.String()))
	testutil.WaitFor(t, b, `document.querySelector('#included-hours table') !== null`)
	for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
		testutil.SetViewport(t, b, v)
		if m := rawKey.FindString(testutil.BodyText(t, b)); m != "" {
			t.Errorf("raw message id: %q", m)
		}
		testutil.Axe(t, b)
		if out := testutil.HorizontalOverflow(t, b); len(out) > 0 {
			t.Errorf("at %d px the page scrolls sideways: %s", v.Width, strings.Join(out, "; "))
		}
		testutil.Screenshot(t, b, "portal-contract-hours-"+v.Name)
	}
	testutil.SetViewport(t, b, testutil.Desktop)
	testutil.CheckConsole(t, b)
}
