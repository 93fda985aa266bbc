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
	"maintenant/app/seed"
	"maintenant/app/sla"
	"maintenant/app/testutil"
	"maintenant/app/tickets"
)

// demoContract returns the first demo contract of a client.
func demoContract(t *testing.T, app *testutil.App, client string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := app.DB.Bun.NewRaw(`SELECT ct.id FROM contracts ct JOIN clients cl ON cl.id = ct.client_id
		WHERE cl.name = ? ORDER BY ct.reference LIMIT 1`, client).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// slaJuneTicket opens a critical ticket under the bakery's demo contract (Tuesday to Saturday
// 07:00-19:00, critical 1 h / 4 h, 2 % per started hour capped at 20 %, 149,00 € a month in June
// 2026) on Tuesday 2 June 2026 at 10:00, acknowledged at 13:00 (2 h late), resolved at 14:00 (on
// time): 2 × 2 % × 149,00 € = 5,96 €.
func slaJuneTicket(t *testing.T, app *testutil.App, contract uuid.UUID) {
	t.Helper()
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(h int) time.Time { return time.Date(2026, 6, 2, h, 0, 0, 0, paris) }
	actor := tickets.StaffActor(audit.Actor{Label: testutil.Manager}, "Sophie Lambert")
	err := app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		var client uuid.UUID
		if err := tx.NewRaw("SELECT client_id FROM contracts WHERE id = ?", contract).Scan(ctx, &client); err != nil {
			return err
		}
		tk, err := tickets.Open(ctx, tx, tickets.OpenInput{ClientID: client, ContractID: contract, Title: "Paiement en ligne refusé",
			Description: "Toutes les cartes sont refusées.", Priority: sla.Critical, Channel: tickets.ChannelPhone,
			ReporterLabel: "Julie Martin"}, actor, at(10), paris)
		if err != nil {
			return err
		}
		if tk, err = tickets.Transition(ctx, tx, tk.ID, tickets.StatusAcknowledged, actor, "", tk.Version, at(13)); err != nil {
			return err
		}
		_, err = tickets.Transition(ctx, tx, tk.ID, tickets.StatusResolved, actor, "", tk.Version, at(14))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestContractSLAReport(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	bakery := demoContract(t, app, "Boulangerie Martin")
	slaJuneTicket(t, app, bakery)
	c := app.LoginAs(t, testutil.BoulangerieUser)

	r := c.Get("/portal/contracts/" + bakery.String() + "/sla?month=2026-06")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	doc := r.Doc(t)
	if got, want := doc.Find("#penalty").Text(), i18n.Money(i18n.FR, 596); !strings.Contains(got, want) {
		t.Errorf("penalty %q, want %q", got, want)
	}
	if got := doc.Find("#breaches li").Length(); got != 1 {
		t.Errorf("%d delays listed, want 1", got)
	}
	if text := doc.Find("#breaches").Text(); !strings.Contains(text, "Prise en charge en retard de 2 h (promis en 1 h)") {
		t.Errorf("delay in words: %q", text)
	}
	if text := doc.Text(); !strings.Contains(text, "Nos délais en juin 2026") || !strings.Contains(text, "Vous nous avez signalé 1 panne ce mois-ci.") {
		t.Errorf("plain words missing:\n%s", text)
	}
	if doc.Find("svg[role=img] title").Length() == 0 || doc.Find(`a[rel=prev][href$="month=2026-05"]`).Length() != 1 {
		t.Errorf("chart or month navigation missing")
	}

	// A month without tickets: no penalty, said plainly.
	if text := c.Get("/portal/contracts/" + bakery.String() + "/sla?month=2026-04").Text(t); !strings.Contains(text, "Aucune pénalité ce mois-ci") {
		t.Errorf("empty month:\n%s", text)
	}
	// The contract page links to the report.
	if c.Get("/portal/contracts/"+bakery.String()).Doc(t).Find(`a[href="/portal/contracts/`+bakery.String()+`/sla"]`).Length() != 1 {
		t.Errorf("no link from the contract page")
	}
}

// The Cabinet's user never reads the bakery's report: 404 like a missing contract.
func TestContractSLAReportCrossClient(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	bakery := demoContract(t, app, "Boulangerie Martin")
	cabinet := demoContract(t, app, "Cabinet Durand Avocats")
	c := app.LoginAs(t, testutil.CabinetUser)
	for _, path := range []string{
		"/portal/contracts/" + bakery.String() + "/sla",
		"/portal/contracts/" + bakery.String() + "/sla?month=2026-10",
		"/portal/contracts/" + uuid.Must(uuid.NewV7()).String() + "/sla",
		"/portal/contracts/not-an-id/sla",
	} {
		if r := c.Get(path); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, r.StatusCode)
		}
	}
	if r := c.Get("/portal/contracts/" + cabinet.String() + "/sla"); r.StatusCode != http.StatusOK {
		t.Errorf("own contract: status %d", r.StatusCode)
	}
}

// TestContractSLAReportInBrowser shows the bakery's report of last month (the demo's breached
// ticket) at desktop and phone widths: axe-clean, no sideways scroll
// (artifacts/screenshots/sla-report-portal-*.png).
func TestContractSLAReportInBrowser(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	bakery := demoContract(t, app, "Boulangerie Martin")
	base := app.Listen(t)
	b := testutil.Browser(t)
	testutil.Run(t, b, chromedp.Navigate(base+"/login"))
	testutil.WaitPath(t, b, "/login")
	testutil.Run(t, b,
		chromedp.SendKeys(chromedp.CSS("#f-email"), testutil.BoulangerieUser),
		chromedp.SendKeys(chromedp.CSS("#f-password"), seed.DemoPassword),
	)
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`main form[action="/login"] button`)))
	testutil.WaitPath(t, b, "/portal")
	testutil.Run(t, b, chromedp.Navigate(base+"/portal/contracts/"+bakery.String()))
	testutil.WaitFor(t, b, `!!document.querySelector('a[href$="/sla"]')`)
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`a[href$="/sla"]`)))
	testutil.WaitPath(t, b, "/portal/contracts/"+bakery.String()+"/sla")
	testutil.WaitFor(t, b, `!!document.querySelector('#penalty')`)
	for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
		testutil.SetViewport(t, b, v)
		testutil.Axe(t, b)
		if out := testutil.HorizontalOverflow(t, b); len(out) > 0 {
			t.Errorf("report at %d px scrolls sideways: %s", v.Width, strings.Join(out, "; "))
		}
		testutil.Screenshot(t, b, "sla-report-portal-"+v.Name)
	}
	testutil.SetViewport(t, b, testutil.Desktop)
	testutil.CheckConsole(t, b)
}
