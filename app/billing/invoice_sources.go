package billing

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/interventions"
	"maintenant/app/provider"
	"maintenant/app/tickets"
)

// SourceKind is what an invoice line bills (rule 4).
type SourceKind string

// The sources of invoice lines.
const (
	// SourceContractFee is a contract's fee for one billing period; key "<contract id>/<period start>".
	SourceContractFee SourceKind = "contract_fee"
	// SourceInterventionTime is a completed intervention's uncovered time; key its id.
	SourceInterventionTime SourceKind = "intervention_time"
	// SourceMaterial is a billable material of a completed intervention; key its id.
	SourceMaterial SourceKind = "material"
	// SourceQuoteDeposit is the deposit an accepted quote asks; key the quote's id.
	SourceQuoteDeposit SourceKind = "quote_deposit"
	// SourceQuote is an accepted quote's lines once its intervention is done; key the quote's id.
	SourceQuote SourceKind = "quote"
	// SourceSLAPenalty is a contract's SLA penalty of a month, deducted; key "<contract id>/<YYYY-MM>".
	SourceSLAPenalty SourceKind = "sla_penalty"
)

// SourceKinds lists the kinds, in the order the "from sources" form offers them.
func SourceKinds() []SourceKind {
	return []SourceKind{SourceContractFee, SourceInterventionTime, SourceMaterial, SourceQuoteDeposit, SourceQuote, SourceSLAPenalty}
}

// Label is the catalogue key naming the kind.
func (k SourceKind) Label() string { return "invoices.source." + string(k) }

// SourceRef names one source.
type SourceRef struct {
	Kind SourceKind
	Key  string
}

// String is the form a checkbox carries: "kind:key".
func (r SourceRef) String() string { return string(r.Kind) + ":" + r.Key }

// ParseSourceRef reads a SourceRef from its String form.
func ParseSourceRef(s string) (SourceRef, bool) {
	k, key, ok := strings.Cut(s, ":")
	if !ok || key == "" || len(key) > 200 || !slices.Contains(SourceKinds(), SourceKind(k)) {
		return SourceRef{}, false
	}
	return SourceRef{Kind: SourceKind(k), Key: key}, true
}

// FeeKey is the source key of a contract's fee for the period starting on from.
func FeeKey(contractID uuid.UUID, from time.Time) string {
	return contractID.String() + "/" + from.Format(time.DateOnly)
}

// PenaltyKey is the source key of a contract's SLA penalty of month m.
func PenaltyKey(contractID uuid.UUID, m tickets.Month) string {
	return contractID.String() + "/" + m.String()
}

// FeePeriod returns the billing period containing day: periods follow each other from the
// contract's start date, each months long (a start on the 31st is clamped to shorter months). It
// returns the first and last day of the period; a day before the start gives the first period.
func FeePeriod(start time.Time, months int, day time.Time) (from, to time.Time) {
	start, day = contracts.Day(start), contracts.Day(day)
	if months <= 0 {
		months = 1
	}
	k := 0
	if day.After(start) {
		y1, m1, _ := start.Date()
		y2, m2, _ := day.Date()
		k = ((y2-y1)*12 + int(m2) - int(m1)) / months
		for k > 0 && contracts.AddMonths(start, k*months).After(day) {
			k--
		}
		for !contracts.AddMonths(start, (k+1)*months).After(day) {
			k++
		}
	}
	from = contracts.AddMonths(start, k*months)
	to = contracts.AddMonths(start, (k+1)*months).AddDate(0, 0, -1)
	return from, to
}

// linkSource records that line bills source, or ErrAlreadyBilled if some line already does.
func linkSource(ctx context.Context, db bun.IDB, src SourceRef, lineID uuid.UUID) error {
	res, err := db.NewRaw(`INSERT INTO invoice_sources (kind, source_key, invoice_line_id) VALUES (?, ?, ?)
		ON CONFLICT (kind, source_key) DO NOTHING`, string(src.Kind), src.Key, lineID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("billing: link source: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Conflictf(ErrAlreadyBilled)
	}
	return nil
}

// lockSource serialises, until the end of the transaction, whoever bills the same source.
func lockSource(ctx context.Context, db bun.IDB, src SourceRef) error {
	if _, err := db.NewRaw("SELECT pg_advisory_xact_lock(hashtextextended(?, 8))", src.String()).Exec(ctx); err != nil {
		return fmt.Errorf("billing: lock source: %w", err)
	}
	return nil
}

// billedBy returns the invoice billing a source, or uuid.Nil.
func billedBy(ctx context.Context, db bun.IDB, src SourceRef) (uuid.UUID, error) {
	var ids []uuid.UUID
	err := db.NewRaw(`SELECT l.invoice_id FROM invoice_sources AS s JOIN invoice_lines AS l ON l.id = s.invoice_line_id
		WHERE s.kind = ? AND s.source_key = ?`, string(src.Kind), src.Key).Scan(ctx, &ids)
	if err != nil {
		return uuid.Nil, fmt.Errorf("billing: billed by: %w", err)
	}
	if len(ids) == 0 {
		return uuid.Nil, nil
	}
	return ids[0], nil
}

// sourceContext is what building lines from sources needs.
type sourceContext struct {
	ctx      context.Context
	db       bun.IDB
	clientID uuid.UUID
	vat      int
	now      time.Time
	loc      *time.Location
}

var errSourceUnknown = apperr.Fields{"sources": "invoices.error.source_unknown"}

// fmtDate writes a civil date the French way.
func fmtDate(d time.Time) string { return d.Format("02/01/2006") }

// SourceLines builds the invoice lines of one source of client clientID, checking it is the
// client's and can be billed now (an unknown or not yet billable source is Invalid "sources").
// The first line carries the source. It does not check whether the source is already billed.
func SourceLines(ctx context.Context, db bun.IDB, clientID uuid.UUID, src SourceRef, now time.Time, loc *time.Location) ([]*InvoiceLine, *Period, error) {
	org, err := provider.Get(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	sc := &sourceContext{ctx: ctx, db: db, clientID: clientID, vat: org.DefaultVATBP, now: now, loc: zone(loc)}
	var lines []*InvoiceLine
	var period *Period
	switch src.Kind {
	case SourceContractFee:
		lines, period, err = sc.fee(src.Key)
	case SourceInterventionTime:
		lines, err = sc.interventionTime(src.Key)
	case SourceMaterial:
		lines, err = sc.material(src.Key)
	case SourceQuoteDeposit:
		lines, err = sc.quoteDeposit(src.Key)
	case SourceQuote:
		lines, err = sc.quoteBalance(src.Key)
	case SourceSLAPenalty:
		lines, err = sc.penalty(src.Key)
	default:
		err = errSourceUnknown.Err()
	}
	if err != nil {
		return nil, nil, err
	}
	s := src
	lines[0].Source = &s
	return lines, period, nil
}

// Period is a service period.
type Period struct{ From, To time.Time }

func (sc *sourceContext) contract(id string) (*contracts.Contract, error) {
	cid, err := uuid.Parse(id)
	if err != nil {
		return nil, errSourceUnknown.Err()
	}
	c, err := contracts.GetForClient(sc.ctx, sc.db, sc.clientID, cid)
	if apperr.KindOf(err) == apperr.NotFound {
		return nil, errSourceUnknown.Err()
	}
	return c, err
}

func (sc *sourceContext) fee(key string) ([]*InvoiceLine, *Period, error) {
	id, day, ok := strings.Cut(key, "/")
	from, err := time.Parse(time.DateOnly, day)
	if !ok || err != nil {
		return nil, nil, errSourceUnknown.Err()
	}
	c, err := sc.contract(id)
	if err != nil {
		return nil, nil, err
	}
	if !c.Status.IsRunning() || c.Terms == nil {
		return nil, nil, apperr.Fields{"sources": "invoices.error.contract_not_running"}.Err()
	}
	v, err := contracts.VersionAt(sc.ctx, sc.db, c.ID, from)
	if apperr.KindOf(err) == apperr.NotFound {
		v = c.Terms
	} else if err != nil {
		return nil, nil, err
	}
	pFrom, pTo := FeePeriod(v.StartDate, v.BillingPeriod.Months(), from)
	if !pFrom.Equal(from) {
		return nil, nil, errSourceUnknown.Err()
	}
	if v.FeeCents <= 0 {
		return nil, nil, apperr.Fields{"sources": "invoices.error.no_fee"}.Err()
	}
	desc := fmt.Sprintf("Redevance du contrat %s, %s, du %s au %s", c.Reference, v.Title, fmtDate(pFrom), fmtDate(pTo))
	return []*InvoiceLine{{Description: clip(desc, MaxLineText), Quantity: 1000, Unit: "période",
		UnitPriceCents: v.FeeCents, VATRateBP: sc.vat}}, &Period{From: pFrom, To: pTo}, nil
}

func (sc *sourceContext) interventionTime(key string) ([]*InvoiceLine, error) {
	id, err := uuid.Parse(key)
	if err != nil {
		return nil, errSourceUnknown.Err()
	}
	var rows []struct {
		Number      int       `bun:"number"`
		Title       string    `bun:"title"`
		CompletedAt time.Time `bun:"completed_at"`
		Cost        int64     `bun:"time_cost_cents"`
	}
	if err := sc.db.NewRaw(`SELECT i.number, i.title, i.completed_at, r.time_cost_cents FROM interventions AS i
		JOIN register_entries AS r ON r.intervention_id = i.id AND r.addendum_id IS NULL
		WHERE i.id = ? AND i.client_id = ? AND i.status = 'done'`, id, sc.clientID).Scan(sc.ctx, &rows); err != nil {
		return nil, fmt.Errorf("billing: intervention time: %w", err)
	}
	if len(rows) == 0 || rows[0].Cost <= 0 {
		return nil, errSourceUnknown.Err()
	}
	r := rows[0]
	return []*InvoiceLine{timeLine(r.Number, r.Title, r.CompletedAt, r.Cost, sc.vat, sc.loc)}, nil
}

// timeLine is the line billing an intervention's uncovered time.
func timeLine(number int, title string, completedAt time.Time, cost int64, vat int, loc *time.Location) *InvoiceLine {
	desc := fmt.Sprintf("Temps d'intervention hors forfait, %s « %s » du %s", interventions.Reference(number), title,
		fmtDate(completedAt.In(loc)))
	return &InvoiceLine{Description: clip(desc, MaxLineText), Quantity: 1000, Unit: "forfait", UnitPriceCents: cost, VATRateBP: vat}
}

func (sc *sourceContext) material(key string) ([]*InvoiceLine, error) {
	id, err := uuid.Parse(key)
	if err != nil {
		return nil, errSourceUnknown.Err()
	}
	var rows []struct {
		Description    string                 `bun:"description"`
		Quantity       interventions.Quantity `bun:"quantity"`
		UnitPriceCents int64                  `bun:"unit_price_cents"`
		Number         int                    `bun:"number"`
	}
	if err := sc.db.NewRaw(`SELECT m.description, m.quantity, m.unit_price_cents, i.number FROM materials AS m
		JOIN interventions AS i ON i.id = m.intervention_id
		WHERE m.id = ? AND i.client_id = ? AND i.status = 'done' AND m.billable AND NOT m.from_quote`, id, sc.clientID).Scan(sc.ctx, &rows); err != nil {
		return nil, fmt.Errorf("billing: material: %w", err)
	}
	if len(rows) == 0 {
		return nil, errSourceUnknown.Err()
	}
	m := rows[0]
	return []*InvoiceLine{materialLine(m.Description, m.Quantity, m.UnitPriceCents, m.Number, sc.vat)}, nil
}

// materialLine is the line billing a material handed over.
func materialLine(description string, q interventions.Quantity, unitPrice int64, number, vat int) *InvoiceLine {
	desc := fmt.Sprintf("%s (%s)", description, interventions.Reference(number))
	return &InvoiceLine{Description: clip(desc, MaxLineText), Quantity: q, Unit: "u", UnitPriceCents: unitPrice, VATRateBP: vat}
}

func (sc *sourceContext) acceptedQuote(key string) (*Quote, error) {
	id, err := uuid.Parse(key)
	if err != nil {
		return nil, errSourceUnknown.Err()
	}
	q, err := GetForClient(sc.ctx, sc.db, sc.clientID, id)
	if apperr.KindOf(err) == apperr.NotFound {
		return nil, errSourceUnknown.Err()
	}
	if err != nil {
		return nil, err
	}
	if q.Status != StatusAccepted {
		return nil, errSourceUnknown.Err()
	}
	return q, nil
}

// depositLines are the deposit of a quote: per VAT rate, the deposit share of the lines at that
// rate, rounded half away from zero.
func depositLines(q *Quote) []*InvoiceLine {
	t := ComputeTotals(q.Lines)
	var out []*InvoiceLine
	for _, v := range t.VAT {
		base := roundDiv(new(big.Int).Mul(big.NewInt(v.BaseCents), big.NewInt(int64(q.DepositBP))), big.NewInt(10000))
		if base == 0 {
			continue
		}
		desc := fmt.Sprintf("Acompte de %s %% sur le devis %s « %s »", percent(q.DepositBP), q.Reference(), q.Title)
		out = append(out, &InvoiceLine{Description: clip(desc, MaxLineText), Quantity: 1000, Unit: "forfait",
			UnitPriceCents: base, VATRateBP: v.RateBP})
	}
	return out
}

func percent(bp int) string {
	s := fmt.Sprintf("%d,%02d", bp/100, bp%100)
	return strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "0"), "0"), ",")
}

func (sc *sourceContext) quoteDeposit(key string) ([]*InvoiceLine, error) {
	q, err := sc.acceptedQuote(key)
	if err != nil {
		return nil, err
	}
	lines := depositLines(q)
	if q.DepositBP == 0 || len(lines) == 0 {
		return nil, apperr.Fields{"sources": "invoices.error.no_deposit"}.Err()
	}
	return lines, nil
}

func (sc *sourceContext) quoteBalance(key string) ([]*InvoiceLine, error) {
	q, err := sc.acceptedQuote(key)
	if err != nil {
		return nil, err
	}
	n, err := sc.db.NewSelect().Table("interventions").Where("quote_id = ? AND status = 'done'", q.ID).Count(sc.ctx)
	if err != nil {
		return nil, fmt.Errorf("billing: quote balance: %w", err)
	}
	if n == 0 {
		return nil, apperr.Fields{"sources": "invoices.error.quote_not_done"}.Err()
	}
	deposit, err := billedBy(sc.ctx, sc.db, SourceRef{Kind: SourceQuoteDeposit, Key: q.ID.String()})
	if err != nil {
		return nil, err
	}
	return balanceLines(q, deposit != uuid.Nil), nil
}

// balanceLines are the lines of an accepted quote once its work is done, less its deposit when
// one was billed.
func balanceLines(q *Quote, depositBilled bool) []*InvoiceLine {
	var lines []*InvoiceLine
	for _, l := range q.Lines {
		lines = append(lines, &InvoiceLine{Description: clip(q.Reference()+" : "+l.Description, MaxLineText), Quantity: l.Quantity,
			Unit: l.Unit, UnitPriceCents: l.UnitPriceCents, VATRateBP: l.VATRateBP, DiscountBP: l.DiscountBP})
	}
	if depositBilled {
		for _, d := range depositLines(q) {
			d.Description = clip("Déduction : "+d.Description, MaxLineText)
			d.UnitPriceCents = -d.UnitPriceCents
			lines = append(lines, d)
		}
	}
	return lines
}

func (sc *sourceContext) penalty(key string) ([]*InvoiceLine, error) {
	id, month, ok := strings.Cut(key, "/")
	m, okm := tickets.ParseMonth(month)
	if !ok || !okm {
		return nil, errSourceUnknown.Err()
	}
	c, err := sc.contract(id)
	if err != nil {
		return nil, err
	}
	if m.End(sc.loc).After(sc.now) {
		return nil, apperr.Fields{"sources": "invoices.error.month_not_over"}.Err()
	}
	r, err := tickets.MonthlyReport(sc.ctx, sc.db, c.ID, m, sc.loc, sc.now)
	if err != nil {
		return nil, err
	}
	if r.PenaltyCents <= 0 {
		return nil, apperr.Fields{"sources": "invoices.error.no_penalty"}.Err()
	}
	desc := fmt.Sprintf("Pénalités de niveau de service, contrat %s, %s (%d dépassement(s))", c.Reference, m.String(), len(r.Breaches))
	return []*InvoiceLine{{Description: clip(desc, MaxLineText), Quantity: 1000, Unit: "forfait",
		UnitPriceCents: -r.PenaltyCents, VATRateBP: sc.vat}}, nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// AddSources adds to a draft the lines of the sources given, each source linked to its first line
// (rule 4). A source already billed (by this or another invoice) is a Conflict ErrAlreadyBilled;
// a source that is not the client's or not billable is Invalid "sources". A contract fee sets the
// draft's service period when it has none.
func AddSources(ctx context.Context, db bun.IDB, invoiceID uuid.UUID, srcs []SourceRef, expectedVersion int, actor audit.Actor, now time.Time, loc *time.Location) (*Invoice, error) {
	inv, err := lockInvoice(ctx, db, invoiceID, expectedVersion)
	if err != nil {
		return nil, err
	}
	if !inv.IsDraft() || inv.Kind != KindInvoice {
		return nil, apperr.Conflictf(ErrInvoiceNotDraft)
	}
	if len(srcs) == 0 {
		return nil, apperr.Fields{"sources": "invoices.error.no_source"}.Err()
	}
	existing, err := sourcesOf(ctx, db, inv.ID)
	if err != nil {
		return nil, err
	}
	lines := inv.Lines
	for _, l := range lines {
		if s, ok := existing[l.ID]; ok {
			l.Source = &s
		}
	}
	for _, src := range srcs {
		if err := lockSource(ctx, db, src); err != nil {
			return nil, err
		}
		if by, err := billedBy(ctx, db, src); err != nil {
			return nil, err
		} else if by != uuid.Nil {
			return nil, apperr.Conflictf(ErrAlreadyBilled)
		}
		ls, period, err := SourceLines(ctx, db, inv.ClientID, src, now, loc)
		if err != nil {
			return nil, err
		}
		if period != nil && inv.ServiceFrom.IsZero() && inv.ServiceTo.IsZero() {
			inv.ServiceFrom, inv.ServiceTo = period.From, period.To
		}
		lines = append(lines, ls...)
	}
	if len(lines) > MaxLines {
		return nil, apperr.Fields{"lines": "invoices.error.too_many_lines"}.Err()
	}
	if err := writeLines(ctx, db, inv, lines); err != nil {
		return nil, err
	}
	if err := bumpInvoice(ctx, db, inv, now); err != nil {
		return nil, err
	}
	refs := make([]string, 0, len(srcs))
	for _, s := range srcs {
		refs = append(refs, s.String())
	}
	if err := invoiceAudit(ctx, db, inv, actor, audit.InvoiceUpdated, map[string]any{"sources": refs, "total_ht_cents": inv.TotalHTCents}, now); err != nil {
		return nil, err
	}
	return GetInvoice(ctx, db, inv.ID)
}

// CreateFromSources drafts an invoice for a client with the lines of the sources given (see
// AddSources), titled title.
func CreateFromSources(ctx context.Context, db bun.IDB, clientID, contractID uuid.UUID, title string, srcs []SourceRef, actor audit.Actor, now time.Time, loc *time.Location) (*Invoice, error) {
	if len(srcs) == 0 {
		return nil, apperr.Fields{"sources": "invoices.error.no_source"}.Err()
	}
	terms := 30
	if contractID != uuid.Nil {
		if v, err := contracts.VersionAt(ctx, db, contractID, civilDay(now, zone(loc))); err == nil {
			terms = v.PaymentTermsDays
		}
	}
	inv, err := CreateInvoice(ctx, db, InvoiceInput{ClientID: clientID, ContractID: contractID, Title: title, PaymentTermsDays: terms}, actor, now)
	if err != nil {
		return nil, err
	}
	return AddSources(ctx, db, inv.ID, srcs, inv.Version, actor, now, loc)
}

// BillContractFee drafts and issues the invoice of a contract's fee for the period starting on
// from, once: if that period is already billed it returns the invoice billing it and false. The
// fee is the one of the contract version in force at the period's start.
func BillContractFee(ctx context.Context, db bun.IDB, contractID uuid.UUID, from time.Time, actor audit.Actor, now time.Time, loc *time.Location) (*Invoice, bool, error) {
	inv, created, err := DraftContractFee(ctx, db, contractID, from, actor, now, loc)
	if err != nil || !created {
		return inv, created, err
	}
	inv, err = IssueInvoice(ctx, db, inv.ID, inv.Version, actor, now, loc)
	return inv, err == nil, err
}

// DraftContractFee drafts the invoice of a contract's fee for the period starting on from, once
// (see BillContractFee): the period job leaves it to the manager to read and issue.
func DraftContractFee(ctx context.Context, db bun.IDB, contractID uuid.UUID, from time.Time, actor audit.Actor, now time.Time, loc *time.Location) (*Invoice, bool, error) {
	src := SourceRef{Kind: SourceContractFee, Key: FeeKey(contractID, contracts.Day(from))}
	if err := lockSource(ctx, db, src); err != nil {
		return nil, false, err
	}
	if by, err := billedBy(ctx, db, src); err != nil {
		return nil, false, err
	} else if by != uuid.Nil {
		inv, err := GetInvoice(ctx, db, by)
		return inv, false, err
	}
	c, err := contracts.Get(ctx, db, contractID)
	if err != nil {
		return nil, false, err
	}
	title := fmt.Sprintf("Contrat %s : redevance", c.Reference)
	inv, err := CreateFromSources(ctx, db, c.ClientID, c.ID, title, []SourceRef{src}, actor, now, loc)
	if err != nil {
		return nil, false, err
	}
	return inv, true, nil
}

// DueFeePeriods returns, for every running contract, the start of the billing period containing
// today when it is not billed yet: what the period job bills.
func DueFeePeriods(ctx context.Context, db bun.IDB, now time.Time, loc *time.Location) (map[uuid.UUID]time.Time, error) {
	today := civilDay(now, zone(loc))
	var rows []struct {
		ID     uuid.UUID               `bun:"contract_id"`
		Start  time.Time               `bun:"start_date"`
		Period contracts.BillingPeriod `bun:"billing_period"`
	}
	if err := db.NewRaw(`SELECT c.id AS contract_id, v.start_date, v.billing_period FROM contracts AS c
		JOIN contract_versions AS v ON v.contract_id = c.id AND v.no = c.current_version
		WHERE c.status IN ('active', 'suspended') AND v.fee_cents > 0 AND v.start_date <= ?`, today).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("billing: due fee periods: %w", err)
	}
	out := map[uuid.UUID]time.Time{}
	var keys []string
	for _, r := range rows {
		from, _ := FeePeriod(r.Start, r.Period.Months(), today)
		out[r.ID] = from
		keys = append(keys, FeeKey(r.ID, from))
	}
	if len(keys) == 0 {
		return out, nil
	}
	var billed []string
	if err := db.NewRaw(`SELECT source_key FROM invoice_sources WHERE kind = ? AND source_key IN (?)`,
		string(SourceContractFee), bun.List(keys)).Scan(ctx, &billed); err != nil {
		return nil, fmt.Errorf("billing: due fee periods: %w", err)
	}
	for id, from := range out {
		if slices.Contains(billed, FeeKey(id, from)) {
			delete(out, id)
		}
	}
	return out, nil
}

// IsAlreadyBilled tells whether err says a source was billed already.
func IsAlreadyBilled(err error) bool {
	e, ok := apperr.As(err)
	return ok && e.Kind == apperr.Conflict && e.Message == ErrAlreadyBilled
}
