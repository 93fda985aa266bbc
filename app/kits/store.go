package kits

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/database"
)

func stamp(now time.Time) time.Time { return now.UTC().Truncate(time.Microsecond) }

// selectKits selects kits with where they are and how complete they are.
func selectKits(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("k.*").
		ColumnExpr("o.id AS outing_id, o.technician_id AS holder_id, o.taken_at, coalesce(u.name, '') AS holder_name").
		ColumnExpr("(SELECT count(*) FROM kit_items AS ki WHERE ki.kit_id = k.id) AS lines").
		ColumnExpr(`(SELECT count(*) FROM kit_items AS ki WHERE ki.kit_id = k.id AND (ki.on_hand = 0
			OR (NOT ki.consumable AND ki.on_hand < ki.quantity) OR (ki.consumable AND ki.on_hand < ki.min_level))) AS short_lines`).
		ColumnExpr("(SELECT count(*) FROM kit_restocks AS r WHERE r.kit_id = k.id AND r.restocked_at IS NULL) AS open_restocks").
		Join("LEFT JOIN kit_outings AS o ON o.kit_id = k.id AND o.returned_at IS NULL").
		Join("LEFT JOIN users AS u ON u.id = o.technician_id")
}

// Get returns a kit with where it is.
func Get(ctx context.Context, db bun.IDB, id uuid.UUID) (*Kit, error) {
	k := new(Kit)
	if err := selectKits(db, k).Where("k.id = ?", id).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("kit")
		}
		return nil, fmt.Errorf("kits: get: %w", err)
	}
	return k, nil
}

// Items returns a kit's content list in order, each line with its open restock request.
func Items(ctx context.Context, db bun.IDB, kitID uuid.UUID) ([]*Item, error) {
	var its []*Item
	err := db.NewSelect().Model(&its).ColumnExpr("ki.*").
		ColumnExpr("r.id AS restock_id, r.reason AS restock_reason, r.reported_at AS restock_at, coalesce(u.name, '') AS restock_by_name").
		Join("LEFT JOIN kit_restocks AS r ON r.item_id = ki.id AND r.restocked_at IS NULL").
		Join("LEFT JOIN users AS u ON u.id = r.reported_by").
		Where("ki.kit_id = ?", kitID).OrderExpr("ki.position, ki.id").Limit(MaxItems).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("kits: items: %w", err)
	}
	return its, nil
}

// Filter selects kits for the list.
type Filter struct {
	// After is the id of the last kit of the previous page (kits are listed by name).
	After uuid.UUID
	Limit int
}

// List returns a page of kits by name, and whether there are more (one query).
func List(ctx context.Context, db bun.IDB, f Filter) ([]*Kit, bool, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var ks []*Kit
	q := selectKits(db, &ks)
	if f.After != uuid.Nil {
		q = q.Where("(lower(k.name), k.id) > (SELECT lower(name), id FROM kits WHERE id = ?)", f.After)
	}
	if err := q.OrderExpr("lower(k.name), k.id").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("kits: list: %w", err)
	}
	more := len(ks) > f.Limit
	if more {
		ks = ks[:f.Limit]
	}
	return ks, more, nil
}

// nameTaken tells whether another kit has this name (compared without case).
func nameTaken(ctx context.Context, db bun.IDB, name string, exclude uuid.UUID) (bool, error) {
	n, err := db.NewSelect().Table("kits").Where("lower(name) = lower(?) AND id <> ?", name, exclude).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("kits: check name: %w", err)
	}
	return n > 0, nil
}

// Create records a new kit with its content list, every line full.
func Create(ctx context.Context, db bun.IDB, in Input, actor audit.Actor, now time.Time) (*Kit, error) {
	now = stamp(now)
	in.normalize()
	f := apperr.Fields{}
	in.check(f)
	for n, it := range in.Items {
		if it.ID != uuid.Nil {
			f.Add(fmt.Sprintf("items.%d.name", n), "kits.error.item_unknown")
		}
	}
	if in.Name != "" {
		taken, err := nameTaken(ctx, db, in.Name, uuid.Nil)
		if err != nil {
			return nil, err
		}
		if taken {
			f.Add("name", "kits.error.name_taken")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	k := &Kit{ID: uuid.Must(uuid.NewV7()), Name: in.Name, Description: in.Description, CreatedAt: now, UpdatedAt: now, Version: 1}
	if _, err := db.NewInsert().Model(k).Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return nil, apperr.Fields{"name": "kits.error.name_taken"}.Err()
		}
		return nil, fmt.Errorf("kits: create: %w", err)
	}
	if err := saveItems(ctx, db, k.ID, nil, in.Items, now); err != nil {
		return nil, err
	}
	if err := audit.Write(ctx, db, now, actor, audit.Event{Action: audit.KitCreated, TargetType: "kit", TargetID: k.ID.String(),
		Details: map[string]any{"name": k.Name, "lines": countKept(in.Items)}}); err != nil {
		return nil, err
	}
	return Get(ctx, db, k.ID)
}

func countKept(items []ItemInput) int {
	n := 0
	for _, it := range items {
		if !it.Remove && !it.blank() {
			n++
		}
	}
	return n
}

// lockKit reads a kit for update and checks the version the page was read at (0 skips the check).
func lockKit(ctx context.Context, db bun.IDB, id uuid.UUID, expectedVersion int) (*Kit, error) {
	k := new(Kit)
	if err := db.NewSelect().Model(k).Column("k.*").Where("k.id = ?", id).For("NO KEY UPDATE").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("kit")
		}
		return nil, fmt.Errorf("kits: lock: %w", err)
	}
	if expectedVersion != 0 && k.Version != expectedVersion {
		return nil, apperr.Conflictf(ErrStale)
	}
	return k, nil
}

// Update changes a kit's name, description and content list. A line's new quantity changes what
// the kit holds by the same amount (the manager adds or takes out the difference); new lines are
// full; removed lines leave the kit and the restock list.
func Update(ctx context.Context, db bun.IDB, id uuid.UUID, in Input, expectedVersion int, actor audit.Actor, now time.Time) (*Kit, error) {
	now = stamp(now)
	k, err := lockKit(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	in.normalize()
	f := apperr.Fields{}
	in.check(f)
	var old []*Item
	if err := db.NewSelect().Model(&old).Where("ki.kit_id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("kits: update: %w", err)
	}
	byID := map[uuid.UUID]*Item{}
	for _, it := range old {
		byID[it.ID] = it
	}
	for n, it := range in.Items {
		if it.ID != uuid.Nil && byID[it.ID] == nil {
			f.Add(fmt.Sprintf("items.%d.name", n), "kits.error.item_unknown")
		}
	}
	if in.Name != "" {
		taken, err := nameTaken(ctx, db, in.Name, id)
		if err != nil {
			return nil, err
		}
		if taken {
			f.Add("name", "kits.error.name_taken")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	k.Name, k.Description, k.UpdatedAt = in.Name, in.Description, now
	k.Version++
	if _, err := db.NewUpdate().Model(k).Column("name", "description", "updated_at", "version").WherePK().Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return nil, apperr.Fields{"name": "kits.error.name_taken"}.Err()
		}
		return nil, fmt.Errorf("kits: update: %w", err)
	}
	if err := saveItems(ctx, db, id, byID, in.Items, now); err != nil {
		return nil, err
	}
	if err := audit.Write(ctx, db, now, actor, audit.Event{Action: audit.KitUpdated, TargetType: "kit", TargetID: id.String(),
		Details: map[string]any{"name": k.Name, "lines": countKept(in.Items)}}); err != nil {
		return nil, err
	}
	return Get(ctx, db, id)
}

// saveItems writes the content list: removed lines are deleted, the others updated or inserted in
// the order given. Names move through a placeholder first so that two lines may swap names.
func saveItems(ctx context.Context, db bun.IDB, kitID uuid.UUID, old map[uuid.UUID]*Item, items []ItemInput, now time.Time) error {
	for _, it := range items {
		if it.Remove && it.ID != uuid.Nil {
			if _, err := db.NewDelete().Table("kit_items").Where("id = ? AND kit_id = ?", it.ID, kitID).Exec(ctx); err != nil {
				return fmt.Errorf("kits: remove line: %w", err)
			}
		}
	}
	if _, err := db.NewUpdate().Table("kit_items").Set("name = id::text").Where("kit_id = ?", kitID).Exec(ctx); err != nil {
		return fmt.Errorf("kits: lines: %w", err)
	}
	pos := 0
	for _, it := range items {
		if it.Remove || it.blank() {
			continue
		}
		if prev := old[it.ID]; prev != nil {
			onHand := max(0, min(MaxQuantity, prev.OnHand+it.Quantity-prev.Quantity))
			if _, err := db.NewUpdate().Table("kit_items").
				Set("position = ?, name = ?, quantity = ?, on_hand = ?, consumable = ?, min_level = ?, unit_price_cents = ?",
					pos, it.Name, it.Quantity, onHand, it.Consumable, it.MinLevel, it.UnitPriceCents).
				Where("id = ?", it.ID).Exec(ctx); err != nil {
				return fmt.Errorf("kits: update line: %w", err)
			}
		} else {
			row := &Item{ID: uuid.Must(uuid.NewV7()), KitID: kitID, Position: pos, Name: it.Name, Quantity: it.Quantity,
				OnHand: it.Quantity, Consumable: it.Consumable, MinLevel: it.MinLevel, UnitPriceCents: it.UnitPriceCents, CreatedAt: now}
			if _, err := db.NewInsert().Model(row).Exec(ctx); err != nil {
				return fmt.Errorf("kits: add line: %w", err)
			}
		}
		pos++
	}
	// A line now full needs no restock any more.
	if _, err := db.NewDelete().Table("kit_restocks").
		Where("kit_id = ? AND restocked_at IS NULL", kitID).
		Where("item_id IN (SELECT id FROM kit_items WHERE kit_id = ? AND on_hand >= quantity)", kitID).Exec(ctx); err != nil {
		return fmt.Errorf("kits: lines: %w", err)
	}
	return nil
}

// openOuting returns the kit's current outing, or nil.
func openOuting(ctx context.Context, db bun.IDB, kitID uuid.UUID) (*Outing, error) {
	o := new(Outing)
	if err := db.NewSelect().Model(o).Column("o.*").Where("o.kit_id = ? AND o.returned_at IS NULL", kitID).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("kits: outing: %w", err)
	}
	return o, nil
}

// Take records that the actor takes the kit out. A kit already out is a Conflict.
func Take(ctx context.Context, db bun.IDB, kitID uuid.UUID, actor audit.Actor, now time.Time) (*Outing, error) {
	now = stamp(now)
	k, err := lockKit(ctx, db, kitID, 0)
	if err != nil {
		return nil, err
	}
	if o, err := openOuting(ctx, db, kitID); err != nil {
		return nil, err
	} else if o != nil {
		return nil, apperr.Conflictf(ErrOut)
	}
	o := &Outing{ID: uuid.Must(uuid.NewV7()), KitID: kitID, TechnicianID: actor.UserID, TakenAt: now}
	if _, err := db.NewInsert().Model(o).Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return nil, apperr.Conflictf(ErrOut)
		}
		return nil, fmt.Errorf("kits: take: %w", err)
	}
	return o, audit.Write(ctx, db, now, actor, audit.Event{Action: audit.KitTaken, TargetType: "kit", TargetID: kitID.String(),
		Details: map[string]any{"name": k.Name}})
}

// Return records the kit's return by the actor with the check of its content list: present holds
// the count found of every line, by line id (a line left out is Invalid "present.<id>", as is a
// count under 0 or above the limit). What the kit holds becomes what was found; the lines then
// missing or low are put on the restock list (unless they already are), reported by the actor.
// A kit that is not out is a Conflict.
func Return(ctx context.Context, db bun.IDB, kitID uuid.UUID, present map[uuid.UUID]int, actor audit.Actor, now time.Time) (*Outing, error) {
	now = stamp(now)
	k, err := lockKit(ctx, db, kitID, 0)
	if err != nil {
		return nil, err
	}
	o, err := openOuting(ctx, db, kitID)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, apperr.Conflictf(ErrNotOut)
	}
	items, err := Items(ctx, db, kitID)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	for _, it := range items {
		n, ok := present[it.ID]
		switch {
		case !ok:
			f.Add("present."+it.ID.String(), "error.required")
		case n < 0 || n > MaxQuantity:
			f.Add("present."+it.ID.String(), "kits.error.quantity")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if o.TakenAt.After(now) {
		now = o.TakenAt
	}
	var checks []*Check
	var short []string
	for n, it := range items {
		got := present[it.ID]
		checks = append(checks, &Check{OutingID: o.ID, Position: n, ItemID: uuid.NullUUID{UUID: it.ID, Valid: true},
			Name: it.Name, Quantity: it.Quantity, Present: got})
		if _, err := db.NewUpdate().Table("kit_items").Set("on_hand = ?", got).Where("id = ?", it.ID).Exec(ctx); err != nil {
			return nil, fmt.Errorf("kits: return: %w", err)
		}
		it.OnHand = got
		if st := it.State(); st != StateOK {
			short = append(short, it.Name)
			if !it.Reported() {
				if err := report(ctx, db, it, reasonOf(st), actor, now); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(checks) > 0 {
		if _, err := db.NewInsert().Model(&checks).Exec(ctx); err != nil {
			return nil, fmt.Errorf("kits: return check: %w", err)
		}
	}
	o.ReturnedAt, o.ReturnedBy, o.ShortLines = now, uuid.NullUUID{UUID: actor.UserID, Valid: true}, len(short)
	if _, err := db.NewUpdate().Model(o).Column("returned_at", "returned_by", "short_lines").WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("kits: return: %w", err)
	}
	details := map[string]any{"name": k.Name, "outing": o.ID.String(), "short": short}
	return o, audit.Write(ctx, db, now, actor, audit.Event{Action: audit.KitReturned, TargetType: "kit", TargetID: kitID.String(), Details: details})
}

func reasonOf(s State) Reason {
	if s == StateMissing {
		return ReasonMissing
	}
	return ReasonLow
}

// report puts a line on the restock list and audits it.
func report(ctx context.Context, db bun.IDB, it *Item, reason Reason, actor audit.Actor, now time.Time) error {
	r := &Restock{ID: uuid.Must(uuid.NewV7()), KitID: it.KitID, ItemID: it.ID, Reason: reason, OnHand: it.OnHand,
		ReportedBy: actor.UserID, ReportedAt: now}
	if _, err := db.NewInsert().Model(r).Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return apperr.Conflictf(ErrReported)
		}
		return fmt.Errorf("kits: report: %w", err)
	}
	it.RestockID = uuid.NullUUID{UUID: r.ID, Valid: true}
	return audit.Write(ctx, db, now, actor, audit.Event{Action: audit.KitItemReported, TargetType: "kit", TargetID: it.KitID.String(),
		Details: map[string]any{"item": it.Name, "reason": string(reason), "on_hand": it.OnHand}})
}

// lockItem reads a line of a kit for update (NotFound when it is not of that kit).
func lockItem(ctx context.Context, db bun.IDB, kitID, itemID uuid.UUID) (*Item, error) {
	it := new(Item)
	err := db.NewSelect().Model(it).ColumnExpr("ki.*").
		ColumnExpr("(SELECT r.id FROM kit_restocks AS r WHERE r.item_id = ki.id AND r.restocked_at IS NULL) AS restock_id").
		Where("ki.id = ? AND ki.kit_id = ?", itemID, kitID).For("NO KEY UPDATE OF ki").Scan(ctx)
	if err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("kit item")
		}
		return nil, fmt.Errorf("kits: lock line: %w", err)
	}
	return it, nil
}

// Report puts a line on the restock list in one click, reported by the actor: a tool as missing (one
// less in the kit, if it counted them all), a consumable as running low (missing when none is
// left). A line already on the list is a Conflict.
func Report(ctx context.Context, db bun.IDB, kitID, itemID uuid.UUID, actor audit.Actor, now time.Time) (*Item, error) {
	now = stamp(now)
	if _, err := lockKit(ctx, db, kitID, 0); err != nil {
		return nil, err
	}
	it, err := lockItem(ctx, db, kitID, itemID)
	if err != nil {
		return nil, err
	}
	if it.Reported() {
		return nil, apperr.Conflictf(ErrReported)
	}
	reason := ReasonMissing
	if it.Consumable && it.OnHand > 0 {
		reason = ReasonLow
	}
	if reason == ReasonMissing && it.OnHand >= it.Quantity {
		// A tool reported missing: at least one is not in the kit (the return check counts them).
		it.OnHand = it.Quantity - 1
		if _, err := db.NewUpdate().Table("kit_items").Set("on_hand = ?", it.OnHand).Where("id = ?", it.ID).Exec(ctx); err != nil {
			return nil, fmt.Errorf("kits: report: %w", err)
		}
	}
	return it, report(ctx, db, it, reason, actor, now)
}

// RestockItem fills a line again (what the kit holds becomes its full quantity) and closes its restock
// request, by the actor (the manager). A full line with no request is a Conflict.
func RestockItem(ctx context.Context, db bun.IDB, kitID, itemID uuid.UUID, actor audit.Actor, now time.Time) (*Item, error) {
	now = stamp(now)
	if _, err := lockKit(ctx, db, kitID, 0); err != nil {
		return nil, err
	}
	it, err := lockItem(ctx, db, kitID, itemID)
	if err != nil {
		return nil, err
	}
	if !it.Reported() && it.OnHand >= it.Quantity {
		return nil, apperr.Conflictf(ErrFull)
	}
	before := it.OnHand
	if _, err := db.NewUpdate().Table("kit_items").Set("on_hand = quantity").Where("id = ?", it.ID).Exec(ctx); err != nil {
		return nil, fmt.Errorf("kits: restock: %w", err)
	}
	if _, err := db.NewUpdate().Table("kit_restocks").Set("restocked_at = ?, restocked_by = ?", now, actor.UserID).
		Where("item_id = ? AND restocked_at IS NULL", it.ID).Exec(ctx); err != nil {
		return nil, fmt.Errorf("kits: restock: %w", err)
	}
	it.OnHand, it.RestockID = it.Quantity, uuid.NullUUID{}
	return it, audit.Write(ctx, db, now, actor, audit.Event{Action: audit.KitRestocked, TargetType: "kit", TargetID: kitID.String(),
		Details: map[string]any{"item": it.Name, "from": before, "to": it.Quantity}})
}

// RestockFilter selects open restock requests.
type RestockFilter struct {
	KitID uuid.UUID
	// After is the keyset position: the last request of the previous page (database.Cursor).
	After string
	Limit int
}

// RestockList returns the open restock requests, oldest report first, and whether there are more.
func RestockList(ctx context.Context, db bun.IDB, f RestockFilter) ([]*Restock, bool, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var rs []*Restock
	q := db.NewSelect().Model(&rs).ColumnExpr("r.*").
		ColumnExpr("k.name AS kit_name, ki.name AS item_name, ki.quantity, ki.on_hand AS current, ki.consumable, coalesce(u.name, '') AS reporter_name").
		Join("JOIN kits AS k ON k.id = r.kit_id").
		Join("JOIN kit_items AS ki ON ki.id = r.item_id").
		Join("LEFT JOIN users AS u ON u.id = r.reported_by").
		Where("r.restocked_at IS NULL")
	if f.KitID != uuid.Nil {
		q = q.Where("r.kit_id = ?", f.KitID)
	}
	if at, id, ok := database.ParseCursor(f.After); ok {
		q = q.Where("(r.reported_at, r.id) > (?, ?)", at, id)
	}
	if err := q.OrderExpr("r.reported_at, r.id").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("kits: restock list: %w", err)
	}
	more := len(rs) > f.Limit
	if more {
		rs = rs[:f.Limit]
	}
	return rs, more, nil
}

// History returns a page of a kit's outings, newest first (keyset after, a database.Cursor), each
// with the lines short at its return check and the consumables used, in three queries.
func History(ctx context.Context, db bun.IDB, kitID uuid.UUID, after string, limit int) ([]*Outing, bool, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	var os []*Outing
	q := db.NewSelect().Model(&os).ColumnExpr("o.*").
		ColumnExpr("coalesce(t.name, '') AS technician_name, coalesce(rb.name, '') AS returned_by_name").
		Join("LEFT JOIN users AS t ON t.id = o.technician_id").
		Join("LEFT JOIN users AS rb ON rb.id = o.returned_by").
		Where("o.kit_id = ?", kitID)
	if at, id, ok := database.ParseCursor(after); ok {
		q = q.Where("(o.taken_at, o.id) < (?, ?)", at, id)
	}
	if err := q.OrderExpr("o.taken_at DESC, o.id DESC").Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("kits: history: %w", err)
	}
	more := len(os) > limit
	if more {
		os = os[:limit]
	}
	if len(os) == 0 {
		return os, false, nil
	}
	ids := make([]uuid.UUID, 0, len(os))
	byID := map[uuid.UUID]*Outing{}
	for _, o := range os {
		ids = append(ids, o.ID)
		byID[o.ID] = o
	}
	var checks []Check
	if err := db.NewSelect().Model(&checks).Where("kc.outing_id IN (?)", bun.List(ids)).
		Where("kc.present < kc.quantity").OrderExpr("kc.outing_id, kc.position").Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("kits: history checks: %w", err)
	}
	for _, c := range checks {
		byID[c.OutingID].Short = append(byID[c.OutingID].Short, c)
	}
	var uses []*Use
	if err := db.NewSelect().Model(&uses).ColumnExpr("ku.*").ColumnExpr("i.number AS intervention_number").
		Join("JOIN interventions AS i ON i.id = ku.intervention_id").
		Where("ku.outing_id IN (?)", bun.List(ids)).OrderExpr("ku.used_at, ku.id").Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("kits: history uses: %w", err)
	}
	for _, u := range uses {
		byID[u.OutingID].Uses = append(byID[u.OutingID].Uses, u)
	}
	return os, more, nil
}

// OutingCursor is the keyset position of an outing in the history.
func OutingCursor(o *Outing) string { return database.Cursor(o.TakenAt, o.ID) }

// HeldItem is a consumable in a kit a technician has out, for the intervention sheet's picker.
type HeldItem struct {
	ID             uuid.UUID `bun:"id,type:uuid"`
	KitID          uuid.UUID `bun:"kit_id,type:uuid"`
	KitName        string    `bun:"kit_name"`
	Name           string    `bun:"name"`
	OnHand         int       `bun:"on_hand"`
	UnitPriceCents int64     `bun:"unit_price_cents"`
}

// Held returns the consumables left in the kits the technician has out, by kit and line, and
// whether the technician has any kit out at all.
func Held(ctx context.Context, db bun.IDB, technicianID uuid.UUID) ([]HeldItem, bool, error) {
	kits, err := db.NewSelect().Table("kit_outings").Where("technician_id = ? AND returned_at IS NULL", technicianID).Count(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("kits: held: %w", err)
	}
	if kits == 0 {
		return nil, false, nil
	}
	var out []HeldItem
	err = db.NewRaw(`SELECT ki.id, ki.kit_id, k.name AS kit_name, ki.name, ki.on_hand, ki.unit_price_cents
		FROM kit_items AS ki JOIN kits AS k ON k.id = ki.kit_id
		JOIN kit_outings AS o ON o.kit_id = k.id AND o.returned_at IS NULL
		WHERE o.technician_id = ? AND ki.consumable AND ki.on_hand > 0
		ORDER BY lower(k.name), k.id, ki.position LIMIT 500`, technicianID).Scan(ctx, &out)
	if err != nil {
		return nil, false, fmt.Errorf("kits: held: %w", err)
	}
	return out, true, nil
}
