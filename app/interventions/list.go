package interventions

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/database"
)

// Filter narrows a list of interventions.
type Filter struct {
	ClientID   uuid.UUID
	ContractID uuid.UUID
	Statuses   []Status
	// Kind keeps one kind ("" every kind).
	Kind Kind
	// TechnicianID keeps the interventions this staff user is assigned to.
	TechnicianID uuid.UUID
	// Cursor is the keyset position of the next page (database.Cursor of CreatedAt, ID).
	Cursor string
	Limit  int
	// OldestFirst orders by creation, oldest first (the pending list: nothing left waiting);
	// otherwise newest first.
	OldestFirst bool
}

// Page is one page of interventions.
type Page struct {
	Interventions []*Intervention
	Next          string
}

// List returns a page of interventions with their technicians, in a bounded number of queries.
func List(ctx context.Context, db bun.IDB, f Filter) (*Page, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	p := &Page{}
	q := selectInterventions(db, &p.Interventions)
	if f.ClientID != uuid.Nil {
		q = q.Where("i.client_id = ?", f.ClientID)
	}
	if f.ContractID != uuid.Nil {
		q = q.Where("i.contract_id = ?", f.ContractID)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("i.status IN (?)", bun.List(f.Statuses))
	}
	if f.Kind != "" {
		q = q.Where("i.kind = ?", f.Kind)
	}
	if f.TechnicianID != uuid.Nil {
		q = q.Where(`EXISTS (SELECT 1 FROM intervention_technicians AS it
			WHERE it.intervention_id = i.id AND it.user_id = ?)`, f.TechnicianID)
	}
	at, id, ok := database.ParseCursor(f.Cursor)
	if f.OldestFirst {
		if ok {
			q = q.Where("(i.created_at, i.id) > (?, ?)", at, id)
		}
		q = q.OrderExpr("i.created_at, i.id")
	} else {
		if ok {
			q = q.Where("(i.created_at, i.id) < (?, ?)", at, id)
		}
		q = q.OrderExpr("i.created_at DESC, i.id DESC")
	}
	if err := q.Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("interventions: list: %w", err)
	}
	if len(p.Interventions) > f.Limit {
		p.Interventions = p.Interventions[:f.Limit]
		last := p.Interventions[f.Limit-1]
		p.Next = database.Cursor(last.CreatedAt, last.ID)
	}
	return p, nil
}

// Pending lists what is waiting or going on (todo, scheduled, in progress), oldest first.
func Pending(ctx context.Context, db bun.IDB, cursor string, limit int) (*Page, error) {
	return List(ctx, db, Filter{Statuses: PendingStatuses(), Cursor: cursor, Limit: limit, OldestFirst: true})
}

// ListForClient is List for the portal: only interventions of clientID.
func ListForClient(ctx context.Context, db bun.IDB, clientID uuid.UUID, f Filter) (*Page, error) {
	if clientID == uuid.Nil {
		return &Page{}, nil
	}
	f.ClientID = clientID
	return List(ctx, db, f)
}
