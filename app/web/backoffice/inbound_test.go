package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"maintenant/app/inbound"
	"maintenant/app/testutil"
)

// inboundMail records a mail as the poller would and returns its id.
func inboundMail(t *testing.T, app *testutil.App, raw string) uuid.UUID {
	t.Helper()
	svc := &inbound.Service{DB: app.DB, Files: app.Files, Outbox: app.Outbox, Composer: app.Composer, Now: app.Clock.Now,
		Location: app.Config.Location, BaseURL: app.Config.BaseURL.String()}
	out, err := svc.Ingest(context.Background(), []byte(raw), int64(len(raw)), true)
	if err != nil {
		t.Fatal(err)
	}
	return out.Message.ID
}

const strangerMail = "From: =?UTF-8?Q?Ren=C3=A9e_Dupr=C3=A9?= <renee@nouvelle-boutique.example>\r\nSubject: Site en panne\r\n" +
	"Message-ID: <stranger-1@nouvelle-boutique.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
	"Bonjour, notre site affiche une erreur 500.\r\n\r\n-- \r\nRenée\r\n"

func TestInboundTriageAttach(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	id := inboundMail(t, app, strangerMail)
	m := app.LoginAs(t, testutil.Technician)
	path := "/admin/inbound/" + id.String()

	res := m.Get("/admin/inbound")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Text(t), "Site en panne") || !strings.Contains(res.Text(t), "Expéditeur inconnu") {
		t.Fatalf("triage list: %d\n%s", res.StatusCode, res.Text(t))
	}
	res = m.Get(path)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Text(t), "Renée Dupré <renee@nouvelle-boutique.example>") {
		t.Fatalf("show: %d", res.StatusCode)
	}
	if got := res.Doc(t).Find("#kept-text").Text(); got != "Bonjour, notre site affiche une erreur 500." {
		t.Errorf("kept text %q", got)
	}
	if !strings.Contains(res.Doc(t).Find("#full-text").Text(), "Renée") {
		t.Errorf("the whole text with its signature is not viewable")
	}
	src := m.Get(path + "/source")
	if src.StatusCode != http.StatusOK || src.Header.Get("Content-Type") != "message/rfc822" || src.Body != strangerMail ||
		!strings.HasPrefix(src.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("source: %d %q %q", src.StatusCode, src.Header.Get("Content-Type"), src.Header.Get("Content-Disposition"))
	}

	// No client chosen: 422 with the message, nothing opened.
	res = m.Post(path+"/attach", url.Values{"priority": {"high"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Text(t), "Choisissez un client.") {
		t.Fatalf("attach without client: %d", res.StatusCode)
	}
	var boulangerie uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM clients WHERE name = 'Boulangerie Martin'").Scan(context.Background(), &boulangerie); err != nil {
		t.Fatal(err)
	}
	if res := m.Get(path + "?client=" + boulangerie.String()); !strings.Contains(res.Body, `name="contract_service"`) {
		t.Fatalf("the attach form offers no contract once the client is chosen")
	}
	res = m.Post(path+"/attach", url.Values{"client_id": {boulangerie.String()}, "priority": {"high"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/tickets/") {
		t.Fatalf("attach: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Text(t))
	}
	ticket := res.Header.Get("Location")
	page := m.Get(ticket)
	if !strings.Contains(page.Text(t), "notre site affiche une erreur 500") || !strings.Contains(page.Text(t), "Renée Dupré") ||
		page.Doc(t).Find(`.email-badge a[href="`+path+`"]`).Length() != 1 {
		t.Errorf("ticket page: no report, reporter or emailed mark\n%s", page.Text(t))
	}
	if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action = 'inbound.attached' AND target_id = ?", id.String()); n != 1 {
		t.Errorf("%d audit entries", n)
	}
	// A second attach (another tab) changes nothing.
	res = m.Post(path+"/attach", url.Values{"client_id": {boulangerie.String()}, "priority": {"high"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
		t.Errorf("second attach: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if n := count(t, app, "SELECT count(*) FROM tickets WHERE channel = 'email' AND reporter_label LIKE 'Renée%'"); n != 1 {
		t.Errorf("%d tickets from the mail, want 1", n)
	}
	checkRefusedFileAndAcknowledgement(t, app, m)
}

// A known contact's mail with a file the upload rules refuse: the ticket is opened, the file noted
// on the mail's page in words; the acknowledgement in the outbox names its thread and Reply-To.
func checkRefusedFileAndAcknowledgement(t *testing.T, app *testutil.App, m *testutil.Client) {
	t.Helper()
	raw := "From: " + testutil.BoulangerieUser + "\r\nSubject: Logo cassé\r\nMessage-ID: <svg-1@client.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"s\"\r\n\r\n--s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLe logo ne s'affiche plus.\r\n" +
		"--s\r\nContent-Type: image/svg+xml\r\nContent-Disposition: attachment; filename=\"logo.svg\"\r\n\r\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>\r\n--s--\r\n"
	app.Outbox.ReplyTo = "support@maintenant.test"
	defer func() { app.Outbox.ReplyTo = "" }()
	id := inboundMail(t, app, raw)
	page := m.Get("/admin/inbound/" + id.String())
	if got := page.Doc(t).Find("#notes").Text(); !strings.Contains(got, "logo.svg : Ce type de fichier n'est pas accepté") {
		t.Errorf("notes %q", got)
	}
	var ack uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM outbox_messages WHERE kind = 'inbound_ack' AND to_address = ?", testutil.BoulangerieUser).Scan(context.Background(), &ack); err != nil {
		t.Fatal(err)
	}
	if got := m.Get("/admin/outbox/" + ack.String()).Doc(t).Find("#thread").Text(); !strings.Contains(got, "Fil du signalement T-") || !strings.Contains(got, "support@maintenant.test") {
		t.Errorf("outbox thread line %q", got)
	}
}

func TestInboundTriageDiscard(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	id := inboundMail(t, app, strangerMail)
	m := app.LoginAs(t, testutil.Manager)
	res := m.Post("/admin/inbound/"+id.String()+"/discard", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("discard: %d", res.StatusCode)
	}
	if n := count(t, app, "SELECT count(*) FROM inbound_messages WHERE status = 'discarded'"); n != 1 {
		t.Errorf("not discarded")
	}
	if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action = 'inbound.discarded'"); n != 1 {
		t.Errorf("not audited")
	}
	if res := m.Get("/admin/inbound"); !strings.Contains(res.Text(t), "Rien à trier") {
		t.Errorf("the triage list is not empty")
	}
	if res := m.Get("/admin/inbound?status=discarded"); !strings.Contains(res.Text(t), "Site en panne") {
		t.Errorf("the discarded mail is not listed under its tab")
	}
	if res := m.Get("/admin/inbound/" + uuid.Must(uuid.NewV7()).String()); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown mail: %d", res.StatusCode)
	}
	// A client user never reaches the backoffice.
	c := app.LoginAs(t, testutil.BoulangerieUser)
	if res := c.Get("/admin/inbound/" + id.String() + "/source"); res.StatusCode == http.StatusOK {
		t.Errorf("a client downloaded a mail's source")
	}
}

func TestInboundMailboxPage(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	m := app.LoginAs(t, testutil.Manager)
	// No mailbox (IMAP_URL unset and no demo in this process).
	if res := m.Get("/admin/inbound/mailbox"); !strings.Contains(res.Text(t), "Aucune boîte configurée") {
		t.Errorf("no mailbox: %s", res.Text(t))
	}
	if res := m.Post("/admin/inbound/poll", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("poll without mailbox: %d", res.StatusCode)
	}
	demo, err := inbound.StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = demo.Close() })
	app.Server.Inbound = &inbound.Poller{Mailbox: demo.Mailbox, Service: &inbound.Service{DB: app.DB, Files: app.Files,
		Outbox: app.Outbox, Composer: app.Composer, Now: app.Clock.Now, Location: app.Config.Location}}
	res := m.Get("/admin/inbound/mailbox")
	if res.Doc(t).Find("#demo-banner").Length() != 1 {
		t.Errorf("the demo mailbox is not marked as such")
	}
	// Bad input: 422, a message per field, nothing dropped.
	res = m.Post("/admin/inbound/demo", url.Values{"from": {"pas une adresse"}, "subject": {""}, "body": {"x"}})
	if res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find("#f-from-error").Length() != 1 || res.Doc(t).Find("#f-subject-error").Length() != 1 {
		t.Fatalf("bad drop: %d", res.StatusCode)
	}
	res = m.Post("/admin/inbound/demo", url.Values{"from": {testutil.CabinetUser}, "subject": {"Problème d'imprimante réseau"}, "body": {"Elle n'imprime plus."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("drop: %d", res.StatusCode)
	}
	if waiting, _, err := demo.Mailbox.Count(); err != nil || waiting != 1 {
		t.Fatalf("waiting %d %v", waiting, err)
	}
	res = m.Post("/admin/inbound/poll", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("poll: %d", res.StatusCode)
	}
	res = m.Get("/admin/inbound/mailbox")
	if !strings.Contains(res.Text(t), "1 message(s) traité(s), 0 en attente") || res.Doc(t).Find("#waiting").Text() != "0" {
		t.Errorf("after the poll: %s", res.Text(t))
	}
	if n := count(t, app, "SELECT count(*) FROM tickets WHERE channel = 'email' AND title = 'Problème d''imprimante réseau'"); n != 1 {
		t.Errorf("%d tickets from the dropped mail", n)
	}
}
