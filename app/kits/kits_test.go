package kits_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/kits"
	"maintenant/app/testutil"
)

var now = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

type fixture struct {
	db            *database.DB
	client        uuid.UUID
	karim, lea    audit.Actor
	manager       audit.Actor
	ctx           context.Context
	kit           *kits.Kit
	items         map[string]*kits.Item
	tournevis     uuid.UUID
	rj45, colsons uuid.UUID
}

func setup(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{db: testutil.DB(t), ctx: context.Background()}
	c := &clients.Client{Name: "Cabinet Durand"}
	if err := clients.Create(f.ctx, f.db.Bun, c, now); err != nil {
		t.Fatal(err)
	}
	f.client = c.ID
	staff := func(email, name string, role accounts.Role) audit.Actor {
		u := &accounts.User{Kind: accounts.Staff, Role: role, Email: email, Name: name, Active: true}
		if err := accounts.CreateUser(f.ctx, f.db.Bun, u, now); err != nil {
			t.Fatal(err)
		}
		return audit.Actor{UserID: u.ID, Label: email}
	}
	f.karim = staff("karim@example.fr", "Karim", accounts.Technician)
	f.lea = staff("lea@example.fr", "Léa", accounts.Technician)
	f.manager = staff("sophie@example.fr", "Sophie", accounts.Manager)
	k, err := kits.Create(f.ctx, f.db.Bun, kits.Input{Name: "Valise réseau", Items: []kits.ItemInput{
		{Name: "Tournevis", Quantity: 1},
		{Name: "Connecteur RJ45", Quantity: 20, Consumable: true, MinLevel: 10, UnitPriceCents: 50},
		{Name: "Colliers", Quantity: 2, Consumable: true, MinLevel: 1, UnitPriceCents: 250},
		{}, // a spare row left empty
	}}, f.manager, now)
	if err != nil {
		t.Fatal(err)
	}
	f.kit = k
	f.reload(t)
	f.tournevis, f.rj45, f.colsons = f.items["Tournevis"].ID, f.items["Connecteur RJ45"].ID, f.items["Colliers"].ID
	return f
}

func (f *fixture) reload(t *testing.T) {
	t.Helper()
	its, err := kits.Items(f.ctx, f.db.Bun, f.kit.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.items = map[string]*kits.Item{}
	for _, it := range its {
		f.items[it.Name] = it
	}
}

func (f *fixture) get(t *testing.T) *kits.Kit {
	t.Helper()
	k, err := kits.Get(f.ctx, f.db.Bun, f.kit.ID)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func kindOf(t *testing.T, err error, want apperr.Kind) {
	t.Helper()
	if got := apperr.KindOf(err); got != want {
		t.Fatalf("kind %v, want %v (err %v)", got, want, err)
	}
}

func fieldOf(t *testing.T, err error, field, want string) {
	t.Helper()
	if got := apperr.FieldsOf(err)[field]; got != want {
		t.Fatalf("field %s = %q, want %q (err %v)", field, got, want, err)
	}
}

func auditCount(t *testing.T, db *database.DB, action string) int {
	t.Helper()
	n, err := db.Bun.NewSelect().Table("audit_log").Where("action = ?", action).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestContentListValidation(t *testing.T) {
	f := setup(t)
	if f.kit.Lines != 3 || f.kit.Incomplete() || f.kit.Out() {
		t.Fatalf("new kit: %+v", f.kit)
	}
	if it := f.items["Tournevis"]; it.OnHand != 1 || it.MinLevel != 1 || it.State() != kits.StateOK {
		t.Fatalf("a new line is full, a tool's minimum is its quantity: %+v", it)
	}
	for _, c := range []struct {
		name, field, want string
		in                kits.Input
	}{
		{"no name", "name", "error.required", kits.Input{Items: []kits.ItemInput{{Name: "x", Quantity: 1}}}},
		{"name taken", "name", "kits.error.name_taken", kits.Input{Name: "VALISE RÉSEAU", Items: []kits.ItemInput{{Name: "x", Quantity: 1}}}},
		{"no items", "items", "kits.error.no_items", kits.Input{Name: "Vide", Items: []kits.ItemInput{{}}}},
		{"negative quantity", "items.0.quantity", "kits.error.quantity_line", kits.Input{Name: "A", Items: []kits.ItemInput{{Name: "x", Quantity: -2}}}},
		{"minimum above quantity", "items.0.min_level", "kits.error.min_level", kits.Input{Name: "A", Items: []kits.ItemInput{{Name: "x", Quantity: 2, Consumable: true, MinLevel: 3}}}},
		{"negative minimum", "items.0.min_level", "kits.error.min_level", kits.Input{Name: "A", Items: []kits.ItemInput{{Name: "x", Quantity: 2, Consumable: true, MinLevel: -1}}}},
		{"negative price", "items.0.unit_price", "kits.error.unit_price", kits.Input{Name: "A", Items: []kits.ItemInput{{Name: "x", Quantity: 2, UnitPriceCents: -5}}}},
		{"twice", "items.1.name", "kits.error.item_twice", kits.Input{Name: "A", Items: []kits.ItemInput{{Name: "Câble", Quantity: 1}, {Name: "câble", Quantity: 1}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := kits.Create(f.ctx, f.db.Bun, c.in, f.manager, now)
			fieldOf(t, err, c.field, c.want)
		})
	}
	if n, _ := f.db.Bun.NewSelect().Table("kits").Count(f.ctx); n != 1 {
		t.Fatalf("%d kits after refusals", n)
	}

	// Edit: more connectors means as many more in the kit; a removed line leaves it; a new one is full.
	in := kits.Input{Name: "Valise réseau", Items: []kits.ItemInput{
		{ID: f.rj45, Name: "Connecteur RJ45", Quantity: 30, Consumable: true, MinLevel: 10, UnitPriceCents: 50},
		{ID: f.tournevis, Name: "Tournevis", Remove: true},
		{ID: f.colsons, Name: "Colliers", Quantity: 2, Consumable: true, MinLevel: 1},
		{Name: "Testeur", Quantity: 1},
	}}
	if _, err := kits.Update(f.ctx, f.db.Bun, f.kit.ID, in, f.kit.Version+1, f.manager, now); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("stale edit: %v", err)
	}
	k, err := kits.Update(f.ctx, f.db.Bun, f.kit.ID, in, f.kit.Version, f.manager, now)
	if err != nil {
		t.Fatal(err)
	}
	f.reload(t)
	if k.Lines != 3 || f.items["Tournevis"] != nil || f.items["Connecteur RJ45"].OnHand != 30 || f.items["Testeur"].OnHand != 1 ||
		f.items["Connecteur RJ45"].Position != 0 || f.items["Testeur"].Position != 2 {
		t.Fatalf("after edit: %+v %+v", k, f.items)
	}
	if got := auditCount(t, f.db, audit.KitUpdated); got != 1 {
		t.Fatalf("%d kit.updated entries", got)
	}
}

func TestTakeReportReturnRestock(t *testing.T) {
	f := setup(t)
	ctx, db := f.ctx, f.db.Bun
	if _, err := kits.Return(ctx, db, f.kit.ID, nil, f.karim, now); err == nil {
		t.Fatal("returned a kit that is not out")
	} else {
		kindOf(t, err, apperr.Conflict)
	}
	if _, err := kits.Take(ctx, db, f.kit.ID, f.karim, now); err != nil {
		t.Fatal(err)
	}
	_, err := kits.Take(ctx, db, f.kit.ID, f.lea, now)
	kindOf(t, err, apperr.Conflict)
	if k := f.get(t); !k.Out() || k.HolderName != "Karim" {
		t.Fatalf("out: %+v", k)
	}

	// One click reports the screwdriver missing; twice is a conflict.
	if _, err := kits.Report(ctx, db, f.kit.ID, f.tournevis, f.karim, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, err = kits.Report(ctx, db, f.kit.ID, f.tournevis, f.lea, now.Add(time.Hour))
	kindOf(t, err, apperr.Conflict)
	if _, err := kits.Report(ctx, db, uuid.Must(uuid.NewV7()), f.tournevis, f.karim, now); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("report in an unknown kit: %v", err)
	}
	if k := f.get(t); !k.Incomplete() {
		t.Fatal("a kit with a reported item is not incomplete")
	}

	// A negative count or a line left out refuses the return, and nothing changes.
	bad := map[uuid.UUID]int{f.tournevis: 1, f.rj45: -1, f.colsons: 2}
	_, err = kits.Return(ctx, db, f.kit.ID, bad, f.karim, now.Add(2*time.Hour))
	fieldOf(t, err, "present."+f.rj45.String(), "kits.error.quantity")
	_, err = kits.Return(ctx, db, f.kit.ID, map[uuid.UUID]int{f.tournevis: 1}, f.karim, now.Add(2*time.Hour))
	fieldOf(t, err, "present."+f.colsons.String(), "error.required")
	f.reload(t)
	if k := f.get(t); !k.Out() || f.items["Connecteur RJ45"].OnHand != 20 || f.items["Tournevis"].OnHand != 0 {
		t.Fatalf("refused return changed the kit: %+v %+v", k, f.items["Connecteur RJ45"])
	}

	// The return check: no screwdriver, 6 connectors (under 10), colliers complete.
	o, err := kits.Return(ctx, db, f.kit.ID, map[uuid.UUID]int{f.tournevis: 0, f.rj45: 6, f.colsons: 2}, f.lea, now.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if o.ShortLines != 2 || o.Open() {
		t.Fatalf("outing: %+v", o)
	}
	k := f.get(t)
	if k.Out() || !k.Incomplete() || k.ShortLines != 2 || k.OpenRestocks != 2 {
		t.Fatalf("returned: %+v", k)
	}
	rs, _, err := kits.RestockList(ctx, db, kits.RestockFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].ItemName != "Tournevis" || rs[0].ReporterName != "Karim" || rs[0].Reason != kits.ReasonMissing ||
		rs[1].ItemName != "Connecteur RJ45" || rs[1].ReporterName != "Léa" || rs[1].Reason != kits.ReasonLow || rs[1].OnHand != 6 || rs[1].Missing() != 14 {
		t.Fatalf("restock list: %+v %+v", rs[0], rs[len(rs)-1])
	}
	hist, _, err := kits.History(ctx, db, f.kit.ID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || len(hist[0].Short) != 2 || hist[0].ReturnedByName != "Léa" || hist[0].TechnicianName != "Karim" {
		t.Fatalf("history: %+v", hist)
	}
	_, err = kits.Return(ctx, db, f.kit.ID, map[uuid.UUID]int{f.tournevis: 1, f.rj45: 20, f.colsons: 2}, f.karim, now.Add(4*time.Hour))
	kindOf(t, err, apperr.Conflict)

	// The manager restocks both; the kit is complete again; a full line has nothing to restock.
	for _, id := range []uuid.UUID{f.tournevis, f.rj45} {
		if _, err := kits.RestockItem(ctx, db, f.kit.ID, id, f.manager, now.Add(5*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	_, err = kits.RestockItem(ctx, db, f.kit.ID, f.colsons, f.manager, now)
	kindOf(t, err, apperr.Conflict)
	if k := f.get(t); k.Incomplete() {
		t.Fatalf("restocked kit still incomplete: %+v", k)
	}
	if rs, _, _ := kits.RestockList(ctx, db, kits.RestockFilter{}); len(rs) != 0 {
		t.Fatalf("restock list after restocking: %d", len(rs))
	}
	for action, want := range map[string]int{audit.KitCreated: 1, audit.KitTaken: 1, audit.KitReturned: 1,
		audit.KitItemReported: 2, audit.KitRestocked: 2} {
		if got := auditCount(t, f.db, action); got != want {
			t.Errorf("%s: %d entries, want %d", action, got, want)
		}
	}
}

func TestUseOnSheet(t *testing.T) {
	f := setup(t)
	ctx, db := f.ctx, f.db.Bun
	i, err := interventions.Create(ctx, db, interventions.Input{ClientID: f.client, Kind: interventions.KindCorrective,
		Place: interventions.PlaceOnSite, Title: "Câblage du bureau 2", Technicians: []uuid.UUID{f.karim.UserID}}, f.karim, now)
	if err != nil {
		t.Fatal(err)
	}
	use := func(who audit.Actor, item uuid.UUID, n, version int) error {
		return f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			_, _, err := kits.UseOnSheet(ctx, tx, kits.UseInput{ItemID: item, InterventionID: i.ID, Quantity: n, Billable: true,
				ExpectedVersion: version}, who, now.Add(time.Hour))
			return err
		})
	}
	// Not out: nobody holds the kit.
	kindOf(t, use(f.karim, f.rj45, 2, i.Version), apperr.Conflict)
	if _, err := kits.Take(ctx, db, f.kit.ID, f.karim, now); err != nil {
		t.Fatal(err)
	}
	kindOf(t, use(f.lea, f.rj45, 2, i.Version), apperr.Conflict)
	fieldOf(t, use(f.karim, f.rj45, 0, i.Version), "quantity", "kits.error.quantity_use")
	fieldOf(t, use(f.karim, f.rj45, -3, i.Version), "quantity", "kits.error.quantity_use")
	fieldOf(t, use(f.karim, f.rj45, 21, i.Version), "quantity", "kits.error.not_enough")
	fieldOf(t, use(f.karim, f.tournevis, 1, i.Version), "item_id", "kits.error.not_consumable")
	kindOf(t, use(f.karim, f.rj45, 2, i.Version+5), apperr.Conflict)
	f.reload(t)
	s, _ := interventions.GetSheet(ctx, db, i.ID)
	if f.items["Connecteur RJ45"].OnHand != 20 || len(s.Materials) != 0 {
		t.Fatalf("refused uses changed something: %d left, %d materials", f.items["Connecteur RJ45"].OnHand, len(s.Materials))
	}

	// 12 connectors: a material line at the kit's price, 8 left (under 10: reported low).
	if err := use(f.karim, f.rj45, 12, i.Version); err != nil {
		t.Fatal(err)
	}
	s, err = interventions.GetSheet(ctx, db, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Materials) != 1 || s.Materials[0].Description != "Connecteur RJ45" || s.Materials[0].QuantityMilli != 12000 ||
		s.Materials[0].UnitPriceCents != 50 || !s.Materials[0].Billable || s.Materials[0].LineCents() != 600 {
		t.Fatalf("materials: %+v", s.Materials)
	}
	f.reload(t)
	if it := f.items["Connecteur RJ45"]; it.OnHand != 8 || !it.Reported() || it.RestockReason != kits.ReasonLow {
		t.Fatalf("line after use: %+v", it)
	}
	hist, _, _ := kits.History(ctx, db, f.kit.ID, "", 10)
	if len(hist) != 1 || len(hist[0].Uses) != 1 || hist[0].Uses[0].Quantity != 12 || hist[0].Uses[0].InterventionNumber != s.Number {
		t.Fatalf("uses in history: %+v", hist)
	}
	if got := auditCount(t, f.db, audit.KitUsed); got != 1 {
		t.Fatalf("%d kit.used entries", got)
	}
}
