package backoffice_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"maintenant/app/testutil"
	"maintenant/app/web/backoffice"
)

// pdfBodyText is the text of a PDF answer, in the order it was written, spaces normalised.
func pdfBodyText(t *testing.T, body string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(string(out))
	return strings.Join(strings.Fields(s), " ")
}

// The staff's register as a PDF: the filter of the page, every client or one, the totals of the
// filter; capped, it says so; staff only.
func TestRegisterPDF(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	// Time entries far from the demo technician's demo interventions.
	registerSlot = time.Date(2031, 3, 3, 8, 0, 0, 0, time.UTC)
	f := newRegisterFixture(t, app)
	c := app.LoginAs(t, testutil.Technician)

	doc := c.Get("/admin/register?q=RegTest&kind=corrective").Doc(t)
	href, _ := doc.Find("#pdf-link").Attr("href")
	if href != "/admin/register.pdf?kind=corrective&q=RegTest" {
		t.Errorf("pdf link %q", href)
	}
	r := c.Get("/admin/register.pdf?q=RegTest")
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Body, "%PDF-") || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("register pdf: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if got := r.Header.Get("Content-Disposition"); got != `inline; filename="registre-maintenance.pdf"` {
		t.Errorf("Content-Disposition %q", got)
	}
	text := pdfBodyText(t, r.Body)
	for _, want := range []string{
		"Registre de maintenance — Tous les clients", "Filtre — Équipement ou service : « RegTest »",
		"RegTest caisse", "RegTest imprimante cabinet", `=HYPERLINK("http://evil.test","RegTest")`,
		"Boulangerie Martin", "Cabinet Durand Avocats", "Entrées", "4 h", "Travail 1 h 30 Trajet 30 min Total 2 h",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("register pdf lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "les plus récentes") {
		t.Error("an uncapped register says it is cut")
	}

	// One client, one contract, a period: the scope and the filter in words, the other client absent.
	r = c.Get("/admin/register.pdf?q=RegTest&client=" + f.bakery.String() + "&contract=" + f.contract.String() + "&from=2026-10-01&to=2026-10-31")
	text = pdfBodyText(t, r.Body)
	for _, want := range []string{"Registre de maintenance — Boulangerie Martin", "Client : Boulangerie Martin · Contrat : C-",
		"Période : du 01/10/2026 au 31/10/2026", "RegTest caisse"} {
		if !strings.Contains(text, want) {
			t.Errorf("filtered pdf lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Cabinet Durand") || strings.Contains(text, "HYPERLINK") {
		t.Errorf("the filtered pdf shows entries outside the filter:\n%s", text)
	}

	// Capped: the newest entries, a warning, the totals of the whole filter.
	backoffice.SetRegisterPDFMax(t, 2)
	text = pdfBodyText(t, c.Get("/admin/register.pdf?q=RegTest").Body)
	if !strings.Contains(text, "les 2 entrées les plus récentes sur les 3 du filtre") || strings.Contains(text, "RegTest caisse") {
		t.Errorf("capped pdf:\n%s", text)
	}

	if r := c.Get("/admin/register.pdf?client=nope"); r.StatusCode != http.StatusNotFound {
		t.Errorf("malformed client: %d", r.StatusCode)
	}
	if r := app.LoginAs(t, testutil.BoulangerieUser).Get("/admin/register.pdf"); r.StatusCode == http.StatusOK || strings.HasPrefix(r.Body, "%PDF") {
		t.Errorf("a client user reads the staff's register: %d", r.StatusCode)
	}
}

// The register pages with their two export links, staff and client, at desktop and phone widths:
// no sideways scroll, axe-clean (artifacts/screenshots/register-exports-*.png).
func TestRegisterExportLinksInBrowser(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	registerSlot = time.Date(2031, 4, 7, 8, 0, 0, 0, time.UTC)
	newRegisterFixture(t, app)
	base := app.Listen(t)
	for _, who := range []struct{ email, path, name string }{
		{testutil.Manager, "/admin/register?q=RegTest", "register-exports-admin"},
		{testutil.BoulangerieUser, "/portal/register?q=RegTest", "register-exports-portal"},
	} {
		b := testutil.Browser(t)
		testutil.BrowserLogin(t, b, base, who.email)
		testutil.WaitFor(t, b, `location.pathname !== '/login'`)
		testutil.Run(t, b, chromedp.Navigate(base+who.path))
		testutil.WaitFor(t, b, `document.querySelector('#pdf-link') !== null && document.querySelectorAll('#register tbody tr').length >= 2`)
		for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
			setViewport(t, b, v)
			testutil.Axe(t, b)
			if out := testutil.HorizontalOverflow(t, b); len(out) > 0 {
				t.Errorf("%s at %d px scrolls sideways: %s", who.name, v.Width, strings.Join(out, "; "))
			}
			testutil.Screenshot(t, b, who.name+"-"+v.Name)
		}
		setViewport(t, b, testutil.Desktop)
		testutil.CheckConsole(t, b)
	}
}
