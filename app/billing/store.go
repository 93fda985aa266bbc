package billing

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/database"
)

func stamp(now time.Time) time.Time { return now.UTC().Truncate(time.Microsecond) }

func nullID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }

// selectQuotes selects quotes with their client's name, contract reference, ticket number and the
// name of who decided.
func selectQuotes(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("q.*").
		ColumnExpr("cl.name AS client_name").
		ColumnExpr("coalesce(ct.reference, '') AS contract_reference").
		ColumnExpr("coalesce(tk.number, 0) AS ticket_number").
		ColumnExpr("coalesce(du.name, '') AS decided_by_name").
		Join("JOIN clients AS cl ON cl.id = q.client_id").
		Join("LEFT JOIN contracts AS ct ON ct.id = q.contract_id").
		Join("LEFT JOIN tickets AS tk ON tk.id = q.ticket_id").
		Join("LEFT JOIN users AS du ON du.id = q.decided_by")
}

// Get returns a quote with its lines, for staff.
func Get(ctx context.Context, db bun.IDB, id uuid.UUID) (*Quote, error) {
	return get(ctx, db, uuid.Nil, id)
}

// GetForClient returns a quote of one client with its lines, for the portal: drafts and other
// clients' quotes are NotFound, exactly like a missing one.
func GetForClient(ctx context.Context, db bun.IDB, clientID, id uuid.UUID) (*Quote, error) {
	if clientID == uuid.Nil {
		return nil, apperr.NotFoundf("quote")
	}
	return get(ctx, db, clientID, id)
}

func get(ctx context.Context, db bun.IDB, clientID, id uuid.UUID) (*Quote, error) {
	q := new(Quote)
	sq := selectQuotes(db, q).Where("q.id = ?", id)
	if clientID != uuid.Nil {
		sq = sq.Where("q.client_id = ? AND q.status <> ?", clientID, StatusDraft)
	}
	if err := sq.Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("quote")
		}
		return nil, fmt.Errorf("billing: get quote: %w", err)
	}
	if err := loadLines(ctx, db, q); err != nil {
		return nil, err
	}
	return q, nil
}

func loadLines(ctx context.Context, db bun.IDB, q *Quote) error {
	q.Lines = nil
	if err := db.NewSelect().Model(&q.Lines).Where("quote_id = ?", q.ID).OrderExpr("position").Scan(ctx); err != nil {
		return fmt.Errorf("billing: quote lines: %w", err)
	}
	return nil
}

// lock reads a quote for update with its lines; expectedVersion 0 skips the version check.
// clientID, when set, limits it to that client's sent quotes (the portal).
func lock(ctx context.Context, db bun.IDB, clientID, id uuid.UUID, expectedVersion int) (*Quote, error) {
	q := new(Quote)
	sq := db.NewSelect().Model(q).Where("q.id = ?", id).For("UPDATE")
	if clientID != uuid.Nil {
		sq = sq.Where("q.client_id = ? AND q.status <> ?", clientID, StatusDraft)
	}
	if err := sq.Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("quote")
		}
		return nil, fmt.Errorf("billing: lock quote: %w", err)
	}
	if expectedVersion != 0 && q.Version != expectedVersion {
		return nil, apperr.Conflictf(ErrStale)
	}
	if err := loadLines(ctx, db, q); err != nil {
		return nil, err
	}
	return q, nil
}

// bump writes the quote's columns as set on q and increments its version.
func bump(ctx context.Context, db bun.IDB, q *Quote, now time.Time) error {
	q.UpdatedAt = stamp(now)
	q.Version++
	if _, err := db.NewUpdate().Model(q).WherePK().ExcludeColumn("id", "client_id", "created_at", "created_by").Exec(ctx); err != nil {
		return fmt.Errorf("billing: update quote: %w", err)
	}
	return nil
}

func writeAudit(ctx context.Context, db bun.IDB, q *Quote, actor audit.Actor, action string, details map[string]any, now time.Time) error {
	if details == nil {
		details = map[string]any{}
	}
	if ref := q.Reference(); ref != "" {
		details["reference"] = ref
	}
	details["title"] = q.Title
	return audit.Write(ctx, db, stamp(now), actor, audit.Event{
		Action: action, TargetType: "quote", TargetID: q.ID.String(), ClientID: q.ClientID, Details: details,
	})
}

// checkRefs records in f what is wrong with the client, contract and ticket of in.
func checkRefs(ctx context.Context, db bun.IDB, in *Input, f apperr.Fields) error {
	if in.ClientID == uuid.Nil {
		return nil
	}
	n, err := db.NewSelect().Table("clients").Where("id = ? AND NOT archived", in.ClientID).Count(ctx)
	if err != nil {
		return fmt.Errorf("billing: check client: %w", err)
	}
	if n == 0 {
		f.Add("client_id", "quotes.error.client_unknown")
		return nil
	}
	for _, ref := range []struct {
		id           uuid.UUID
		table, field string
	}{{in.ContractID, "contracts", "contract_id"}, {in.TicketID, "tickets", "ticket_id"}} {
		if ref.id == uuid.Nil {
			continue
		}
		n, err := db.NewSelect().Table(ref.table).Where("id = ? AND client_id = ?", ref.id, in.ClientID).Count(ctx)
		if err != nil {
			return fmt.Errorf("billing: check %s: %w", ref.table, err)
		}
		if n == 0 {
			f.Add(ref.field, "quotes.error."+strings.TrimSuffix(ref.field, "_id")+"_unknown")
		}
	}
	return nil
}

// setLines replaces the lines of a quote (their amounts computed) and caches its totals on q.
func setLines(ctx context.Context, db bun.IDB, q *Quote, lines []*Line) error {
	if _, err := db.NewDelete().Model((*Line)(nil)).Where("quote_id = ?", q.ID).Exec(ctx); err != nil {
		return fmt.Errorf("billing: quote lines: %w", err)
	}
	t := ComputeTotals(lines)
	q.Lines = make([]*Line, 0, len(lines))
	for n, l := range lines {
		nl := *l
		nl.ID, nl.QuoteID, nl.Position = uuid.Must(uuid.NewV7()), q.ID, n
		q.Lines = append(q.Lines, &nl)
	}
	if len(q.Lines) > 0 {
		if _, err := db.NewInsert().Model(&q.Lines).Exec(ctx); err != nil {
			return fmt.Errorf("billing: quote lines: %w", err)
		}
	}
	q.TotalHTCents, q.TotalVATCents, q.TotalTTCCents = t.HTCents, t.VATCents, t.TTCCents
	return nil
}

// Create drafts a quote (status draft, no number yet). Bad input is Invalid with the field keys of
// Input.Validate plus client_id, contract_id and ticket_id (not the client's).
func Create(ctx context.Context, db bun.IDB, in Input, actor audit.Actor, now time.Time, loc *time.Location) (*Quote, error) {
	now = stamp(now)
	f := apperr.Fields{}
	in.check(f, civilDay(now, loc))
	if err := checkRefs(ctx, db, &in, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	q := &Quote{
		ID: uuid.Must(uuid.NewV7()), ClientID: in.ClientID, ContractID: nullID(in.ContractID), TicketID: nullID(in.TicketID),
		Revision: 1, Status: StatusDraft, CreatedBy: nullID(actor.UserID), CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	apply(q, &in)
	t := ComputeTotals(in.Lines)
	q.TotalHTCents, q.TotalVATCents, q.TotalTTCCents = t.HTCents, t.VATCents, t.TTCCents
	if _, err := db.NewInsert().Model(q).Exec(ctx); err != nil {
		return nil, fmt.Errorf("billing: create quote: %w", err)
	}
	if err := setLines(ctx, db, q, in.Lines); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, db, q, actor, audit.QuoteCreated, map[string]any{"total_ht_cents": q.TotalHTCents}, now); err != nil {
		return nil, err
	}
	return Get(ctx, db, q.ID)
}

func apply(q *Quote, in *Input) {
	q.ContractID, q.TicketID = nullID(in.ContractID), nullID(in.TicketID)
	q.Title, q.Description, q.PaymentTerms = in.Title, in.Description, in.PaymentTerms
	q.ValidUntil, q.EstimatedStart, q.DepositBP = in.ValidUntil, in.EstimatedStart, in.DepositBP
}

// Update edits a draft (the client never changes; a revision keeps its contract and ticket too). A
// sent quote is a Conflict ErrNotDraft (a change is a new revision); a stale version ErrStale.
func Update(ctx context.Context, db bun.IDB, id uuid.UUID, in Input, expectedVersion int, actor audit.Actor, now time.Time, loc *time.Location) (*Quote, error) {
	q, err := lock(ctx, db, uuid.Nil, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	if q.Status != StatusDraft {
		return nil, apperr.Conflictf(ErrNotDraft)
	}
	in.ClientID = q.ClientID
	if q.ReplacesID.Valid {
		in.ContractID, in.TicketID = q.ContractID.UUID, q.TicketID.UUID
	}
	f := apperr.Fields{}
	in.check(f, civilDay(now, loc))
	if err := checkRefs(ctx, db, &in, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	apply(q, &in)
	if err := setLines(ctx, db, q, in.Lines); err != nil {
		return nil, err
	}
	if err := bump(ctx, db, q, now); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, db, q, actor, audit.QuoteUpdated, map[string]any{"total_ht_cents": q.TotalHTCents}, now); err != nil {
		return nil, err
	}
	return Get(ctx, db, q.ID)
}

// DeleteDraft discards a draft (it has no number: nothing of it is kept but the audit entry). A sent
// quote is a Conflict ErrNotDraft.
func DeleteDraft(ctx context.Context, db bun.IDB, id uuid.UUID, expectedVersion int, actor audit.Actor, now time.Time) (*Quote, error) {
	q, err := lock(ctx, db, uuid.Nil, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	if q.Status != StatusDraft {
		return nil, apperr.Conflictf(ErrNotDraft)
	}
	if _, err := db.NewDelete().Model(q).WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("billing: delete draft: %w", err)
	}
	if err := writeAudit(ctx, db, q, actor, audit.QuoteDraftDeleted, nil, now); err != nil {
		return nil, err
	}
	return q, nil
}

// Send sends a draft (rule 1): it takes its number, in this transaction, from the gapless counter of
// the year (a revision keeps the number of the quote it replaces, and replaces it: rule 2), and
// freezes its content hash. A draft with no line or past its validity date is Invalid.
func Send(ctx context.Context, db bun.IDB, id uuid.UUID, expectedVersion int, actor audit.Actor, now time.Time, loc *time.Location) (*Quote, error) {
	now = stamp(now)
	q, err := lock(ctx, db, uuid.Nil, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	if !CanTransition(q.Status, StatusSent) {
		return nil, apperr.Conflictf(ErrTransition)
	}
	f := apperr.Fields{}
	if len(q.Lines) == 0 {
		f.Add("lines", "quotes.error.no_lines")
	}
	if q.IsPastValidity(civilDay(now, loc)) {
		f.Add("valid_until", "quotes.error.valid_until_past")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var old *Quote
	if q.ReplacesID.Valid {
		if old, err = lock(ctx, db, uuid.Nil, q.ReplacesID.UUID, 0); err != nil {
			return nil, err
		}
		if !CanTransition(old.Status, StatusReplaced) {
			return nil, apperr.Conflictf(conflictOf(old.Status))
		}
		q.Year, q.Number = old.Year, old.Number
	} else {
		q.Year = now.In(zone(loc)).Year()
		if q.Number, err = database.NextNumber(ctx, db, NumberSeries, q.Year); err != nil {
			return nil, fmt.Errorf("billing: send quote: %w", err)
		}
	}
	t := ComputeTotals(q.Lines)
	q.TotalHTCents, q.TotalVATCents, q.TotalTTCCents = t.HTCents, t.VATCents, t.TTCCents
	q.Status, q.SentAt = StatusSent, now
	q.ContentHash = q.ComputeHash()
	if old != nil {
		// The old revision points to its replacement: the new one must exist as sent first.
		if err := bump(ctx, db, q, now); err != nil {
			return nil, err
		}
		old.Status, old.ReplacedBy, old.ClosedAt = StatusReplaced, nullID(q.ID), now
		if err := bump(ctx, db, old, now); err != nil {
			return nil, err
		}
		if err := writeAudit(ctx, db, old, actor, audit.QuoteReplaced, map[string]any{"by": q.Reference()}, now); err != nil {
			return nil, err
		}
	} else if err := bump(ctx, db, q, now); err != nil {
		return nil, err
	}
	details := map[string]any{"total_ttc_cents": q.TotalTTCCents, "content_sha256": q.HashHex()}
	if err := writeAudit(ctx, db, q, actor, audit.QuoteSent, details, now); err != nil {
		return nil, err
	}
	return Get(ctx, db, q.ID)
}

func zone(loc *time.Location) *time.Location {
	if loc == nil {
		if l, err := time.LoadLocation("Europe/Paris"); err == nil {
			return l
		}
		return time.UTC
	}
	return loc
}

// conflictOf is the conflict key explaining why a quote in status s can no longer be decided or
// replaced.
func conflictOf(s Status) string {
	switch s {
	case StatusAccepted, StatusDeclined:
		return ErrDecided
	case StatusWithdrawn:
		return ErrWithdrawn
	case StatusReplaced:
		return ErrReplaced
	case StatusExpired:
		return ErrExpired
	}
	return ErrTransition
}

// Withdraw takes back a sent quote (rule 3): the client can no longer decide it.
func Withdraw(ctx context.Context, db bun.IDB, id uuid.UUID, expectedVersion int, actor audit.Actor, now time.Time) (*Quote, error) {
	q, err := lock(ctx, db, uuid.Nil, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	if !CanTransition(q.Status, StatusWithdrawn) {
		return nil, apperr.Conflictf(conflictOf(q.Status))
	}
	q.Status, q.ClosedAt = StatusWithdrawn, stamp(now)
	if err := bump(ctx, db, q, now); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, db, q, actor, audit.QuoteWithdrawn, nil, now); err != nil {
		return nil, err
	}
	return Get(ctx, db, q.ID)
}

// NewRevision starts the next revision of a sent or expired quote (rule 2): a draft copying its
// content, valid DefaultValidityDays from today, that replaces it once sent. If a draft revision
// already exists it is returned instead of a second one.
func NewRevision(ctx context.Context, db bun.IDB, id uuid.UUID, actor audit.Actor, now time.Time, loc *time.Location) (*Quote, error) {
	now = stamp(now)
	old, err := lock(ctx, db, uuid.Nil, id, 0)
	if err != nil {
		return nil, err
	}
	if !old.Revisable() {
		return nil, apperr.Conflictf(conflictOf(old.Status))
	}
	var existing []uuid.UUID
	if err := db.NewSelect().Table("quotes").Column("id").Where("replaces_id = ?", old.ID).Scan(ctx, &existing); err != nil {
		return nil, fmt.Errorf("billing: new revision: %w", err)
	}
	if len(existing) > 0 {
		return Get(ctx, db, existing[0])
	}
	q := &Quote{
		ID: uuid.Must(uuid.NewV7()), ClientID: old.ClientID, ContractID: old.ContractID, TicketID: old.TicketID,
		Revision: old.Revision + 1, ReplacesID: nullID(old.ID), Title: old.Title, Description: old.Description,
		PaymentTerms: old.PaymentTerms, ValidUntil: civilDay(now, loc).AddDate(0, 0, DefaultValidityDays),
		EstimatedStart: old.EstimatedStart, DepositBP: old.DepositBP, Status: StatusDraft,
		CreatedBy: nullID(actor.UserID), CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	if !q.EstimatedStart.IsZero() && q.EstimatedStart.Before(civilDay(now, loc)) {
		q.EstimatedStart = time.Time{}
	}
	if _, err := db.NewInsert().Model(q).Exec(ctx); err != nil {
		return nil, fmt.Errorf("billing: new revision: %w", err)
	}
	if err := setLines(ctx, db, q, old.Lines); err != nil {
		return nil, err
	}
	if err := bump(ctx, db, q, now); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, db, q, actor, audit.QuoteRevised, map[string]any{"replaces": old.Reference(), "revision": q.Revision}, now); err != nil {
		return nil, err
	}
	return Get(ctx, db, q.ID)
}

// checkDecidable is what the server checks before a client decides (rules 3, 4 and 6): the quote is
// still open and valid, and is exactly the revision the client read.
func checkDecidable(q *Quote, today time.Time, hashHex string) error {
	if q.Status != StatusSent {
		return apperr.Conflictf(conflictOf(q.Status))
	}
	if q.IsPastValidity(today) {
		return apperr.Conflictf(ErrExpired)
	}
	if !bytes.Equal([]byte(strings.ToLower(strings.TrimSpace(hashHex))), []byte(q.HashHex())) {
		return apperr.Conflictf(ErrChanged)
	}
	return nil
}

// ExpireDue records as expired every sent quote whose validity date is before today, and returns
// them (for the audit log and any mail).
func ExpireDue(ctx context.Context, db bun.IDB, actor audit.Actor, now time.Time, loc *time.Location) ([]*Quote, error) {
	today := civilDay(now, loc)
	var due []*Quote
	if err := db.NewSelect().Model(&due).Where("status = ? AND valid_until < ?", StatusSent, today).
		OrderExpr("valid_until, id").Limit(500).For("UPDATE SKIP LOCKED").Scan(ctx); err != nil {
		return nil, fmt.Errorf("billing: expire quotes: %w", err)
	}
	for _, q := range due {
		q.Status, q.ClosedAt = StatusExpired, stamp(now)
		if err := bump(ctx, db, q, now); err != nil {
			return nil, err
		}
		if err := writeAudit(ctx, db, q, actor, audit.QuoteExpired, nil, now); err != nil {
			return nil, err
		}
	}
	return due, nil
}
