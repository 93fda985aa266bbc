package portal_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/seed"
	"maintenant/app/sla"
	"maintenant/app/testutil"
)

// sheetSlot spaces the tests' time entries so that the technician's never overlap.
var sheetSlot = time.Date(2026, 9, 1, 7, 0, 0, 0, time.UTC)

// sheetSpec says how far an intervention of the tests goes.
type sheetSpec struct {
	title     string
	status    interventions.Status // todo, scheduled, in_progress, done or cancelled
	signLater bool
	ticket    uuid.UUID
	contract  uuid.UUID
	// signed signs the sheet on site (before completion when done).
	signed bool
}

// intervention records an intervention of client as staff would: for in progress and done ones, an
// hour of work covered by the contract, half an hour of billable travel, work on two machines (one
// with something left to do), a billable material, a summary and internal notes.
func (a *portalApp) intervention(t *testing.T, client uuid.UUID, sp sheetSpec) *interventions.Intervention {
	t.Helper()
	ctx := context.Background()
	tech := userID(t, a, testutil.Technician)
	actor := audit.Actor{UserID: tech.ID, Label: tech.Email, IP: "127.0.0.1"}
	now := a.app.Clock.Now()
	var out *interventions.Intervention
	err := a.app.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		in := interventions.Input{ClientID: client, ContractID: sp.contract, TicketID: sp.ticket, Kind: interventions.KindCorrective,
			Place: interventions.PlaceOnSite, Title: sp.title}
		if sp.status == interventions.StatusScheduled {
			in.ScheduledAt = time.Date(2026, 11, 26, 13, 30, 0, 0, time.UTC)
		}
		i, err := interventions.Create(ctx, tx, in, actor, now)
		if err != nil {
			return err
		}
		switch sp.status {
		case interventions.StatusTodo, interventions.StatusScheduled:
			out = i
			return nil
		case interventions.StatusCancelled:
			out, err = interventions.Transition(ctx, tx, i.ID, interventions.StatusCancelled, time.Time{}, "Panne réglée par le client", i.Version, actor, now)
			return err
		}
		if i, err = interventions.TakeUp(ctx, tx, i.ID, tech.ID, i.Version, actor, now); err != nil {
			return err
		}
		for _, e := range []interventions.TimeEntry{
			{TechnicianID: tech.ID, Category: interventions.CategoryTravel, StartedAt: sheetSlot, Minutes: 30, Billable: true},
			{TechnicianID: tech.ID, Category: interventions.CategoryWork, StartedAt: sheetSlot.Add(time.Hour), Minutes: 60, Note: "Changement du disque"},
		} {
			if i, err = interventions.AddTimeEntry(ctx, tx, i.ID, &e, i.Version, now); err != nil {
				return err
			}
		}
		sheetSlot = sheetSlot.Add(24 * time.Hour)
		if i, err = interventions.SetActions(ctx, tx, i.ID, []interventions.EquipmentAction{
			{Target: "PC de la caisse", Done: "Disque remplacé, système restauré"},
			{Target: "Imprimante du labo", Done: "Nettoyage", Remaining: "Changer le tambour"},
		}, i.Version, now); err != nil {
			return err
		}
		if i, err = interventions.AddMaterial(ctx, tx, i.ID, &interventions.Material{Description: "Disque SSD 500 Go", QuantityMilli: 1000,
			UnitPriceCents: 7990, Billable: true}, i.Version, now); err != nil {
			return err
		}
		if i, err = interventions.SetNotes(ctx, tx, i.ID, "Le PC de la caisse redémarre normalement.", "NOTE-INTERNE : client difficile",
			sp.signLater, i.Version, now); err != nil {
			return err
		}
		if sp.signed {
			if _, err := interventions.Sign(ctx, tx, uuid.Nil, i.ID, interventions.SignatureInput{SignerName: "Julie Martin",
				Image: drawing(t, 40), From: interventions.SignedOnSite}, actor, now); err != nil {
				return err
			}
		}
		if sp.status == interventions.StatusDone {
			s, _, err := interventions.Complete(ctx, tx, i.ID, i.Version, actor, now, a.app.Config.Location)
			if err != nil {
				return err
			}
			i = s.Intervention
		}
		out = i
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// drawing is a PNG signature: a dark stroke of n pixels on a transparent background.
func drawing(t *testing.T, n int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 120, 40))
	for x := 0; x < n && x < 120; x++ {
		img.Pix[img.PixOffset(x, 20)+3] = 255
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// dataURL is what the signature pad puts in its hidden field.
func dataURL(typ string, b []byte) string {
	return "data:" + typ + ";base64," + base64.StdEncoding.EncodeToString(b)
}

func interventionPath(i *interventions.Intervention) string {
	return "/portal/interventions/" + i.ID.String()
}

func TestPortalInterventionList(t *testing.T) {
	a := newPortalApp(t)
	todo := a.intervention(t, a.boulangerie, sheetSpec{title: "Installer la nouvelle caisse", status: interventions.StatusTodo})
	planned := a.intervention(t, a.boulangerie, sheetSpec{title: "Visite préventive", status: interventions.StatusScheduled})
	ongoing := a.intervention(t, a.boulangerie, sheetSpec{title: "Réparer le PC de la caisse", status: interventions.StatusInProgress, signLater: true})
	signed := a.intervention(t, a.boulangerie, sheetSpec{title: "Sauvegarde du serveur", status: interventions.StatusDone, signed: true, signLater: true})
	toSign := a.intervention(t, a.boulangerie, sheetSpec{title: "Mise à jour de la boutique", status: interventions.StatusDone, signLater: true})
	cancelled := a.intervention(t, a.boulangerie, sheetSpec{title: "Doublon", status: interventions.StatusCancelled})
	firm := a.intervention(t, a.cabinet, sheetSpec{title: "Serveur du cabinet", status: interventions.StatusDone, signLater: true})

	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	res := c.Get("/portal/interventions")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("list: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	var got []string
	doc.Find("#interventions article h2").Each(func(_ int, s *goquery.Selection) { got = append(got, squash(s.Text())) })
	want := []*interventions.Intervention{cancelled, toSign, signed, ongoing, planned, todo}
	if len(got) != len(want) {
		t.Fatalf("list shows %q", got)
	}
	for n, i := range want {
		if got[n] != i.Reference()+" · "+i.Title {
			t.Errorf("row %d: %q, want %s", n, got[n], i.Reference())
		}
	}
	if strings.Contains(res.Body, firm.Title) || strings.Contains(res.Body, firm.ID.String()) {
		t.Error("the law firm's intervention is on the bakery's list")
	}
	// The badges: only the sheets waiting for the client's signature.
	for _, i := range []*interventions.Intervention{ongoing, toSign} {
		if doc.Find(`article[aria-labelledby="i-`+i.ID.String()+`"]:contains("À signer")`).Length() != 1 {
			t.Errorf("%s has no \"À signer\" badge", i.Reference())
		}
	}
	if doc.Find(`article[aria-labelledby="i-`+signed.ID.String()+`"]:contains("À signer")`).Length() != 0 {
		t.Error("a signed sheet is still to sign")
	}
	wantText(t, "list", doc.Find("#interventions").Text(), "Date à fixer", "Prévue le 26/11/2026 14:30", "Terminée le 22/11/2026 10:00", "par Karim Benali")

	for status, want := range map[string][]*interventions.Intervention{
		"upcoming": {planned, todo}, "in_progress": {ongoing}, "to_sign": {toSign, ongoing}, "done": {toSign, signed}, "cancelled": {cancelled},
	} {
		doc := c.Get("/portal/interventions?status=" + status).Doc(t)
		rows := doc.Find("#interventions article")
		if rows.Length() != len(want) {
			t.Errorf("%s: %d rows, want %d", status, rows.Length(), len(want))
			continue
		}
		for n, i := range want {
			if id, _ := rows.Eq(n).Attr("aria-labelledby"); id != "i-"+i.ID.String() {
				t.Errorf("%s: row %d is %s, want %s", status, n, id, i.Reference())
			}
		}
		if doc.Find(`nav a[aria-current="page"][href="/portal/interventions?status=`+status+`"]`).Length() != 1 {
			t.Errorf("%s: the filter is not marked current", status)
		}
	}

	// The law firm sees only its own, in every filter, and its sheet to sign.
	f := a.app.LoginAs(t, testutil.CabinetUser)
	for _, q := range []string{"", "?status=to_sign", "?status=done", "?status=cancelled", "?status=upcoming"} {
		res := f.Get("/portal/interventions" + q)
		if strings.Contains(res.Body, "oulangerie") || strings.Contains(res.Body, toSign.Title) || strings.Contains(res.Body, "Doublon") {
			t.Errorf("%s: the bakery's interventions are on the law firm's list", q)
		}
	}
	if n := f.Get("/portal/interventions?status=to_sign").Doc(t).Find("#interventions article").Length(); n != 1 {
		t.Errorf("the firm has %d sheets to sign, want 1", n)
	}

	// Nav and home.
	home := c.Get("/portal").Doc(t)
	if home.Find(`nav a[href="/portal/interventions"]`).Length() == 0 {
		t.Error("no Interventions in the portal nav")
	}
	signCard := home.Find("#home-to-sign")
	if signCard.Find(`a[href="`+interventionPath(toSign)+`#sign"]`).Length() != 1 || signCard.Find(`a[href="`+interventionPath(ongoing)+`#sign"]`).Length() != 1 {
		t.Errorf("home: the sheets to sign are missing: %s", squash(signCard.Text()))
	}
	current := home.Find("#home-interventions")
	for _, i := range []*interventions.Intervention{todo, planned, ongoing} {
		if current.Find(`a[href="`+interventionPath(i)+`"]`).Length() != 1 {
			t.Errorf("home: %s is not among the current interventions", i.Reference())
		}
	}
	if strings.Contains(current.Text(), signed.Title) || strings.Contains(current.Text(), cancelled.Title) {
		t.Error("home: finished interventions among the current ones")
	}
	if fh := f.Get("/portal").Doc(t); strings.Contains(fh.Find("#home-interventions, #home-to-sign").Text(), "oulangerie") ||
		fh.Find(`#home-to-sign a[href="`+interventionPath(firm)+`#sign"]`).Length() != 1 {
		t.Error("home of the law firm: wrong interventions")
	}
}

func TestPortalInterventionListPages(t *testing.T) {
	a := newPortalApp(t)
	if r := a.app.LoginAs(t, testutil.CabinetUser).Get("/portal/interventions"); !strings.Contains(r.Text(t), "Aucune intervention pour l'instant") {
		t.Error("no empty state")
	}
	for n := range 27 {
		a.intervention(t, a.cabinet, sheetSpec{title: "Intervention n° " + string(rune('A'+n)), status: interventions.StatusTodo})
	}
	c := a.app.LoginAs(t, testutil.CabinetUser)
	doc := c.Get("/portal/interventions").Doc(t)
	first := doc.Find("#interventions article")
	next, ok := doc.Find(`nav a:contains("Suivant")`).Attr("href")
	if first.Length() != 25 || !ok {
		t.Fatalf("first page: %d rows, next %q", first.Length(), next)
	}
	seen := map[string]bool{}
	first.Each(func(_ int, s *goquery.Selection) { id, _ := s.Attr("aria-labelledby"); seen[id] = true })
	doc = c.Get(next).Doc(t)
	rest := doc.Find("#interventions article")
	if rest.Length() != 2 {
		t.Fatalf("second page: %d rows", rest.Length())
	}
	rest.Each(func(_ int, s *goquery.Selection) {
		if id, _ := s.Attr("aria-labelledby"); seen[id] {
			t.Errorf("%s on both pages", id)
		}
	})
	if doc.Find(`nav a:contains("Première page")`).Length() != 1 {
		t.Error("no way back to the first page")
	}
	if r := c.Get("/portal/interventions?status=cancelled"); !strings.Contains(r.Text(t), "Aucune intervention annulée") {
		t.Error("no empty state for a filter")
	}
}

func TestPortalInterventionDetail(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	tk := a.openTicket(t, testutil.BoulangerieUser, ct, "Le PC de la caisse ne démarre plus", sla.High)
	i := a.intervention(t, a.boulangerie, sheetSpec{title: "Réparer le PC de la caisse", status: interventions.StatusDone, signed: true,
		ticket: tk.ID, contract: ct.ID})
	err := a.app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		_, _, err := interventions.AddAddendum(ctx, tx, i.ID, "Le tambour a été commandé.", audit.Actor{Label: "tech@demo.test"}, a.app.Clock.Now(), nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	res := c.Get(interventionPath(i))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("detail: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	text := squash(doc.Find("main").Text())
	wantText(t, "detail", text, "Intervention "+i.Reference(), "Terminée", "Corrective", "Sur site", "Karim Benali",
		"Travail effectif", "Trajet", "Travaux réalisés", "PC de la caisse", "Disque remplacé, système restauré",
		"Reste à faire\u00a0: Changer le tambour", "Disque SSD 500 Go", "1 × 79,90\u00a0€ HT = 79,90\u00a0€ HT", "Facturable",
		"Le PC de la caisse redémarre normalement.", "Le tambour a été commandé.", "Signée par Julie Martin le 22/11/2026 10:00, sur place.")
	for id, want := range map[string]string{"#time-covered": "1 h", "#time-billable": "30 min", "#time-total": "1 h 30", "#materials-total": "79,90\u00a0€ HT"} {
		if got := squash(doc.Find(id).Text()); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if strings.Contains(res.Body, "NOTE-INTERNE") || strings.Contains(res.Body, "client difficile") {
		t.Error("the internal notes show in the portal")
	}
	if strings.Contains(res.Body, "tech@demo.test") {
		t.Error("a staff e-mail address shows in the portal")
	}
	if doc.Find(`a[href="/portal/tickets/`+tk.ID.String()+`"]`).Length() != 1 || doc.Find(`a[href="/portal/contracts/`+ct.ID.String()+`"]`).Length() != 1 {
		t.Error("no link to the ticket or the contract")
	}
	if v, _ := doc.Find(`a[href="` + interventionPath(i) + `.pdf"]`).Attr("hx-boost"); v != "false" {
		t.Error("the PDF link is missing or boosted")
	}
	if doc.Find(`img[src="`+interventionPath(i)+`/signature"]`).Length() != 1 || doc.Find(`form[action$="/sign"]`).Length() != 0 {
		t.Error("a signed sheet shows no signature, or a signing form")
	}
	img := c.Get(interventionPath(i) + "/signature")
	if img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/png" || img.Body != string(drawing(t, 40)) ||
		!strings.Contains(img.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("signature image: %d %q %q", img.StatusCode, img.Header.Get("Content-Type"), img.Header.Get("Cache-Control"))
	}
	if m := rawKey.FindString(text); m != "" || strings.Contains(text, "portal.interventions.") || strings.Contains(text, "signature.") {
		t.Errorf("raw message id on the page: %q", m)
	}

	// A sheet not started says when it comes; one not signed and not to sign says so.
	planned := a.intervention(t, a.boulangerie, sheetSpec{title: "Visite préventive", status: interventions.StatusScheduled})
	wantText(t, "planned", c.Get(interventionPath(planned)).Text(t), "Pas encore commencée", "Prévue le 26/11/2026 14:30")
	unsigned := a.intervention(t, a.boulangerie, sheetSpec{title: "Contrôle à distance", status: interventions.StatusDone})
	page := c.Get(interventionPath(unsigned))
	wantText(t, "unsigned", page.Text(t), "Cette fiche n'est pas signée.")
	if page.Doc(t).Find(`form[action$="/sign"]`).Length() != 0 {
		t.Error("a sheet not left to sign later offers a signing form")
	}
	if r := c.Get(interventionPath(unsigned) + "/signature"); r.StatusCode != http.StatusNotFound {
		t.Errorf("signature of an unsigned sheet: %d", r.StatusCode)
	}
	for _, p := range []string{"/portal/interventions/nope", "/portal/interventions/" + uuid.New().String()} {
		if r := c.Get(p); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, r.StatusCode)
		}
	}
}

// postSign submits the portal's signing form.
func postSign(c *testutil.Client, i *interventions.Intervention, name, signature string) *testutil.Response {
	return c.Post(interventionPath(i)+"/sign", url.Values{"signer_name": {name}, "signature": {signature}})
}

func signatures(t *testing.T, a *portalApp) int {
	t.Helper()
	return count(t, a.app, "SELECT count(*) FROM signatures")
}

func TestPortalInterventionSign(t *testing.T) {
	a := newPortalApp(t)
	i := a.intervention(t, a.boulangerie, sheetSpec{title: "Mise à jour de la boutique", status: interventions.StatusDone, signLater: true})
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	page := c.Get(interventionPath(i)).Doc(t)
	if page.Find(`form[action="`+interventionPath(i)+`/sign"] canvas`).Length() != 1 {
		t.Fatal("no signing form on a sheet to sign")
	}
	if v, _ := page.Find("#f-signer_name").Attr("value"); v != "Julie Martin" {
		t.Errorf("the name is not filled in with the user's: %q", v)
	}
	if !strings.Contains(page.Find("noscript").Text(), "JavaScript") {
		t.Error("no word for browsers without JavaScript")
	}

	good := dataURL("image/png", drawing(t, 60))
	big := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, interventions.MaxSignatureBytes)...)
	for _, tc := range []struct {
		name, signer, signature, field, message string
	}{
		{"no name", "  ", good, "signer_name", "Ce champ est obligatoire"},
		{"no drawing", "Julie Martin", "", "signature", "Dessinez la signature dans le cadre."},
		{"not an image", "Julie Martin", dataURL("image/png", []byte("<svg onload=alert(1)>")), "signature", "La signature doit être une image PNG ou JPEG."},
		{"not a data URL", "Julie Martin", "javascript:alert(1)", "signature", "La signature doit être une image PNG ou JPEG."},
		{"too large", "Julie Martin", dataURL("image/png", big), "signature", "trop lourde"},
		{"blank", "Julie Martin", dataURL("image/png", drawing(t, 0)), "signature", "La signature est vide"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := postSign(c, i, tc.signer, tc.signature)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			doc := res.Doc(t)
			if msg := doc.Find("#f-" + tc.field + "-error").Text(); !strings.Contains(msg, tc.message) {
				t.Errorf("message under %s: %q, want %q", tc.field, msg, tc.message)
			}
			if v, _ := doc.Find("#f-signer_name").Attr("value"); v != tc.signer {
				t.Errorf("name not kept: %q", v)
			}
			if signatures(t, a) != 0 || count(t, a.app, "SELECT count(*) FROM outbox_messages") != 0 {
				t.Fatal("a refused signature was saved, or mailed")
			}
		})
	}
	// A good drawing comes back with a missing name, for the pad to show it again.
	res := postSign(c, i, "", good)
	if v, _ := res.Doc(t).Find(`input[name="signature"]`).Attr("value"); v != good {
		t.Error("the drawing is not kept after a refusal")
	}

	// CSRF: without the token, refused and nothing saved.
	if r := c.PostRaw(interventionPath(i)+"/sign", url.Values{"signer_name": {"Julie Martin"}, "signature": {good}}); r.StatusCode != http.StatusForbidden || signatures(t, a) != 0 {
		t.Fatalf("without CSRF token: %d", r.StatusCode)
	}

	// A member without the right to approve may not sign; the attempt is logged.
	a.member(t, a.boulangerie, "vendeuse@boulangerie.demo.test", "Léa Petit")
	m := a.app.LoginAs(t, "vendeuse@boulangerie.demo.test")
	wantText(t, "member's page", m.Get(interventionPath(i)).Text(t), "Seules les personnes autorisées à valider pour l'entreprise peuvent signer cette fiche : Julie Martin.")
	if r := postSign(m, i, "Léa Petit", good); r.StatusCode != http.StatusForbidden || signatures(t, a) != 0 {
		t.Fatalf("member signs: %d", r.StatusCode)
	}
	if n := count(t, a.app, "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND target_id = ?", i.ID.String()); n != 1 {
		t.Errorf("%d denied attempts logged", n)
	}

	// Signed: who, when, where from, the evidence.
	req := httptest.NewRequest(http.MethodPost, interventionPath(i)+"/sign",
		strings.NewReader(url.Values{"_csrf": {c.CSRF}, "signer_name": {" Julie Martin "}, "signature": {good}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone) Test")
	res = c.Do(req)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != interventionPath(i) {
		t.Fatalf("sign: %d %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	var sig interventions.Signature
	if err := a.app.DB.Bun.NewSelect().Model(&sig).Where("intervention_id = ?", i.ID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	julie := userID(t, a, testutil.BoulangerieUser)
	if sig.SignerName != "Julie Martin" || sig.SignedFrom != interventions.SignedPortal || sig.SignedBy.UUID != julie.ID ||
		sig.IP == "" || sig.UserAgent != "Mozilla/5.0 (iPhone) Test" || !sig.SignedAt.Equal(a.app.Clock.Now()) || !bytes.Equal(sig.Image, drawing(t, 60)) {
		t.Errorf("signature %+v", sig)
	}
	// The technician is told, once.
	var mails []struct {
		To      string `bun:"to_address"`
		Subject string `bun:"subject"`
		Text    string `bun:"text_body"`
	}
	if err := a.app.DB.Bun.NewRaw("SELECT to_address, subject, text_body FROM outbox_messages WHERE kind = 'intervention_signed'").
		Scan(context.Background(), &mails); err != nil {
		t.Fatal(err)
	}
	if len(mails) != 1 || mails[0].To != testutil.Technician || !strings.Contains(mails[0].Subject, i.Reference()+" (Boulangerie Martin) signée") ||
		!strings.Contains(mails[0].Text, "Julie Martin (Boulangerie Martin) a signé") || !strings.Contains(mails[0].Text, "/admin/interventions/"+i.ID.String()+"#signature") {
		t.Errorf("mails to staff: %+v", mails)
	}
	doc := c.Get(interventionPath(i)).Doc(t)
	wantText(t, "signed page", doc.Find("main").Text(), "Fiche "+i.Reference()+" signée. Merci !", "Signée par Julie Martin le 22/11/2026 10:00, depuis l'espace client.")
	if doc.Find(`form[action$="/sign"]`).Length() != 0 || doc.Find(`img[src="`+interventionPath(i)+`/signature"]`).Length() != 1 {
		t.Error("the signed page still offers the form, or shows no signature")
	}
	if strings.Contains(c.Get("/portal").Body, interventionPath(i)+"#sign") {
		t.Error("the home still asks to sign a signed sheet")
	}

	// Twice: 409 with the reason, nothing changed.
	res = postSign(c, i, "Quelqu'un d'autre", good)
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "Cette fiche est déjà signée.") {
		t.Fatalf("second signature: %d", res.StatusCode)
	}
	if n := count(t, a.app, "SELECT count(*) FROM signatures WHERE signer_name = 'Julie Martin'"); n != 1 || signatures(t, a) != 1 ||
		count(t, a.app, "SELECT count(*) FROM outbox_messages WHERE kind = 'intervention_signed'") != 1 {
		t.Error("the second signature changed something")
	}

	// A sheet not left to sign later, or not started, is not the client's to sign: 409.
	for _, sp := range []sheetSpec{
		{title: "Contrôle à distance", status: interventions.StatusDone},
		{title: "Visite prévue", status: interventions.StatusScheduled, signLater: true},
	} {
		j := a.intervention(t, a.boulangerie, sp)
		res := postSign(c, j, "Julie Martin", good)
		if res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "Cette fiche n'attend pas de signature de votre part.") {
			t.Errorf("%s: %d", sp.title, res.StatusCode)
		}
	}
	if signatures(t, a) != 1 {
		t.Error("a sheet not waiting for a signature was signed")
	}
}

// TestPortalInterventionCrossClient: every /portal/interventions route answers the law firm's user
// 404 for the bakery's intervention, exactly like a missing one, and records nothing.
func TestPortalInterventionCrossClient(t *testing.T) {
	a := newPortalApp(t)
	bakery := a.intervention(t, a.boulangerie, sheetSpec{title: "Réparer le four connecté", status: interventions.StatusDone, signLater: true})
	signedOne := a.intervention(t, a.boulangerie, sheetSpec{title: "Sauvegarde", status: interventions.StatusDone, signed: true})
	f := a.app.LoginAs(t, testutil.CabinetUser)
	for _, p := range []string{interventionPath(bakery), interventionPath(signedOne), interventionPath(signedOne) + "/signature", interventionPath(bakery) + "/signature"} {
		if r := f.Get(p); r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "four connecté") {
			t.Errorf("GET %s: %d, want 404", p, r.StatusCode)
		}
	}
	for _, i := range []*interventions.Intervention{bakery, signedOne} {
		r := postSign(f, i, "Maître Paul Durand", dataURL("image/png", drawing(t, 50)))
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("POST sign %s: %d, want 404", i.Reference(), r.StatusCode)
		}
	}
	if n := count(t, a.app, "SELECT count(*) FROM signatures WHERE intervention_id = ?", bakery.ID); n != 0 {
		t.Error("the law firm signed the bakery's sheet")
	}
	if n := count(t, a.app, "SELECT count(*) FROM audit_log WHERE action = 'intervention.signed'"); n != 1 {
		t.Errorf("%d signatures logged, want the bakery's own on-site one", n)
	}
	for _, q := range []string{"", "?status=to_sign", "?status=done"} {
		if r := f.Get("/portal/interventions" + q); strings.Contains(r.Body, bakery.ID.String()) || strings.Contains(r.Body, signedOne.ID.String()) {
			t.Errorf("list %s shows the bakery's interventions", q)
		}
	}
	// The bakery's own user reaches them.
	b := a.app.LoginAs(t, testutil.BoulangerieUser)
	if r := b.Get(interventionPath(signedOne) + "/signature"); r.StatusCode != http.StatusOK {
		t.Errorf("own signature: %d", r.StatusCode)
	}
}

// TestPortalInterventionsInBrowser signs a sheet with a drawn signature (a mouse, then a finger at
// phone width) and looks at the list and the pages at 1280 and 390 px.
func TestPortalInterventionsInBrowser(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	a.intervention(t, a.boulangerie, sheetSpec{title: "Installer la nouvelle caisse enregistreuse", status: interventions.StatusTodo, contract: ct.ID})
	a.intervention(t, a.boulangerie, sheetSpec{title: "Visite préventive du mois", status: interventions.StatusScheduled, contract: ct.ID})
	signedOne := a.intervention(t, a.boulangerie, sheetSpec{title: "Sauvegarde du serveur et remplacement du disque", status: interventions.StatusDone, signed: true, contract: ct.ID})
	toSign := a.intervention(t, a.boulangerie, sheetSpec{title: "Mise à jour de la boutique en ligne", status: interventions.StatusDone, signLater: true, contract: ct.ID})

	base := a.app.Listen(t)
	b := testutil.Browser(t)
	inspect := func(name string) {
		t.Helper()
		for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
			testutil.SetViewport(t, b, v)
			if m := rawKey.FindString(testutil.BodyText(t, b)); m != "" {
				t.Errorf("%s shows a raw message id: %q", name, m)
			}
			testutil.Axe(t, b)
			if out := testutil.HorizontalOverflow(t, b); len(out) > 0 {
				t.Errorf("%s at %d px scrolls sideways: %s", name, v.Width, strings.Join(out, "; "))
			}
			testutil.Screenshot(t, b, "portal-interventions-"+name+"-"+v.Name)
		}
		testutil.SetViewport(t, b, testutil.Desktop)
		testutil.CheckConsole(t, b)
	}
	testutil.Run(t, b, chromedp.Navigate(base+"/login"))
	testutil.WaitPath(t, b, "/login")
	testutil.Run(t, b,
		chromedp.SendKeys(chromedp.CSS("#f-email"), testutil.BoulangerieUser),
		chromedp.SendKeys(chromedp.CSS("#f-password"), seed.DemoPassword),
		chromedp.Click(chromedp.CSS(`main form[action="/login"] button`)),
	)
	testutil.WaitPath(t, b, "/portal")
	inspect("01-home")
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`nav ul.hidden a[href="/portal/interventions"]`)))
	testutil.WaitPath(t, b, "/portal/interventions")
	inspect("02-list")
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`main h2 a[href="`+interventionPath(signedOne)+`"]`)))
	testutil.WaitPath(t, b, interventionPath(signedOne))
	testutil.WaitFor(t, b, `document.querySelector("#sign img").complete && document.querySelector("#sign img").naturalWidth > 0`)
	inspect("03-signed")

	// Sign with the mouse: an empty submission first (the page says to draw), then a stroke.
	testutil.Run(t, b, chromedp.Navigate(base+interventionPath(toSign)))
	testutil.WaitPath(t, b, interventionPath(toSign))
	testutil.WaitFor(t, b, `document.querySelector("[data-signature-pad][data-ready]") !== null`)
	inspect("04-to-sign")
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`form[action$="/sign"] button[type="submit"], form[action$="/sign"] > button:last-child`)))
	testutil.WaitFor(t, b, `document.body.innerText.includes("Dessinez la signature dans le cadre.")`)
	testutil.WaitFor(t, b, `document.querySelector("[data-signature-pad][data-ready]") !== null`)
	inspect("05-to-sign-refused")
	draw(t, b)
	testutil.WaitFor(t, b, `document.querySelector("input[name=signature]").value.startsWith("data:image/png;base64,")`)
	// Clear wipes it; draw again, then sign.
	testutil.Run(t, b, chromedp.Click(chromedp.CSS("[data-signature-clear]")))
	testutil.WaitFor(t, b, `document.querySelector("input[name=signature]").value === ""`)
	draw(t, b)
	testutil.WaitFor(t, b, `document.querySelector("input[name=signature]").value !== ""`)
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`form[action$="/sign"] > button:last-child`)))
	testutil.WaitFor(t, b, `document.body.innerText.includes("Signée par Julie Martin le 22/11/2026 10:00, depuis l'espace client.")`)
	testutil.WaitFor(t, b, `document.querySelector("#sign img").complete && document.querySelector("#sign img").naturalWidth > 0`)
	inspect("06-signed-from-portal")
	var sig interventions.Signature
	if err := a.app.DB.Bun.NewSelect().Model(&sig).Where("intervention_id = ?", toSign.ID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(sig.Image)); err != nil || cfg.Width < 200 {
		t.Errorf("stored drawing: %+v %v", cfg, err)
	}

	// At phone width, with a finger.
	other := a.intervention(t, a.boulangerie, sheetSpec{title: "Réparer la caisse", status: interventions.StatusInProgress, signLater: true})
	testutil.SetViewport(t, b, testutil.Phone)
	testutil.Run(t, b, chromedp.Navigate(base+interventionPath(other)))
	testutil.WaitPath(t, b, interventionPath(other))
	testutil.WaitFor(t, b, `document.querySelector("[data-signature-pad][data-ready]") !== null`)
	drawTouch(t, b)
	testutil.WaitFor(t, b, `document.querySelector("input[name=signature]").value !== ""`)
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`form[action$="/sign"] > button:last-child`)))
	testutil.WaitFor(t, b, `document.body.innerText.includes("Signée par Julie Martin")`)
	testutil.SetViewport(t, b, testutil.Desktop)
}

// draw drags a pointer across the signature pad.
func draw(t *testing.T, ctx context.Context) {
	t.Helper()
	testutil.Run(t, ctx, chromedp.ScrollIntoView(chromedp.CSS("[data-signature-pad] canvas")))
	box := testutil.Eval[[]float64](t, ctx, `(() => { const r = document.querySelector("[data-signature-pad] canvas").getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`)
	x, y, w, h := box[0], box[1], box[2], box[3]
	steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MouseMoved, x+w*0.1, y+h*0.6)}
	steps = append(steps, chromedp.MouseEvent(chromedp.MousePressed, x+w*0.1, y+h*0.6, chromedp.Button("left")))
	for n := 1; n <= 20; n++ {
		fx := 0.1 + 0.8*float64(n)/20
		fy := 0.6 - 0.3*float64(n%4)/3
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x+w*fx, y+h*fy, chromedp.Button("left")))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x+w*0.9, y+h*0.5, chromedp.Button("left")))
	testutil.Run(t, ctx, steps...)
}

// drawTouch draws with a finger on the signature pad.
func drawTouch(t *testing.T, ctx context.Context) {
	t.Helper()
	testutil.Run(t, ctx, chromedp.ScrollIntoView(chromedp.CSS("[data-signature-pad] canvas")))
	box := testutil.Eval[[]float64](t, ctx, `(() => { const r = document.querySelector("[data-signature-pad] canvas").getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`)
	x, y, w, h := box[0], box[1], box[2], box[3]
	point := func(fx, fy float64) []*input.TouchPoint {
		return []*input.TouchPoint{{X: x + w*fx, Y: y + h*fy}}
	}
	steps := []chromedp.Action[chromedp.Void]{dispatchTouch(input.DispatchTouchEventTypeTouchStart, point(0.15, 0.5))}
	for n := 1; n <= 15; n++ {
		steps = append(steps, dispatchTouch(input.DispatchTouchEventTypeTouchMove, point(0.15+0.7*float64(n)/15, 0.5-0.25*float64(n%3)/2)))
	}
	steps = append(steps, dispatchTouch(input.DispatchTouchEventTypeTouchEnd, nil))
	testutil.Run(t, ctx, steps...)
}

// dispatchTouch sends one touch event to the page.
func dispatchTouch(typ input.DispatchTouchEventType, points []*input.TouchPoint) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if points == nil {
			points = []*input.TouchPoint{}
		}
		_, err := cdp.Call(ctx, t, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: typ, TouchPoints: points})
		return err
	})
}
