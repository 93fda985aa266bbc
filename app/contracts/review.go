package contracts

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
)

// Review is a periodic review meeting held with the client: the "regular review" of the contract
// where services are assessed and the contract adjusted, possibly by an amendment.
type Review struct {
	bun.BaseModel `bun:"table:contract_reviews,alias:rv"`

	ID           uuid.UUID     `bun:"id,pk,type:uuid"`
	ContractID   uuid.UUID     `bun:"contract_id,type:uuid"`
	HeldOn       time.Time     `bun:"held_on,type:date"`
	Participants string        `bun:"participants"`
	Notes        string        `bun:"notes"`
	Decisions    string        `bun:"decisions"`
	AmendmentNo  int           `bun:"amendment_no,nullzero"`
	CreatedBy    uuid.NullUUID `bun:"created_by,type:uuid"`
	CreatedAt    time.Time     `bun:"created_at"`

	CreatedByName string `bun:"created_by_name,scanonly"`
}

// Limits of a review record.
const (
	MaxParticipants = 1000
	MaxReviewText   = 10000
)

// ReviewDue returns the day the next review is due: ReviewMonths after the last review, or after the
// start date when there was none; the zero time when the contract has no periodic review.
func ReviewDue(reviewMonths int, start, lastHeld time.Time) time.Time {
	if reviewMonths <= 0 || start.IsZero() {
		return time.Time{}
	}
	from := start
	if !lastHeld.IsZero() {
		from = lastHeld
	}
	return AddMonths(Day(from), reviewMonths)
}

// SetReviewInterval sets how often a contract is reviewed (0: never), for a contract read at
// expectedVersion.
func SetReviewInterval(ctx context.Context, db bun.IDB, id uuid.UUID, months, expectedVersion int, now time.Time) (*Contract, error) {
	c, err := lock(ctx, db, id)
	if err != nil {
		return nil, err
	}
	if months < 0 || months > MaxReviewMonths {
		return nil, apperr.Fields{"review_months": "template.error.review_months"}.Err()
	}
	if c.Version != expectedVersion {
		return nil, apperr.Conflictf(ErrStale)
	}
	_, err = db.NewUpdate().Model((*Contract)(nil)).Set("review_months = ?", months).Set("version = version + 1").
		Set("updated_at = ?", now.UTC()).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("contracts: review interval: %w", err)
	}
	return Get(ctx, db, id)
}

// RecordReview writes a review held with the client, on or before today. Its amendment, when given,
// must be one of the contract's amendments (version 2 or later).
func RecordReview(ctx context.Context, db bun.IDB, r *Review, by uuid.UUID, now, today time.Time) error {
	if _, err := lock(ctx, db, r.ContractID); err != nil {
		return err
	}
	r.Participants = strings.TrimSpace(strings.ReplaceAll(r.Participants, "\r\n", "\n"))
	r.Notes = strings.TrimSpace(strings.ReplaceAll(r.Notes, "\r\n", "\n"))
	r.Decisions = strings.TrimSpace(strings.ReplaceAll(r.Decisions, "\r\n", "\n"))
	f := apperr.Fields{}
	switch {
	case r.HeldOn.IsZero():
		f.Add("held_on", "error.required")
	case Day(r.HeldOn).After(Day(today)):
		f.Add("held_on", "review.error.future")
	case r.HeldOn.Year() < 2000:
		f.Add("held_on", "contract.error.date_range")
	}
	switch n := utf8.RuneCountInString(r.Participants); {
	case n == 0:
		f.Add("participants", "error.required")
	case n > MaxParticipants:
		f.Add("participants", "error.too_long")
	}
	if utf8.RuneCountInString(r.Notes) > MaxReviewText {
		f.Add("notes", "error.too_long")
	}
	if utf8.RuneCountInString(r.Decisions) > MaxReviewText {
		f.Add("decisions", "error.too_long")
	}
	if r.AmendmentNo != 0 {
		if r.AmendmentNo < 2 {
			f.Add("amendment_no", "review.error.amendment")
		} else if _, err := versionNo(ctx, db, r.ContractID, r.AmendmentNo); apperr.KindOf(err) == apperr.NotFound {
			f.Add("amendment_no", "review.error.amendment")
		} else if err != nil {
			return err
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	r.ID, r.HeldOn = uuid.Must(uuid.NewV7()), Day(r.HeldOn)
	r.CreatedBy, r.CreatedAt = nullUUID(by), now.UTC()
	if _, err := db.NewInsert().Model(r).Exec(ctx); err != nil {
		return fmt.Errorf("contracts: record review: %w", err)
	}
	return nil
}

// MaxReviews bounds the reviews a contract page lists (a few a year).
const MaxReviews = 200

// ListReviews returns a contract's reviews, the latest first.
func ListReviews(ctx context.Context, db bun.IDB, contractID uuid.UUID) ([]*Review, error) {
	var rs []*Review
	err := db.NewSelect().Model(&rs).ColumnExpr("rv.*").ColumnExpr("coalesce(u.name, '') AS created_by_name").
		Join("LEFT JOIN users AS u ON u.id = rv.created_by").
		Where("rv.contract_id = ?", contractID).OrderExpr("rv.held_on DESC, rv.id DESC").Limit(MaxReviews).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("contracts: reviews: %w", err)
	}
	return rs, nil
}

// DueReview is a running contract whose next periodic review falls on or before a day.
type DueReview struct {
	ContractID uuid.UUID `bun:"contract_id"`
	Reference  string    `bun:"reference"`
	Title      string    `bun:"title"`
	ClientName string    `bun:"client_name"`
	DueOn      time.Time `bun:"due_on"`
}

// DueReviews lists the running contracts with a periodic review due on or before until, the most
// overdue first (at most limit).
func DueReviews(ctx context.Context, db bun.IDB, until time.Time, limit int) ([]DueReview, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []DueReview
	err := db.NewRaw(`SELECT * FROM (
		SELECT c.id AS contract_id, c.reference, v.title, cl.name AS client_name,
			(coalesce((SELECT max(held_on) FROM contract_reviews r WHERE r.contract_id = c.id), v.start_date)
				+ make_interval(months => c.review_months))::date AS due_on
		FROM contracts c
		JOIN clients cl ON cl.id = c.client_id
		JOIN contract_versions v ON v.contract_id = c.id AND v.no = c.current_version
		WHERE c.status IN ('active', 'suspended') AND c.review_months > 0
	) d WHERE d.due_on <= ?::date ORDER BY d.due_on, d.reference LIMIT ?`, Day(until).Format(time.DateOnly), limit).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("contracts: due reviews: %w", err)
	}
	return out, nil
}

// RecordReviewReminder records, once, the reminder of a contract's review due on dueOn at a lead
// time; it reports false when that reminder was already recorded (by another run).
func RecordReviewReminder(ctx context.Context, db bun.IDB, contractID uuid.UUID, dueOn time.Time, leadDays int, now time.Time) (bool, error) {
	res, err := db.NewRaw(`INSERT INTO contract_review_reminders (contract_id, due_on, lead_days, created_at)
		VALUES (?, ?::date, ?, ?) ON CONFLICT DO NOTHING`, contractID, Day(dueOn).Format(time.DateOnly), leadDays, now.UTC()).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("contracts: review reminder: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// LastReview returns the day of the latest review of a contract, or the zero time.
func LastReview(ctx context.Context, db bun.IDB, contractID uuid.UUID) (time.Time, error) {
	var held bun.NullTime
	err := db.NewSelect().Model((*Review)(nil)).ColumnExpr("max(held_on)").Where("contract_id = ?", contractID).Scan(ctx, &held)
	if err != nil && !database.NoRows(err) {
		return time.Time{}, fmt.Errorf("contracts: last review: %w", err)
	}
	return held.Time, nil
}
