package backoffice_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/testutil"
)

// pdfContract writes an active contract for a demo client through the store and returns it.
func pdfContract(t *testing.T, app *testutil.App, clientName, title string) *contracts.Contract {
	t.Helper()
	ctx := context.Background()
	policy, err := uuid.Parse(contractPolicy(t, app, "PDF "+title, false))
	if err != nil {
		t.Fatal(err)
	}
	client, err := uuid.Parse(contractClient(t, app, clientName))
	if err != nil {
		t.Fatal(err)
	}
	c := &contracts.Contract{ClientID: client}
	v := &contracts.Version{
		Title: title, Object: "Maintenance préventive et corrective ; redevance en €.",
		Services:         []contracts.Service{{Kind: contracts.ServiceWebsite, Description: "boulangerie-martin.fr"}},
		MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenancePreventive},
		StartDate:        time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), InitialMonths: 12, RenewalMonths: 12, NoticeMonths: 3,
		FeeCents: 123456, BillingPeriod: contracts.BillingMonthly, PaymentTermsDays: 30,
		SLAPolicyID: uuid.NullUUID{UUID: policy, Valid: true},
	}
	err = app.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		if err := contracts.Create(ctx, tx, c, v, uuid.Nil, app.Clock.Now()); err != nil {
			return err
		}
		_, _, err := contracts.Transition(ctx, tx, c.ID, contracts.StatusActive, "", c.Version, app.Clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestContractPDFStaff(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	ct := pdfContract(t, app, "Boulangerie Martin", "Maintenance du site vitrine")
	path := "/admin/contracts/" + ct.ID.String()

	// The page offers the document, outside htmx navigation.
	a := app.LoginAs(t, testutil.Technician)
	link := a.Get(path).Doc(t).Find(`a[href="` + path + `.pdf"]`)
	if link.Length() != 1 {
		t.Fatalf("the contract page has %d PDF links, want 1", link.Length())
	}
	if v, _ := link.Attr("hx-boost"); v != "false" {
		t.Errorf("the PDF link has hx-boost=%q, want false", v)
	}

	res := a.Get(path + ".pdf")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s.pdf: %d", path, res.StatusCode)
	}
	for h, want := range map[string]string{
		"Content-Type":        "application/pdf",
		"Content-Disposition": `inline; filename="` + ct.Reference + `.pdf"`,
		"Cache-Control":       "private, no-store",
	} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if !strings.HasPrefix(res.Body, "%PDF-") {
		t.Fatalf("the body is not a PDF: %.40q", res.Body)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		file := filepath.Join(t.TempDir(), "c.pdf")
		if err := os.WriteFile(file, []byte(res.Body), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", file, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(string(out))), " ")
		for _, want := range []string{ct.Reference, "Maintenance du site vitrine", "Boulangerie Martin", "AsevoDigital", "1 234,56 € HT par mois"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF lacks %q", want)
			}
		}
	}

	// Unknown and malformed ids.
	if res := a.Get("/admin/contracts/" + uuid.Must(uuid.NewV7()).String() + ".pdf"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown contract: %d, want 404", res.StatusCode)
	}
	if res := a.Get("/admin/contracts/nope.pdf"); res.StatusCode != http.StatusNotFound {
		t.Errorf("malformed id: %d, want 404", res.StatusCode)
	}
	// Client users never reach the backoffice; nobody anonymous reads a contract.
	if res := app.LoginAs(t, testutil.BoulangerieUser).Get(path + ".pdf"); res.StatusCode != http.StatusForbidden {
		t.Errorf("client user on the backoffice PDF: %d, want 403", res.StatusCode)
	}
	res = app.Client(t).Get(path + ".pdf")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("anonymous: %d to %q, want 303 to /login", res.StatusCode, res.Header.Get("Location"))
	}
}
