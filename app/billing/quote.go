// Package billing holds what the provider bills on top of a contract's fee: quotes (devis) for
// billable exceptional work, their numbering and their acceptance by the client.
//
// Rules of quotes:
//  1. A quote is drafted by staff, then sent: sending numbers it D-YYYY-NNNN from the gapless counter
//     "D" (in the sending transaction) and freezes it, with the SHA-256 of its canonical content.
//  2. A sent quote never changes. A change is a new revision (a draft with the same number and the
//     next revision); sending the revision replaces the old one, which can no longer be decided.
//  3. Status machine (transitions): draft → sent; sent → accepted, declined, expired, withdrawn,
//     replaced; expired → replaced. Accepted, declined, withdrawn and replaced are final.
//  4. A quote is valid up to and including its validity date; past it, it is expired whatever its
//     stored status says, and the server refuses a decision.
//  5. Money is integer cents: each line's amount excluding VAT is quantity × unit price × (1 −
//     discount), rounded half away from zero to the cent; the VAT of each rate is computed on the sum
//     of the lines at that rate, rounded the same way; the total including VAT is their sum. Totals
//     are always computed here, never taken from a form.
//  6. Accepting needs the exact revision shown (its content hash), the client user's password
//     (checked by the caller, under the login rate limit), a typed name and the "bon pour accord";
//     the evidence is kept in quote_acceptances, which the database forbids to change. Acceptance
//     creates the evolutive intervention that carries the work, linked to the quote.
package billing

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/interventions"
)

// Limits of what people type, checked by the validations (the database holds the same ones).
const (
	MaxTitle         = 200
	MaxDescription   = 20000
	MaxPaymentTerms  = 2000
	MaxReason        = 2000
	MaxLineText      = 500
	MaxUnit          = 20
	MaxLines         = 100
	MaxSignerName    = 200
	MaxUnitPrice     = 1_000_000_000 // 10 000 000,00 €
	MaxQuantityMilli = 999_999_999
	// DefaultValidityDays is how long a new quote stays valid.
	DefaultValidityDays = 30
)

// VATRates are the French VAT rates a line may carry, in basis points (2000 = 20 %).
var VATRates = []int{2000, 1000, 550, 210, 0}

// DefaultVATRate is the rate of a new line.
const DefaultVATRate = 2000

// Catalogue keys of the conflicts the store reports (apperr Conflict, 409 in the web layer).
const (
	ErrStale      = "error.stale"
	ErrTransition = "quotes.error.transition"
	ErrExpired    = "quotes.error.expired"
	ErrWithdrawn  = "quotes.error.withdrawn"
	ErrReplaced   = "quotes.error.replaced"
	ErrDecided    = "quotes.error.decided"
	ErrChanged    = "quotes.error.changed"
	ErrNotDraft   = "quotes.error.not_draft"
)

// NumberSeries is the counter series of quote numbers, per year.
const NumberSeries = "D"

// Status is where a quote stands.
type Status string

// The statuses (package documentation, rule 3).
const (
	StatusDraft     Status = "draft"
	StatusSent      Status = "sent"
	StatusAccepted  Status = "accepted"
	StatusDeclined  Status = "declined"
	StatusExpired   Status = "expired"
	StatusWithdrawn Status = "withdrawn"
	StatusReplaced  Status = "replaced"
)

// Statuses lists every status in the order of a quote's life, for filters.
func Statuses() []Status {
	return []Status{StatusDraft, StatusSent, StatusAccepted, StatusDeclined, StatusExpired, StatusWithdrawn, StatusReplaced}
}

// ParseStatus returns the status named s, if there is one.
func ParseStatus(s string) (Status, bool) {
	st := Status(s)
	return st, slices.Contains(Statuses(), st)
}

// Label is the catalogue key naming the status ("quotes.status.sent").
func (s Status) Label() string { return "quotes.status." + string(s) }

// IsFinal tells whether nothing leaves s.
func (s Status) IsFinal() bool { return len(transitions[s]) == 0 }

var transitions = map[Status][]Status{
	StatusDraft:   {StatusSent},
	StatusSent:    {StatusAccepted, StatusDeclined, StatusExpired, StatusWithdrawn, StatusReplaced},
	StatusExpired: {StatusReplaced},
}

// CanTransition tells whether the status machine allows from → to.
func CanTransition(from, to Status) bool { return slices.Contains(transitions[from], to) }

// Quote is a quote for billable exceptional work, with its lines when read whole.
type Quote struct {
	bun.BaseModel `bun:"table:quotes,alias:q"`

	ID             uuid.UUID     `bun:"id,pk,type:uuid"`
	ClientID       uuid.UUID     `bun:"client_id,type:uuid"`
	ContractID     uuid.NullUUID `bun:"contract_id,type:uuid"`
	TicketID       uuid.NullUUID `bun:"ticket_id,type:uuid"`
	Year           int           `bun:"year,nullzero"`
	Number         int           `bun:"number,nullzero"`
	Revision       int           `bun:"revision"`
	ReplacesID     uuid.NullUUID `bun:"replaces_id,type:uuid"`
	ReplacedBy     uuid.NullUUID `bun:"replaced_by,type:uuid"`
	Title          string        `bun:"title"`
	Description    string        `bun:"description"`
	PaymentTerms   string        `bun:"payment_terms"`
	ValidUntil     time.Time     `bun:"valid_until,type:date"`
	EstimatedStart time.Time     `bun:"estimated_start,type:date,nullzero"`
	DepositBP      int           `bun:"deposit_bp"`
	Status         Status        `bun:"status"`
	SentAt         time.Time     `bun:"sent_at,nullzero"`
	DecidedAt      time.Time     `bun:"decided_at,nullzero"`
	DecidedBy      uuid.NullUUID `bun:"decided_by,type:uuid"`
	DeclineReason  string        `bun:"decline_reason"`
	ClosedAt       time.Time     `bun:"closed_at,nullzero"`
	ContentHash    []byte        `bun:"content_hash"`
	TotalHTCents   int64         `bun:"total_ht_cents"`
	TotalVATCents  int64         `bun:"total_vat_cents"`
	TotalTTCCents  int64         `bun:"total_ttc_cents"`
	CreatedBy      uuid.NullUUID `bun:"created_by,type:uuid"`
	CreatedAt      time.Time     `bun:"created_at"`
	UpdatedAt      time.Time     `bun:"updated_at"`
	Version        int           `bun:"version"`

	ClientName        string `bun:"client_name,scanonly"`
	ContractReference string `bun:"contract_reference,scanonly"`
	TicketNumber      int    `bun:"ticket_number,scanonly"`
	DecidedByName     string `bun:"decided_by_name,scanonly"`

	Lines []*Line `bun:"-"`
}

// Reference is the human reference: D-2026-0007, D-2026-0007-R2 for a later revision, and
// "" for a draft never sent (it has no number yet).
func (q *Quote) Reference() string {
	if q.Number == 0 {
		return ""
	}
	return Reference(q.Year, q.Number, q.Revision)
}

// Reference formats the reference of quote number n of year y, revision r.
func Reference(y, n, r int) string {
	ref := fmt.Sprintf("%s-%d-%04d", NumberSeries, y, n)
	if r > 1 {
		ref += fmt.Sprintf("-R%d", r)
	}
	return ref
}

// HashHex is the content hash as the acceptance form carries it.
func (q *Quote) HashHex() string { return hex.EncodeToString(q.ContentHash) }

// civilDay keeps the calendar day of t in loc, at UTC midnight (how dates are stored).
func civilDay(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// IsPastValidity tells whether the validity date is before today (a civil date, UTC midnight).
func (q *Quote) IsPastValidity(today time.Time) bool {
	return q.ValidUntil.Before(today)
}

// StatusOn is the status people see on day today: a sent quote past its validity is expired, even
// before the job records it (rule 4).
func (q *Quote) StatusOn(today time.Time) Status {
	if q.Status == StatusSent && q.IsPastValidity(today) {
		return StatusExpired
	}
	return q.Status
}

// Decidable tells whether the client may still accept or decline the quote on day today.
func (q *Quote) Decidable(today time.Time) bool { return q.StatusOn(today) == StatusSent }

// Revisable tells whether staff may make a new revision of the quote (sent or expired, not decided).
func (q *Quote) Revisable() bool { return q.Status == StatusSent || q.Status == StatusExpired }

// Line is one line of a quote.
type Line struct {
	bun.BaseModel `bun:"table:quote_lines,alias:ql"`

	ID          uuid.UUID `bun:"id,pk,type:uuid"`
	QuoteID     uuid.UUID `bun:"quote_id,type:uuid"`
	Position    int       `bun:"position"`
	Description string    `bun:"description"`
	// Quantity is in thousandths (1,5 → 1500).
	Quantity       interventions.Quantity `bun:"quantity,type:numeric"`
	Unit           string                 `bun:"unit"`
	UnitPriceCents int64                  `bun:"unit_price_cents"`
	VATRateBP      int                    `bun:"vat_rate_bp"`
	DiscountBP     int                    `bun:"discount_bp"`
	LineHTCents    int64                  `bun:"line_ht_cents"`
}

// roundDiv divides n by d (d > 0), rounding half away from zero.
func roundDiv(n, d *big.Int) int64 {
	q, r := new(big.Int), new(big.Int)
	q.QuoRem(n, d, r)
	r.Abs(r).Mul(r, big.NewInt(2))
	if r.Cmp(d) >= 0 {
		if n.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Int64()
}

// HTCents is the line's amount excluding VAT: quantity × unit price × (1 − discount), rounded half
// away from zero to the cent (rule 5).
func (l *Line) HTCents() int64 {
	n := big.NewInt(int64(l.Quantity))
	n.Mul(n, big.NewInt(l.UnitPriceCents))
	n.Mul(n, big.NewInt(int64(10000-l.DiscountBP)))
	return roundDiv(n, big.NewInt(1000*10000))
}

// GrossCents is the line before its discount, for display.
func (l *Line) GrossCents() int64 {
	n := big.NewInt(int64(l.Quantity))
	n.Mul(n, big.NewInt(l.UnitPriceCents))
	return roundDiv(n, big.NewInt(1000))
}

// validate checks one line; problems go under "lines.N.field".
func (l *Line) validate(f apperr.Fields, n int) {
	key := func(field string) string { return fmt.Sprintf("lines.%d.%s", n, field) }
	l.Description = strings.TrimSpace(strings.ReplaceAll(l.Description, "\r\n", "\n"))
	l.Unit = strings.TrimSpace(l.Unit)
	switch c := utf8.RuneCountInString(l.Description); {
	case c == 0:
		f.Add(key("description"), "error.required")
	case c > MaxLineText:
		f.Add(key("description"), "error.too_long")
	}
	if utf8.RuneCountInString(l.Unit) > MaxUnit {
		f.Add(key("unit"), "error.too_long")
	}
	if l.Quantity <= 0 || l.Quantity > MaxQuantityMilli {
		f.Add(key("quantity"), "quotes.error.quantity")
	}
	if l.UnitPriceCents < 0 || l.UnitPriceCents > MaxUnitPrice {
		f.Add(key("unit_price"), "quotes.error.unit_price")
	}
	if !slices.Contains(VATRates, l.VATRateBP) {
		f.Add(key("vat_rate"), "quotes.error.vat_rate")
	}
	if l.DiscountBP < 0 || l.DiscountBP > 10000 {
		f.Add(key("discount"), "quotes.error.discount")
	}
}

// VATAmount is the VAT of one rate: the base (the lines at that rate) and the tax.
type VATAmount struct {
	RateBP    int
	BaseCents int64
	VATCents  int64
}

// Totals are a quote's amounts (rule 5).
type Totals struct {
	HTCents  int64
	VAT      []VATAmount // by rate, highest first
	VATCents int64
	TTCCents int64
}

// ComputeTotals prices lines: each line's HT (stored on the line), the VAT per rate and the totals.
func ComputeTotals(lines []*Line) Totals {
	var t Totals
	byRate := map[int]int64{}
	for _, l := range lines {
		l.LineHTCents = l.HTCents()
		t.HTCents += l.LineHTCents
		byRate[l.VATRateBP] += l.LineHTCents
	}
	rates := make([]int, 0, len(byRate))
	for r := range byRate {
		rates = append(rates, r)
	}
	slices.Sort(rates)
	slices.Reverse(rates)
	for _, r := range rates {
		base := byRate[r]
		vat := roundDiv(new(big.Int).Mul(big.NewInt(base), big.NewInt(int64(r))), big.NewInt(10000))
		t.VAT = append(t.VAT, VATAmount{RateBP: r, BaseCents: base, VATCents: vat})
		t.VATCents += vat
	}
	t.TTCCents = t.HTCents + t.VATCents
	return t
}

// Totals computes the quote's amounts from its lines.
func (q *Quote) Totals() Totals { return ComputeTotals(q.Lines) }

// DepositCents is the deposit asked at acceptance: the deposit share of the total including VAT,
// rounded half away from zero.
func (q *Quote) DepositCents() int64 {
	return roundDiv(new(big.Int).Mul(big.NewInt(q.TotalTTCCents), big.NewInt(int64(q.DepositBP))), big.NewInt(10000))
}

// canonical is the content a client accepts, in a fixed order: what the content hash covers.
type canonical struct {
	Reference      string          `json:"reference"`
	ClientID       string          `json:"client_id"`
	ContractID     string          `json:"contract_id"`
	TicketID       string          `json:"ticket_id"`
	Title          string          `json:"title"`
	Description    string          `json:"description"`
	PaymentTerms   string          `json:"payment_terms"`
	ValidUntil     string          `json:"valid_until"`
	EstimatedStart string          `json:"estimated_start"`
	DepositBP      int             `json:"deposit_bp"`
	SentAt         string          `json:"sent_at"`
	Lines          []canonicalLine `json:"lines"`
	TotalHT        int64           `json:"total_ht_cents"`
	TotalVAT       int64           `json:"total_vat_cents"`
	TotalTTC       int64           `json:"total_ttc_cents"`
}

type canonicalLine struct {
	Description string `json:"description"`
	Quantity    string `json:"quantity"`
	Unit        string `json:"unit"`
	UnitPrice   int64  `json:"unit_price_cents"`
	VATRateBP   int    `json:"vat_rate_bp"`
	DiscountBP  int    `json:"discount_bp"`
	LineHT      int64  `json:"line_ht_cents"`
}

func nullString(id uuid.NullUUID) string {
	if !id.Valid {
		return ""
	}
	return id.UUID.String()
}

// CanonicalContent is the quote's content as bytes, in a fixed form (JSON, fields in a fixed order,
// lines by position): the same quote always gives the same bytes.
func (q *Quote) CanonicalContent() []byte {
	c := canonical{
		Reference: q.Reference(), ClientID: q.ClientID.String(), ContractID: nullString(q.ContractID),
		TicketID: nullString(q.TicketID), Title: q.Title, Description: q.Description, PaymentTerms: q.PaymentTerms,
		ValidUntil: q.ValidUntil.Format(time.DateOnly), DepositBP: q.DepositBP,
		SentAt:  q.SentAt.UTC().Format(time.RFC3339Nano),
		TotalHT: q.TotalHTCents, TotalVAT: q.TotalVATCents, TotalTTC: q.TotalTTCCents,
		Lines: []canonicalLine{},
	}
	if !q.EstimatedStart.IsZero() {
		c.EstimatedStart = q.EstimatedStart.Format(time.DateOnly)
	}
	for _, l := range q.Lines {
		c.Lines = append(c.Lines, canonicalLine{
			Description: l.Description, Quantity: l.Quantity.String(), Unit: l.Unit, UnitPrice: l.UnitPriceCents,
			VATRateBP: l.VATRateBP, DiscountBP: l.DiscountBP, LineHT: l.LineHTCents,
		})
	}
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("billing: canonical content: %v", err)) // plain strings and numbers always marshal
	}
	return b
}

// ComputeHash is the SHA-256 of the canonical content.
func (q *Quote) ComputeHash() []byte {
	sum := sha256.Sum256(q.CanonicalContent())
	return sum[:]
}

// Input is what staff type to draft or edit a quote.
type Input struct {
	ClientID       uuid.UUID
	ContractID     uuid.UUID
	TicketID       uuid.UUID
	Title          string
	Description    string
	PaymentTerms   string
	ValidUntil     time.Time
	EstimatedStart time.Time
	DepositBP      int
	Lines          []*Line
}

// Normalize trims the text.
func (in *Input) Normalize() {
	clean := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	in.Title = strings.TrimSpace(in.Title)
	in.Description = clean(in.Description)
	in.PaymentTerms = clean(in.PaymentTerms)
}

// Validate checks the input alone (the store checks what needs the database). Line problems are
// under "lines.N.field" (N from 0 in the order given); no line at all is "lines".
func (in *Input) Validate(today time.Time) error {
	f := apperr.Fields{}
	in.check(f, today)
	return f.Err()
}

func (in *Input) check(f apperr.Fields, today time.Time) {
	in.Normalize()
	if in.ClientID == uuid.Nil {
		f.Add("client_id", "error.required")
	}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		f.Add("title", "error.required")
	case n > MaxTitle:
		f.Add("title", "error.too_long")
	}
	if utf8.RuneCountInString(in.Description) > MaxDescription {
		f.Add("description", "error.too_long")
	}
	if utf8.RuneCountInString(in.PaymentTerms) > MaxPaymentTerms {
		f.Add("payment_terms", "error.too_long")
	}
	switch {
	case in.ValidUntil.IsZero():
		f.Add("valid_until", "error.required")
	case in.ValidUntil.Before(today):
		f.Add("valid_until", "quotes.error.valid_until_past")
	case in.ValidUntil.After(today.AddDate(1, 0, 0)):
		f.Add("valid_until", "quotes.error.valid_until_far")
	}
	if !in.EstimatedStart.IsZero() && in.EstimatedStart.Before(today) {
		f.Add("estimated_start", "quotes.error.start_past")
	}
	if in.DepositBP < 0 || in.DepositBP > 10000 {
		f.Add("deposit", "quotes.error.deposit")
	}
	if len(in.Lines) == 0 {
		f.Add("lines", "quotes.error.no_lines")
	}
	if len(in.Lines) > MaxLines {
		f.Add("lines", "quotes.error.too_many_lines")
	}
	for n, l := range in.Lines {
		l.validate(f, n)
	}
}
