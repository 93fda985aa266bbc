package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/equipment"
	"maintenant/app/kits"
)

// kits writes the demo kits and warranty boxes: "Valise 1 — Dépannage poste" at the office,
// complete, back from an outing last week where a thermal paste syringe was used up and since
// restocked; "Valise 2 — Réseau et câblage" out with Karim since yesterday, its RJ45 connectors
// under their minimum since its previous return, on the restock list. Boxes are kept for three items: the Boulangerie's receipt printer, whose
// warranty ended 70 days ago (its box can be thrown away), its till (warranty ending in 21 days)
// and the Cabinet's NAS.
func (d *demo) kits(ctx context.Context, tx *database.Tx) error {
	sophie := audit.Actor{UserID: d.manager.ID, Label: d.manager.Email}
	karim := audit.Actor{UserID: d.technician.ID, Label: d.technician.Email}
	at := func(daysAgo, hour, minute int) time.Time {
		v := d.now.In(paris).AddDate(0, 0, -daysAgo)
		return time.Date(v.Year(), v.Month(), v.Day(), hour, minute, 0, 0, paris)
	}
	tool := func(name string, n int) kits.ItemInput { return kits.ItemInput{Name: name, Quantity: n} }
	cons := func(name string, n, min int, cents int64) kits.ItemInput {
		return kits.ItemInput{Name: name, Quantity: n, Consumable: true, MinLevel: min, UnitPriceCents: cents}
	}
	one, err := kits.Create(ctx, tx, kits.Input{Name: "Valise 1 — Dépannage poste",
		Description: "Intervention sur poste de travail ou portable : démontage, nettoyage, remplacement de pièces courantes.",
		Items: []kits.ItemInput{
			tool("Tournevis de précision (jeu)", 1), tool("Bracelet antistatique", 1), tool("Clé USB de démarrage", 2),
			tool("Adaptateur SATA/USB", 1), cons("Pâte thermique (seringue)", 2, 1, 890), cons("Bombe d'air sec", 2, 1, 790),
			cons("Lingettes nettoyantes (paquet)", 3, 1, 450),
		}}, sophie, at(60, 9, 0))
	if err != nil {
		return fmt.Errorf("seed: kit 1: %w", err)
	}
	two, err := kits.Create(ctx, tx, kits.Input{Name: "Valise 2 — Réseau et câblage",
		Description: "Câblage et dépannage réseau chez le client : sertissage, tests, petit matériel.",
		Items: []kits.ItemInput{
			tool("Pince à sertir RJ45", 1), tool("Testeur de câble", 1), tool("Lampe frontale", 1),
			cons("Connecteur RJ45 (pièce)", 20, 10, 50), cons("Câble réseau Cat6 1 m", 4, 2, 390),
			cons("Colliers de serrage (sachet)", 2, 1, 250),
		}}, sophie, at(60, 9, 10))
	if err != nil {
		return fmt.Errorf("seed: kit 2: %w", err)
	}
	// Kit 1: out last week and back; the thermal paste was short, then restocked.
	if _, err := kits.Take(ctx, tx, one.ID, karim, at(8, 8, 30)); err != nil {
		return fmt.Errorf("seed: kit 1 out: %w", err)
	}
	items, err := kits.Items(ctx, tx, one.ID)
	if err != nil {
		return err
	}
	present := map[uuid.UUID]int{}
	var paste uuid.UUID
	for _, it := range items {
		present[it.ID] = it.OnHand
		if it.Name == "Pâte thermique (seringue)" {
			present[it.ID], paste = 0, it.ID
		}
	}
	if _, err := kits.Return(ctx, tx, one.ID, present, karim, at(7, 17, 45)); err != nil {
		return fmt.Errorf("seed: kit 1 back: %w", err)
	}
	if _, err := kits.RestockItem(ctx, tx, one.ID, paste, sophie, at(6, 10, 0)); err != nil {
		return fmt.Errorf("seed: kit 1 restock: %w", err)
	}
	// Kit 2: back two weeks ago with 8 RJ45 connectors, under their minimum of 10 (reported at the
	// return check), and out again with Karim since yesterday.
	if _, err := kits.Take(ctx, tx, two.ID, karim, at(15, 8, 0)); err != nil {
		return fmt.Errorf("seed: kit 2 out: %w", err)
	}
	if items, err = kits.Items(ctx, tx, two.ID); err != nil {
		return err
	}
	present = map[uuid.UUID]int{}
	for _, it := range items {
		present[it.ID] = it.OnHand
		if it.Name == "Connecteur RJ45 (pièce)" {
			present[it.ID] = 8
		}
	}
	if _, err := kits.Return(ctx, tx, two.ID, present, karim, at(14, 18, 10)); err != nil {
		return fmt.Errorf("seed: kit 2 back: %w", err)
	}
	if _, err := kits.Take(ctx, tx, two.ID, karim, at(1, 8, 15)); err != nil {
		return fmt.Errorf("seed: kit 2 out: %w", err)
	}
	// Warranty boxes in the attic, by warranty end.
	for _, b := range []struct{ serial, where string }{
		{"X5E8012345", "Grenier, étagère A (garanties échues)"},
		{"CZC1234BKR", "Grenier, étagère B — fin " + at(-21, 12, 0).Format("2006-01")},
		{"2260NAS923", "Grenier, étagère D — fin " + at(-1125, 12, 0).Format("2006-01")},
	} {
		var id uuid.UUID
		if err := tx.NewSelect().Table("equipment").Column("id").Where("serial = ?", b.serial).Scan(ctx, &id); err != nil {
			return fmt.Errorf("seed: box %s: %w", b.serial, err)
		}
		e, err := equipment.Get(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := equipment.SetBox(ctx, tx, id, b.where, e.Version, karim, d.now); err != nil {
			return fmt.Errorf("seed: box %s: %w", b.serial, err)
		}
	}
	return nil
}
