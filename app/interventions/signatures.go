package interventions

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
)

// AwaitsSignature tells whether the client is expected to sign the sheet from the portal: it was
// left "to be signed later", work has started (in progress or done) and nobody signed it yet.
func (s *Sheet) AwaitsSignature() bool {
	return s.Signature == nil && s.SignLater && (s.Status == StatusInProgress || s.Status == StatusDone)
}

// AwaitingSignature lists a client's sheets waiting for its signature from the portal (see
// Sheet.AwaitsSignature), newest first, one keyset page (cursor as in Filter).
func AwaitingSignature(ctx context.Context, db bun.IDB, clientID uuid.UUID, cursor string, limit int) (*Page, error) {
	p := &Page{}
	if clientID == uuid.Nil {
		return p, nil
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := selectInterventions(db, &p.Interventions).
		Where("i.client_id = ?", clientID).
		Where("i.sign_later").
		Where("i.status IN (?)", bun.List([]Status{StatusInProgress, StatusDone})).
		Where("NOT EXISTS (SELECT 1 FROM signatures AS s WHERE s.intervention_id = i.id)")
	if at, id, ok := database.ParseCursor(cursor); ok {
		q = q.Where("(i.created_at, i.id) < (?, ?)", at, id)
	}
	if err := q.OrderExpr("i.created_at DESC, i.id DESC").Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("interventions: awaiting signature: %w", err)
	}
	if len(p.Interventions) > limit {
		p.Interventions = p.Interventions[:limit]
		last := p.Interventions[limit-1]
		p.Next = database.Cursor(last.CreatedAt, last.ID)
	}
	return p, nil
}

// SignedAmong tells which of the interventions ids are signed, in one query (for a list's badges).
func SignedAmong(ctx context.Context, db bun.IDB, ids []uuid.UUID) (map[uuid.UUID]bool, error) {
	out := map[uuid.UUID]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var signed []uuid.UUID
	if err := db.NewSelect().Table("signatures").Column("intervention_id").
		Where("intervention_id IN (?)", bun.List(ids)).Scan(ctx, &signed); err != nil {
		return nil, fmt.Errorf("interventions: signed: %w", err)
	}
	for _, id := range signed {
		out[id] = true
	}
	return out, nil
}

// SignatureFor returns the signature of a sheet, image included. clientID is the portal user's
// client (uuid.Nil for staff): a sheet of another client, a missing one or one not signed yet are
// all NotFound.
func SignatureFor(ctx context.Context, db bun.IDB, clientID, id uuid.UUID) (*Signature, error) {
	s := new(Signature)
	q := db.NewSelect().Model(s).Where("sg.intervention_id = ?", id)
	if clientID != uuid.Nil {
		q = q.Where("EXISTS (SELECT 1 FROM interventions AS i WHERE i.id = sg.intervention_id AND i.client_id = ?)", clientID)
	}
	if err := q.Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("signature")
		}
		return nil, fmt.Errorf("interventions: signature: %w", err)
	}
	return s, nil
}
