package site_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"maintenant/app/testutil"
)

// TestJourneyInterventionSheet walks an intervention sheet at phone width, as a technician holds it
// on site: Karim opens the Cabinet's to-do intervention from the pending list, takes it up, logs his
// travel and his work, notes what he did on two machines, hands over a cable, has the client draw her
// signature on his phone and completes the sheet. The sheet's mail with its PDF is in the outbox; the
// Cabinet's administrator finds the sheet in her portal and in her maintenance register, and the
// register downloads as PDF and CSV. The sheet PDF is kept, and rendered to PNG, in
// artifacts/screenshots for a person to look at.
func TestJourneyInterventionSheet(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	base := app.Listen(t)
	j := newJourney(t, "sheet-journey")
	phone := func() { testutil.SetViewport(t, j.ctx, testutil.Phone) }
	look := func(name string) { j.inspect(name); phone() }
	const title = "Accès perdu au dossier « Clients » du serveur sur deux postes"

	// The technician logs in on his phone and opens what is waiting, oldest first.
	j.run(chromedp.Navigate(base + "/login"))
	j.waitPath("/login")
	phone()
	j.login(testutil.Technician, "/admin")
	j.run(chromedp.Navigate(base + "/admin/interventions/pending"))
	j.waitPath("/admin/interventions/pending")
	j.expectText(title, "durée inconnue")
	look("pending")
	clickLink(t, j, "Accès perdu au dossier")
	j.waitFor(`/^\/admin\/interventions\/[0-9a-f-]{36}$/.test(location.pathname)`)
	sheet := j.path()
	j.expectText(title, "À faire", "Prendre en charge")
	look("todo")

	// Taking it up starts the work on this same intervention.
	j.run(chromedp.Click(chromedp.CSS(`form[action$="/takeup"] button`)))
	j.waitFor(`document.body.innerText.includes("En cours")`)
	if got := j.path(); got != sheet {
		t.Fatalf("taking up went to %s, want the same sheet %s", got, sheet)
	}

	// Travel, then work, today at the office (the test clock says Sunday 22/11/2026, 10:00 in Paris).
	logTime := func(category, start, minutes, note string) {
		t.Helper()
		j.run(
			chromedp.SetValue(chromedp.CSS("#f-category"), category),
			chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("#f-technician_id");
				s.value = [...s.options].find(o => o.text.includes("Karim Benali")).value; })()`),
			chromedp.SetValue(chromedp.CSS("#f-started_at"), start),
			chromedp.SendKeys(chromedp.CSS("#f-minutes"), minutes),
			chromedp.SendKeys(chromedp.CSS("#f-note"), note),
			chromedp.Click(chromedp.CSS(`form[action$="/time"] button`)),
		)
	}
	logTime("travel", "2026-11-22T08:00", "30", "Lyon 2e → cabinet")
	j.waitFor(`document.body.innerText.includes("Lyon 2e → cabinet")`)
	logTime("work", "2026-11-22T08:30", "1 h 15", "Droits NTFS rétablis")
	j.waitFor(`document.body.innerText.includes("Droits NTFS rétablis")`)
	j.expectText("Trajet", "Travail effectif", "1 h 15")

	// What was done on each machine, and what remains: one section saved, a blank one appears for the next.
	j.run(
		chromedp.SendKeys(chromedp.CSS(`[name="actions.0.target"]`), "Serveur de fichiers SRV-01"),
		chromedp.SendKeys(chromedp.CSS(`[name="actions.0.done"]`), "Droits du groupe Avocats rétablis sur le partage Clients."),
		chromedp.Click(chromedp.CSS(`form[action$="/actions"] > button`)),
	)
	j.waitFor(`document.querySelector('[name="actions.1.target"]') !== null`)
	j.run(
		chromedp.SendKeys(chromedp.CSS(`[name="actions.1.target"]`), "Poste PC-03 (Maître Durand)"),
		chromedp.SendKeys(chromedp.CSS(`[name="actions.1.done"]`), "Lecteur réseau reconnecté."),
		chromedp.SendKeys(chromedp.CSS(`[name="actions.1.remaining"]`), "Remplacer le câble réseau abîmé du bureau 2."),
		chromedp.Click(chromedp.CSS(`form[action$="/actions"] > button`)),
	)
	j.waitFor(`document.querySelector('[name="actions.2.target"]') !== null`)

	// A cable handed over for good, billable.
	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-description"), "Câble réseau Cat. 6, 3 m"),
		chromedp.SetValue(chromedp.CSS("#f-quantity"), "1"),
		chromedp.SendKeys(chromedp.CSS("#f-unit_price"), "8,50"),
		chromedp.Click(chromedp.CSS(`form[action$="/materials"] input[name="material_billable"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/materials"] button`)),
	)
	j.waitFor(`document.body.innerText.includes("Câble réseau Cat. 6, 3 m")`)
	j.expectText("1 × 8,50")
	look("filled")

	// The client signs on the technician's phone: her name, and her finger on the pad.
	j.waitFor(`document.querySelector("#signature [data-signature-pad][data-ready]") !== null`)
	j.run(chromedp.SendKeys(chromedp.CSS(`#signature #f-signer_name`), "Paul Durand"))
	drawSignature(t, j)
	j.waitFor(`document.querySelector('#signature input[name="signature"]').value !== ""`)
	j.run(chromedp.Click(chromedp.CSS(`#signature form[action$="/sign"] > button:last-child`)))
	j.waitFor(`document.querySelector('#signature img') !== null && document.body.innerText.includes("Paul Durand")`)
	look("signed")

	// Completing asks first, then freezes the sheet.
	j.run(
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(`form[action$="/complete"] button`)),
	)
	j.waitFor(`document.body.innerText.includes("Terminée") && !document.querySelector('form[action$="/complete"]')`)
	j.expectText("Fiche (PDF)")
	look("done")
	ref := testutil.Eval[string](t, j.ctx, `document.querySelector("h1 span").innerText`)
	if !strings.HasPrefix(ref, "I-") {
		t.Fatalf("reference in the heading: %q", ref)
	}

	// The sheet, as the client will receive it: kept and rendered for a person to look at.
	pdf := fetchBytes(t, j, sheet+".pdf")
	keepPDF(t, pdf, "sheet-journey-"+ref)

	// The mail with the PDF is in the outbox, addressed to the Cabinet's contact.
	j.run(chromedp.Navigate(base + "/admin/outbox?to=" + testutil.CabinetUser))
	j.waitPath("/admin/outbox")
	j.expectText("[" + ref + "] Fiche d'intervention")
	clickLink(t, j, "["+ref+"] Fiche d'intervention")
	j.waitFor(`document.querySelector("#attachments a") !== null`)
	j.expectText(ref+".pdf", "/portal/interventions/")
	look("outbox-mail")
	attached := fetchBytes(t, j, testutil.Eval[string](t, j.ctx, `document.querySelector("#attachments a").getAttribute("href")`))
	if !bytes.HasPrefix(attached, []byte("%PDF-")) {
		t.Errorf("the mail's attachment is not a PDF: %q", attached[:min(len(attached), 20)])
	}

	// The Cabinet's administrator sees the sheet in her portal, then in her register.
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")
	j.login(testutil.CabinetUser, "/portal")
	j.run(chromedp.Navigate(base + "/portal/interventions"))
	j.waitPath("/portal/interventions")
	j.expectText(ref, title)
	look("portal-list")
	clickLink(t, j, "Accès perdu au dossier")
	j.waitFor(`/^\/portal\/interventions\/[0-9a-f-]{36}$/.test(location.pathname)`)
	j.expectText(ref, "Serveur de fichiers SRV-01", "Remplacer le câble réseau abîmé du bureau 2.", "Câble réseau Cat. 6, 3 m", "Paul Durand")
	look("portal-sheet")

	j.run(chromedp.Navigate(base + "/portal/register"))
	j.waitPath("/portal/register")
	j.expectText(ref, "Serveur de fichiers SRV-01")
	look("portal-register")
	regPDF := fetchBytes(t, j, testutil.Eval[string](t, j.ctx, `document.querySelector('main a[href^="/portal/register.pdf"]').getAttribute("href")`))
	if !bytes.HasPrefix(regPDF, []byte("%PDF-")) {
		t.Errorf("the register PDF is not a PDF: %q", regPDF[:min(len(regPDF), 20)])
	}
	keepPDF(t, regPDF, "sheet-journey-register")
	csv := fetchBytes(t, j, testutil.Eval[string](t, j.ctx, `document.querySelector('main a[href^="/portal/register.csv"]').getAttribute("href")`))
	if !strings.Contains(string(csv), ref) || !strings.Contains(string(csv), "Serveur de fichiers SRV-01") {
		t.Errorf("the register CSV has no line for %s:\n%s", ref, csv)
	}
}

// drawSignature draws a stroke with the mouse across the signature pad of the sheet.
func drawSignature(t *testing.T, j *journey) {
	t.Helper()
	j.run(chromedp.ScrollIntoView(chromedp.CSS("#signature canvas")))
	box := testutil.Eval[[]float64](t, j.ctx, `(() => { const r = document.querySelector("#signature canvas").getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`)
	x, y, w, h := box[0], box[1], box[2], box[3]
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(chromedp.MouseMoved, x+w*0.1, y+h*0.6),
		chromedp.MouseEvent(chromedp.MousePressed, x+w*0.1, y+h*0.6, chromedp.Button("left")),
	}
	for n := 1; n <= 16; n++ {
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x+w*(0.1+0.8*float64(n)/16), y+h*(0.6-0.3*float64(n%4)/3), chromedp.Button("left")))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x+w*0.9, y+h*0.5, chromedp.Button("left")))
	j.run(steps...)
}

// clickLink clicks the first link of the page's main part whose text contains text.
func clickLink(t *testing.T, j *journey, text string) {
	t.Helper()
	if !testutil.Eval[bool](t, j.ctx, `(() => { const a = [...document.querySelectorAll("main a")].find(a => a.textContent.includes(`+jsString(text)+`));
		if (!a) return false; a.click(); return true; })()`) {
		t.Fatalf("page %s: no link with %q", j.path(), text)
	}
}

// fetchBytes downloads path with the tab's session, as a click on a download link would.
func fetchBytes(t *testing.T, j *journey, path string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(j.ctx, testutil.StepTimeout)
	defer cancel()
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+jsString(path)+`).then(r => { if (!r.ok) throw new Error("HTTP " + r.status); return r.arrayBuffer(); })
		.then(buf => { const b = new Uint8Array(buf); let s = ""; for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]); return btoa(s); })`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("download %s: %v", path, err)
	}
	out, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("download %s: %v", path, err)
	}
	return out
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// keepPDF writes a PDF beside the screenshots and, where poppler is installed, its first page as PNG.
func keepPDF(t *testing.T, pdf []byte, name string) {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("%s is not a PDF: %q", name, pdf[:min(len(pdf), 20)])
	}
	dir := testutil.ScreenshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Logf("pdftoppm missing (apt-get install poppler-utils): %s not rendered", path)
		return
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", path, filepath.Join(dir, name)).CombinedOutput(); err != nil {
		t.Errorf("pdftoppm %s: %v\n%s", path, err, out)
	}
}
