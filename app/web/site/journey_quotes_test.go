package site_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/database"
	"maintenant/app/testutil"
)

func clientNamed(t *testing.T, app *testutil.App, name string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM clients WHERE name = ?", name).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestJourneyQuoteAccepted walks a quote in a real browser: the manager drafts a quote from one of
// the Boulangerie's tickets and sends it; the Boulangerie's administrator reads it in the portal,
// ticks the bon pour accord, types her name and confirms with her password; the manager finds the
// evolutive intervention it created; the accepted PDF carries the acceptance block (rendered to
// artifacts/screenshots/quote-journey-pdf-*.png).
func TestJourneyQuoteAccepted(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	base := app.Listen(t)
	j := newJourney(t, "quote-journey")
	boulangerie := clientNamed(t, app, "Boulangerie Martin")
	var ticket uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM tickets WHERE client_id = ? ORDER BY number LIMIT 1", boulangerie).Scan(context.Background(), &ticket); err != nil {
		t.Fatal(err)
	}

	// The manager drafts the quote from the ticket.
	j.run(chromedp.Navigate(base + "/login"))
	j.waitPath("/login")
	j.login(testutil.Manager, "/admin")
	j.run(chromedp.Navigate(base + "/admin/tickets/" + ticket.String()))
	j.waitPath("/admin/tickets/" + ticket.String())
	j.run(chromedp.Click(chromedp.CSS(`main a[href^="/admin/quotes/new?ticket="]`)))
	j.waitPath("/admin/quotes/new")
	testutil.Eval[bool](t, j.ctx, `(document.querySelector('#f-title').value = '', true)`)
	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-title"), "Refonte exceptionnelle de la page d'accueil"),
		chromedp.SendKeys(chromedp.CSS("#f-description"), "Nouvelle mise en page de la page d'accueil, avec les photos de la vitrine."),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="lines.0.description"]`), "Maquette de la nouvelle page"),
		chromedp.SendKeys(chromedp.CSS(`input[name="lines.0.quantity"]`), "1"),
		chromedp.SendKeys(chromedp.CSS(`input[name="lines.0.unit"]`), "forfait"),
		chromedp.SendKeys(chromedp.CSS(`input[name="lines.0.unit_price"]`), "450"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="lines.1.description"]`), "Intégration et tests sur téléphone"),
		chromedp.SendKeys(chromedp.CSS(`input[name="lines.1.quantity"]`), "6,5"),
		chromedp.SendKeys(chromedp.CSS(`input[name="lines.1.unit"]`), "h"),
		chromedp.SendKeys(chromedp.CSS(`input[name="lines.1.unit_price"]`), "65"),
		chromedp.SendKeys(chromedp.CSS(`input[name="lines.1.discount"]`), "10"),
		chromedp.SendKeys(chromedp.CSS(`#f-deposit`), "30"),
	)
	j.inspect("admin-form")
	j.run(chromedp.Click(chromedp.CSS(`main form[action="/admin/quotes"] button.bg-blue-700`)))
	j.waitFor(`/^\/admin\/quotes\/[0-9a-f-]{36}$/.test(location.pathname)`)
	adminQuote := j.path()
	j.expectText("996,30", "Julie Martin")
	j.inspect("admin-draft")
	testutil.Eval[bool](t, j.ctx, `(window.confirm = () => true, true)`)
	j.run(chromedp.Click(chromedp.CSS(`form[action$="/send"] button`)))
	j.waitFor(`!document.querySelector('form[action$="/send"]')`)
	j.expectText("En attente de décision", "1 contact prévenu")
	reference := testutil.Eval[string](t, j.ctx, `document.querySelector('h1 span').innerText`)
	if !strings.HasPrefix(reference, "D-2026-") {
		t.Fatalf("reference = %q", reference)
	}
	j.inspect("admin-sent")
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")

	// The Boulangerie's administrator reads it and gives her bon pour accord.
	j.login(testutil.BoulangerieUser, "/portal")
	j.clickNav("/portal/quotes")
	j.expectText("Refonte exceptionnelle de la page d'accueil", "996,30")
	j.inspect("portal-list")
	j.run(chromedp.Click(chromedp.CSS(`main a[href^="/portal/quotes/"]`)))
	j.waitFor(`/^\/portal\/quotes\/[0-9a-f-]{36}$/.test(location.pathname)`)
	j.expectText(reference, "Devis gratuit", "Votre décision")
	j.inspect("portal-detail")
	j.run(
		chromedp.Click(chromedp.CSS(`#f-agree`)),
		chromedp.SendKeys(chromedp.CSS(`#f-signer_name`), "Julie Martin"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "demo-password"),
	)
	j.capture("portal-filled")
	testutil.Eval[bool](t, j.ctx, `(window.confirm = () => true, true)`)
	j.run(chromedp.Click(chromedp.CSS(`form[action$="/accept"] button`)))
	j.waitFor(`document.body.innerText.includes("Bon pour accord donné par Julie Martin")`)
	j.expectText("Devis " + reference + " accepté")
	portalQuote := j.path()
	j.inspect("portal-accepted")
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")

	// The manager finds the intervention it created.
	j.login(testutil.Manager, "/admin")
	j.run(chromedp.Navigate(base + adminQuote))
	j.waitPath(adminQuote)
	j.expectText("Bon pour accord donné", "Julie Martin", "Intervention créée")
	j.inspect("admin-accepted")
	j.run(chromedp.Click(chromedp.CSS(`main a[href^="/admin/interventions/"]`)))
	j.waitFor(`/^\/admin\/interventions\/[0-9a-f-]{36}$/.test(location.pathname)`)
	j.expectText(reference, "Évolutive", "À faire")
	j.inspect("admin-intervention")

	// The accepted PDF, as the client downloads it, carries the acceptance block.
	c := app.LoginAs(t, testutil.BoulangerieUser)
	res := c.Get(portalQuote + ".pdf")
	if res.StatusCode != 200 {
		t.Fatalf("PDF: %d", res.StatusCode)
	}
	path := filepath.Join(t.TempDir(), "devis.pdf")
	if err := os.WriteFile(path, []byte(res.Body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(string(out))), " ")
	for _, want := range []string{"Bon pour accord", "Julie Martin a lu et accepté le devis " + reference, "Empreinte SHA-256 du devis", "Total TTC 996,30 €"} {
		if !strings.Contains(text, want) {
			t.Errorf("accepted PDF lacks %q", want)
		}
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "80", path, filepath.Join(testutil.ScreenshotDir(), "quote-journey-pdf")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
}

// TestJourneyQuoteDeclined: the Cabinet's administrator declines a quote with a reason; the
// manager reads the reason.
func TestJourneyQuoteDeclined(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	base := app.Listen(t)
	j := newJourney(t, "quote-decline")
	var q *billing.Quote
	err := app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		q, err = billing.Create(ctx, tx, billing.Input{
			ClientID: clientNamed(t, app, "Cabinet Durand Avocats"), Title: "Remplacement du serveur de fichiers",
			Description: "Nouveau serveur, migration des dossiers clients, sauvegardes chiffrées.",
			ValidUntil:  time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC),
			Lines: []*billing.Line{
				{Description: "Serveur NAS 4 baies et disques", Quantity: 1000, UnitPriceCents: 1890_00, VATRateBP: 2000},
				{Description: "Migration et configuration", Quantity: 8000, Unit: "h", UnitPriceCents: 70_00, VATRateBP: 2000},
			},
		}, audit.Actor{Label: "test"}, app.Clock.Now(), app.Config.Location)
		if err != nil {
			return err
		}
		q, err = billing.Send(ctx, tx, q.ID, q.Version, audit.Actor{Label: "test"}, app.Clock.Now(), app.Config.Location)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	j.run(chromedp.Navigate(base + "/login"))
	j.waitPath("/login")
	j.login(testutil.CabinetUser, "/portal")
	j.run(chromedp.Navigate(base + "/portal/quotes/" + q.ID.String()))
	j.waitPath("/portal/quotes/" + q.ID.String())
	j.run(chromedp.Click(chromedp.CSS(`#decision details > summary`)))
	j.run(chromedp.SendKeys(chromedp.CSS(`#f-reason`), "Budget déjà engagé cette année ; nous en reparlerons en mars."))
	j.capture("portal-reason")
	testutil.Eval[bool](t, j.ctx, `(window.confirm = () => true, true)`)
	j.run(chromedp.Click(chromedp.CSS(`form[action$="/decline"] button`)))
	j.waitFor(`document.body.innerText.includes("Devis refusé")`)
	j.expectText("Budget déjà engagé cette année", "Devis "+q.Reference()+" refusé")
	j.inspect("portal-declined")
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")
	j.login(testutil.Manager, "/admin")
	j.run(chromedp.Navigate(base + "/admin/quotes/" + q.ID.String()))
	j.waitPath("/admin/quotes/" + q.ID.String())
	j.expectText("Devis refusé", "Budget déjà engagé cette année", "Maître Paul Durand")
	j.inspect("admin-declined")
}
