package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/database"
)

// Sort orders a list of quotes.
type Sort string

// The orders.
const (
	// SortNewest: the most recently created first.
	SortNewest Sort = "newest"
	// SortValidity: the soonest validity date first (what expires next).
	SortValidity Sort = "validity"
)

// ParseSort returns the order named s, SortNewest for anything else.
func ParseSort(s string) Sort {
	if Sort(s) == SortValidity {
		return SortValidity
	}
	return SortNewest
}

// Filter narrows a list of quotes.
type Filter struct {
	ClientID uuid.UUID
	// Status is the status people see (StatusOn): "sent" leaves out those past their validity,
	// "expired" takes them in. Empty: every status.
	Status Status
	// Today decides which sent quotes are expired.
	Today time.Time
	Sort  Sort
	// Cursor is the keyset position of the next page.
	Cursor string
	Limit  int
	// NoDrafts leaves drafts out (the portal).
	NoDrafts bool
}

// Page is one page of quotes.
type Page struct {
	Quotes []*Quote
	Next   string
}

// List returns a page of quotes (without their lines) in one query.
func List(ctx context.Context, db bun.IDB, f Filter) (*Page, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	p := &Page{}
	q := selectQuotes(db, &p.Quotes)
	if f.ClientID != uuid.Nil {
		q = q.Where("q.client_id = ?", f.ClientID)
	}
	if f.NoDrafts {
		q = q.Where("q.status <> ?", StatusDraft)
	}
	switch f.Status {
	case "":
	case StatusSent:
		q = q.Where("q.status = ? AND q.valid_until >= ?", StatusSent, f.Today)
	case StatusExpired:
		q = q.Where("(q.status = ? OR (q.status = ? AND q.valid_until < ?))", StatusExpired, StatusSent, f.Today)
	default:
		q = q.Where("q.status = ?", f.Status)
	}
	at, id, ok := database.ParseCursor(f.Cursor)
	switch f.Sort {
	case SortValidity:
		if ok {
			q = q.Where("(q.valid_until, q.id) > (?, ?)", at.Format(time.DateOnly), id)
		}
		q = q.OrderExpr("q.valid_until, q.id")
	default:
		if ok {
			q = q.Where("(q.created_at, q.id) < (?, ?)", at, id)
		}
		q = q.OrderExpr("q.created_at DESC, q.id DESC")
	}
	if err := q.Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("billing: list quotes: %w", err)
	}
	if len(p.Quotes) > f.Limit {
		p.Quotes = p.Quotes[:f.Limit]
		last := p.Quotes[f.Limit-1]
		if f.Sort == SortValidity {
			p.Next = database.Cursor(last.ValidUntil, last.ID)
		} else {
			p.Next = database.Cursor(last.CreatedAt, last.ID)
		}
	}
	return p, nil
}

// ListForClient is List for the portal: only sent quotes (never drafts) of clientID.
func ListForClient(ctx context.Context, db bun.IDB, clientID uuid.UUID, f Filter) (*Page, error) {
	if clientID == uuid.Nil {
		return &Page{}, nil
	}
	f.ClientID, f.NoDrafts = clientID, true
	return List(ctx, db, f)
}

// DraftRevisionOf returns the id of the draft revision of a quote (uuid.Nil when none).
func DraftRevisionOf(ctx context.Context, db bun.IDB, id uuid.UUID) (uuid.UUID, error) {
	var ids []uuid.UUID
	if err := db.NewSelect().Table("quotes").Column("id").Where("replaces_id = ? AND status = ?", id, StatusDraft).
		Scan(ctx, &ids); err != nil {
		return uuid.Nil, fmt.Errorf("billing: draft revision: %w", err)
	}
	if len(ids) == 0 {
		return uuid.Nil, nil
	}
	return ids[0], nil
}
