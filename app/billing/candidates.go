package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/contracts"
	"maintenant/app/interventions"
	"maintenant/app/provider"
	"maintenant/app/tickets"
)

// Candidate is a source a client could be billed for now, with what it would bill.
type Candidate struct {
	Ref         SourceRef
	Description string
	// AmountCents is the amount excluding VAT it would add (negative for a penalty).
	AmountCents int64
	ContractID  uuid.UUID
}

// maxCandidates bounds each kind of candidate listed.
const maxCandidates = 100

// Candidates lists what client clientID can be billed for on day now and is not billed yet: the
// current fee period of each running contract, the uncovered time and billable materials of
// completed interventions, the deposits and balances of accepted quotes, the SLA penalties of the
// previous month. The interventions, materials and quotes (at most maxCandidates of each kind)
// are read in a fixed number of queries whatever their count; each running contract of the client
// adds its fee's version and its SLA report of the previous month.
func Candidates(ctx context.Context, db bun.IDB, clientID uuid.UUID, now time.Time, loc *time.Location) ([]Candidate, error) {
	loc = zone(loc)
	today := civilDay(now, loc)
	org, err := provider.Get(ctx, db)
	if err != nil {
		return nil, err
	}
	cs, err := contracts.ListByClient(ctx, db, clientID)
	if err != nil {
		return nil, err
	}
	var refs []Candidate
	prev := tickets.MonthOf(now, loc).Add(-1)
	for _, c := range cs {
		if !c.Status.IsRunning() || c.Terms == nil {
			continue
		}
		from, _ := FeePeriod(c.Terms.StartDate, c.Terms.BillingPeriod.Months(), today)
		refs = append(refs,
			Candidate{Ref: SourceRef{Kind: SourceContractFee, Key: FeeKey(c.ID, from)}, ContractID: c.ID},
			Candidate{Ref: SourceRef{Kind: SourceSLAPenalty, Key: PenaltyKey(c.ID, prev)}, ContractID: c.ID})
	}
	var ids []struct {
		Kind       SourceKind    `bun:"kind"`
		ID         uuid.UUID     `bun:"id"`
		ContractID uuid.NullUUID `bun:"contract_id"`
	}
	if err := db.NewRaw(`(SELECT 'intervention_time' AS kind, i.id, i.contract_id FROM interventions AS i
			JOIN register_entries AS r ON r.intervention_id = i.id AND r.addendum_id IS NULL
			WHERE i.client_id = ? AND i.status = 'done' AND r.time_cost_cents > 0
			ORDER BY i.completed_at LIMIT ?)
		UNION ALL (SELECT 'material', m.id, i.contract_id FROM materials AS m JOIN interventions AS i ON i.id = m.intervention_id
			WHERE i.client_id = ? AND i.status = 'done' AND m.billable AND NOT m.from_quote ORDER BY m.created_at LIMIT ?)
		UNION ALL (SELECT 'quote_deposit', q.id, q.contract_id FROM quotes AS q
			WHERE q.client_id = ? AND q.status = 'accepted' AND q.deposit_bp > 0 ORDER BY q.decided_at LIMIT ?)
		UNION ALL (SELECT 'quote', q.id, q.contract_id FROM quotes AS q JOIN interventions AS i ON i.quote_id = q.id AND i.status = 'done'
			WHERE q.client_id = ? AND q.status = 'accepted' ORDER BY q.decided_at LIMIT ?)`,
		clientID, maxCandidates, clientID, maxCandidates, clientID, maxCandidates, clientID, maxCandidates).Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("billing: candidates: %w", err)
	}
	for _, r := range ids {
		refs = append(refs, Candidate{Ref: SourceRef{Kind: r.Kind, Key: r.ID.String()}, ContractID: r.ContractID.UUID})
	}
	// What is billed already, in one query: the candidates, and the deposits of the quotes (a
	// balance deducts its deposit when it was billed).
	var keys []string
	for _, r := range refs {
		keys = append(keys, r.Ref.Key)
	}
	billed := map[SourceRef]bool{}
	if len(keys) > 0 {
		var got []struct {
			Kind SourceKind `bun:"kind"`
			Key  string     `bun:"source_key"`
		}
		if err := db.NewRaw("SELECT kind, source_key FROM invoice_sources WHERE source_key IN (?)", bun.List(keys)).Scan(ctx, &got); err != nil {
			return nil, fmt.Errorf("billing: candidates billed: %w", err)
		}
		for _, g := range got {
			billed[SourceRef{Kind: g.Kind, Key: g.Key}] = true
		}
	}
	var open []Candidate
	for _, r := range refs {
		if !billed[r.Ref] {
			open = append(open, r)
		}
	}
	lines, err := candidateLines(ctx, db, clientID, open, billed, org.DefaultVATBP, now, loc)
	if err != nil {
		return nil, err
	}
	var out []Candidate
	for _, c := range open {
		ls := lines[c.Ref]
		if len(ls) == 0 {
			continue // not billable now: left out
		}
		for _, l := range ls {
			c.AmountCents += l.HTCents()
		}
		c.Description = ls[0].Description
		out = append(out, c)
	}
	return out, nil
}

// candidateLines builds the lines of the candidates: one query per kind of intervention, material
// and quote sources; a fee and a penalty through SourceLines (per running contract).
func candidateLines(ctx context.Context, db bun.IDB, clientID uuid.UUID, cands []Candidate, billed map[SourceRef]bool, vat int, now time.Time, loc *time.Location) (map[SourceRef][]*InvoiceLine, error) {
	out := map[SourceRef][]*InvoiceLine{}
	byKind := map[SourceKind][]string{}
	for _, c := range cands {
		switch c.Ref.Kind {
		case SourceContractFee, SourceSLAPenalty:
			lines, _, err := SourceLines(ctx, db, clientID, c.Ref, now, loc)
			if err == nil {
				out[c.Ref] = lines
			}
		default:
			byKind[c.Ref.Kind] = append(byKind[c.Ref.Kind], c.Ref.Key)
		}
	}
	if ks := byKind[SourceInterventionTime]; len(ks) > 0 {
		var rows []struct {
			ID          uuid.UUID `bun:"id"`
			Number      int       `bun:"number"`
			Title       string    `bun:"title"`
			CompletedAt time.Time `bun:"completed_at"`
			Cost        int64     `bun:"time_cost_cents"`
		}
		if err := db.NewRaw(`SELECT i.id, i.number, i.title, i.completed_at, r.time_cost_cents FROM interventions AS i
			JOIN register_entries AS r ON r.intervention_id = i.id AND r.addendum_id IS NULL
			WHERE i.id IN (?) AND i.client_id = ? AND i.status = 'done' AND r.time_cost_cents > 0`, bun.List(ks), clientID).Scan(ctx, &rows); err != nil {
			return nil, fmt.Errorf("billing: candidate times: %w", err)
		}
		for _, r := range rows {
			out[SourceRef{Kind: SourceInterventionTime, Key: r.ID.String()}] = []*InvoiceLine{timeLine(r.Number, r.Title, r.CompletedAt, r.Cost, vat, loc)}
		}
	}
	if ks := byKind[SourceMaterial]; len(ks) > 0 {
		var rows []struct {
			ID             uuid.UUID              `bun:"id"`
			Description    string                 `bun:"description"`
			Quantity       interventions.Quantity `bun:"quantity"`
			UnitPriceCents int64                  `bun:"unit_price_cents"`
			Number         int                    `bun:"number"`
		}
		if err := db.NewRaw(`SELECT m.id, m.description, m.quantity, m.unit_price_cents, i.number FROM materials AS m
			JOIN interventions AS i ON i.id = m.intervention_id
			WHERE m.id IN (?) AND i.client_id = ? AND i.status = 'done' AND m.billable AND NOT m.from_quote`, bun.List(ks), clientID).Scan(ctx, &rows); err != nil {
			return nil, fmt.Errorf("billing: candidate materials: %w", err)
		}
		for _, m := range rows {
			out[SourceRef{Kind: SourceMaterial, Key: m.ID.String()}] = []*InvoiceLine{materialLine(m.Description, m.Quantity, m.UnitPriceCents, m.Number, vat)}
		}
	}
	quoteKeys := append(append([]string{}, byKind[SourceQuoteDeposit]...), byKind[SourceQuote]...)
	if len(quoteKeys) > 0 {
		var qs []*Quote
		if err := selectQuotes(db, &qs).Where("q.id IN (?) AND q.client_id = ? AND q.status = ?", bun.List(quoteKeys), clientID, StatusAccepted).Scan(ctx); err != nil {
			return nil, fmt.Errorf("billing: candidate quotes: %w", err)
		}
		if len(qs) > 0 {
			byID := map[uuid.UUID]*Quote{}
			qids := make([]uuid.UUID, 0, len(qs))
			for _, q := range qs {
				byID[q.ID] = q
				qids = append(qids, q.ID)
			}
			var ls []*Line
			if err := db.NewSelect().Model(&ls).Where("quote_id IN (?)", bun.List(qids)).OrderExpr("quote_id, position").Scan(ctx); err != nil {
				return nil, fmt.Errorf("billing: candidate quote lines: %w", err)
			}
			for _, l := range ls {
				if q := byID[l.QuoteID]; q != nil {
					q.Lines = append(q.Lines, l)
				}
			}
		}
		for _, q := range qs {
			key := q.ID.String()
			if lines := depositLines(q); q.DepositBP > 0 && len(lines) > 0 {
				out[SourceRef{Kind: SourceQuoteDeposit, Key: key}] = lines
			}
			out[SourceRef{Kind: SourceQuote, Key: key}] = balanceLines(q, billed[SourceRef{Kind: SourceQuoteDeposit, Key: key}])
		}
	}
	return out, nil
}
