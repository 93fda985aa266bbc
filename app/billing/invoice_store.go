package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/provider"
)

// selectInvoices selects invoices with their client's name, contract reference and, for a credit
// note, the number of the invoice it credits.
func selectInvoices(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("inv.*").
		ColumnExpr("cl.name AS client_name").
		ColumnExpr("coalesce(ct.reference, '') AS contract_reference").
		ColumnExpr("coalesce(cr.year, 0) AS credits_year").
		ColumnExpr("coalesce(cr.number, 0) AS credits_number").
		Join("JOIN clients AS cl ON cl.id = inv.client_id").
		Join("LEFT JOIN contracts AS ct ON ct.id = inv.contract_id").
		Join("LEFT JOIN invoices AS cr ON cr.id = inv.credits_id")
}

// GetInvoice returns an invoice with its lines, for staff.
func GetInvoice(ctx context.Context, db bun.IDB, id uuid.UUID) (*Invoice, error) {
	return getInvoice(ctx, db, uuid.Nil, id)
}

// GetInvoiceForClient returns an issued invoice or credit note of one client, for the portal:
// drafts and other clients' invoices are NotFound, exactly like a missing one.
func GetInvoiceForClient(ctx context.Context, db bun.IDB, clientID, id uuid.UUID) (*Invoice, error) {
	if clientID == uuid.Nil {
		return nil, apperr.NotFoundf("invoice")
	}
	return getInvoice(ctx, db, clientID, id)
}

func getInvoice(ctx context.Context, db bun.IDB, clientID, id uuid.UUID) (*Invoice, error) {
	inv := new(Invoice)
	sq := selectInvoices(db, inv).Where("inv.id = ?", id)
	if clientID != uuid.Nil {
		sq = sq.Where("inv.client_id = ? AND inv.status <> ?", clientID, InvoiceDraft)
	}
	if err := sq.Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("invoice")
		}
		return nil, fmt.Errorf("billing: get invoice: %w", err)
	}
	if err := loadInvoiceLines(ctx, db, inv); err != nil {
		return nil, err
	}
	return inv, nil
}

func loadInvoiceLines(ctx context.Context, db bun.IDB, inv *Invoice) error {
	inv.Lines = nil
	if err := db.NewSelect().Model(&inv.Lines).Where("invoice_id = ?", inv.ID).OrderExpr("position").Scan(ctx); err != nil {
		return fmt.Errorf("billing: invoice lines: %w", err)
	}
	return nil
}

// lockInvoice reads an invoice for update with its lines; expectedVersion 0 skips the version check.
func lockInvoice(ctx context.Context, db bun.IDB, id uuid.UUID, expectedVersion int) (*Invoice, error) {
	inv := new(Invoice)
	if err := db.NewSelect().Model(inv).Where("inv.id = ?", id).For("UPDATE").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("invoice")
		}
		return nil, fmt.Errorf("billing: lock invoice: %w", err)
	}
	if expectedVersion != 0 && inv.Version != expectedVersion {
		return nil, apperr.Conflictf(ErrStale)
	}
	if err := loadInvoiceLines(ctx, db, inv); err != nil {
		return nil, err
	}
	return inv, nil
}

// bumpInvoice writes the invoice's columns as set on inv and increments its version.
func bumpInvoice(ctx context.Context, db bun.IDB, inv *Invoice, now time.Time) error {
	inv.UpdatedAt = stamp(now)
	inv.Version++
	if _, err := db.NewUpdate().Model(inv).WherePK().ExcludeColumn("id", "kind", "client_id", "created_at", "created_by").Exec(ctx); err != nil {
		return fmt.Errorf("billing: update invoice: %w", err)
	}
	return nil
}

func invoiceAudit(ctx context.Context, db bun.IDB, inv *Invoice, actor audit.Actor, action string, details map[string]any, now time.Time) error {
	if details == nil {
		details = map[string]any{}
	}
	if ref := inv.Reference(); ref != "" {
		details["reference"] = ref
	}
	details["title"] = inv.Title
	return audit.Write(ctx, db, stamp(now), actor, audit.Event{
		Action: action, TargetType: "invoice", TargetID: inv.ID.String(), ClientID: inv.ClientID, Details: details,
	})
}

// checkInvoiceRefs records in f what is wrong with the client and contract of in.
func checkInvoiceRefs(ctx context.Context, db bun.IDB, in *InvoiceInput, f apperr.Fields) error {
	if in.ClientID == uuid.Nil {
		return nil
	}
	n, err := db.NewSelect().Table("clients").Where("id = ?", in.ClientID).Count(ctx)
	if err != nil {
		return fmt.Errorf("billing: check client: %w", err)
	}
	if n == 0 {
		f.Add("client_id", "invoices.error.client_unknown")
		return nil
	}
	if in.ContractID != uuid.Nil {
		n, err := db.NewSelect().Table("contracts").Where("id = ? AND client_id = ?", in.ContractID, in.ClientID).Count(ctx)
		if err != nil {
			return fmt.Errorf("billing: check contract: %w", err)
		}
		if n == 0 {
			f.Add("contract_id", "invoices.error.contract_unknown")
		}
	}
	return nil
}

// writeLines replaces the lines of a draft, keeping the sources of the lines that carry one, and
// caches its totals on inv.
func writeLines(ctx context.Context, db bun.IDB, inv *Invoice, lines []*InvoiceLine) error {
	if _, err := db.NewDelete().Model((*InvoiceLine)(nil)).Where("invoice_id = ?", inv.ID).Exec(ctx); err != nil {
		return fmt.Errorf("billing: invoice lines: %w", err)
	}
	inv.Lines = make([]*InvoiceLine, 0, len(lines))
	for n, l := range lines {
		nl := *l
		nl.ID, nl.InvoiceID, nl.Position = uuid.Must(uuid.NewV7()), inv.ID, n
		inv.Lines = append(inv.Lines, &nl)
	}
	t := InvoiceTotals(inv.Lines, false)
	if len(inv.Lines) > 0 {
		if _, err := db.NewInsert().Model(&inv.Lines).Exec(ctx); err != nil {
			return fmt.Errorf("billing: invoice lines: %w", err)
		}
	}
	for _, l := range inv.Lines {
		if l.Source == nil {
			continue
		}
		if err := linkSource(ctx, db, *l.Source, l.ID); err != nil {
			return err
		}
	}
	inv.TotalHTCents, inv.TotalVATCents, inv.TotalTTCCents = t.HTCents, t.VATCents, t.TTCCents
	return nil
}

// sourcesOf returns the sources billed by the lines of an invoice, by line id.
func sourcesOf(ctx context.Context, db bun.IDB, invoiceID uuid.UUID) (map[uuid.UUID]SourceRef, error) {
	var rows []struct {
		Kind          SourceKind `bun:"kind"`
		SourceKey     string     `bun:"source_key"`
		InvoiceLineID uuid.UUID  `bun:"invoice_line_id"`
	}
	if err := db.NewRaw(`SELECT s.kind, s.source_key, s.invoice_line_id FROM invoice_sources AS s
		JOIN invoice_lines AS l ON l.id = s.invoice_line_id WHERE l.invoice_id = ?`, invoiceID).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("billing: invoice sources: %w", err)
	}
	out := make(map[uuid.UUID]SourceRef, len(rows))
	for _, r := range rows {
		out[r.InvoiceLineID] = SourceRef{Kind: r.Kind, Key: r.SourceKey}
	}
	return out, nil
}

// CreateInvoice drafts an invoice (status draft, no number). Bad input is Invalid with the field
// keys of InvoiceInput.Validate plus client_id and contract_id.
func CreateInvoice(ctx context.Context, db bun.IDB, in InvoiceInput, actor audit.Actor, now time.Time) (*Invoice, error) {
	now = stamp(now)
	f := apperr.Fields{}
	in.check(f)
	if err := checkInvoiceRefs(ctx, db, &in, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	inv := newDraft(in.ClientID, in.ContractID, actor, now)
	applyInvoice(inv, &in)
	if _, err := db.NewInsert().Model(inv).Exec(ctx); err != nil {
		return nil, fmt.Errorf("billing: create invoice: %w", err)
	}
	if err := writeLines(ctx, db, inv, in.Lines); err != nil {
		return nil, err
	}
	if err := bumpInvoice(ctx, db, inv, now); err != nil {
		return nil, err
	}
	if err := invoiceAudit(ctx, db, inv, actor, audit.InvoiceCreated, map[string]any{"total_ht_cents": inv.TotalHTCents}, now); err != nil {
		return nil, err
	}
	return GetInvoice(ctx, db, inv.ID)
}

func newDraft(clientID, contractID uuid.UUID, actor audit.Actor, now time.Time) *Invoice {
	return &Invoice{
		ID: uuid.Must(uuid.NewV7()), Kind: KindInvoice, ClientID: clientID, ContractID: nullID(contractID),
		Status: InvoiceDraft, PaymentTermsDays: 30, Currency: "EUR",
		CreatedBy: nullID(actor.UserID), CreatedAt: now, UpdatedAt: now, Version: 1,
	}
}

func applyInvoice(inv *Invoice, in *InvoiceInput) {
	inv.ContractID = nullID(in.ContractID)
	inv.Title, inv.Notes, inv.PaymentTerms, inv.PaymentTermsDays = in.Title, in.Notes, in.PaymentTerms, in.PaymentTermsDays
	inv.ServiceFrom, inv.ServiceTo = in.ServiceFrom, in.ServiceTo
}

// UpdateInvoice edits a draft (the client never changes). The lines given replace the draft's; a
// line that keeps the id of a line billing a source keeps that source, a line left out frees it.
// An issued invoice is a Conflict ErrInvoiceNotDraft; a stale version ErrStale.
func UpdateInvoice(ctx context.Context, db bun.IDB, id uuid.UUID, in InvoiceInput, expectedVersion int, actor audit.Actor, now time.Time) (*Invoice, error) {
	inv, err := lockInvoice(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	if !inv.IsDraft() {
		return nil, apperr.Conflictf(ErrInvoiceNotDraft)
	}
	in.ClientID = inv.ClientID
	f := apperr.Fields{}
	in.check(f)
	if err := checkInvoiceRefs(ctx, db, &in, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	sources, err := sourcesOf(ctx, db, inv.ID)
	if err != nil {
		return nil, err
	}
	for _, l := range in.Lines {
		if s, ok := sources[l.ID]; ok && l.Source == nil {
			l.Source = &s
		}
	}
	applyInvoice(inv, &in)
	if err := writeLines(ctx, db, inv, in.Lines); err != nil {
		return nil, err
	}
	if err := bumpInvoice(ctx, db, inv, now); err != nil {
		return nil, err
	}
	if err := invoiceAudit(ctx, db, inv, actor, audit.InvoiceUpdated, map[string]any{"total_ht_cents": inv.TotalHTCents}, now); err != nil {
		return nil, err
	}
	return GetInvoice(ctx, db, inv.ID)
}

// DeleteDraftInvoice discards a draft and frees its sources. An issued invoice is a Conflict
// ErrInvoiceNotDraft (and the database refuses it anyway).
func DeleteDraftInvoice(ctx context.Context, db bun.IDB, id uuid.UUID, expectedVersion int, actor audit.Actor, now time.Time) (*Invoice, error) {
	inv, err := lockInvoice(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	if !inv.IsDraft() {
		return nil, apperr.Conflictf(ErrInvoiceNotDraft)
	}
	if _, err := db.NewDelete().Model(inv).WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("billing: delete draft invoice: %w", err)
	}
	if err := invoiceAudit(ctx, db, inv, actor, audit.InvoiceDraftDeleted, nil, now); err != nil {
		return nil, err
	}
	return inv, nil
}

// SellerOf is the provider as an invoice's seller, with its billing settings.
func SellerOf(o *provider.Organisation) *Party {
	return &Party{
		Name: o.Name, LegalForm: o.LegalForm, SIREN: o.SIREN, VATNumber: o.VATNumber,
		AddressLines: nonEmpty(o.AddressLine1, o.AddressLine2), PostalCode: o.PostalCode, City: o.City, Country: "FR",
		Email: o.Email, Phone: o.Phone, IBAN: o.IBAN, BIC: o.BIC, VATExempt: o.VATExempt,
		LatePenaltyBP: o.LatePenaltyBP, Footer: o.InvoiceFooter, EInvoiceAddress: o.EInvoiceAddress,
	}
}

// BuyerOf is a client as an invoice's buyer.
func BuyerOf(c *clients.Client) *Party {
	return &Party{
		Name: c.Name, SIREN: c.SIREN, SIRET: c.SIRET, VATNumber: c.VATNumber,
		AddressLines: nonEmpty(c.AddressLine1, c.AddressLine2), PostalCode: c.PostalCode, City: c.City,
		Country: c.Country, Email: c.BillingEmail, Phone: c.Phone, EInvoiceAddress: c.EInvoiceAddress,
	}
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// IssueInvoice issues a draft (rule 1): it checks it is complete, takes its number from the
// gapless counter of the issue year in this transaction, snapshots both parties and freezes it. A
// draft without line or with a total of zero or less is Invalid ("lines"); a credit note for more
// than its invoice still owes is Invalid ("lines", invoices.error.credit_too_much).
func IssueInvoice(ctx context.Context, db bun.IDB, id uuid.UUID, expectedVersion int, actor audit.Actor, now time.Time, loc *time.Location) (*Invoice, error) {
	now = stamp(now)
	inv, err := lockInvoice(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	if !inv.IsDraft() {
		return nil, apperr.Conflictf(ErrInvoiceNotDraft)
	}
	org, err := provider.Get(ctx, db)
	if err != nil {
		return nil, err
	}
	client := new(clients.Client)
	if err := db.NewSelect().Model(client).Where("id = ?", inv.ClientID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("billing: issue invoice: client: %w", err)
	}
	inv.Seller, inv.Buyer = SellerOf(org), BuyerOf(client)
	if org.VATExempt {
		for _, l := range inv.Lines {
			l.VATRateBP = 0
		}
	}
	t := inv.Totals()
	if len(inv.Lines) == 0 {
		return nil, apperr.Fields{"lines": "invoices.error.no_lines"}.Err()
	}
	if t.TTCCents <= 0 {
		return nil, apperr.Fields{"lines": "invoices.error.total_not_positive"}.Err()
	}
	var credited *Invoice
	if inv.Kind == KindCreditNote {
		if credited, err = lockInvoice(ctx, db, inv.CreditsID.UUID, 0); err != nil {
			return nil, err
		}
		if credited.IsDraft() || credited.Status == InvoiceCancelled {
			return nil, apperr.Conflictf(ErrInvoiceNotIssued)
		}
		if t.TTCCents > credited.DueCents() {
			return nil, apperr.Fields{"lines": "invoices.error.credit_too_much"}.Err()
		}
	}
	// Lines are rewritten only while a draft (their amounts recomputed under the seller's VAT regime).
	for _, l := range inv.Lines {
		if _, err := db.NewUpdate().Model(l).Column("line_ht_cents", "vat_rate_bp").WherePK().Exec(ctx); err != nil {
			return nil, fmt.Errorf("billing: issue invoice: lines: %w", err)
		}
	}
	today := civilDay(now, zone(loc))
	inv.TotalHTCents, inv.TotalVATCents, inv.TotalTTCCents = t.HTCents, t.VATCents, t.TTCCents
	inv.Year = today.Year()
	if inv.Number, err = database.NextNumber(ctx, db, inv.Series(), inv.Year); err != nil {
		return nil, fmt.Errorf("billing: issue invoice: %w", err)
	}
	inv.IssueDate, inv.DueDate = today, today.AddDate(0, 0, inv.PaymentTermsDays)
	if inv.ServiceFrom.IsZero() && inv.ServiceTo.IsZero() {
		inv.ServiceFrom, inv.ServiceTo = today, today
	}
	inv.Status, inv.IssuedAt, inv.IssuedBy = InvoiceIssued, now, nullID(actor.UserID)
	if err := bumpInvoice(ctx, db, inv, now); err != nil {
		return nil, err
	}
	action := audit.InvoiceIssued
	details := map[string]any{"total_ttc_cents": inv.TotalTTCCents}
	if credited != nil {
		action = audit.CreditNoteIssued
		details["credits"] = credited.Reference()
		credited.CreditedCents += inv.TotalTTCCents
		credited.Status = credited.settle()
		if err := bumpInvoice(ctx, db, credited, now); err != nil {
			return nil, err
		}
	}
	if err := invoiceAudit(ctx, db, inv, actor, action, details, now); err != nil {
		return nil, err
	}
	return GetInvoice(ctx, db, inv.ID)
}

// DraftCreditNote drafts a credit note on an issued invoice. Without lines it credits everything the
// invoice still owes, with the invoice's lines in proportion when nothing was paid nor credited
// yet (a full cancellation), else one line per VAT rate; with lines, those (an SLA penalty, a
// commercial gesture). An invoice partly paid is credited only for what it still owes.
func DraftCreditNote(ctx context.Context, db bun.IDB, invoiceID uuid.UUID, title string, lines []*InvoiceLine, actor audit.Actor, now time.Time) (*Invoice, error) {
	now = stamp(now)
	inv, err := lockInvoice(ctx, db, invoiceID, 0)
	if err != nil {
		return nil, err
	}
	if inv.Kind != KindInvoice || inv.IsDraft() || inv.Status == InvoiceCancelled {
		return nil, apperr.Conflictf(ErrInvoiceNotIssued)
	}
	if inv.DueCents() == 0 {
		return nil, apperr.Conflictf(ErrPaidCannotCancel)
	}
	if len(lines) == 0 {
		if inv.PaidCents != 0 || inv.CreditedCents != 0 {
			return nil, apperr.Conflictf(ErrPaidCannotCancel)
		}
		for _, l := range inv.Lines {
			c := *l
			c.Source = nil
			lines = append(lines, &c)
		}
	}
	if title == "" {
		title = "Avoir sur la facture " + inv.Reference()
	}
	in := InvoiceInput{ClientID: inv.ClientID, ContractID: inv.ContractID.UUID, Title: title, Lines: lines,
		PaymentTermsDays: 0, ServiceFrom: inv.ServiceFrom, ServiceTo: inv.ServiceTo}
	f := apperr.Fields{}
	in.check(f)
	if err := f.Err(); err != nil {
		return nil, err
	}
	cn := newDraft(inv.ClientID, inv.ContractID.UUID, actor, now)
	applyInvoice(cn, &in)
	cn.Kind, cn.CreditsID = KindCreditNote, nullID(inv.ID)
	if _, err := db.NewInsert().Model(cn).Exec(ctx); err != nil {
		return nil, fmt.Errorf("billing: draft credit note: %w", err)
	}
	if err := writeLines(ctx, db, cn, lines); err != nil {
		return nil, err
	}
	if err := bumpInvoice(ctx, db, cn, now); err != nil {
		return nil, err
	}
	if err := invoiceAudit(ctx, db, cn, actor, audit.InvoiceCreated, map[string]any{"credits": inv.Reference()}, now); err != nil {
		return nil, err
	}
	return GetInvoice(ctx, db, cn.ID)
}

// CancelInvoice cancels an issued invoice nobody paid nor credited yet: it issues a credit note of
// its whole amount, in this transaction, and returns it.
func CancelInvoice(ctx context.Context, db bun.IDB, invoiceID uuid.UUID, expectedVersion int, actor audit.Actor, now time.Time, loc *time.Location) (*Invoice, error) {
	inv, err := lockInvoice(ctx, db, invoiceID, expectedVersion)
	if err != nil {
		return nil, err
	}
	cn, err := DraftCreditNote(ctx, db, inv.ID, "", nil, actor, now)
	if err != nil {
		return nil, err
	}
	return IssueInvoice(ctx, db, cn.ID, cn.Version, actor, now, loc)
}

// LineSources returns what the lines of an invoice bill, by line id.
func LineSources(ctx context.Context, db bun.IDB, invoiceID uuid.UUID) (map[uuid.UUID]SourceRef, error) {
	return sourcesOf(ctx, db, invoiceID)
}
