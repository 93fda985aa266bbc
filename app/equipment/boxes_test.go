package equipment_test

import (
	"context"
	"testing"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/equipment"
)

// TestWarrantyBoxes: a box is kept only for an item with a warranty end; the list is sorted by
// warranty end; a box can be thrown away once the warranty has ended, not before.
func TestWarrantyBoxes(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	db := f.db.Bun
	actor := audit.Actor{UserID: f.tech.ID, Label: f.tech.Email}
	today := day("2026-12-02")
	mk := func(name, warranty string) *equipment.Equipment {
		in := equipment.Input{ClientID: f.client, Kind: equipment.KindLaptop, Name: name}
		if warranty != "" {
			in.WarrantyEndsOn = day(warranty)
		}
		return f.create(t, in)
	}
	ended, soon, later, none := mk("Ancien", "2026-10-01"), mk("Bientôt", "2026-12-20"), mk("Récent", "2029-05-01"), mk("Sans garantie", "")

	_, err := equipment.SetBox(ctx, db, none.ID, "Grenier", none.Version, actor, now)
	fieldOf(t, err, "box_location", "equipment.error.box_needs_warranty")
	_, err = equipment.SetBox(ctx, db, later.ID, "Grenier", later.Version+1, actor, now)
	if apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("stale box: %v", err)
	}
	for _, e := range []*equipment.Equipment{later, ended, soon} {
		if _, err := equipment.SetBox(ctx, db, e.ID, "Grenier, étagère "+e.Name, e.Version, actor, now); err != nil {
			t.Fatal(err)
		}
	}
	boxes, _, err := equipment.Boxes(ctx, db, equipment.BoxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(boxes) != 3 || boxes[0].Name != "Ancien" || boxes[1].Name != "Bientôt" || boxes[2].Name != "Récent" {
		t.Fatalf("boxes by warranty end: %v", names(boxes))
	}
	page, more, _ := equipment.Boxes(ctx, db, equipment.BoxFilter{Limit: 2})
	rest, _, _ := equipment.Boxes(ctx, db, equipment.BoxFilter{Limit: 2, After: equipment.BoxCursor(page[1])})
	if !more || len(rest) != 1 || rest[0].Name != "Récent" {
		t.Fatalf("pages: %v then %v", names(page), names(rest))
	}
	if n, _ := equipment.DisposableBoxes(ctx, db, today); n != 1 || !boxes[0].BoxDisposable(today) || boxes[1].BoxDisposable(today) {
		t.Fatalf("disposable: %d", n)
	}
	// The warranty cannot be cleared while the box is kept.
	_, err = equipment.Update(ctx, db, later.ID, equipment.Input{Kind: equipment.KindLaptop, Name: "Récent"}, boxes[2].Version, now)
	fieldOf(t, err, "warranty_ends_on", "equipment.error.box_needs_warranty")

	// Thrown away: only once the warranty has ended.
	_, err = equipment.DiscardBox(ctx, db, soon.ID, boxes[1].Version, actor, now, today)
	if apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("discarded a box under warranty: %v", err)
	}
	e, err := equipment.DiscardBox(ctx, db, ended.ID, boxes[0].Version, actor, now, today)
	if err != nil {
		t.Fatal(err)
	}
	if e.BoxKept() || e.BoxDiscardedAt.IsZero() || e.BoxLocation == "" {
		t.Fatalf("discarded: %+v", e)
	}
	if _, err := equipment.DiscardBox(ctx, db, ended.ID, e.Version, actor, now, today); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("discarded twice: %v", err)
	}
	if boxes, _, _ := equipment.Boxes(ctx, db, equipment.BoxFilter{}); len(boxes) != 2 {
		t.Fatalf("after discarding: %v", names(boxes))
	}
	for action, want := range map[string]int{audit.BoxStored: 3, audit.BoxDiscarded: 1} {
		n, _ := db.NewSelect().Table("audit_log").Where("action = ?", action).Count(ctx)
		if int(n) != want {
			t.Errorf("%s: %d entries, want %d", action, n, want)
		}
	}
}

func names(es []*equipment.Equipment) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}
