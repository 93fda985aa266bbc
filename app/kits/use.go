package kits

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/interventions"
)

// UseInput is a consumable taken from a kit for an intervention.
type UseInput struct {
	ItemID         uuid.UUID
	InterventionID uuid.UUID
	Quantity       int
	// Billable bills the material to the client on the sheet.
	Billable bool
	// ExpectedVersion is the version of the sheet the page was read at.
	ExpectedVersion int
}

// UseOnSheet takes a consumable from a kit the actor has out and writes it on the intervention's
// sheet as a material line (the line's name, the quantity, its unit price), in the caller's
// transaction: the kit holds that much less, the use is kept in the kit's history, and a line that
// falls under its minimum level goes on the restock list. A line of a kit the actor does not hold
// is a Conflict; a quantity under 1 or above what the kit holds is Invalid "quantity".
func UseOnSheet(ctx context.Context, db bun.IDB, in UseInput, actor audit.Actor, now time.Time) (*Use, *interventions.Intervention, error) {
	now = stamp(now)
	if in.Quantity < 1 || in.Quantity > MaxQuantity {
		return nil, nil, apperr.Fields{"quantity": "kits.error.quantity_use"}.Err()
	}
	var kitID uuid.UUID
	if err := db.NewSelect().Table("kit_items").Column("kit_id").Where("id = ?", in.ItemID).Scan(ctx, &kitID); err != nil {
		return nil, nil, apperr.Fields{"item_id": "kits.error.item_unknown"}.Err()
	}
	if _, err := lockKit(ctx, db, kitID, 0); err != nil {
		return nil, nil, err
	}
	o, err := openOuting(ctx, db, kitID)
	if err != nil {
		return nil, nil, err
	}
	if o == nil || o.TechnicianID != actor.UserID {
		return nil, nil, apperr.Conflictf(ErrNotHolder)
	}
	it, err := lockItem(ctx, db, kitID, in.ItemID)
	if err != nil {
		return nil, nil, err
	}
	if !it.Consumable {
		return nil, nil, apperr.Fields{"item_id": "kits.error.not_consumable"}.Err()
	}
	if in.Quantity > it.OnHand {
		return nil, nil, apperr.Fields{"quantity": "kits.error.not_enough"}.Err()
	}
	m := &interventions.Material{Description: it.Name, QuantityMilli: interventions.Quantity(in.Quantity * 1000),
		UnitPriceCents: it.UnitPriceCents, Billable: in.Billable}
	i, err := interventions.AddMaterial(ctx, db, in.InterventionID, m, in.ExpectedVersion, now)
	if err != nil {
		return nil, nil, err
	}
	it.OnHand -= in.Quantity
	if _, err := db.NewUpdate().Table("kit_items").Set("on_hand = ?", it.OnHand).Where("id = ?", it.ID).Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("kits: use: %w", err)
	}
	u := &Use{ID: uuid.Must(uuid.NewV7()), KitID: kitID, ItemID: uuid.NullUUID{UUID: it.ID, Valid: true}, OutingID: o.ID,
		InterventionID: i.ID, MaterialID: uuid.NullUUID{UUID: m.ID, Valid: true}, Name: it.Name, Quantity: in.Quantity,
		UsedBy: actor.UserID, UsedAt: now, InterventionNumber: i.Number}
	if _, err := db.NewInsert().Model(u).Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("kits: use: %w", err)
	}
	if err := audit.Write(ctx, db, now, actor, audit.Event{Action: audit.KitUsed, TargetType: "kit", TargetID: kitID.String(),
		ClientID: i.ClientID, Details: map[string]any{"item": it.Name, "quantity": in.Quantity,
			"intervention": interventions.Reference(i.Number), "left": it.OnHand}}); err != nil {
		return nil, nil, err
	}
	if st := it.State(); st != StateOK && !it.Reported() {
		if err := report(ctx, db, it, reasonOf(st), actor, now); err != nil {
			return nil, nil, err
		}
	}
	return u, i, nil
}
