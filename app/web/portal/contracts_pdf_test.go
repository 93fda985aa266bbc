package portal_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/testutil"
)

// pdfPortalContract writes an active contract for a demo client through the store and returns it.
func pdfPortalContract(t *testing.T, app *testutil.App, clientName, title string) *contracts.Contract {
	t.Helper()
	ctx := context.Background()
	now := app.Clock.Now()
	var client uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM clients WHERE name = ?", clientName).Scan(ctx, &client); err != nil {
		t.Fatal(err)
	}
	policy := uuid.Must(uuid.NewV7())
	if _, err := app.DB.Bun.ExecContext(ctx, `INSERT INTO sla_policies (id, name, hours, created_at, updated_at)
		VALUES (?, ?, '{"monday": ["09:00-18:00"]}', ?, ?)`, policy, "PDF "+title, now, now); err != nil {
		t.Fatal(err)
	}
	for i, pr := range []string{"critical", "high", "normal", "low"} {
		if _, err := app.DB.Bun.ExecContext(ctx, `INSERT INTO sla_targets VALUES (?, ?, ?, ?)`, policy, pr, 60*(i+1), 240*(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	c := &contracts.Contract{ClientID: client}
	v := &contracts.Version{
		Title: title, Services: []contracts.Service{{Kind: contracts.ServiceServers, Description: "Serveur de fichiers"}},
		StartDate:     time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		InitialMonths: 12, RenewalMonths: 12, NoticeMonths: 3, FeeCents: 45000, BillingPeriod: contracts.BillingQuarterly,
		SLAPolicyID: uuid.NullUUID{UUID: policy, Valid: true},
	}
	err := app.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		if err := contracts.Create(ctx, tx, c, v, uuid.Nil, now); err != nil {
			return err
		}
		_, _, err := contracts.Transition(ctx, tx, c.ID, contracts.StatusActive, "", c.Version, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A client user reads its own contract as a PDF; another client's contract, a missing one and a
// malformed id all answer 404; nobody anonymous gets one.
func TestPortalContractPDF(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	own := pdfPortalContract(t, app, "Boulangerie Martin", "Maintenance de la boutique")
	other := pdfPortalContract(t, app, "Cabinet Durand Avocats", "Maintenance du cabinet")

	u := app.LoginAs(t, testutil.BoulangerieUser)
	res := u.Get("/portal/contracts/" + own.ID.String() + ".pdf")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("own contract: %d, want 200", res.StatusCode)
	}
	if !strings.HasPrefix(res.Body, "%PDF-") || res.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("own contract: %q, %.20q; want a PDF", res.Header.Get("Content-Type"), res.Body)
	}
	if got, want := res.Header.Get("Content-Disposition"), `inline; filename="`+own.Reference+`.pdf"`; got != want {
		t.Errorf("Content-Disposition = %q, want %q", got, want)
	}
	if got := res.Header.Get("Cache-Control"); got != "private, no-store" {
		t.Errorf("Cache-Control = %q", got)
	}

	for name, path := range map[string]string{
		"another client's contract": "/portal/contracts/" + other.ID.String() + ".pdf",
		"a missing contract":        "/portal/contracts/" + uuid.Must(uuid.NewV7()).String() + ".pdf",
		"a malformed id":            "/portal/contracts/C-2026-001.pdf",
	} {
		res := u.Get(path)
		if res.StatusCode != http.StatusNotFound || strings.HasPrefix(res.Body, "%PDF") {
			t.Errorf("%s: %d, want 404 without a document", name, res.StatusCode)
		}
	}
	// The other client reads its own, not the first one's.
	d := app.LoginAs(t, testutil.CabinetUser)
	if res := d.Get("/portal/contracts/" + other.ID.String() + ".pdf"); res.StatusCode != http.StatusOK {
		t.Errorf("Cabinet's own contract: %d, want 200", res.StatusCode)
	}
	if res := d.Get("/portal/contracts/" + own.ID.String() + ".pdf"); res.StatusCode != http.StatusNotFound {
		t.Errorf("Cabinet reading Boulangerie's contract: %d, want 404", res.StatusCode)
	}

	res = app.Client(t).Get("/portal/contracts/" + own.ID.String() + ".pdf")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("anonymous: %d to %q, want 303 to /login", res.StatusCode, res.Header.Get("Location"))
	}
	// Staff are not portal users.
	if res := app.LoginAs(t, testutil.Manager).Get("/portal/contracts/" + own.ID.String() + ".pdf"); res.StatusCode != http.StatusForbidden {
		t.Errorf("staff on the portal PDF: %d, want 403", res.StatusCode)
	}
}
