package backoffice_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/sla"
	"maintenant/app/testutil"
	"maintenant/app/tickets"
)

// bakeryContract returns the demo contract of Boulangerie Martin: the "Commerce" service level
// (Tuesday to Saturday 07:00-19:00; critical 1 h / 4 h; 2 % of the monthly fee per started hour,
// capped at 20 %), 149,00 € a month in June 2026.
func bakeryContract(t *testing.T, app *testutil.App) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := app.DB.Bun.NewRaw(`SELECT ct.id FROM contracts ct JOIN clients cl ON cl.id = ct.client_id
		WHERE cl.name = 'Boulangerie Martin' ORDER BY ct.reference LIMIT 1`).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// juneTicket opens a critical ticket under the contract on Tuesday 2 June 2026 at 10:00 in Paris,
// acknowledged at 13:00 (2 h late) and resolved at 14:00 (4 h: on time): 2 started hours of delay,
// 2 × 2 % × 149,00 € = 5,96 €.
func juneTicket(t *testing.T, app *testutil.App, contract uuid.UUID) {
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

func TestReportSLA(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	contract := bakeryContract(t, app)
	juneTicket(t, app, contract)
	c := app.LoginAs(t, testutil.Manager)

	r := c.Get("/admin/reports/sla?contract=" + contract.String() + "&month=2026-06")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	doc := r.Doc(t)
	if got, want := strings.TrimSpace(doc.Find("#penalty").Text()), i18n.Money(i18n.FR, 596); got != want {
		t.Errorf("penalty %q, want %q", got, want)
	}
	if got := doc.Find("#breaches tbody tr").Length(); got != 1 {
		t.Errorf("%d breaches listed, want 1", got)
	}
	if text := doc.Find("#breaches").Text(); !strings.Contains(text, "2 h") || !strings.Contains(text, "T-") {
		t.Errorf("breach row %q lacks its 2 h delay", text)
	}
	if rule := doc.Find("#penalty-rule").Text(); !strings.Contains(rule, "2\u00a0%") || !strings.Contains(rule, "20\u00a0%") {
		t.Errorf("rule in words %q", rule)
	}
	if !strings.Contains(doc.Text(), "2 heure(s) de retard entamée(s)") || !strings.Contains(doc.Text(), "149,00") {
		t.Errorf("the computation is missing")
	}
	if got := doc.Find("svg[role=img] rect").Length(); got < 1 {
		t.Errorf("chart has %d bars", got)
	}
	if doc.Find("svg title").First().Text() == "" || doc.Find("figure + div table tbody tr").Length() != 12 {
		t.Errorf("chart without title or without its 12-month table")
	}
	if prev, _ := doc.Find(`a[rel=prev]`).Attr("href"); prev != "/admin/reports/sla?contract="+contract.String()+"&month=2026-05" {
		t.Errorf("previous month link %q", prev)
	}
	if next, _ := doc.Find(`a[rel=next]`).Attr("href"); next != "/admin/reports/sla?contract="+contract.String()+"&month=2026-07" {
		t.Errorf("next month link %q", next)
	}

	// By default the previous month (October 2026 on the test clock), with the demo tickets: the
	// page shows what the report computes.
	r = c.Get("/admin/reports/sla?contract=" + contract.String())
	rep, err := tickets.MonthlyReport(context.Background(), app.DB.Bun, contract, tickets.Month{Year: 2026, Month: time.October}, app.Config.Location, app.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(r.Doc(t).Find("#penalty").Text()), i18n.Money(i18n.FR, rep.PenaltyCents); r.StatusCode != http.StatusOK || got != want {
		t.Errorf("October: status %d, penalty %q, want %q", r.StatusCode, got, want)
	}
	t.Logf("demo report of October 2026: %d tickets, %d breaches, penalty %s", rep.Opened, len(rep.Breaches), i18n.Money(i18n.FR, rep.PenaltyCents))
	if r := c.Get("/admin/reports/sla?contract=" + contract.String() + "&month=2027-05"); r.StatusCode != http.StatusOK ||
		r.Doc(t).Find(`#f-month`).AttrOr("value", "") != "2026-11" || r.Doc(t).Find(`a[rel=next]`).Length() != 0 {
		t.Errorf("a future month is not brought back to the current one")
	}

	// Without a contract: the choice; unknown and malformed ids: 404.
	if r := c.Get("/admin/reports/sla"); r.StatusCode != http.StatusOK || !strings.Contains(r.Text(t), "Choisissez un contrat et un mois") {
		t.Errorf("no contract: status %d", r.StatusCode)
	}
	for _, bad := range []string{"nope", uuid.Must(uuid.NewV7()).String()} {
		if r := c.Get("/admin/reports/sla?contract=" + bad); r.StatusCode != http.StatusNotFound {
			t.Errorf("contract %q: status %d, want 404", bad, r.StatusCode)
		}
	}
	// The contract page links to its report.
	if c.Get("/admin/contracts/"+contract.String()).Doc(t).Find(`a[href="/admin/reports/sla?contract=`+contract.String()+`"]`).Length() != 1 {
		t.Errorf("no link from the contract page")
	}
	// Clients never reach it.
	if r := app.LoginAs(t, testutil.BoulangerieUser).Get("/admin/reports/sla?contract=" + contract.String()); r.StatusCode == http.StatusOK {
		t.Errorf("a client user reads the staff report")
	}
}

func TestHomeOpenTicketsBySLA(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	counts, err := tickets.OpenCountsBySLA(context.Background(), app.DB.Bun, uuid.Nil, app.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	doc := app.LoginAs(t, testutil.Manager).Get("/admin").Doc(t)
	links := doc.Find("#ticket-states a")
	if links.Length() != 5 {
		t.Fatalf("%d state links, want 5", links.Length())
	}
	for _, st := range []tickets.SLAState{tickets.SLABreached, tickets.SLAAtRisk, tickets.SLAOnTime} {
		a := doc.Find(`#ticket-states a[href="/admin/tickets?sla=` + string(st) + `"]`)
		if a.Length() != 1 {
			t.Errorf("no link to the queue filtered on %s", st)
			continue
		}
		if got, want := strings.TrimSpace(a.Find("span").Last().Text()), strconv.Itoa(counts[st]); got != want {
			t.Errorf("%s: %s, want %s", st, got, want)
		}
	}
	if doc.Find("#deadlines, #deadlines-empty").Length() != 1 {
		t.Errorf("the deadlines card is gone")
	}
}

// TestReportSLAInBrowser shows the staff report of the demo bakery's last month at desktop and
// phone widths: axe-clean, no sideways scroll (artifacts/screenshots/sla-report-admin-*.png).
func TestReportSLAInBrowser(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	contract := bakeryContract(t, app)
	base := app.Listen(t)
	b := testutil.Browser(t)
	testutil.BrowserLogin(t, b, base, testutil.Manager)
	testutil.WaitPath(t, b, "/admin")
	for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
		setViewport(t, b, v)
		testutil.Axe(t, b)
		testutil.Screenshot(t, b, "home-open-tickets-"+v.Name)
	}
	setViewport(t, b, testutil.Desktop)
	testutil.Run(t, b, chromedp.Navigate(base+"/admin/reports/sla?contract="+contract.String()))
	testutil.WaitFor(t, b, `!!document.querySelector('#penalty')`)
	for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
		setViewport(t, b, v)
		testutil.Axe(t, b)
		if out := testutil.HorizontalOverflow(t, b); len(out) > 0 {
			t.Errorf("report at %d px scrolls sideways: %s", v.Width, strings.Join(out, "; "))
		}
		testutil.Screenshot(t, b, "sla-report-admin-"+v.Name)
	}
	setViewport(t, b, testutil.Desktop)
	testutil.CheckConsole(t, b)
}
