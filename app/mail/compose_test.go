package mail_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"maintenant/app/i18n"
	"maintenant/app/testutil"
)

func TestComposePasswordReset(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{NoSeed: true})
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	const (
		evil = "<script>alert(1)</script>"
		link = "http://maintenant.test/password/reset/AbC-123?lang=fr&x=1"
	)
	wantSubject := map[i18n.Lang]string{i18n.FR: "Réinitialisation de votre mot de passe", i18n.EN: "Resetting your password"}
	for _, lang := range i18n.Langs {
		t.Run(string(lang), func(t *testing.T) {
			m, err := app.Composer.Compose("password_reset", lang, "elodie@example.test", "Élodie", map[string]any{
				"Name": evil, "Link": link, "OrgName": "Dépannage & Fils",
			})
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != wantSubject[lang] || m.Subject != cat.T(lang, "mail.password_reset.subject") {
				t.Errorf("subject %q, want %q from the catalogue", m.Subject, wantSubject[lang])
			}
			if m.ToAddress != "elodie@example.test" || m.ToName != "Élodie" || m.Kind != "password_reset" {
				t.Errorf("message %q <%s> kind %q", m.ToName, m.ToAddress, m.Kind)
			}

			if !strings.Contains(m.TextBody, link) {
				t.Errorf("text body lacks the link:\n%s", m.TextBody)
			}
			if !strings.Contains(m.TextBody, cat.T(lang, "mail.password_reset.body")) {
				t.Errorf("text body is not in %s:\n%s", lang, m.TextBody)
			}

			if strings.Contains(m.HTMLBody, evil) || strings.Contains(m.HTMLBody, "<script") {
				t.Errorf("HTML body carries the name unescaped:\n%s", m.HTMLBody)
			}
			if !strings.Contains(m.HTMLBody, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("HTML body lacks the escaped name:\n%s", m.HTMLBody)
			}
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(m.HTMLBody))
			if err != nil {
				t.Fatal(err)
			}
			if hl := doc.Find("html").AttrOr("lang", ""); hl != string(lang) {
				t.Errorf("html lang %q, want %q", hl, lang)
			}
			var hrefs []string
			doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) { hrefs = append(hrefs, a.AttrOr("href", "")) })
			if len(hrefs) != 1 || hrefs[0] != link {
				t.Errorf("links %q, want exactly [%s]", hrefs, link)
			}
			if a := doc.Find("a[href]").Text(); a != cat.T(lang, "mail.password_reset.button") {
				t.Errorf("button text %q", a)
			}
			if !strings.Contains(doc.Text(), link) {
				t.Errorf("HTML body lacks the fallback link as text")
			}
			if !strings.Contains(doc.Text(), "Dépannage & Fils") || !strings.Contains(doc.Text(), evil) {
				t.Errorf("HTML text does not show the organisation and the name as typed:\n%s", doc.Text())
			}
		})
	}
}

// A link is data: a javascript: URL must not become a live href.
func TestComposeRefusesUnsafeLink(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{NoSeed: true})
	m, err := app.Composer.Compose("password_reset", i18n.FR, "elodie@example.test", "Élodie", map[string]any{
		"Name": "Élodie", "Link": "javascript:alert(1)", "OrgName": "Org",
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTMLBody, `href="javascript:`) {
		t.Errorf("HTML body has a javascript: href:\n%s", m.HTMLBody)
	}
}

func TestComposeInvitation(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{NoSeed: true})
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	const link = "http://maintenant.test/invite/tok"
	for _, lang := range i18n.Langs {
		m, err := app.Composer.Compose("invitation", lang, "a@example.test", "A", map[string]any{
			"Name": "A", "Link": link, "OrgName": "Dépannage <Fils>",
		})
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject == "" || m.Subject != cat.T(lang, "mail.invitation.subject") || m.Subject == "mail.invitation.subject" {
			t.Errorf("%s: subject %q", lang, m.Subject)
		}
		if !strings.Contains(m.TextBody, link) || !strings.Contains(m.TextBody, "Dépannage <Fils>") {
			t.Errorf("%s: text body:\n%s", lang, m.TextBody)
		}
		if !strings.Contains(m.HTMLBody, `href="`+link+`"`) || strings.Contains(m.HTMLBody, "<Fils>") {
			t.Errorf("%s: HTML body (link, escaping):\n%s", lang, m.HTMLBody)
		}
	}
}
