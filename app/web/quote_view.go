package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/billing"
)

// QuoteReference is the reference of the quote an intervention carries out ("" when none).
// clientID scopes the read to a portal user's client (uuid.Nil for staff).
func (s *Server) QuoteReference(ctx context.Context, clientID uuid.UUID, id uuid.NullUUID) (string, error) {
	if !id.Valid {
		return "", nil
	}
	get := billing.Get
	if clientID != uuid.Nil {
		get = func(ctx context.Context, db bun.IDB, id uuid.UUID) (*billing.Quote, error) {
			return billing.GetForClient(ctx, db, clientID, id)
		}
	}
	q, err := get(ctx, s.DB.Bun, id.UUID)
	if err != nil {
		return "", err
	}
	return q.Reference(), nil
}

// QuoteTotalsView is a quote's totals as the backoffice and the portal show them, VAT rates
// written out.
type QuoteTotalsView struct {
	HT, TTC    int64
	VAT        []QuoteVATView
	Deposit    int64
	DepositPct string
}

// QuoteVATView is the VAT of one rate.
type QuoteVATView struct {
	Rate      string
	Base, VAT int64
}

// QuoteTotals writes out totals t, with the deposit of depositBP when there is one.
func QuoteTotals(t billing.Totals, depositBP int) QuoteTotalsView {
	v := QuoteTotalsView{HT: t.HTCents, TTC: t.TTCCents}
	for _, a := range t.VAT {
		v.VAT = append(v.VAT, QuoteVATView{Rate: Percent(a.RateBP), Base: a.BaseCents, VAT: a.VATCents})
	}
	if depositBP > 0 {
		v.Deposit = (&billing.Quote{TotalTTCCents: t.TTCCents, DepositBP: depositBP}).DepositCents()
		v.DepositPct = Percent(depositBP)
	}
	return v
}

// QuoteLineView is a quote line as pages show it: quantity with a decimal comma, rates written out.
type QuoteLineView struct {
	L        *billing.Line
	Qty      string
	VAT      string
	Discount string
}

// QuoteLines writes out the lines of a quote.
func QuoteLines(ls []*billing.Line) []QuoteLineView {
	out := make([]QuoteLineView, 0, len(ls))
	for _, l := range ls {
		v := QuoteLineView{L: l, Qty: strings.Replace(l.Quantity.String(), ".", ",", 1), VAT: Percent(l.VATRateBP)}
		if l.DiscountBP > 0 {
			v.Discount = Percent(l.DiscountBP)
		}
		out = append(out, v)
	}
	return out
}

// Percent writes basis points as a French percentage: 550 → "5,5 %".
func Percent(bp int) string {
	s := strconv.FormatFloat(float64(bp)/100, 'f', -1, 64)
	return strings.Replace(s, ".", ",", 1) + "\u00a0%"
}
