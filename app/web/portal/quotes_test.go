package portal_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/database"
	"maintenant/app/seed"
	"maintenant/app/testutil"
)

// quote writes a quote of client through the domain (sent unless draft), valid until 22/12/2026.
func (a *portalApp) quote(t *testing.T, client uuid.UUID, title string, draft bool) *billing.Quote {
	t.Helper()
	loc := a.app.Config.Location
	var q *billing.Quote
	err := a.app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		q, err = billing.Create(ctx, tx, billing.Input{
			ClientID: client, Title: title, Description: "Nouvelle mise en page de la page d'accueil.",
			ValidUntil: time.Date(2026, 12, 22, 0, 0, 0, 0, time.UTC), DepositBP: 3000,
			Lines: []*billing.Line{
				{Description: "Maquette", Quantity: 1000, Unit: "forfait", UnitPriceCents: 450_00, VATRateBP: 2000},
				{Description: "Intégration", Quantity: 6500, Unit: "h", UnitPriceCents: 65_00, VATRateBP: 2000, DiscountBP: 1000},
			},
		}, audit.Actor{Label: "test"}, a.app.Clock.Now(), loc)
		if err != nil || draft {
			return err
		}
		q, err = billing.Send(ctx, tx, q.ID, q.Version, audit.Actor{Label: "test"}, a.app.Clock.Now(), loc)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func quotePath(q *billing.Quote) string { return "/portal/quotes/" + q.ID.String() }

// acceptForm is the acceptance as the page sends it.
func acceptForm(q *billing.Quote, mod ...func(url.Values)) url.Values {
	f := url.Values{"agree": {"1"}, "signer_name": {"Julie Martin"}, "password": {seed.DemoPassword}, "hash": {q.HashHex()}}
	for _, m := range mod {
		m(f)
	}
	return f
}

func (a *portalApp) decided(t *testing.T) (acceptances, interventions, declined int) {
	t.Helper()
	return count(t, a.app, "SELECT count(*) FROM quote_acceptances"), count(t, a.app, "SELECT count(*) FROM interventions"),
		count(t, a.app, "SELECT count(*) FROM quotes WHERE status = 'declined'")
}

func TestPortalQuoteList(t *testing.T) {
	a := newPortalApp(t)
	sent := a.quote(t, a.boulangerie, "Refonte de la page d'accueil", false)
	draft := a.quote(t, a.boulangerie, "Brouillon secret", true)
	other := a.quote(t, a.cabinet, "Devis du cabinet", false)
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	res := c.Get("/portal/quotes")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	text := squash(res.Text(t))
	wantText(t, "list", text, sent.Title, sent.Reference(), "996,30", "À décider avant le 22/12/2026")
	if strings.Contains(text, draft.Title) || strings.Contains(text, other.Title) {
		t.Errorf("list shows a draft or another client's quote:\n%s", text)
	}
	if text := c.Get("/portal/quotes?status=accepted").Text(t); strings.Contains(text, sent.Title) {
		t.Error("accepted tab shows a sent quote")
	}
	if text := c.Get("/portal/quotes?status=sent").Text(t); !strings.Contains(text, sent.Title) {
		t.Error("to-decide tab lacks the sent quote")
	}
	if res := c.Get(quotePath(draft)); res.StatusCode != http.StatusNotFound {
		t.Errorf("draft: %d", res.StatusCode)
	}
}

func TestPortalQuoteDetailOrder(t *testing.T) {
	a := newPortalApp(t)
	q := a.quote(t, a.boulangerie, "Refonte de la page d'accueil", false)
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	res := c.Get(quotePath(q))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	body := res.Body
	text := squash(res.Text(t))
	wantText(t, "detail", text, "Maquette", "Intégration", "830,25", "166,05", "996,30", "Devis gratuit", "Boulangerie Martin")
	// The terms come first, then the box, the name, the password, and the button.
	order := []string{`id="terms"`, `name="agree"`, `name="signer_name"`, `name="password"`, `>Accepter le devis</button>`}
	last := -1
	for _, s := range order {
		i := strings.Index(body, s)
		if i < 0 || i < last {
			t.Fatalf("%q missing or out of order (at %d, after %d)", s, i, last)
		}
		last = i
	}
	if v, _ := res.Doc(t).Find(`form[action$="/accept"] input[name="hash"]`).Attr("value"); v != q.HashHex() {
		t.Errorf("hash = %q", v)
	}
}

func TestPortalQuoteAccept(t *testing.T) {
	a := newPortalApp(t)
	q := a.quote(t, a.boulangerie, "Refonte de la page d'accueil", false)
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	c.Get(quotePath(q))
	before := c.Get(quotePath(q) + ".pdf")
	if before.StatusCode != http.StatusOK || before.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("PDF: %d %s", before.StatusCode, before.Header.Get("Content-Type"))
	}
	res := c.Post(quotePath(q)+"/accept", acceptForm(q))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d\n%s", res.StatusCode, res.Body)
	}
	var pdfHash []byte
	if err := a.app.DB.Bun.NewRaw("SELECT pdf_sha256 FROM quote_acceptances WHERE quote_id = ?", q.ID).Scan(context.Background(), &pdfHash); err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256([]byte(before.Body)); !bytes.Equal(pdfHash, sum[:]) {
		t.Errorf("recorded PDF hash %x is not the hash of the PDF shown before (%x)", pdfHash, sum)
	}
	after := c.Get(quotePath(q) + ".pdf")
	if after.StatusCode != http.StatusOK || after.Body == before.Body {
		t.Errorf("accepted PDF: %d, unchanged by the acceptance", after.StatusCode)
	}
	page := c.Get(quotePath(q))
	wantText(t, "accepted", squash(page.Text(t)), "Devis D-2026-0001 accepté", "Bon pour accord donné par Julie Martin")
	if page.Doc(t).Find(`form[action$="/accept"]`).Length() != 0 {
		t.Error("an accepted quote still offers the form")
	}
	var ev struct {
		SignerName string `bun:"signer_name"`
		IP         string `bun:"ip"`
		Hash       []byte `bun:"content_sha256"`
	}
	if err := a.app.DB.Bun.NewRaw("SELECT signer_name, ip, content_sha256 FROM quote_acceptances WHERE quote_id = ?", q.ID).Scan(context.Background(), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.SignerName != "Julie Martin" || ev.IP == "" || string(ev.Hash) != string(q.ContentHash) {
		t.Errorf("evidence = %+v", ev)
	}
	if n := count(t, a.app, "SELECT count(*) FROM interventions WHERE quote_id = ? AND kind = 'evolutive' AND status = 'todo'", q.ID); n != 1 {
		t.Errorf("%d interventions", n)
	}
	if n := count(t, a.app, "SELECT count(*) FROM outbox_messages WHERE kind = 'quote_accepted' AND to_address = ?", testutil.Manager); n != 1 {
		t.Errorf("%d mails to the manager", n)
	}
	// Accepting again: 409 with the reason, still one acceptance.
	res = c.Post(quotePath(q)+"/accept", acceptForm(q))
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "déjà fait l'objet d'une décision") {
		t.Errorf("second accept: %d", res.StatusCode)
	}
	res = c.Post(quotePath(q)+"/decline", url.Values{"hash": {q.HashHex()}})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("decline after accept: %d", res.StatusCode)
	}
	if acc, inter, dec := a.decided(t); acc != 1 || inter != 1 || dec != 0 {
		t.Errorf("%d acceptances, %d interventions, %d declined", acc, inter, dec)
	}
}

func TestPortalQuoteAcceptRefusals(t *testing.T) {
	a := newPortalApp(t)
	q := a.quote(t, a.boulangerie, "Refonte de la page d'accueil", false)
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	c.Get(quotePath(q))

	// Box unticked, no name, no password: 422 under each field.
	res := c.Post(quotePath(q)+"/accept", acceptForm(q, func(f url.Values) { f.Del("agree"); f.Set("signer_name", " "); f.Del("password") }))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("incomplete: %d", res.StatusCode)
	}
	for _, id := range []string{"f-agree-error", "f-signer_name-error", "f-password-error"} {
		if res.Doc(t).Find("#"+id).Length() != 1 {
			t.Errorf("no %s", id)
		}
	}
	// A wrong password: 422, nothing recorded, one failed login counted.
	res = c.Post(quotePath(q)+"/accept", acceptForm(q, func(f url.Values) { f.Set("password", "not-my-password") }))
	if res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find("#f-password-error").Length() != 1 {
		t.Errorf("wrong password: %d", res.StatusCode)
	}
	if v, _ := res.Doc(t).Find(`input[name="signer_name"]`).Attr("value"); v != "Julie Martin" {
		t.Errorf("name not kept: %q", v)
	}
	if n := count(t, a.app, "SELECT count(*) FROM auth_attempts WHERE bucket = 'login-account' AND key = ?", testutil.BoulangerieUser); n != 1 {
		t.Errorf("%d failed attempts counted", n)
	}
	// A forged hash: 409.
	res = c.Post(quotePath(q)+"/accept", acceptForm(q, func(f url.Values) { f.Set("hash", strings.Repeat("ab", 32)) }))
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "n'est plus exactement celui affiché") {
		t.Errorf("forged hash: %d", res.StatusCode)
	}
	// A cross-site POST (no CSRF token): 403.
	res = c.PostRaw(quotePath(q)+"/accept", acceptForm(q))
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site: %d", res.StatusCode)
	}
	if acc, inter, dec := a.decided(t); acc+inter+dec != 0 {
		t.Fatalf("something recorded: %d %d %d", acc, inter, dec)
	}
	// Past its validity: 409, and the page says so.
	a.app.Clock.Advance(31 * 24 * time.Hour)
	c = a.app.LoginAs(t, testutil.BoulangerieUser) // the session ended meanwhile
	c.Get(quotePath(q))
	res = c.Post(quotePath(q)+"/accept", acceptForm(q))
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "date de validité") {
		t.Errorf("expired: %d", res.StatusCode)
	}
	if text := c.Get(quotePath(q)).Text(t); !strings.Contains(text, "Expiré") {
		t.Error("page does not show the quote expired")
	}
	if acc, inter, dec := a.decided(t); acc+inter+dec != 0 {
		t.Errorf("something recorded: %d %d %d", acc, inter, dec)
	}
}

func TestPortalQuoteWithdrawnAndMember(t *testing.T) {
	a := newPortalApp(t)
	q := a.quote(t, a.boulangerie, "Refonte de la page d'accueil", false)
	a.member(t, a.boulangerie, "vendeuse@boulangerie.demo.test", "Léa Vendeuse")
	m := a.app.LoginAs(t, "vendeuse@boulangerie.demo.test")
	page := m.Get(quotePath(q))
	if page.StatusCode != http.StatusOK || page.Doc(t).Find(`form[action$="/accept"]`).Length() != 0 {
		t.Errorf("member sees the decision form: %d", page.StatusCode)
	}
	if !strings.Contains(page.Text(t), "Seuls les administrateurs") {
		t.Error("member is not told who decides")
	}
	for _, action := range []string{"/accept", "/decline"} {
		if res := m.Post(quotePath(q)+action, acceptForm(q)); res.StatusCode != http.StatusNotFound {
			t.Errorf("member %s: %d", action, res.StatusCode)
		}
	}
	err := a.app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.Withdraw(ctx, tx, q.ID, q.Version, audit.Actor{Label: "test"}, a.app.Clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	c.Get(quotePath(q))
	res := c.Post(quotePath(q)+"/accept", acceptForm(q))
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "retiré") {
		t.Errorf("withdrawn: %d", res.StatusCode)
	}
	if acc, inter, dec := a.decided(t); acc+inter+dec != 0 {
		t.Errorf("something recorded: %d %d %d", acc, inter, dec)
	}
}

func TestPortalQuoteDecline(t *testing.T) {
	a := newPortalApp(t)
	q := a.quote(t, a.boulangerie, "Refonte de la page d'accueil", false)
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	c.Get(quotePath(q))
	res := c.Post(quotePath(q)+"/decline", url.Values{"hash": {q.HashHex()}, "reason": {"Trop cher cette année, on en reparle au printemps."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("decline: %d\n%s", res.StatusCode, res.Body)
	}
	wantText(t, "declined", squash(c.Get(quotePath(q)).Text(t)), "Devis D-2026-0001 refusé", "Trop cher cette année")
	var body string
	if err := a.app.DB.Bun.NewRaw("SELECT text_body FROM outbox_messages WHERE kind = 'quote_declined' AND to_address = ?", testutil.Manager).
		Scan(context.Background(), &body); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "Trop cher cette année") {
		t.Errorf("mail:\n%s", body)
	}
	if res := c.Post(quotePath(q)+"/accept", acceptForm(q)); res.StatusCode != http.StatusConflict {
		t.Errorf("accept after decline: %d", res.StatusCode)
	}
	if acc, inter, dec := a.decided(t); acc != 0 || inter != 0 || dec != 1 {
		t.Errorf("%d acceptances, %d interventions, %d declined", acc, inter, dec)
	}
}

func TestPortalQuoteCrossClient(t *testing.T) {
	a := newPortalApp(t)
	q := a.quote(t, a.boulangerie, "Refonte de la page d'accueil", false)
	c := a.app.LoginAs(t, testutil.CabinetUser)
	if text := c.Get("/portal/quotes").Text(t); strings.Contains(text, q.Title) {
		t.Error("the list shows another client's quote")
	}
	for _, p := range []string{quotePath(q), quotePath(q) + ".pdf"} {
		if res := c.Get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}
	cabinetForm := acceptForm(q, func(f url.Values) { f.Set("signer_name", "Paul Durand") })
	for _, action := range []string{"/accept", "/decline"} {
		if res := c.Post(quotePath(q)+action, cabinetForm); res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d", action, res.StatusCode)
		}
	}
	if res := c.Get("/portal/quotes/" + uuid.NewString()); res.StatusCode != http.StatusNotFound {
		t.Errorf("missing: %d", res.StatusCode)
	}
	if acc, inter, dec := a.decided(t); acc+inter+dec != 0 {
		t.Errorf("something recorded: %d %d %d", acc, inter, dec)
	}
	if n := count(t, a.app, "SELECT count(*) FROM auth_attempts"); n != 0 {
		t.Errorf("%d attempts counted for a quote the user cannot see", n)
	}
}

func TestPortalQuoteDoubleClick(t *testing.T) {
	a := newPortalApp(t)
	q := a.quote(t, a.boulangerie, "Refonte de la page d'accueil", false)
	clients := []*testutil.Client{a.app.LoginAs(t, testutil.BoulangerieUser), a.app.LoginAs(t, testutil.BoulangerieUser)}
	for _, c := range clients {
		c.Get(quotePath(q))
	}
	statuses := make([]int, len(clients))
	var wg sync.WaitGroup
	for n, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[n] = c.Post(quotePath(q)+"/accept", acceptForm(q)).StatusCode
		}()
	}
	wg.Wait()
	won, lost := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusSeeOther:
			won++
		case http.StatusConflict:
			lost++
		}
	}
	if won != 1 || lost != 1 {
		t.Errorf("statuses %v: want one 303 and one 409", statuses)
	}
	if acc, inter, _ := a.decided(t); acc != 1 || inter != 1 {
		t.Errorf("%d acceptances, %d interventions", acc, inter)
	}
}

// TestPortalHomeQuotes: the home shows the client's quotes waiting for a decision (never another
// client's, a draft or a decided one), with the way to decide for those who may.
func TestPortalHomeQuotes(t *testing.T) {
	a := newPortalApp(t)
	sent := a.quote(t, a.boulangerie, "Refonte de la page d'accueil", false)
	draft := a.quote(t, a.boulangerie, "Brouillon secret", true)
	other := a.quote(t, a.cabinet, "Devis du cabinet", false)
	doc := a.app.LoginAs(t, testutil.BoulangerieUser).Get("/portal").Doc(t)
	block := doc.Find("#home-quotes")
	if block.Length() != 1 {
		t.Fatal("the home has no block of quotes waiting for a decision")
	}
	text := squash(block.Text())
	wantText(t, "home quotes", text, "Devis en attente de votre décision", sent.Title, sent.Reference(), "996,30", "Lire et décider")
	for _, q := range []*billing.Quote{draft, other} {
		if strings.Contains(text, q.Title) {
			t.Errorf("the home shows %q:\n%s", q.Title, text)
		}
	}
	if href, _ := block.Find(`a[href$="#decision"]`).Attr("href"); href != quotePath(sent)+"#decision" {
		t.Errorf("decide link %q", href)
	}
	// Another client's home shows its own quote only.
	text = squash(a.app.LoginAs(t, testutil.CabinetUser).Get("/portal").Doc(t).Find("#home-quotes").Text())
	if !strings.Contains(text, other.Title) || strings.Contains(text, sent.Title) {
		t.Errorf("the Cabinet's home quotes:\n%s", text)
	}
}

// TestPortalInterventionLinksItsQuote: the intervention an accepted quote created names the quote
// and links to it, on the client's side (the demo's accepted redesign quote of the Boulangerie).
func TestPortalInterventionLinksItsQuote(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	a := &portalApp{app: app, boulangerie: clientID(t, app, "Boulangerie Martin")}
	var id, quote uuid.UUID
	if err := a.app.DB.Bun.NewRaw("SELECT i.id, i.quote_id FROM interventions i WHERE i.client_id = ? AND i.quote_id IS NOT NULL LIMIT 1",
		a.boulangerie).Scan(context.Background(), &id, &quote); err != nil {
		t.Fatalf("the demo's intervention of an accepted quote: %v", err)
	}
	q, err := billing.Get(context.Background(), a.app.DB.Bun, quote)
	if err != nil {
		t.Fatal(err)
	}
	doc := a.app.LoginAs(t, testutil.BoulangerieUser).Get("/portal/interventions/" + id.String()).Doc(t)
	link := doc.Find(`a[href="/portal/quotes/` + quote.String() + `"]`)
	if got := squash(link.Text()); got != q.Reference() {
		t.Errorf("link to the quote reads %q, want %q", got, q.Reference())
	}
	staff := a.app.LoginAs(t, testutil.Manager).Get("/admin/interventions/" + id.String()).Doc(t)
	if got := squash(staff.Find(`a[href="/admin/quotes/` + quote.String() + `"]`).Text()); got != q.Reference() {
		t.Errorf("staff link to the quote reads %q, want %q", got, q.Reference())
	}
}
