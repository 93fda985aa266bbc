package portal_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/seed"
	"maintenant/app/sla"
	"maintenant/app/storage"
	"maintenant/app/testutil"
	"maintenant/app/tickets"
)

// The tests run on Sunday 22/11/2026 10:00 in Paris: a ticket opened then starts its clocks on
// Monday 23/11 at 09:00. With the "Standard bureau" policy (09:00-12:30, 13:30-18:00), a critical
// report must be acknowledged by 23/11/2026 10:00 and resolved by 23/11/2026 14:00.

// upload is a file sent with a form.
type upload struct {
	name string
	data []byte
}

// postMultipart submits a multipart form with files in "attachments", like a browser with
// enctype="multipart/form-data".
func postMultipart(t *testing.T, c *testutil.Client, path string, fields url.Values, files ...upload) *testutil.Response {
	t.Helper()
	if c.CSRF == "" {
		c.Get("/portal")
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if fields == nil {
		fields = url.Values{}
	}
	if fields.Get("_csrf") == "" {
		fields.Set("_csrf", c.CSRF)
	}
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile("attachments", f.name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.data)
	}
	if len(files) == 0 { // what a browser sends when no file is chosen
		fw, _ := w.CreateFormFile("attachments", "")
		fw.Write(nil)
	}
	w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.Do(req)
}

// pngFile is a real small PNG picture.
func pngFile(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for x := 0; x < 16; x++ {
		img.Set(x, x, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var htmlAsPNG = []byte("<!doctype html><html><body><script>alert(document.cookie)</script></body></html>")

// storedFiles counts the files in the application's storage.
func storedFiles(t *testing.T, a *portalApp) int {
	t.Helper()
	dir := a.app.Files.(*storage.Local).Dir
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func userID(t *testing.T, a *portalApp, email string) *accounts.User {
	t.Helper()
	u, err := accounts.UserByEmail(context.Background(), a.app.DB.Bun, email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// openTicket records a report of a client user, as the portal would.
func (a *portalApp) openTicket(t *testing.T, email string, ct *contracts.Contract, title string, p sla.Priority) *tickets.Ticket {
	t.Helper()
	u := userID(t, a, email)
	in := tickets.OpenInput{ClientID: u.ClientID.UUID, Title: title, Description: "Décrit par " + u.Name, Priority: p,
		Channel: tickets.ChannelPortal, ReporterID: u.ID}
	if ct != nil {
		in.ContractID = ct.ID
	}
	var tk *tickets.Ticket
	err := a.app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		tk, err = tickets.Open(ctx, tx, in, tickets.ClientActor(audit.Actor{UserID: u.ID, Label: u.Email}, u.ClientID.UUID, u.Name),
			a.app.Clock.Now(), a.app.Config.Location)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// staffActor is the manager acting in the backoffice.
func (a *portalApp) staffActor(t *testing.T) tickets.Actor {
	u := userID(t, a, testutil.Manager)
	return tickets.StaffActor(audit.Actor{UserID: u.ID, Label: u.Email}, u.Name)
}

// move takes a ticket through staff transitions.
func (a *portalApp) move(t *testing.T, id uuid.UUID, to ...tickets.Status) *tickets.Ticket {
	t.Helper()
	var tk *tickets.Ticket
	for _, s := range to {
		err := a.app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
			cur, err := tickets.Get(ctx, tx, id)
			if err != nil {
				return err
			}
			tk, err = tickets.Transition(ctx, tx, id, s, a.staffActor(t), "", cur.Version, a.app.Clock.Now())
			return err
		})
		if err != nil {
			t.Fatalf("move to %s: %v", s, err)
		}
	}
	return tk
}

// rawTicketKey finds a catalogue key shown instead of its text.
var rawTicketKey = regexp.MustCompile(`(?:^|\s)((?:portal\.)?tickets?\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)`)

func ticketPath(id uuid.UUID) string { return "/portal/tickets/" + id.String() }

func reportForm(ct *contracts.Contract) url.Values {
	return url.Values{
		"contract_id": {ct.ID.String()}, "service_label": {"boutique.boulangerie-martin.fr"},
		"title": {"La boutique en ligne ne s'ouvre plus"}, "description": {"Depuis ce matin, page blanche.\nLes clients appellent."},
		"priority": {"critical"}, "contact_phone": {"06 12 34 56 78"},
	}
}

func TestPortalTicketReport(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	a.staff(t, "chef@demo.test", "Marc Chef", accounts.Manager, true)
	a.staff(t, "ancien@demo.test", "Ancien Chef", accounts.Manager, false)
	c := a.app.LoginAs(t, testutil.BoulangerieUser)

	res := c.Get("/portal/tickets/new")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("form: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if v, _ := doc.Find(`#f-contract_id option[selected]`).Attr("value"); v != ct.ID.String() {
		t.Errorf("the only running contract is not preselected: %q", v)
	}
	if n := doc.Find(`input[type=radio][name=priority]`).Length(); n != 4 {
		t.Errorf("%d impacts offered, want 4", n)
	}
	if enc, _ := doc.Find(`form[action="/portal/tickets"]`).Attr("enctype"); enc != "multipart/form-data" {
		t.Errorf("form enctype %q", enc)
	}
	wantText(t, "form", doc.Text(), "Site en panne / service arrêté", "Par exemple : le site ne s'affiche plus",
		"boutique.boulangerie-martin.fr", "Une question / une demande")

	res = postMultipart(t, c, "/portal/tickets", reportForm(ct), upload{"capture écran.png", pngFile(t)})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("report: %d\n%s", res.StatusCode, res.Body)
	}
	var tk tickets.Ticket
	if err := a.app.DB.Bun.NewSelect().Model(&tk).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	julie := userID(t, a, testutil.BoulangerieUser)
	if tk.ClientID != a.boulangerie || tk.ReporterID.UUID != julie.ID || tk.Channel != tickets.ChannelPortal ||
		tk.ContractID.UUID != ct.ID || tk.ServiceLabel != "boutique.boulangerie-martin.fr" || tk.PriorityCode != "critical" ||
		tk.ContactPhone != "06 12 34 56 78" || tk.Number != 1 {
		t.Errorf("ticket recorded as %+v", tk)
	}
	if loc := res.Header.Get("Location"); loc != ticketPath(tk.ID) {
		t.Errorf("redirect to %q", loc)
	}
	page := c.Get(ticketPath(tk.ID))
	text := squash(page.Text(t))
	wantText(t, "detail after report", text,
		"Signalement T-0001 envoyé. Nous le prendrons en charge au plus tard le 23/11/2026 10:00 et le résoudrons au plus tard le 23/11/2026 14:00.",
		"La boutique en ligne ne s'ouvre plus", "Signalement T-0001", "Nouveau", "Site en panne / service arrêté",
		"Prise en charge", "au plus tard le 23/11/2026 10:00", "Résolution", "au plus tard le 23/11/2026 14:00", "Dans les délais",
		"Il reste 1 h (en heures ouvrées).", "boutique.boulangerie-martin.fr", "06 12 34 56 78", "capture écran.png",
		"Envoyé le 22/11/2026 10:00 par Julie Martin")
	if n := count(t, a.app, "SELECT count(*) FROM ticket_attachments WHERE ticket_id = ? AND content_type = 'image/png'", tk.ID); n != 1 {
		t.Errorf("%d attachments", n)
	}

	// One mail per active manager, none to the inactive one; the reference in the subject.
	var mails []struct {
		To      string `bun:"to_address"`
		Subject string `bun:"subject"`
		Text    string `bun:"text_body"`
	}
	if err := a.app.DB.Bun.NewRaw("SELECT to_address, subject, text_body FROM outbox_messages WHERE kind = 'ticket_new_staff' ORDER BY to_address").
		Scan(context.Background(), &mails); err != nil {
		t.Fatal(err)
	}
	if len(mails) != 2 || mails[0].To != "chef@demo.test" || mails[1].To != testutil.Manager {
		t.Fatalf("mails: %+v", mails)
	}
	if want := "New fault report T-0001: Boulangerie Martin"; mails[0].Subject != want { // chef reads English
		t.Errorf("subject %q, want %q", mails[0].Subject, want)
	}
	wantText(t, "manager's mail", mails[1].Text, "Julie Martin (Boulangerie Martin) a envoyé le signalement T-0001",
		"Site en panne / service arrêté (Critique)", "Prise en charge avant le : 23/11/2026 10:00", "Depuis ce matin, page blanche.",
		"http://maintenant.test/admin/tickets/"+tk.ID.String())

	// The list and the home show it.
	list := squash(c.Get("/portal/tickets").Text(t))
	wantText(t, "list", list, "T-0001 · La boutique en ligne ne s'ouvre plus", "Nouveau", "Gravité\u00a0: Site en panne / service arrêté",
		"au plus tard le 23/11/2026 10:00", "Dans les délais")
	home := c.Get("/portal").Doc(t)
	wantText(t, "home card", home.Find(`section:has(#tickets-h)`).Text(), "Vos signalements en cours", "T-0001 · La boutique en ligne ne s'ouvre plus",
		"Signaler une panne", "Prise en charge\u00a0: au plus tard le 23/11/2026 10:00")
	if home.Find(`nav a[href="/portal/tickets"]`).Length() == 0 {
		t.Error("no Signalements link in the navigation")
	}
}

func TestPortalTicketReportWithoutContract(t *testing.T) {
	a := newPortalApp(t)
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	wantText(t, "form without contract", c.Get("/portal/tickets/new").Text(t), "Vous n'avez pas de contrat de maintenance en cours")
	res := postMultipart(t, c, "/portal/tickets", url.Values{"title": {"Question"}, "description": {"Comment changer mon mot de passe ?"}, "priority": {"low"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("report: %d\n%s", res.StatusCode, res.Body)
	}
	wantText(t, "detail", c.Get(res.Header.Get("Location")).Text(t), "Signalement T-0001 envoyé. Nous revenons vers vous dès que possible.",
		"Ce signalement n'est couvert par aucun délai garanti")
}

func TestPortalTicketReportBadInput(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	other := a.contract(t, a.cabinet, contracts.StatusActive, nil)
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	for _, tc := range []struct {
		name, field, value, errField, want string
	}{
		{"empty title", "title", "  ", "title", "Ce champ est obligatoire."},
		{"huge description", "description", strings.Repeat("é", tickets.MaxDescription+1), "description", "Ce texte est trop long."},
		{"no impact", "priority", "", "priority", "Choisissez ce qui se passe dans la liste."},
		{"unknown impact", "priority", "urgent!!", "priority", "Choisissez ce qui se passe dans la liste."},
		{"no contract", "contract_id", "", "contract_id", "Choisissez le contrat concerné."},
		{"malformed contract", "contract_id", "not-a-uuid", "contract_id", "Choisissez un contrat de la liste."},
		{"unknown contract", "contract_id", uuid.Must(uuid.NewV7()).String(), "contract_id", "Choisissez un contrat de la liste."},
		{"another client's contract", "contract_id", other.ID.String(), "contract_id", "Choisissez un contrat de la liste."},
		{"service of no contract", "service_label", "cabinet-durand.fr", "service_label", "Choisissez un service couvert par ce contrat."},
		{"bad phone", "contact_phone", "appelez-moi", "contact_phone", "Saisissez un numéro de téléphone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := reportForm(ct)
			form.Set(tc.field, tc.value)
			res := postMultipart(t, c, "/portal/tickets", form, upload{"photo.png", pngFile(t)})
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			doc := res.Doc(t)
			if got := squash(doc.Find("#f-" + tc.errField + "-error").Text()); !strings.Contains(got, tc.want) {
				t.Errorf("error under %s: %q, want %q", tc.errField, got, tc.want)
			}
			// The input is kept; the files must be chosen again, and the page says so.
			if tc.field != "title" {
				if v, _ := doc.Find("#f-title").Attr("value"); v != "La boutique en ligne ne s'ouvre plus" {
					t.Errorf("title not kept: %q", v)
				}
			}
			wantText(t, "422 page", doc.Text(), "les fichiers choisis n'ont pas été gardés")
		})
	}
	if n := count(t, a.app, "SELECT count(*) FROM tickets"); n != 0 {
		t.Errorf("%d tickets saved", n)
	}
	if n := count(t, a.app, "SELECT count(*) FROM outbox_messages"); n != 0 {
		t.Errorf("%d mails sent", n)
	}
	if n := storedFiles(t, a); n != 0 {
		t.Errorf("%d files left in the storage", n)
	}
}

func TestPortalTicketAttachments(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	c := a.app.LoginAs(t, testutil.BoulangerieUser)

	// An HTML page renamed .png: refused from its content, nothing saved.
	res := postMultipart(t, c, "/portal/tickets", reportForm(ct), upload{"photo.png", pngFile(t)}, upload{"capture.png", htmlAsPNG})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("html as png: %d", res.StatusCode)
	}
	wantText(t, "refused file", res.Doc(t).Find("#f-attachments-error").Text(), "« capture.png » : Ce type de fichier n'est pas accepté")
	// An SVG too.
	svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>`)
	if res := postMultipart(t, c, "/portal/tickets", reportForm(ct), upload{"logo.png", svg}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("svg as png: %d", res.StatusCode)
	}
	// A sixth file.
	var six []upload
	for i := range 6 {
		six = append(six, upload{fmt.Sprintf("photo%d.png", i), pngFile(t)})
	}
	res = postMultipart(t, c, "/portal/tickets", reportForm(ct), six...)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("6 files: %d", res.StatusCode)
	}
	wantText(t, "6 files", res.Doc(t).Find("#f-attachments-error").Text(), "Pas plus de 5 fichiers par message.")
	if n := count(t, a.app, "SELECT count(*) FROM tickets"); n != 0 {
		t.Errorf("%d tickets saved", n)
	}
	if n := storedFiles(t, a); n != 0 {
		t.Errorf("%d files stored", n)
	}

	// A real PNG and a log with a path for a name: accepted.
	res = postMultipart(t, c, "/portal/tickets", reportForm(ct), upload{"ecran.png", pngFile(t)},
		upload{"../../etc/passwd", []byte("erreur 500 à 08:02\nerreur 500 à 08:03\n")})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("good files: %d\n%s", res.StatusCode, res.Body)
	}
	path := res.Header.Get("Location")
	doc := c.Get(path).Doc(t)
	var links []string
	doc.Find(`a[href*="/attachments/"]`).Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		links = append(links, href)
		if squash(s.Text()) == "" {
			t.Errorf("attachment link %s has no text", href)
		}
	})
	if len(links) != 2 {
		t.Fatalf("attachment links: %v", links)
	}
	wantText(t, "attachments", doc.Find("main").Text(), "ecran.png", "passwd")
	if strings.Contains(doc.Find("main").Text(), "../") {
		t.Error("the page shows the uploaded path")
	}
	img := c.Get(links[0])
	if img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/png" || img.Body != string(pngFile(t)) {
		t.Errorf("png served: %d %q", img.StatusCode, img.Header.Get("Content-Type"))
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
		"Content-Disposition": `inline; filename="ecran.png"; filename*=UTF-8''ecran.png`} {
		if got := img.Header.Get(h); got != want {
			t.Errorf("png %s: %q, want %q", h, got, want)
		}
	}
	txt := c.Get(links[1])
	if txt.StatusCode != http.StatusOK || !strings.HasPrefix(txt.Header.Get("Content-Type"), "text/plain") ||
		txt.Header.Get("Content-Disposition") != `attachment; filename="passwd"; filename*=UTF-8''passwd` ||
		txt.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("log served: %d %q %q", txt.StatusCode, txt.Header.Get("Content-Type"), txt.Header.Get("Content-Disposition"))
	}
}

// TestPortalTicketAttachmentRollback fills a ticket up to its limit: a message whose third file
// goes over it is refused whole, and the two files already stored are deleted.
func TestPortalTicketAttachmentRollback(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	five := func(prefix string) []upload {
		var out []upload
		for i := range 5 {
			out = append(out, upload{fmt.Sprintf("%s-%d.txt", prefix, i), []byte("journal " + prefix)})
		}
		return out
	}
	res := postMultipart(t, c, "/portal/tickets", reportForm(ct), five("r")...)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("report: %d", res.StatusCode)
	}
	path := res.Header.Get("Location")
	for i := range 4 {
		if res := postMultipart(t, c, path+"/messages", url.Values{"body": {fmt.Sprintf("Complément %d", i)}}, five(fmt.Sprint(i))...); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("message %d: %d", i, res.StatusCode)
		}
	}
	three := five("x")[:3]
	if res := postMultipart(t, c, path+"/messages", url.Values{"body": {"Encore trois"}}, three...); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("message of 3: %d", res.StatusCode)
	}
	if n := storedFiles(t, a); n != 28 {
		t.Fatalf("%d files stored, want 28", n)
	}
	res = postMultipart(t, c, path+"/messages", url.Values{"body": {"Un de trop"}}, five("y")...)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("over the ticket's limit: %d", res.StatusCode)
	}
	wantText(t, "full", res.Doc(t).Find("#f-attachments-error").Text(), "« y-2.txt » : Ce signalement a déjà 30 fichiers joints")
	if v := res.Doc(t).Find("#f-body").Text(); v != "Un de trop" {
		t.Errorf("message not kept: %q", v)
	}
	if n := storedFiles(t, a); n != 28 {
		t.Errorf("%d files stored after the refusal, want 28 (the two stored first are deleted)", n)
	}
	if n := count(t, a.app, "SELECT count(*) FROM ticket_messages WHERE body = 'Un de trop'"); n != 0 {
		t.Error("the refused message was saved")
	}
}

func TestPortalTicketCrossClient(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	boul := a.app.LoginAs(t, testutil.BoulangerieUser)
	res := postMultipart(t, boul, "/portal/tickets", reportForm(ct), upload{"ecran.png", pngFile(t)})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("report: %d", res.StatusCode)
	}
	path := res.Header.Get("Location")
	var tk tickets.Ticket
	if err := a.app.DB.Bun.NewSelect().Model(&tk).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.move(t, tk.ID, tickets.StatusAcknowledged, tickets.StatusResolved)
	var att string
	if err := a.app.DB.Bun.NewRaw("SELECT id FROM ticket_attachments").Scan(context.Background(), &att); err != nil {
		t.Fatal(err)
	}
	// The Cabinet's own ticket, to ask for the Boulangerie's file through it.
	own := a.openTicket(t, testutil.CabinetUser, nil, "Imprimante", sla.Normal)

	before := func() [4]int {
		return [4]int{
			count(t, a.app, "SELECT count(*) FROM ticket_messages"),
			count(t, a.app, "SELECT count(*) FROM ticket_events"),
			count(t, a.app, "SELECT count(*) FROM outbox_messages"),
			count(t, a.app, "SELECT version FROM tickets WHERE id = ?", tk.ID),
		}
	}
	was := before()
	cab := a.app.LoginAs(t, testutil.CabinetUser)
	for _, r := range []struct {
		name string
		do   func() *testutil.Response
	}{
		{"detail", func() *testutil.Response { return cab.Get(path) }},
		{"attachment", func() *testutil.Response { return cab.Get(path + "/attachments/" + att) }},
		{"attachment through own ticket", func() *testutil.Response { return cab.Get(ticketPath(own.ID) + "/attachments/" + att) }},
		{"message", func() *testutil.Response {
			return postMultipart(t, cab, path+"/messages", url.Values{"body": {"Intrus"}}, upload{"a.png", pngFile(t)})
		}},
		{"message form-encoded", func() *testutil.Response { return cab.Post(path+"/messages", url.Values{"body": {"Intrus"}}) }},
		{"close", func() *testutil.Response {
			return cab.Post(path+"/close", url.Values{"version": {fmt.Sprint(was[3])}})
		}},
		{"reopen", func() *testutil.Response {
			return cab.Post(path+"/reopen", url.Values{"version": {fmt.Sprint(was[3])}, "reason": {"Intrus"}})
		}},
	} {
		if res := r.do(); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s of another client's ticket: %d, want 404", r.name, res.StatusCode)
		}
	}
	if now := before(); now != was {
		t.Errorf("something was written: %v, was %v", now, was)
	}
	if n := storedFiles(t, a); n != 1 {
		t.Errorf("%d files stored", n)
	}
	if strings.Contains(cab.Get("/portal/tickets?status=all").Body, "La boutique en ligne") ||
		strings.Contains(cab.Get("/portal").Body, "La boutique en ligne") {
		t.Error("the Cabinet sees the Boulangerie's ticket")
	}
	// Malformed and unknown ids.
	for _, p := range []string{"/portal/tickets/nope", "/portal/tickets/" + uuid.Must(uuid.NewV7()).String(), path + "/attachments/nope"} {
		if res := boul.Get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}
}

func TestPortalTicketInternalNotesHidden(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	tk := a.openTicket(t, testutil.BoulangerieUser, ct, "Le site est lent", sla.Normal)
	var noteFile uuid.UUID
	err := a.app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		now := a.app.Clock.Now()
		if _, _, err := tickets.AddMessage(ctx, tx, tk.ID, a.staffActor(t), true, "NOTE INTERNE : client difficile", now); err != nil {
			return err
		}
		note, _, err := tickets.AddMessage(ctx, tx, tk.ID, a.staffActor(t), true, "Journal du serveur", now)
		if err != nil {
			return err
		}
		f, err := tickets.AddAttachment(ctx, tx, a.app.Files, tk.ID, note.ID, a.staffActor(t), true, "interne.txt", strings.NewReader("secret"), now)
		if err != nil {
			return err
		}
		noteFile = f.ID
		_, _, err = tickets.AddMessage(ctx, tx, tk.ID, a.staffActor(t), false, "Bonjour, nous regardons <b>tout de suite</b>.", now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	res := c.Get(ticketPath(tk.ID))
	text := res.Text(t)
	wantText(t, "detail", text, "Bonjour, nous regardons <b>tout de suite</b>.", "Sophie Lambert")
	for _, secret := range []string{"NOTE INTERNE", "Journal du serveur", "interne.txt"} {
		if strings.Contains(res.Body, secret) {
			t.Errorf("the portal shows the internal %q", secret)
		}
	}
	if strings.Contains(res.Body, "<b>tout de suite</b>") {
		t.Error("staff text is not escaped")
	}
	if res := c.Get(ticketPath(tk.ID) + "/attachments/" + noteFile.String()); res.StatusCode != http.StatusNotFound {
		t.Errorf("internal file: %d, want 404", res.StatusCode)
	}
}

func TestPortalTicketMessage(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	tk := a.openTicket(t, testutil.BoulangerieUser, ct, "Le paiement échoue", sla.High)
	tech := userID(t, a, testutil.Technician)
	err := a.app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		_, err := tickets.Assign(ctx, tx, tk.ID, tech.ID, a.staffActor(t), tk.Version, a.app.Clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a.move(t, tk.ID, tickets.StatusAcknowledged, tickets.StatusWaitingClient)
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	page := c.Get(ticketPath(tk.ID))
	wantText(t, "waiting", page.Text(t), "Nous attendons votre réponse", "En attente de votre réponse : délai suspendu")

	if res := postMultipart(t, c, ticketPath(tk.ID)+"/messages", url.Values{"body": {"  "}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty message: %d", res.StatusCode)
	} else if res.Doc(t).Find("#f-body-error").Length() != 1 {
		t.Error("no error under the message")
	}
	res := postMultipart(t, c, ticketPath(tk.ID)+"/messages", url.Values{"body": {"Voici le code d'erreur : 4012 <script>x</script>"}},
		upload{"erreur.png", pngFile(t)})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("message: %d\n%s", res.StatusCode, res.Body)
	}
	page = c.Get(ticketPath(tk.ID))
	wantText(t, "after the reply", page.Text(t), "Votre réponse est ajoutée au signalement T-0001 : nous reprenons le traitement.",
		"Voici le code d'erreur : 4012 <script>x</script>", "erreur.png", "En cours")
	if strings.Contains(page.Body, "<script>x</script>") {
		t.Error("the message is not escaped")
	}
	if n := count(t, a.app, "SELECT count(*) FROM tickets WHERE status = 'in_progress'"); n != 1 {
		t.Error("the reply did not resume the ticket")
	}
	// The mail goes to the assignee and to every active manager, once each.
	var to, want []string
	if err := a.app.DB.Bun.NewRaw("SELECT to_address FROM outbox_messages WHERE kind = 'ticket_client_message' ORDER BY to_address").Scan(context.Background(), &to); err != nil {
		t.Fatal(err)
	}
	if err := a.app.DB.Bun.NewRaw(`SELECT email FROM users WHERE (kind = 'staff' AND role = 'manager' AND active) OR email = ?
		ORDER BY email`, testutil.Technician).Scan(context.Background(), &want); err != nil {
		t.Fatal(err)
	}
	if strings.Join(to, ",") != strings.Join(want, ",") {
		t.Errorf("mail to %v, want %v (the assignee and the managers)", to, want)
	}
}

func TestPortalTicketConfirmAndReopen(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	tk := a.openTicket(t, testutil.BoulangerieUser, ct, "Le site ne répond plus", sla.Critical)
	a.app.Clock.Advance(24 * time.Hour) // Monday
	tk = a.move(t, tk.ID, tickets.StatusAcknowledged, tickets.StatusResolved)
	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	path := ticketPath(tk.ID)
	doc := c.Get(path).Doc(t)
	wantText(t, "resolved", doc.Text(), "Résolu le 23/11/2026 10:00", "vous pouvez rouvrir ce signalement jusqu'au 07/12/2026",
		"Confirmer la résolution", "Rouvrir")
	version := fmt.Sprint(tk.Version)

	// Reopening needs a reason.
	res := c.Post(path+"/reopen", url.Values{"version": {version}, "reason": {" "}})
	if res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find("#f-reason-error").Length() != 1 {
		t.Fatalf("reopen without reason: %d", res.StatusCode)
	}
	// A stale page.
	if res := c.Post(path+"/close", url.Values{"version": {"1"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("close from a stale page: %d, want 409", res.StatusCode)
	}
	res = c.Post(path+"/reopen", url.Values{"version": {version}, "reason": {"Les photos ne s'affichent toujours pas."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reopen: %d\n%s", res.StatusCode, res.Body)
	}
	wantText(t, "reopened", c.Get(path).Text(t), "Signalement T-0001 rouvert", "Signalement rouvert", "« Les photos ne s'affichent toujours pas. »")
	if n := count(t, a.app, "SELECT count(*) FROM tickets WHERE status = 'in_progress' AND reopened_count = 1"); n != 1 {
		t.Error("not reopened")
	}
	if n := count(t, a.app, "SELECT count(*) FROM outbox_messages WHERE kind = 'ticket_client_message' AND to_address = ?", testutil.Manager); n != 1 {
		t.Errorf("%d reopening mails to the manager", n)
	}

	// Resolved again, the client confirms: closed.
	tk = a.move(t, tk.ID, tickets.StatusResolved)
	res = c.Post(path+"/close", url.Values{"version": {fmt.Sprint(tk.Version)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d\n%s", res.StatusCode, res.Body)
	}
	page := c.Get(path)
	wantText(t, "closed", page.Text(t), "Merci : le signalement T-0001 est clos.", "Ce signalement est clos depuis le")
	if page.Doc(t).Find(`form[action$="/messages"], form[action$="/close"], form[action$="/reopen"]`).Length() != 0 {
		t.Error("a closed ticket still offers forms")
	}
	if res := c.Post(path+"/messages", url.Values{"body": {"Encore"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("message on a closed ticket: %d, want 409", res.StatusCode)
	}

	// Another ticket resolved 15 days ago: too late to reopen.
	old := a.openTicket(t, testutil.BoulangerieUser, ct, "Ancienne panne", sla.Normal)
	old = a.move(t, old.ID, tickets.StatusAcknowledged, tickets.StatusResolved)
	a.app.Clock.Advance(15 * 24 * time.Hour)
	c = a.app.LoginAs(t, testutil.BoulangerieUser) // the session expired meanwhile
	doc = c.Get(ticketPath(old.ID)).Doc(t)
	if doc.Find(`form[action$="/reopen"]`).Length() != 0 {
		t.Error("reopening offered after 15 days")
	}
	wantText(t, "expired", doc.Text(), "résolu il y a plus de 14 jours")
	res = c.Post(ticketPath(old.ID)+"/reopen", url.Values{"version": {fmt.Sprint(old.Version)}, "reason": {"Revenu"}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("reopen after 15 days: %d, want 409", res.StatusCode)
	}
	wantText(t, "409", res.Text(t), "Ce signalement a été résolu il y a plus de 14 jours")
	if n := count(t, a.app, "SELECT count(*) FROM tickets WHERE id = ? AND status = 'resolved'", old.ID); n != 1 {
		t.Error("the old ticket changed")
	}
	// A member of staff's move is not the client's to make.
	open := a.openTicket(t, testutil.BoulangerieUser, ct, "Autre", sla.Low)
	if res := c.Post(ticketPath(open.ID)+"/close", url.Values{"version": {fmt.Sprint(open.Version)}}); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusConflict {
		t.Errorf("closing a new ticket: %d", res.StatusCode)
	}
}

func TestPortalTicketList(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	a.member(t, a.boulangerie, "vendeuse@boulangerie.demo.test", "Léa Petit")
	a.openTicket(t, "vendeuse@boulangerie.demo.test", ct, "La caisse ne lit plus les cartes", sla.High)
	done := a.openTicket(t, testutil.BoulangerieUser, ct, "Ancien problème réglé", sla.Normal)
	a.move(t, done.ID, tickets.StatusAcknowledged, tickets.StatusResolved, tickets.StatusClosed)
	a.openTicket(t, testutil.CabinetUser, nil, "Imprimante du cabinet", sla.Normal)

	c := a.app.LoginAs(t, testutil.BoulangerieUser)
	titles := func(path string) []string {
		res := c.Get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		var out []string
		res.Doc(t).Find("main article h2").Each(func(_ int, s *goquery.Selection) { out = append(out, squash(s.Text())) })
		return out
	}
	if got := titles("/portal/tickets"); len(got) != 1 || !strings.Contains(got[0], "La caisse ne lit plus les cartes") {
		t.Errorf("open tickets of the company: %v", got)
	}
	if got := titles("/portal/tickets?who=mine"); len(got) != 0 {
		t.Errorf("Julie's open tickets: %v", got)
	}
	if got := titles("/portal/tickets?status=closed"); len(got) != 1 || !strings.Contains(got[0], "Ancien problème réglé") {
		t.Errorf("finished: %v", got)
	}
	if got := titles("/portal/tickets?status=all&who=mine"); len(got) != 1 {
		t.Errorf("all of Julie's: %v", got)
	}
	wantText(t, "mine, empty", c.Get("/portal/tickets?who=mine").Text(t), "Aucun signalement ici")

	// Keyset pages of 25.
	for i := range 25 {
		a.app.Clock.Advance(time.Minute)
		a.openTicket(t, testutil.BoulangerieUser, ct, fmt.Sprintf("Panne numéro %02d", i), sla.Low)
	}
	res := c.Get("/portal/tickets")
	doc := res.Doc(t)
	if n := doc.Find("main article").Length(); n != 25 {
		t.Errorf("first page: %d", n)
	}
	if !strings.Contains(squash(doc.Find("main article").First().Text()), "Panne numéro 24") {
		t.Error("the newest is not first")
	}
	next, ok := doc.Find(`nav a:contains("Suivant")`).Attr("href")
	if !ok {
		t.Fatal("no next page link")
	}
	if got := titles(next); len(got) != 1 || !strings.Contains(got[0], "La caisse") {
		t.Errorf("second page: %v", got)
	}

	// The Cabinet's empty list says what to do.
	cab := a.app.LoginAs(t, testutil.CabinetUser)
	a.move(t, uuid.MustParse(ticketIDByTitle(t, a, "Imprimante du cabinet")), tickets.StatusAcknowledged, tickets.StatusResolved)
	empty := cab.Get("/portal/tickets")
	wantText(t, "empty", empty.Text(t), "Aucune panne en cours", "Signaler une panne")
	if empty.Doc(t).Find(`main section a[href="/portal/tickets/new"]`).Length() != 1 {
		t.Error("no report button in the empty state")
	}
	wantText(t, "cabinet home", cab.Get("/portal").Doc(t).Find(`section:has(#tickets-h)`).Text(), "Aucune panne en cours : tout est en ordre.")
}

func ticketIDByTitle(t *testing.T, a *portalApp, title string) string {
	t.Helper()
	var id string
	if err := a.app.DB.Bun.NewRaw("SELECT id FROM tickets WHERE title = ?", title).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestPortalTicketsInBrowser reports a fault as the Boulangerie's admin in Chromium: the empty list,
// the form sent with a mistake (422) then right with a screenshot attached, the ticket's page, and
// the list. Every page passes axe, does not scroll sideways at 390 px and shows no raw message id;
// each is photographed at desktop and phone widths (artifacts/screenshots/portal-tickets-*.png).
func TestPortalTicketsInBrowser(t *testing.T) {
	a := newPortalApp(t)
	ct := a.contract(t, a.boulangerie, contracts.StatusActive, nil)
	old := a.openTicket(t, testutil.BoulangerieUser, ct, "Le formulaire de contact n'envoie rien", sla.Normal)
	a.move(t, old.ID, tickets.StatusAcknowledged)
	err := a.app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		cur, err := tickets.Get(ctx, tx, old.ID)
		if err != nil {
			return err
		}
		if _, err := tickets.SetDiagnosis(ctx, tx, old.ID, "Le service d'envoi d'e-mails a changé de mot de passe.",
			"Nous mettons à jour le mot de passe et testons le formulaire.", a.staffActor(t), cur.Version, a.app.Clock.Now()); err != nil {
			return err
		}
		_, _, err = tickets.AddMessage(ctx, tx, old.ID, a.staffActor(t), false, "Bonjour, pouvez-vous nous dire à quelle adresse arrivent les messages ?", a.app.Clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a.move(t, old.ID, tickets.StatusWaitingClient)
	shot := filepath.Join(t.TempDir(), "capture-boutique.png")
	if err := os.WriteFile(shot, pngFile(t), 0o600); err != nil {
		t.Fatal(err)
	}

	base := a.app.Listen(t)
	b := testutil.Browser(t)
	inspect := func(name string) {
		t.Helper()
		for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
			testutil.SetViewport(t, b, v)
			if m := rawTicketKey.FindString(testutil.BodyText(t, b)); m != "" {
				t.Errorf("%s shows a raw message id: %q", name, m)
			}
			testutil.Axe(t, b)
			if out := testutil.HorizontalOverflow(t, b); len(out) > 0 {
				t.Errorf("%s at %d px scrolls sideways: %s", name, v.Width, strings.Join(out, "; "))
			}
			testutil.Screenshot(t, b, "portal-tickets-"+name+"-"+v.Name)
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

	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`nav ul.hidden a[href="/portal/tickets"]`)))
	testutil.WaitPath(t, b, "/portal/tickets")
	inspect("02-list")

	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`main header a[href="/portal/tickets/new"]`)))
	testutil.WaitPath(t, b, "/portal/tickets/new")
	// Sent without a title: the form comes back with the message under the field.
	testutil.Run(t, b,
		chromedp.Click(chromedp.CSS("#f-priority-critical")),
		chromedp.SendKeys(chromedp.CSS("#f-description"), "Depuis ce matin la boutique affiche une page blanche."),
		chromedp.Click(chromedp.CSS(`main form button`)),
	)
	testutil.WaitFor(t, b, `!!document.querySelector("#f-title-error")`)
	inspect("03-form-errors")

	testutil.Run(t, b,
		chromedp.SetValue(chromedp.CSS("#f-service_label"), "boutique.boulangerie-martin.fr"),
		chromedp.SendKeys(chromedp.CSS("#f-title"), "La boutique en ligne affiche une page blanche"),
		chromedp.SendKeys(chromedp.CSS("#f-contact_phone"), "06 12 34 56 78"),
		chromedp.SetUploadFiles(chromedp.CSS("#f-attachments"), []string{shot}),
		chromedp.Click(chromedp.CSS(`main form button`)),
	)
	testutil.WaitFor(t, b, `document.body.innerText.includes("Signalement T-0002 envoyé")`)
	wantText(t, "ticket page", testutil.BodyText(t, b), "au plus tard le 23/11/2026 10:00", "capture-boutique.png")
	inspect("04-detail")

	testutil.Run(t, b, chromedp.Navigate(base+ticketPath(old.ID)))
	testutil.WaitPath(t, b, ticketPath(old.ID))
	inspect("05-waiting")

	testutil.Run(t, b, chromedp.Navigate(base+"/portal/tickets"))
	testutil.WaitPath(t, b, "/portal/tickets")
	inspect("06-list")
	testutil.Run(t, b, chromedp.Navigate(base+"/portal"))
	testutil.WaitPath(t, b, "/portal")
	inspect("07-home")
}
