package portal_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/testutil"
)

// portalPDFText is the text of a PDF answer, in the order it was written, spaces normalised.
func portalPDFText(t *testing.T, body string) string {
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

// TestPortalRegisterPDF: the law firm's user gets its own register as a PDF and never the bakery's,
// even with the bakery's client or contract id in the query string; the page links to it with the
// filter.
func TestPortalRegisterPDF(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	// Time entries far from the demo technician's demo interventions.
	portalRegisterSlot = time.Date(2031, 3, 3, 8, 0, 0, 0, time.UTC)
	bakery, firm := clientID(t, app, "Boulangerie Martin"), clientID(t, app, "Cabinet Durand Avocats")
	bakeryContract := firstContract(t, app, bakery)
	completeForPortalRegister(t, app, bakery, bakeryContract, "RegPDF four de la boulangerie", 60)
	completeForPortalRegister(t, app, firm, uuid.Nil, "RegPDF serveur du cabinet", 30)

	c := app.LoginAs(t, testutil.CabinetUser)
	if href, _ := c.Get("/portal/register?q=RegPDF").Doc(t).Find("#pdf-link").Attr("href"); href != "/portal/register.pdf?q=RegPDF" {
		t.Errorf("pdf link %q", href)
	}
	for _, q := range []string{"?q=RegPDF", "?q=RegPDF&client=" + bakery.String(), "?contract=" + bakeryContract.String(), "?client=" + bakery.String() + "&q=boulangerie"} {
		r := c.Get("/portal/register.pdf" + q)
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Body, "%PDF-") {
			t.Fatalf("%s: status %d", q, r.StatusCode)
		}
		text := portalPDFText(t, r.Body)
		if strings.Contains(text, "oulangerie Martin") || strings.Contains(text, "RegPDF four") || strings.Contains(text, "C-20") {
			t.Errorf("%s: the bakery's register shows in the law firm's PDF:\n%s", q, text)
		}
		if !strings.Contains(text, "Registre de maintenance — Cabinet Durand Avocats") {
			t.Errorf("%s: not the firm's register:\n%s", q, text)
		}
	}
	text := portalPDFText(t, c.Get("/portal/register.pdf?q=RegPDF").Body)
	for _, want := range []string{"RegPDF serveur du cabinet", "Travail 30 min", "Hors contrat"} {
		if !strings.Contains(text, want) {
			t.Errorf("the firm's PDF lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Client :") {
		t.Error("the portal's PDF names a client filter")
	}
	text = portalPDFText(t, c.Get("/portal/register.pdf?contract="+bakeryContract.String()).Body)
	if !strings.Contains(text, "Contrat : contrat inconnu") || !strings.Contains(text, "Aucune entrée ne correspond à ce filtre.") {
		t.Errorf("another client's contract in the filter:\n%s", text)
	}

	// The bakery's user sees its own, filtered by its contract.
	b := app.LoginAs(t, testutil.BoulangerieUser)
	text = portalPDFText(t, b.Get("/portal/register.pdf?q=RegPDF&contract="+bakeryContract.String()).Body)
	if !strings.Contains(text, "RegPDF four de la boulangerie") || strings.Contains(text, "cabinet") || !strings.Contains(text, "Contrat : C-") {
		t.Errorf("the bakery's PDF by contract:\n%s", text)
	}
	if r := b.Get("/portal/register.pdf?contract=bad"); r.StatusCode != http.StatusNotFound {
		t.Errorf("malformed contract: %d", r.StatusCode)
	}
	if r := app.Client(t).Get("/portal/register.pdf"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("anonymous: %d", r.StatusCode)
	}
	if r := app.LoginAs(t, testutil.Manager).Get("/portal/register.pdf"); r.StatusCode == http.StatusOK {
		t.Error("staff reach the portal register PDF")
	}
}
