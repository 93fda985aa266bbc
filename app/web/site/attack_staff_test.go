package site_test

// Stored markup in the fields staff write (equipment, intervention sheets, quote and invoice lines),
// read back in the portal, the backoffice and the PDFs. The policy's markdown is covered by
// app/policy's and the portal policy pages' own tests (rendered through the sanitising renderer).

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/database"
	"maintenant/app/testutil"
)

// pdfText extracts a PDF's text with pdftotext (poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	return string(out)
}

// pdfInert fails when the PDF carries something a reader would run or open: JavaScript, a launch
// action, an URI action, a form or an embedded file.
func pdfInert(t *testing.T, where string, pdf []byte) {
	t.Helper()
	for _, s := range []string{"/JavaScript", "/JS ", "/JS(", "/Launch", "/URI", "/AcroForm"} {
		if bytes.Contains(pdf, []byte(s)) {
			t.Errorf("%s: the PDF holds %s", where, s)
		}
	}
	if !bytes.Contains(pdf, []byte("/EmbeddedFile")) {
		return
	}
	// Embedded files (the Factur-X XML, PDF/A's): none that a reader would open as a page or run.
	in := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfdetach", "-list", in).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfdetach: %v %s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n")[1:] {
		name := strings.ToLower(strings.TrimSpace(line[strings.Index(line, ":")+1:]))
		for _, ext := range []string{".js", ".htm", ".html", ".svg", ".exe", ".xhtml"} {
			if strings.HasSuffix(name, ext) || strings.Contains(name, xssMarker) {
				t.Errorf("%s: the PDF embeds %q", where, name)
			}
		}
		embedded[name]++
	}
}

// embedded counts the files the PDFs checked embed, by name (logged).
var embedded = map[string]int{}

// TestAttackStaffXSS writes the payloads into the text fields staff fill in — an equipment's name,
// make, model, location and notes, an intervention sheet's title and summary, a quote's lines, an
// invoice's title and lines (issued) — and reads them where they are shown: the client's portal
// pages, the backoffice pages and the PDFs. The pages keep them as text (inert), the PDFs draw them
// as literal text (pdftotext finds them) with no action that a reader would run.
func TestAttackStaffXSS(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	app := testutil.NewApp(t, testutil.Options{})
	ctx := context.Background()
	db := app.DB
	client := app.LoginAs(t, testutil.BoulangerieUser)
	manager := app.LoginAs(t, testutil.Manager)
	payload := strings.Join(xssPayloads, " ")
	short := `"><img src=x onerror=alert('xss1337')>`

	var clientID, managerID uuid.UUID
	if err := db.Bun.NewRaw("SELECT client_id FROM users WHERE email = ?", testutil.BoulangerieUser).Scan(ctx, &clientID); err != nil {
		t.Fatal(err)
	}
	if err := db.Bun.NewRaw("SELECT id FROM users WHERE email = ?", testutil.Manager).Scan(ctx, &managerID); err != nil {
		t.Fatal(err)
	}
	one := func(q string, args ...any) string {
		t.Helper()
		var id string
		if err := db.Bun.NewRaw(q, args...).Scan(ctx, &id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	run := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Bun.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// The values as staff's forms store them (verbatim text): written straight into the rows.
	equipment := one("SELECT id::text FROM equipment WHERE client_id = ? ORDER BY id LIMIT 1", clientID)
	run("UPDATE equipment SET name = ?, make = ?, model = ?, location = ?, notes = ? WHERE id = ?",
		short, `<script>alert('xss1337')</script>`, `'><svg/onload=alert('xss1337')>`, `javascript:alert('xss1337')`, payload, equipment)
	intervention := one("SELECT id::text FROM interventions WHERE client_id = ? AND status = 'done' ORDER BY number LIMIT 1", clientID)
	run("UPDATE interventions SET title = ?, summary = ? WHERE id = ?", payload[:200], payload, intervention)
	quote := one("SELECT id::text FROM quotes WHERE client_id = ? AND status = 'sent' ORDER BY id LIMIT 1", clientID)
	run("UPDATE quote_lines SET description = ? WHERE quote_id = ?", payload[:min(len(payload), 500)], quote)

	// The invoice goes through its real life: a draft with the payloads, issued by the manager.
	var inv *billing.Invoice
	if err := db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		var err error
		inv, err = billing.CreateInvoice(ctx, tx, billing.InvoiceInput{
			ClientID: clientID, Title: short, PaymentTermsDays: 30,
			Lines: []*billing.InvoiceLine{
				{Description: payload[:min(len(payload), 500)], Quantity: 1000, Unit: "forfait", UnitPriceCents: 100_00, VATRateBP: 2000},
				{Description: `<div hx-get="/admin/xss1337" hx-trigger="load">clic</div>`, Quantity: 2000, Unit: "h", UnitPriceCents: 60_00, VATRateBP: 2000},
			},
		}, audit.Actor{UserID: managerID, Label: testutil.Manager}, app.Clock.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if res := manager.Post("/admin/invoices/"+inv.ID.String()+"/issue", url.Values{"confirm": {"on"}, "version": {strconv.Itoa(inv.Version)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("issue: %d %s", res.StatusCode, res.Doc(t).Find("main").Text())
	}
	invoice := inv.ID.String()

	pages, pdfs := 0, 0
	for _, tc := range []struct {
		c    *testutil.Client
		path string
	}{
		{client, "/portal/equipment"}, {client, "/portal/equipment/" + equipment},
		{client, "/portal/interventions"}, {client, "/portal/interventions/" + intervention},
		{client, "/portal/quotes/" + quote}, {client, "/portal/invoices"}, {client, "/portal/invoices/" + invoice},
		{manager, "/admin/equipment"}, {manager, "/admin/equipment/" + equipment},
		{manager, "/admin/interventions/" + intervention}, {manager, "/admin/quotes/" + quote},
		{manager, "/admin/invoices"}, {manager, "/admin/invoices/" + invoice},
	} {
		res := tc.c.Get(tc.path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", tc.path, res.StatusCode)
			continue
		}
		if !strings.Contains(res.Text(t), xssMarker) {
			t.Errorf("%s: the payload is not shown: the check proves nothing", tc.path)
		}
		inert(t, tc.path, res.Body)
		pages++
	}
	for _, tc := range []struct {
		c    *testutil.Client
		path string
		want string // a payload expected as literal text
	}{
		{client, "/portal/interventions/" + intervention + ".pdf", `<script>alert('xss1337')</script>`},
		{manager, "/admin/interventions/" + intervention + ".pdf", `<script>alert('xss1337')</script>`},
		{client, "/portal/quotes/" + quote + ".pdf", `<script>alert('xss1337')</script>`},
		{manager, "/admin/quotes/" + quote + ".pdf", `<script>alert('xss1337')</script>`},
		{client, "/portal/invoices/" + invoice + ".pdf", `<script>alert('xss1337')</script>`},
		{manager, "/admin/invoices/" + invoice + ".pdf", `hx-get="/admin/xss1337"`},
	} {
		res := tc.c.Get(tc.path)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Body, "%PDF-") {
			t.Errorf("%s: %d %.40q", tc.path, res.StatusCode, res.Body)
			continue
		}
		// Long lines wrap: compare without the line breaks pdftotext keeps.
		text := strings.Join(strings.Fields(pdfText(t, []byte(res.Body))), " ")
		if !strings.Contains(text, tc.want) && !strings.Contains(strings.ReplaceAll(text, " ", ""), strings.ReplaceAll(tc.want, " ", "")) {
			t.Errorf("%s: %q is not drawn as text:\n%.600s", tc.path, tc.want, text)
		}
		pdfInert(t, tc.path, []byte(res.Body))
		pdfs++
	}
	t.Logf("attack: files embedded in the PDFs: %v", embedded)
	t.Logf("attack: %d XSS payloads in 10 staff-written fields (equipment, intervention sheet, quote and invoice lines), checked in %d pages and %d PDFs", len(xssPayloads), pages, pdfs)
}
