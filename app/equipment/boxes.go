package equipment

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
)

// Boxes kept for warranty: "les cartons à garder pour garantie sont stockés au grenier en fonction
// de leur date de fin de garantie (dans le bon endroit)". An item with a warranty end date may have
// its box kept somewhere; the list of boxes sorted by warranty end tells which ones can go.

// MaxBoxLocation is the longest storage place of a box.
const MaxBoxLocation = 200

// Catalogue keys of the box conflicts.
const (
	// ErrNoBox: no box is kept for this item (nothing to throw away).
	ErrNoBox = "equipment.error.no_box"
	// ErrWarrantyRunning: the warranty has not ended; the box is still needed.
	ErrWarrantyRunning = "equipment.error.warranty_running"
)

// BoxKept tells whether the item's box is kept now.
func (e *Equipment) BoxKept() bool { return e.BoxLocation != "" && e.BoxDiscardedAt.IsZero() }

// BoxDisposable tells whether the item's box is kept and its warranty ended before today.
func (e *Equipment) BoxDisposable(today time.Time) bool {
	return e.BoxKept() && !e.WarrantyEndsOn.IsZero() && Day(e.WarrantyEndsOn).Before(Day(today))
}

// SetBox records where the item's box is kept (an empty location: no box is kept). The item needs a
// warranty end date (Invalid "box_location"); a stale version is a Conflict.
func SetBox(ctx context.Context, db bun.IDB, id uuid.UUID, location string, expectedVersion int, actor audit.Actor, now time.Time) (*Equipment, error) {
	now = stamp(now)
	e, err := lock(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	location = strings.TrimSpace(location)
	switch {
	case utf8.RuneCountInString(location) > MaxBoxLocation:
		return nil, apperr.Fields{"box_location": "error.too_long"}.Err()
	case location != "" && e.WarrantyEndsOn.IsZero():
		return nil, apperr.Fields{"box_location": "equipment.error.box_needs_warranty"}.Err()
	case location == "" && !e.BoxKept():
		return nil, apperr.Fields{"box_location": "error.required"}.Err()
	}
	e.BoxLocation, e.BoxDiscardedAt, e.UpdatedAt = location, time.Time{}, now
	e.Version++
	if _, err := db.NewUpdate().Model(e).Column("box_location", "box_discarded_at", "updated_at", "version").WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("equipment: set box: %w", err)
	}
	if err := audit.Write(ctx, db, now, actor, audit.Event{Action: audit.BoxStored, TargetType: "equipment", TargetID: id.String(),
		ClientID: e.ClientID.UUID, Details: map[string]any{"name": e.Name, "location": location}}); err != nil {
		return nil, err
	}
	return Get(ctx, db, id)
}

// DiscardBox records that the item's box was thrown away: only a kept box whose warranty ended
// before today (a Conflict otherwise). The place stays written, for the record.
func DiscardBox(ctx context.Context, db bun.IDB, id uuid.UUID, expectedVersion int, actor audit.Actor, now, today time.Time) (*Equipment, error) {
	now = stamp(now)
	e, err := lock(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	if !e.BoxKept() {
		return nil, apperr.Conflictf(ErrNoBox)
	}
	if !e.BoxDisposable(today) {
		return nil, apperr.Conflictf(ErrWarrantyRunning)
	}
	e.BoxDiscardedAt, e.UpdatedAt = now, now
	e.Version++
	if _, err := db.NewUpdate().Model(e).Column("box_discarded_at", "updated_at", "version").WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("equipment: discard box: %w", err)
	}
	if err := audit.Write(ctx, db, now, actor, audit.Event{Action: audit.BoxDiscarded, TargetType: "equipment", TargetID: id.String(),
		ClientID: e.ClientID.UUID, Details: map[string]any{"name": e.Name, "location": e.BoxLocation,
			"warranty_ended": e.WarrantyEndsOn.Format(time.DateOnly)}}); err != nil {
		return nil, err
	}
	return Get(ctx, db, id)
}

// BoxFilter selects kept boxes.
type BoxFilter struct {
	// After is the keyset position: the last row of the previous page ("2026-12-31_<id>").
	After string
	Limit int
}

// BoxCursor is the keyset position of a box in the list.
func BoxCursor(e *Equipment) string {
	return e.WarrantyEndsOn.Format(time.DateOnly) + "_" + e.ID.String()
}

// Boxes returns the boxes kept, by warranty end (those that can go first), in one query, and
// whether there are more.
func Boxes(ctx context.Context, db bun.IDB, f BoxFilter) ([]*Equipment, bool, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var es []*Equipment
	q := selectEquipment(db, &es).Where("e.box_location <> '' AND e.box_discarded_at IS NULL")
	if on, id, ok := strings.Cut(f.After, "_"); ok {
		d, err1 := time.Parse(time.DateOnly, on)
		u, err2 := uuid.Parse(id)
		if err1 == nil && err2 == nil {
			q = q.Where("(e.warranty_ends_on, e.id) > (?, ?)", d, u)
		}
	}
	if err := q.OrderExpr("e.warranty_ends_on, e.id").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("equipment: boxes: %w", err)
	}
	more := len(es) > f.Limit
	if more {
		es = es[:f.Limit]
	}
	return es, more, nil
}

// DisposableBoxes counts the kept boxes whose warranty ended before today.
func DisposableBoxes(ctx context.Context, db bun.IDB, today time.Time) (int, error) {
	n, err := db.NewSelect().Table("equipment").
		Where("box_location <> '' AND box_discarded_at IS NULL AND warranty_ends_on < ?", Day(today)).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("equipment: disposable boxes: %w", err)
	}
	return int(n), nil
}
