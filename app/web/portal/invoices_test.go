package portal_test

import (
	"github.com/PuerkitoBio/goquery"

	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/testutil"
)

// issuedInvoice issues an invoice of 120,00 € TTC to the client named name.
func issuedInvoice(t *testing.T, app *testutil.App, name string) *billing.Invoice {
	t.Helper()
	ctx := context.Background()
	var cl []clients.Client
	if err := app.DB.Bun.NewSelect().Model(&cl).Where("name = ?", name).Scan(ctx); err != nil || len(cl) != 1 {
		t.Fatalf("client %s: %v", name, err)
	}
	var inv *billing.Invoice
	err := app.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		d, err := billing.CreateInvoice(ctx, tx, billing.InvoiceInput{ClientID: cl[0].ID, Title: "Redevance de décembre", PaymentTermsDays: 30,
			Lines: []*billing.InvoiceLine{{Description: "Redevance", Quantity: 1000, UnitPriceCents: 100_00, VATRateBP: 2000}}}, audit.Actor{Label: "test"}, app.Clock.Now())
		if err != nil {
			return err
		}
		inv, err = billing.IssueInvoice(ctx, tx, d.ID, d.Version, audit.Actor{Label: "test"}, app.Clock.Now(), nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestPortalInvoicesPayThroughTestCheckout(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	inv := issuedInvoice(t, app, "Boulangerie Martin")
	c := app.LoginAs(t, testutil.BoulangerieUser)
	base := "/portal/invoices/" + inv.ID.String()

	list := c.Get("/portal/invoices")
	if list.StatusCode != http.StatusOK || !strings.Contains(list.Text(t), inv.Reference()) || !strings.Contains(list.Text(t), "Vous devez 120,00") {
		t.Fatalf("list: %d\n%s", list.StatusCode, list.Text(t))
	}
	if home := c.Get("/portal").Text(t); !strings.Contains(home, "Factures à payer") || !strings.Contains(home, "Vous devez 120,00") {
		t.Fatalf("home lacks what is owed:\n%s", home)
	}
	if pdf := c.Get(base + ".pdf"); pdf.StatusCode != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("pdf: %d", pdf.StatusCode)
	}
	// A forged amount is ignored: the attempt is for what the database says is due.
	res := c.Post(base+"/pay", url.Values{"amount": {"1"}, "invoice_id": {uuid.NewString()}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "/checkout/") {
		t.Fatalf("pay: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	checkout := res.Header.Get("Location")
	page := c.Get(checkout)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Text(t), "TEST") || !strings.Contains(page.Text(t), "120,00") {
		t.Fatalf("checkout: %d\n%s", page.StatusCode, page.Text(t))
	}
	// A failure leaves it unpaid.
	if res := c.Post(checkout, url.Values{"action": {"fail"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("fail: %d", res.StatusCode)
	}
	if got, _ := billing.GetInvoice(context.Background(), app.DB.Bun, inv.ID); got.Status != billing.InvoiceIssued {
		t.Fatalf("after failure: %s", got.Status)
	}
	res = c.Post(base+"/pay", nil)
	checkout = res.Header.Get("Location")
	res = c.Post(checkout, url.Values{"action": {"pay"}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "/paid") {
		t.Fatalf("pay: %d", res.StatusCode)
	}
	if !strings.Contains(c.Get(res.Header.Get("Location")).Text(t), "Paiement reçu") {
		t.Fatal("paid page does not confirm")
	}
	got, _ := billing.GetInvoice(context.Background(), app.DB.Bun, inv.ID)
	if got.Status != billing.InvoicePaid || got.PaidCents != 120_00 {
		t.Fatalf("after pay: %s %d", got.Status, got.PaidCents)
	}
	// The same button again (a replayed form): one payment still.
	if res := c.Post(checkout, url.Values{"action": {"pay"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("replay: %d", res.StatusCode)
	}
	var n int
	if err := app.DB.Bun.NewRaw("SELECT count(*) FROM payments WHERE invoice_id = ?", inv.ID).Scan(context.Background(), &n); err != nil || n != 1 {
		t.Fatalf("payments = %d, %v", n, err)
	}
	// Paying a paid invoice: 409 with the reason.
	res = c.Post(base+"/pay", nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "n'attend plus de paiement") {
		t.Fatalf("pay a paid invoice: %d", res.StatusCode)
	}
}

func TestPortalInvoicesOtherClientIs404(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	inv := issuedInvoice(t, app, "Boulangerie Martin")
	owner := app.LoginAs(t, testutil.BoulangerieUser)
	res := owner.Post("/portal/invoices/"+inv.ID.String()+"/pay", nil)
	checkout := res.Header.Get("Location")
	if !strings.Contains(checkout, "/checkout/") {
		t.Fatalf("owner pay: %d", res.StatusCode)
	}
	other := app.LoginAs(t, testutil.CabinetUser)
	base := "/portal/invoices/" + inv.ID.String()
	for _, path := range []string{base, base + ".pdf", base + "/paid", checkout} {
		if res := other.Get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
		}
	}
	for _, path := range []string{base + "/pay", checkout} {
		if res := other.Post(path, url.Values{"action": {"pay"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, res.StatusCode)
		}
	}
	if strings.Contains(other.Get("/portal/invoices").Text(t), inv.Reference()) {
		t.Error("the other client's list shows the invoice")
	}
	var attempts, payments int
	ctx := context.Background()
	_ = app.DB.Bun.NewRaw("SELECT count(*) FROM payment_attempts").Scan(ctx, &attempts)
	_ = app.DB.Bun.NewRaw("SELECT count(*) FROM payments").Scan(ctx, &payments)
	if attempts != 1 || payments != 0 {
		t.Fatalf("recorded: %d attempts, %d payments", attempts, payments)
	}
	// A missing invoice answers the same.
	if res := other.Get("/portal/invoices/" + uuid.NewString()); res.StatusCode != http.StatusNotFound {
		t.Errorf("missing: %d", res.StatusCode)
	}
}

func TestPortalInvoicePayOpensStripeCheckout(t *testing.T) {
	mock := testutil.StripeMock(t)
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true, Env: map[string]string{
		"STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_WEBHOOK_SECRET": "whsec_test_123", "STRIPE_API_URL": mock,
	}})
	inv := issuedInvoice(t, app, "Boulangerie Martin")
	c := app.LoginAs(t, testutil.BoulangerieUser)
	if !strings.Contains(c.Get("/portal/invoices/"+inv.ID.String()).Text(t), "Payer en ligne") {
		t.Fatal("no pay button")
	}
	res := c.Post("/portal/invoices/"+inv.ID.String()+"/pay", nil)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "https://") || strings.Contains(loc, "/checkout/") {
		t.Fatalf("pay: %d %q\n%s", res.StatusCode, loc, res.Text(t))
	}
	var session string
	var amount int64
	if err := app.DB.Bun.NewRaw("SELECT session_id, amount_cents FROM payment_attempts WHERE invoice_id = ?", inv.ID).
		Scan(context.Background(), &session, &amount); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(session, "cs_") || amount != 120_00 {
		t.Fatalf("attempt: session %q amount %d", session, amount)
	}
	// The built-in test checkout is closed when Stripe is configured.
	var attempt string
	_ = app.DB.Bun.NewRaw("SELECT id FROM payment_attempts WHERE invoice_id = ?", inv.ID).Scan(context.Background(), &attempt)
	if res := c.Get("/portal/invoices/" + inv.ID.String() + "/checkout/" + attempt); res.StatusCode != http.StatusNotFound {
		t.Fatalf("test checkout with keys: %d", res.StatusCode)
	}
	// Nothing is paid by opening a session (only the webhook books).
	if got, _ := billing.GetInvoice(context.Background(), app.DB.Bun, inv.ID); got.Status != billing.InvoiceIssued {
		t.Fatalf("status = %s", got.Status)
	}
}

// A credit note is not something the client pays: its badge says it was issued, not "to pay".
func TestPortalCreditNotesAreNotToPay(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.LoginAs(t, testutil.CabinetUser)
	doc := c.Get("/portal/invoices").Doc(t)
	var credits int
	doc.Find("main li").Each(func(_ int, row *goquery.Selection) {
		text := row.Text()
		if !strings.Contains(text, "A-2026-") {
			return
		}
		credits++
		if strings.Contains(text, "à payer") || !strings.Contains(text, "Avoir émis") {
			t.Errorf("credit note row: %q", strings.Join(strings.Fields(text), " "))
		}
	})
	if credits == 0 {
		t.Fatal("no credit note in the Cabinet's list")
	}
}
