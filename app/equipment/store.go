package equipment

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
)

func stamp(now time.Time) time.Time { return now.UTC().Truncate(time.Microsecond) }

func nullID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }

// selectEquipment selects items with their client's name and contract reference.
func selectEquipment(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("e.*").
		ColumnExpr("coalesce(cl.name, '') AS client_name").
		ColumnExpr("coalesce(ct.reference, '') AS contract_reference").
		Join("LEFT JOIN clients AS cl ON cl.id = e.client_id").
		Join("LEFT JOIN contracts AS ct ON ct.id = e.contract_id")
}

// Get returns an item, for staff.
func Get(ctx context.Context, db bun.IDB, id uuid.UUID) (*Equipment, error) {
	return get(ctx, db, id, uuid.Nil)
}

// GetForClient returns an item of one client, for the portal: another client's item (or a stock
// device) is NotFound, exactly like a missing one.
func GetForClient(ctx context.Context, db bun.IDB, clientID, id uuid.UUID) (*Equipment, error) {
	if clientID == uuid.Nil {
		return nil, apperr.NotFoundf("equipment")
	}
	return get(ctx, db, id, clientID)
}

func get(ctx context.Context, db bun.IDB, id, clientID uuid.UUID) (*Equipment, error) {
	e := new(Equipment)
	q := selectEquipment(db, e).Where("e.id = ?", id)
	if clientID != uuid.Nil {
		q = q.Where("e.client_id = ?", clientID)
	}
	if err := q.Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("equipment")
		}
		return nil, fmt.Errorf("equipment: get: %w", err)
	}
	return e, nil
}

// ProposeName returns the provider's name for a new machine of a client installed on day (NameFor
// over the client's names of that day).
func ProposeName(ctx context.Context, db bun.IDB, clientID uuid.UUID, day time.Time) (string, error) {
	var taken []string
	base := Day(day).Format(time.DateOnly)
	err := db.NewSelect().Table("equipment").Column("name").
		Where("coalesce(client_id, ?) = ?", uuid.Nil, clientID).
		Where("lower(name) LIKE ? ESCAPE '\\'", database.EscapeLike(strings.ToLower(base))+"%").
		Limit(1000).Scan(ctx, &taken)
	if err != nil {
		return "", fmt.Errorf("equipment: propose name: %w", err)
	}
	return NameFor(day, taken), nil
}

// checkRefs records in f what is wrong with the client, contract, name and serial of in (exclude is
// the item being edited).
func checkRefs(ctx context.Context, db bun.IDB, in *Input, exclude uuid.UUID, f apperr.Fields) error {
	if in.ClientID != uuid.Nil {
		n, err := db.NewSelect().Table("clients").Where("id = ?", in.ClientID).Count(ctx)
		if err != nil {
			return fmt.Errorf("equipment: check client: %w", err)
		}
		if n == 0 {
			f.Add("client_id", "equipment.error.client_unknown")
			return nil
		}
	}
	if in.ContractID != uuid.Nil {
		n, err := db.NewSelect().Table("contracts").Where("id = ? AND client_id = ?", in.ContractID, in.ClientID).Count(ctx)
		if err != nil {
			return fmt.Errorf("equipment: check contract: %w", err)
		}
		if n == 0 {
			f.Add("contract_id", "equipment.error.contract_unknown")
		}
	}
	same := func(col, v string) (bool, error) {
		n, err := db.NewSelect().Table("equipment").
			Where("coalesce(client_id, ?) = ?", uuid.Nil, in.ClientID).
			Where("lower("+col+") = lower(?)", v).Where("id <> ?", exclude).Count(ctx)
		return n > 0, err
	}
	if in.Name != "" {
		dup, err := same("name", in.Name)
		if err != nil {
			return fmt.Errorf("equipment: check name: %w", err)
		}
		if dup {
			f.Add("name", "equipment.error.name_taken")
		}
	}
	if in.Serial != "" {
		dup, err := same("serial", in.Serial)
		if err != nil {
			return fmt.Errorf("equipment: check serial: %w", err)
		}
		if dup {
			f.Add("serial", "equipment.error.serial_taken")
		}
	}
	return nil
}

// uniqueFields turns a unique violation that slipped past checkRefs (a concurrent insert) into
// the same field error.
func uniqueFields(err error, op string) error {
	if database.IsUniqueViolation(err) {
		if strings.Contains(err.Error(), "serial") {
			return apperr.Fields{"serial": "equipment.error.serial_taken"}.Err()
		}
		return apperr.Fields{"name": "equipment.error.name_taken"}.Err()
	}
	return fmt.Errorf("equipment: %s: %w", op, err)
}

// Create records a new item. An empty name of a machine is the provider's convention (ProposeName
// on the installation date, or on today when none is given); an empty name of another kind is
// required. Bad input is Invalid with the field keys of Input plus client_id, contract_id, name
// (taken) and serial (taken by another item of the client).
func Create(ctx context.Context, db bun.IDB, in Input, now time.Time) (*Equipment, error) {
	now = stamp(now)
	in.Normalize()
	f := apperr.Fields{}
	in.check(f)
	if in.Name == "" {
		if in.Kind.Machine() {
			day := in.InstalledOn
			if day.IsZero() {
				day = Day(now)
			}
			name, err := ProposeName(ctx, db, in.ClientID, day)
			if err != nil {
				return nil, err
			}
			in.Name = name
		} else {
			f.Add("name", "error.required")
		}
	}
	if err := checkRefs(ctx, db, &in, uuid.Nil, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	e := &Equipment{ID: uuid.Must(uuid.NewV7()), CreatedAt: now, Version: 1}
	apply(e, &in, now)
	if _, err := db.NewInsert().Model(e).Exec(ctx); err != nil {
		return nil, uniqueFields(err, "create")
	}
	return Get(ctx, db, e.ID)
}

func apply(e *Equipment, in *Input, now time.Time) {
	e.ClientID, e.Kind, e.Name, e.Make, e.Model, e.Serial = nullID(in.ClientID), in.Kind, in.Name, in.Make, in.Model, in.Serial
	e.Location, e.InstalledOn, e.PurchasedOn, e.WarrantyEndsOn = in.Location, in.InstalledOn, in.PurchasedOn, in.WarrantyEndsOn
	e.ContractID, e.Status, e.Notes, e.Seats, e.LicenceExpiresOn = nullID(in.ContractID), in.Status, in.Notes, in.Seats, in.LicenceExpiresOn
	e.UpdatedAt = now
}

// lock reads an item for update and checks the version the page was read at (expectedVersion 0
// skips the check, for the workshop's own status changes).
func lock(ctx context.Context, db bun.IDB, id uuid.UUID, expectedVersion int) (*Equipment, error) {
	e := new(Equipment)
	if err := db.NewSelect().Model(e).Where("e.id = ?", id).For("NO KEY UPDATE").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("equipment")
		}
		return nil, fmt.Errorf("equipment: lock: %w", err)
	}
	if expectedVersion != 0 && e.Version != expectedVersion {
		return nil, apperr.Conflictf(ErrStale)
	}
	return e, nil
}

// Update changes an item. The owner does not change (in.ClientID is ignored), and the status of a
// machine in the workshop or on loan is the workshop's: it can only be changed there.
func Update(ctx context.Context, db bun.IDB, id uuid.UUID, in Input, expectedVersion int, now time.Time) (*Equipment, error) {
	now = stamp(now)
	e, err := lock(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	in.ClientID = e.ClientID.UUID
	in.Normalize()
	f := apperr.Fields{}
	in.check(f)
	if in.Name == "" {
		f.Add("name", "error.required")
	}
	if e.Status != in.Status && (e.Status.Workshop() || in.Status.Workshop()) {
		f.Add("status", "equipment.error.status_workshop")
	}
	if e.BoxKept() && in.WarrantyEndsOn.IsZero() {
		f.Add("warranty_ends_on", "equipment.error.box_needs_warranty")
	}
	if err := checkRefs(ctx, db, &in, id, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	apply(e, &in, now)
	e.Version++
	if _, err := db.NewUpdate().Model(e).WherePK().ExcludeColumn("id", "created_at").Exec(ctx); err != nil {
		return nil, uniqueFields(err, "update")
	}
	return Get(ctx, db, id)
}

// setStatus changes the status of a locked item (the workshop's moves).
func setStatus(ctx context.Context, db bun.IDB, e *Equipment, s Status, now time.Time) error {
	e.Status, e.UpdatedAt = s, stamp(now)
	e.Version++
	if _, err := db.NewUpdate().Model(e).Column("status", "updated_at", "version").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("equipment: status: %w", err)
	}
	return nil
}

// Filter selects items for a list.
type Filter struct {
	ClientID uuid.UUID
	// Stock lists the provider's own devices only.
	Stock  bool
	Kind   Kind
	Status Status
	Query  string
	// After is the keyset position (the last item of the previous page); empty for the first page.
	After string
	Limit int
}

// List returns a page of items, newest first, and whether there are more (one query).
func List(ctx context.Context, db bun.IDB, f Filter) ([]*Equipment, bool, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var es []*Equipment
	q := selectEquipment(db, &es)
	switch {
	case f.Stock:
		q = q.Where("e.client_id IS NULL")
	case f.ClientID != uuid.Nil:
		q = q.Where("e.client_id = ?", f.ClientID)
	}
	if f.Kind.Valid() {
		q = q.Where("e.kind = ?", f.Kind)
	}
	if f.Status.Valid() {
		q = q.Where("e.status = ?", f.Status)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + database.EscapeLike(strings.ToLower(s)) + "%"
		q = q.Where("(lower(e.name) LIKE ? OR lower(e.make || ' ' || e.model) LIKE ? OR lower(e.serial) LIKE ? OR lower(e.location) LIKE ?)",
			like, like, like, like)
	}
	if at, id, ok := database.ParseCursor(f.After); ok {
		q = q.Where("(e.created_at, e.id) < (?, ?)", at, id)
	}
	if err := q.OrderExpr("e.created_at DESC, e.id DESC").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("equipment: list: %w", err)
	}
	more := len(es) > f.Limit
	if more {
		es = es[:f.Limit]
	}
	return es, more, nil
}

// Options returns a client's items that are not retired, by name, for a picker (at most 500).
func Options(ctx context.Context, db bun.IDB, clientID uuid.UUID) ([]*Equipment, error) {
	var es []*Equipment
	if clientID == uuid.Nil {
		return nil, nil
	}
	err := selectEquipment(db, &es).Where("e.client_id = ? AND e.status <> ?", clientID, StatusRetired).
		OrderExpr("lower(e.name), e.id").Limit(500).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("equipment: options: %w", err)
	}
	return es, nil
}

// Available returns the provider's loan devices in stock (not lent), by name.
func Available(ctx context.Context, db bun.IDB) ([]*Equipment, error) {
	var es []*Equipment
	err := selectEquipment(db, &es).Where("e.client_id IS NULL AND e.status = ?", StatusInStock).
		OrderExpr("lower(e.name), e.id").Limit(500).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("equipment: available: %w", err)
	}
	return es, nil
}
