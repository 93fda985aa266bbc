package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/testutil"
)

// completedMail is an outbox message of a completed sheet, with its first attachment.
type completedMail struct {
	ID        uuid.UUID `bun:"id"`
	ToAddress string    `bun:"to_address"`
	Subject   string    `bun:"subject"`
	TextBody  string    `bun:"text_body"`
	HTMLBody  string    `bun:"html_body"`
	DedupeKey string    `bun:"dedupe_key"`
	Files     int       `bun:"files"`
	Filename  string    `bun:"filename"`
	Type      string    `bun:"content_type"`
	Head      []byte    `bun:"head"`
}

func completedMails(t *testing.T, a *interventionApp) []completedMail {
	t.Helper()
	var out []completedMail
	if err := a.app.DB.Bun.NewRaw(`SELECT m.id, m.to_address, m.subject, m.text_body, m.html_body, m.dedupe_key,
		(SELECT count(*) FROM outbox_attachments WHERE message_id = m.id) AS files,
		coalesce(f.filename, '') AS filename, coalesce(f.content_type, '') AS content_type, substring(f.content FROM 1 FOR 5) AS head
		FROM outbox_messages AS m LEFT JOIN outbox_attachments AS f ON f.message_id = m.id AND f.position = 0
		WHERE m.kind = 'intervention_completed' ORDER BY m.to_address`).Scan(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Completing an intervention mails its sheet to every active user of the client, each with the PDF
// attached and a link to the sheet in the portal, in the completion's transaction: a refused
// completion sends nothing, and the outbox shows the file to staff only.
func TestInterventionCompletionMailsTheSheet(t *testing.T) {
	a := newInterventionApp(t)
	ctx := context.Background()
	// A second, active contact gets the sheet too; a deactivated one does not.
	for _, u := range []struct {
		email  string
		active bool
	}{{"compta@boulangerie.demo.test", true}, {"ancien@boulangerie.demo.test", false}} {
		if _, err := a.app.DB.Bun.ExecContext(ctx, `INSERT INTO users (id, kind, client_id, role, email, name, language, active, created_at, updated_at)
			SELECT ?, kind, client_id, 'member', ?, ?, 'en', ?, created_at, updated_at FROM users WHERE email = ?`,
			uuid.Must(uuid.NewV7()), u.email, "Contact "+u.email, u.active, testutil.BoulangerieUser); err != nil {
			t.Fatal(err)
		}
	}
	path := a.create(t, a.m, "Four à sole en panne")
	id := strings.TrimPrefix(path, "/admin/interventions/")
	wantStatus(t, interventionPost(t, a.m, path, "/takeup", nil), http.StatusSeeOther, "take up")

	// Refused completions (no time yet; a stale version) write no mail.
	wantStatus(t, interventionPost(t, a.m, path, "/complete", nil), http.StatusUnprocessableEntity, "complete with no time")
	wantStatus(t, interventionPost(t, a.m, path, "/time", url.Values{"category": {"work"}, "started_at": {a.at("08:00")}, "minutes": {"50"}}), http.StatusSeeOther, "time")
	stale := interventionVersion(t, a.m, path)
	wantStatus(t, interventionPost(t, a.m, path, "/notes", url.Values{"summary": {"Résistance du four remplacée."}, "internal_notes": {"Note interne à ne pas envoyer"}, "sign_later": {"on"}}), http.StatusSeeOther, "notes")
	wantStatus(t, a.m.Post(path+"/complete", url.Values{"version": {stale}}), http.StatusConflict, "stale completion")
	if got := completedMails(t, a); len(got) != 0 {
		t.Fatalf("refused completions wrote %d mails", len(got))
	}
	if n := count(t, a.app, "SELECT count(*) FROM outbox_attachments"); n != 0 {
		t.Fatalf("refused completions wrote %d attachments", n)
	}

	res := interventionPost(t, a.m, path, "/complete", nil)
	wantStatus(t, res, http.StatusSeeOther, "complete")
	if flash := a.m.Get(path).Text(t); !strings.Contains(flash, "envoyée aux contacts du client") {
		t.Error("the flash does not say the sheet was sent")
	}
	mails := completedMails(t, a)
	want := []string{"client@boulangerie.demo.test", "compta@boulangerie.demo.test"}
	if len(mails) != len(want) {
		t.Fatalf("%d mails, want one per active contact %v", len(mails), want)
	}
	link := a.app.Config.URL("/portal/interventions/" + id)
	for i, m := range mails {
		if m.ToAddress != want[i] {
			t.Errorf("mail %d to %s, want %s", i, m.ToAddress, want[i])
		}
		if m.Files != 1 || m.Filename != "I-0001.pdf" || m.Type != "application/pdf" || string(m.Head) != "%PDF-" {
			t.Errorf("mail to %s: %d files, %q %q %q; want the sheet's PDF", m.ToAddress, m.Files, m.Filename, m.Type, m.Head)
		}
		if !strings.Contains(m.TextBody, link) || !strings.Contains(m.HTMLBody, `href="`+link+`"`) {
			t.Errorf("mail to %s lacks the portal link %s:\n%s", m.ToAddress, link, m.TextBody)
		}
		if !strings.Contains(m.TextBody, "Résistance du four remplacée.") || strings.Contains(m.TextBody+m.HTMLBody, "Note interne") {
			t.Errorf("mail to %s: the summary is missing or the internal notes leak:\n%s", m.ToAddress, m.TextBody)
		}
		if !strings.Contains(m.DedupeKey, id) {
			t.Errorf("dedupe key %q does not name the intervention", m.DedupeKey)
		}
	}
	if !strings.Contains(mails[0].Subject, "[I-0001] Fiche d'intervention") || !strings.Contains(mails[0].TextBody, "attend votre signature") {
		t.Errorf("French mail: %q\n%s", mails[0].Subject, mails[0].TextBody)
	}
	if !strings.Contains(mails[1].Subject, "[I-0001] Intervention sheet") {
		t.Errorf("the English contact's mail is not in English: %q", mails[1].Subject)
	}

	// The outbox lists the file; staff download it, the client cannot.
	out := "/admin/outbox/" + mails[0].ID.String()
	if row := a.m.Get("/admin/outbox?to=client@boulangerie").Doc(t).Find(`tr:has(a[href="` + out + `"])`).Text(); !strings.Contains(row, "1 pièce jointe") {
		t.Errorf("the outbox list does not show the attachment: %q", row)
	}
	doc := a.m.Get(out).Doc(t)
	if got := strings.Join(strings.Fields(doc.Find("#attachments").Text()), " "); !strings.Contains(got, "I-0001.pdf") || !strings.Contains(got, "application/pdf") {
		t.Errorf("the outbox does not list the attachment: %q", got)
	}
	file := a.m.Get(out + "/attachments/0")
	wantStatus(t, file, http.StatusOK, "attachment download")
	if !strings.HasPrefix(file.Body, "%PDF-") || file.Header.Get("Content-Type") != "application/pdf" ||
		file.Header.Get("X-Content-Type-Options") != "nosniff" || file.Header.Get("Content-Disposition") != `attachment; filename=I-0001.pdf` {
		t.Errorf("download: %q %q %q", file.Header.Get("Content-Type"), file.Header.Get("X-Content-Type-Options"), file.Header.Get("Content-Disposition"))
	}
	for _, bad := range []string{"/attachments/1", "/attachments/-1", "/attachments/x", "/attachments/99"} {
		wantStatus(t, a.m.Get(out+bad), http.StatusNotFound, bad)
	}
	client := a.app.LoginAs(t, testutil.BoulangerieUser)
	if res := client.Get(out + "/attachments/0"); res.StatusCode == http.StatusOK || strings.HasPrefix(res.Body, "%PDF") {
		t.Errorf("a client user downloads from the outbox: %d", res.StatusCode)
	}

	// A client without an active contact: the sheet is completed, nobody is mailed, the flash says so.
	if _, err := a.app.DB.Bun.ExecContext(ctx, "UPDATE users SET active = false WHERE client_id = ?", a.client); err != nil {
		t.Fatal(err)
	}
	path2 := a.create(t, a.m, "Balance de la vitrine")
	wantStatus(t, interventionPost(t, a.m, path2, "/takeup", nil), http.StatusSeeOther, "take up")
	wantStatus(t, interventionPost(t, a.m, path2, "/time", url.Values{"category": {"work"}, "started_at": {a.at("10:00")}, "minutes": {"20"}}), http.StatusSeeOther, "time")
	wantStatus(t, interventionPost(t, a.m, path2, "/complete", nil), http.StatusSeeOther, "complete without contacts")
	if text := a.m.Get(path2).Text(t); !strings.Contains(text, "aucun contact actif") {
		t.Error("the flash does not say nobody was mailed")
	}
	if got := completedMails(t, a); len(got) != len(want) {
		t.Errorf("%d mails after a completion for a client without contacts, want still %d", len(got), len(want))
	}

	// Look at the outbox page with its attachment at both widths.
	base := a.app.Listen(t)
	b := testutil.Browser(t)
	testutil.BrowserLogin(t, b, base, testutil.Manager)
	testutil.WaitPath(t, b, "/admin")
	testutil.Run(t, b, chromedp.Navigate(base+out))
	testutil.WaitPath(t, b, out)
	for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
		setViewport(t, b, v)
		testutil.Axe(t, b)
		if o := testutil.HorizontalOverflow(t, b); len(o) > 0 {
			t.Errorf("outbox message at %d px scrolls sideways: %s", v.Width, strings.Join(o, "; "))
		}
		testutil.Screenshot(t, b, "outbox-sheet-mail-"+v.Name)
	}
	testutil.CheckConsole(t, b)
}
