package portal_test

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

	"maintenant/app/accounts"
	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/testutil"
)

// sheetPDFSlot spaces the time entries of this file's interventions so that they never overlap.
var sheetPDFSlot = time.Date(2031, 6, 2, 8, 0, 0, 0, time.UTC)

// sheetPDFIntervention completes an intervention of the client by the demo technician, with a
// summary for the client and internal notes, and returns it.
func sheetPDFIntervention(t *testing.T, app *testutil.App, client uuid.UUID, title string) *interventions.Intervention {
	t.Helper()
	ctx := context.Background()
	tech, err := accounts.UserByEmail(ctx, app.DB.Bun, testutil.Technician)
	if err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{UserID: tech.ID, Label: tech.Name, IP: "127.0.0.1"}
	now := app.Clock.Now()
	var i *interventions.Intervention
	err = app.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		var err error
		if i, err = interventions.Create(ctx, tx, interventions.Input{ClientID: client, Kind: interventions.KindCorrective,
			Place: interventions.PlaceOnSite, Title: title}, actor, now); err != nil {
			return err
		}
		if i, err = interventions.TakeUp(ctx, tx, i.ID, tech.ID, i.Version, actor, now); err != nil {
			return err
		}
		e := interventions.TimeEntry{TechnicianID: tech.ID, Category: interventions.CategoryWork, StartedAt: sheetPDFSlot, Minutes: 75}
		sheetPDFSlot = sheetPDFSlot.Add(24 * time.Hour)
		if i, err = interventions.AddTimeEntry(ctx, tx, i.ID, &e, i.Version, now); err != nil {
			return err
		}
		if i, err = interventions.SetNotes(ctx, tx, i.ID, "Compte rendu de "+title, "Secret interne de "+title, true, i.Version, now); err != nil {
			return err
		}
		_, _, err = interventions.Complete(ctx, tx, i.ID, i.Version, actor, now, app.Config.Location)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// A client user reads its own intervention sheet as a PDF (the summary, never the internal notes);
// another client's sheet, a missing one and a malformed id answer 404; nobody anonymous gets one and
// staff have no portal.
func TestPortalInterventionPDF(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	own := sheetPDFIntervention(t, app, clientID(t, app, "Boulangerie Martin"), "Four à pain en panne")
	other := sheetPDFIntervention(t, app, clientID(t, app, "Cabinet Durand Avocats"), "Serveur du cabinet")

	u := app.LoginAs(t, testutil.BoulangerieUser)
	res := u.Get("/portal/interventions/" + own.ID.String() + ".pdf")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("own sheet: %d, want 200", res.StatusCode)
	}
	if !strings.HasPrefix(res.Body, "%PDF-") || res.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("own sheet: %q, %.20q; want a PDF", res.Header.Get("Content-Type"), res.Body)
	}
	if got, want := res.Header.Get("Content-Disposition"), `inline; filename="`+own.Reference()+`.pdf"`; got != want {
		t.Errorf("Content-Disposition = %q, want %q", got, want)
	}
	if got := res.Header.Get("Cache-Control"); got != "private, no-store" {
		t.Errorf("Cache-Control = %q", got)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		path := filepath.Join(t.TempDir(), "sheet.pdf")
		if err := os.WriteFile(path, []byte(res.Body), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, want := range []string{"Fiche d'intervention", own.Reference(), "Four à pain en panne", "Compte rendu de Four à pain en panne",
			"Boulangerie Martin", "Signature à venir depuis le portail client."} {
			if !strings.Contains(text, want) {
				t.Errorf("the sheet lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "Secret interne") {
			t.Error("the client's sheet shows the internal notes")
		}
	}

	for name, path := range map[string]string{
		"another client's sheet": "/portal/interventions/" + other.ID.String() + ".pdf",
		"a missing sheet":        "/portal/interventions/" + uuid.Must(uuid.NewV7()).String() + ".pdf",
		"a malformed id":         "/portal/interventions/I-0001.pdf",
	} {
		res := u.Get(path)
		if res.StatusCode != http.StatusNotFound || strings.HasPrefix(res.Body, "%PDF") {
			t.Errorf("%s: %d, want 404 without a document", name, res.StatusCode)
		}
	}
	d := app.LoginAs(t, testutil.CabinetUser)
	if res := d.Get("/portal/interventions/" + other.ID.String() + ".pdf"); res.StatusCode != http.StatusOK {
		t.Errorf("Cabinet's own sheet: %d, want 200", res.StatusCode)
	}
	if res := d.Get("/portal/interventions/" + own.ID.String() + ".pdf"); res.StatusCode != http.StatusNotFound {
		t.Errorf("Cabinet reading Boulangerie's sheet: %d, want 404", res.StatusCode)
	}

	res = app.Client(t).Get("/portal/interventions/" + own.ID.String() + ".pdf")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("anonymous: %d to %q, want 303 to /login", res.StatusCode, res.Header.Get("Location"))
	}
	if res := app.LoginAs(t, testutil.Manager).Get("/portal/interventions/" + own.ID.String() + ".pdf"); res.StatusCode != http.StatusForbidden {
		t.Errorf("staff on the portal PDF: %d, want 403", res.StatusCode)
	}
	// Staff read it from the backoffice.
	if res := app.LoginAs(t, testutil.Technician).Get("/admin/interventions/" + own.ID.String() + ".pdf"); res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Body, "%PDF-") {
		t.Errorf("staff PDF: %d", res.StatusCode)
	}
}
