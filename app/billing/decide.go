package billing

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/interventions"
)

// Acceptance is the evidence of a client's acceptance ("bon pour accord"): it is never changed
// (the database refuses UPDATE and DELETE).
type Acceptance struct {
	bun.BaseModel `bun:"table:quote_acceptances,alias:qa"`

	QuoteID       uuid.UUID `bun:"quote_id,pk,type:uuid"`
	UserID        uuid.UUID `bun:"user_id,type:uuid"`
	SignerName    string    `bun:"signer_name"`
	AcceptedAt    time.Time `bun:"accepted_at"`
	IP            string    `bun:"ip"`
	UserAgent     string    `bun:"user_agent"`
	ContentSHA256 []byte    `bun:"content_sha256"`
	PDFSHA256     []byte    `bun:"pdf_sha256"`

	UserEmail string `bun:"user_email,scanonly"`
}

// AcceptInput is what the client gives to accept a quote. The password is checked by the caller
// before (under the login rate limit), so that a wrong one is counted even though nothing here is
// written.
type AcceptInput struct {
	UserID uuid.UUID
	// Agreed is the ticked "j'ai lu et j'accepte" box.
	Agreed     bool
	SignerName string
	// ContentHash is the hex SHA-256 of the revision the page showed.
	ContentHash string
	// PDFSHA256 is the SHA-256 of the quote's PDF as the client could download it (nil when none).
	PDFSHA256 []byte
}

// ValidateAccept checks the form of an acceptance alone: the box ticked ("agree") and a name
// typed ("signer_name").
func ValidateAccept(in *AcceptInput) error {
	f := apperr.Fields{}
	in.SignerName = strings.Join(strings.Fields(in.SignerName), " ")
	if !in.Agreed {
		f.Add("agree", "quotes.error.agree")
	}
	switch n := utf8.RuneCountInString(in.SignerName); {
	case n == 0:
		f.Add("signer_name", "quotes.error.signer_name")
	case n > MaxSignerName:
		f.Add("signer_name", "error.too_long")
	}
	return f.Err()
}

// GetAcceptance returns the evidence of an accepted quote (NotFound when there is none).
func GetAcceptance(ctx context.Context, db bun.IDB, quoteID uuid.UUID) (*Acceptance, error) {
	a := new(Acceptance)
	err := db.NewSelect().Model(a).ColumnExpr("qa.*").ColumnExpr("coalesce(u.email, '') AS user_email").
		Join("LEFT JOIN users AS u ON u.id = qa.user_id").Where("qa.quote_id = ?", quoteID).Scan(ctx)
	if err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("acceptance")
		}
		return nil, fmt.Errorf("billing: acceptance: %w", err)
	}
	return a, nil
}

// Accept records a client's acceptance of a sent quote of clientID (rule 6), in the caller's
// transaction: the quote is locked, so of two acceptances at once exactly one wins and the other is
// a Conflict ErrDecided. A quote expired, withdrawn, replaced or decided is a Conflict with the
// reason; a content hash other than the current one is ErrChanged. It creates the evolutive
// intervention linked to the quote (status todo, the quote's lines as its plan) and returns both.
func Accept(ctx context.Context, db bun.IDB, clientID, id uuid.UUID, in AcceptInput, actor audit.Actor, now time.Time, loc *time.Location) (*Quote, *interventions.Intervention, error) {
	now = stamp(now)
	if err := ValidateAccept(&in); err != nil {
		return nil, nil, err
	}
	q, err := lock(ctx, db, clientID, id, 0)
	if err != nil {
		return nil, nil, err
	}
	if err := checkDecidable(q, civilDay(now, loc), in.ContentHash); err != nil {
		return nil, nil, err
	}
	a := &Acceptance{
		QuoteID: q.ID, UserID: in.UserID, SignerName: in.SignerName, AcceptedAt: now,
		IP: actor.IP, UserAgent: truncate(actor.UserAgent, 300), ContentSHA256: q.ContentHash, PDFSHA256: in.PDFSHA256,
	}
	if _, err := db.NewInsert().Model(a).Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("billing: accept quote: %w", err)
	}
	q.Status, q.DecidedAt, q.DecidedBy = StatusAccepted, now, nullID(in.UserID)
	if err := bump(ctx, db, q, now); err != nil {
		return nil, nil, err
	}
	details := map[string]any{"signer_name": in.SignerName, "content_sha256": q.HashHex()}
	if err := writeAudit(ctx, db, q, actor, audit.QuoteAccepted, details, now); err != nil {
		return nil, nil, err
	}
	i, err := interventions.Create(ctx, db, interventionOf(q), actor, now)
	if err != nil {
		return nil, nil, fmt.Errorf("billing: intervention of quote %s: %w", q.Reference(), err)
	}
	if _, err := db.NewUpdate().Table("interventions").Set("quote_id = ?", q.ID).Where("id = ?", i.ID).Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("billing: link intervention: %w", err)
	}
	q, err = Get(ctx, db, q.ID)
	if err != nil {
		return nil, nil, err
	}
	return q, i, nil
}

// interventionOf is the intervention that carries an accepted quote's work: evolutive, to do, the
// quote's lines as its plan.
func interventionOf(q *Quote) interventions.Input {
	title := q.Reference() + " · " + q.Title
	if utf8.RuneCountInString(title) > interventions.MaxTitle {
		title = string([]rune(title)[:interventions.MaxTitle-1]) + "…"
	}
	return interventions.Input{
		ClientID: q.ClientID, ContractID: q.ContractID.UUID, TicketID: q.TicketID.UUID,
		Kind: interventions.KindEvolutive, Place: interventions.PlaceRemote, Title: title,
		Summary: Plan(q),
	}
}

// Plan writes the work of a quote as a plan: one line per quote line with its quantity, then the
// description of the work.
func Plan(q *Quote) string {
	var b strings.Builder
	for _, l := range q.Lines {
		unit := l.Unit
		if unit != "" {
			unit = " " + unit
		}
		fmt.Fprintf(&b, "- %s (%s%s)\n", l.Description, strings.ReplaceAll(l.Quantity.String(), ".", ","), unit)
	}
	if q.Description != "" {
		b.WriteString("\n")
		b.WriteString(q.Description)
	}
	s := strings.TrimSpace(b.String())
	if utf8.RuneCountInString(s) > interventions.MaxText {
		s = string([]rune(s)[:interventions.MaxText-1]) + "…"
	}
	return s
}

// Decline records a client's refusal of a sent quote of clientID, with an optional reason, in the
// caller's transaction; the same checks as Accept (hash included) apply.
func Decline(ctx context.Context, db bun.IDB, clientID, id, userID uuid.UUID, hashHex, reason string, actor audit.Actor, now time.Time, loc *time.Location) (*Quote, error) {
	now = stamp(now)
	reason = strings.TrimSpace(strings.ReplaceAll(reason, "\r\n", "\n"))
	if utf8.RuneCountInString(reason) > MaxReason {
		return nil, apperr.Fields{"reason": "error.too_long"}.Err()
	}
	q, err := lock(ctx, db, clientID, id, 0)
	if err != nil {
		return nil, err
	}
	if err := checkDecidable(q, civilDay(now, loc), hashHex); err != nil {
		return nil, err
	}
	q.Status, q.DecidedAt, q.DecidedBy, q.DeclineReason = StatusDeclined, now, nullID(userID), reason
	if err := bump(ctx, db, q, now); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, db, q, actor, audit.QuoteDeclined, map[string]any{"reason": reason}, now); err != nil {
		return nil, err
	}
	return Get(ctx, db, q.ID)
}

// InterventionOf returns the id and number of the intervention created by an accepted quote
// (uuid.Nil, 0 when there is none).
func InterventionOf(ctx context.Context, db bun.IDB, quoteID uuid.UUID) (uuid.UUID, int, error) {
	var rows []struct {
		ID     uuid.UUID `bun:"id"`
		Number int       `bun:"number"`
	}
	if err := db.NewSelect().Table("interventions").Column("id", "number").Where("quote_id = ?", quoteID).Scan(ctx, &rows); err != nil {
		return uuid.Nil, 0, fmt.Errorf("billing: intervention of quote: %w", err)
	}
	if len(rows) == 0 {
		return uuid.Nil, 0, nil
	}
	return rows[0].ID, rows[0].Number, nil
}

func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
