package backoffice

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/billing"
	"maintenant/app/i18n"
	"maintenant/app/web"
)

// Limits of the accountant export.
const (
	// exportMaxDays is the longest period of one export.
	exportMaxDays = 366
	// exportMaxDocs bounds the documents of one archive (each is rendered in memory).
	exportMaxDocs = 2000
)

// handleInvoiceXML handles the "GET /admin/invoices/:id.xml" route: the e-invoice alone (CII XML,
// Factur-X EN 16931) of an issued invoice or credit note; a draft or an invoice whose data cannot
// make an e-invoice is a 409 saying what to fix.
func (h *handler) handleInvoiceXML(c *fiber.Ctx) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	inv, err := billing.GetInvoice(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	return h.SendInvoiceXML(c, inv)
}

// exportPage is the accountant export form.
type exportPage struct {
	web.Page
}

// handleInvoiceExport handles the "GET /admin/invoices/export" route: without a period, the form
// (the previous month proposed); with one, the ZIP of every invoice and credit note issued in it as
// Factur-X files (French) and the CSV journal. A bad period is a 422 with the form.
func (h *handler) handleInvoiceExport(c *fiber.Ctx) error {
	p := &exportPage{Page: h.NewPage(c, "einvoice.export.title")}
	p.Form = map[string]string{}
	if c.Query("from") == "" && c.Query("to") == "" {
		today := h.Today()
		first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
		p.Form["from"] = first.AddDate(0, -1, 0).Format(time.DateOnly)
		p.Form["to"] = first.AddDate(0, 0, -1).Format(time.DateOnly)
		return h.Render(c, fiber.StatusOK, "backoffice/invoices/export", p)
	}
	p.Form["from"], p.Form["to"] = c.Query("from"), c.Query("to")
	p.Errors = map[string]string{}
	from, err := time.Parse(time.DateOnly, p.Form["from"])
	if err != nil {
		p.Errors["from"] = "einvoice.export.error.date"
	}
	to, err := time.Parse(time.DateOnly, p.Form["to"])
	if err != nil {
		p.Errors["to"] = "einvoice.export.error.date"
	}
	if len(p.Errors) == 0 && (to.Before(from) || to.Sub(from) > exportMaxDays*24*time.Hour) {
		p.Errors["to"] = "einvoice.export.error.period"
	}
	if len(p.Errors) > 0 {
		return h.Render(c, fiber.StatusUnprocessableEntity, "backoffice/invoices/export", p)
	}
	ctx := c.UserContext()
	var ids []uuid.UUID
	err = h.DB.Bun.NewRaw(`SELECT id FROM invoices WHERE status <> ? AND issue_date BETWEEN ? AND ?
		ORDER BY issue_date, kind, number LIMIT ?`, billing.InvoiceDraft, from, to, exportMaxDocs+1).Scan(ctx, &ids)
	if err != nil {
		return err
	}
	if len(ids) > exportMaxDocs {
		p.Errors["to"] = "einvoice.export.error.period"
		return h.Render(c, fiber.StatusUnprocessableEntity, "backoffice/invoices/export", p)
	}
	if len(ids) == 0 {
		p.Message = "einvoice.export.empty"
		return h.Render(c, fiber.StatusOK, "backoffice/invoices/export", p)
	}

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	t := func(id string, args ...any) string { return h.Catalogue.T(i18n.FR, id, args...) }
	journal := [][]string{journalHeader(t)}
	for _, id := range ids {
		inv, err := billing.GetInvoice(ctx, h.DB.Bun, id)
		if err != nil {
			return err
		}
		pdf, name, err := h.InvoicePDF(ctx, h.DB.Bun, i18n.FR, inv)
		if err != nil {
			return err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: inv.IssuedAt})
		if err != nil {
			return err
		}
		if _, err := w.Write(pdf); err != nil {
			return err
		}
		journal = append(journal, journalRow(t, inv))
	}
	var csvBuf bytes.Buffer
	csvBuf.WriteString("\ufeff") // spreadsheets then read the accents right
	cw := csv.NewWriter(&csvBuf)
	cw.Comma = ';'
	if err := cw.WriteAll(journal); err != nil {
		return err
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "journal.csv", Method: zip.Deflate, Modified: h.Now()})
	if err != nil {
		return err
	}
	if _, err := w.Write(csvBuf.Bytes()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	name := fmt.Sprintf("factures-%s-%s.zip", from.Format("20060102"), to.Format("20060102"))
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Status(fiber.StatusOK).Send(buf.Bytes())
}

// journalHeader is the first row of the CSV journal: one VAT column per French rate.
func journalHeader(t func(string, ...any) string) []string {
	row := []string{t("einvoice.csv.number"), t("einvoice.csv.kind"), t("einvoice.csv.date"), t("einvoice.csv.client"),
		t("einvoice.csv.siren"), t("einvoice.csv.credits"), t("einvoice.csv.ht")}
	for _, r := range billing.VATRates {
		row = append(row, t("einvoice.csv.vat", "Rate", strings.ReplaceAll(web.Percent(r), "\u00a0", " ")))
	}
	return append(row, t("einvoice.csv.ttc"), t("einvoice.csv.paid"))
}

// journalRow is one document of the journal; a credit note's amounts are negative, as it reduces
// the turnover and the VAT due.
func journalRow(t func(string, ...any) string, inv *billing.Invoice) []string {
	sign, kind := int64(1), t("einvoice.csv.invoice")
	if inv.Kind == billing.KindCreditNote {
		sign, kind = -1, t("einvoice.csv.credit_note")
	}
	buyer, siren := inv.ClientName, ""
	if inv.Buyer != nil {
		buyer, siren = inv.Buyer.Name, inv.Buyer.SIREN
	}
	totals := inv.Totals()
	vat := map[int]int64{}
	for _, v := range totals.VAT {
		vat[v.RateBP] = v.VATCents
	}
	row := []string{inv.Reference(), kind, inv.IssueDate.Format("02/01/2006"), csvText(buyer), siren, inv.CreditsReference(), amount(sign * totals.HTCents)}
	for _, r := range billing.VATRates {
		row = append(row, amount(sign*vat[r]))
	}
	paid := ""
	if inv.Kind == billing.KindInvoice {
		paid = amount(inv.PaidCents)
	}
	return append(row, amount(sign*totals.TTCCents), paid)
}

// amount writes cents as a French spreadsheet reads them: "1234,56", "-30,00".
func amount(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d,%02d", sign, cents/100, cents%100)
}

// csvText keeps a cell from being read as a formula by a spreadsheet.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
