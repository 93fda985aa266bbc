package scheduling

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/interventions"
)

// ChecklistItem is one step of a visit's checklist, ticked while filling its sheet.
type ChecklistItem struct {
	bun.BaseModel `bun:"table:visit_checklist_items,alias:vc"`

	InterventionID uuid.UUID `bun:"intervention_id,pk,type:uuid"`
	Position       int       `bun:"position,pk"`
	Label          string    `bun:"label"`
	Checked        bool      `bun:"checked"`
	CheckedAt      time.Time `bun:"checked_at,nullzero"`
	CheckedBy      string    `bun:"checked_by"`
}

// Checklist returns the steps of a visit's checklist, in order (none for other interventions).
func Checklist(ctx context.Context, db bun.IDB, interventionID uuid.UUID) ([]*ChecklistItem, error) {
	var items []*ChecklistItem
	if err := db.NewSelect().Model(&items).Where("intervention_id = ?", interventionID).Order("position").Scan(ctx); err != nil {
		return nil, fmt.Errorf("scheduling: checklist: %w", err)
	}
	return items, nil
}

// SetChecklist records which steps are ticked (positions in checked), as part of filling the
// sheet: the sheet must be open (Conflict ErrFrozen) and at the version read (Conflict ErrStale);
// the intervention's version moves on.
func SetChecklist(ctx context.Context, db bun.IDB, interventionID uuid.UUID, checked []int, expectedVersion int, by string, now time.Time) error {
	var i interventions.Intervention
	if err := db.NewSelect().Model(&i).Column("id", "status", "version").Where("id = ?", interventionID).For("UPDATE").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return apperr.NotFoundf("intervention")
		}
		return fmt.Errorf("scheduling: checklist: %w", err)
	}
	if i.Status.IsFinal() {
		return apperr.Conflictf(interventions.ErrFrozen)
	}
	if i.Version != expectedVersion {
		return apperr.Conflictf(interventions.ErrStale)
	}
	items, err := Checklist(ctx, db, interventionID)
	if err != nil {
		return err
	}
	now = now.UTC().Truncate(time.Microsecond)
	for _, it := range items {
		want := slices.Contains(checked, it.Position)
		if want == it.Checked {
			continue
		}
		it.Checked, it.CheckedAt, it.CheckedBy = want, time.Time{}, ""
		if want {
			it.CheckedAt, it.CheckedBy = now, by
		}
		if _, err := db.NewUpdate().Model(it).Column("checked", "checked_at", "checked_by").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("scheduling: tick: %w", err)
		}
	}
	if _, err := db.NewUpdate().Table("interventions").Set("version = version + 1, updated_at = ?", now).
		Where("id = ?", interventionID).Exec(ctx); err != nil {
		return fmt.Errorf("scheduling: checklist version: %w", err)
	}
	return nil
}
