package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/equipment"
	"maintenant/app/interventions"
)

// demoItem is an item of the demo equipment; the dates are days from the seeding (0: none).
type demoItem struct {
	client                       int // 0 Boulangerie, 1 Cabinet, -1 the provider's stock
	kind                         equipment.Kind
	name, make, model, serial    string
	location                     string
	installed, purchased, warEnd int
	status                       equipment.Status
	seats, licenceEnd            int
}

// equipment writes the demo equipment: a loan stock of two laptops; for the Boulangerie five items
// (the till's warranty ends within 30 days, the till software licence) and a past workshop stay of
// its laptop, backed up, repaired and returned; for the Cabinet seven items (a workstation's warranty
// ends within 30 days, its Microsoft 365 licence) and Maître Durand's laptop now in the workshop, its
// disk backed up, with a loan laptop out.
func (d *demo) equipment(ctx context.Context, tx *database.Tx) error {
	items := []demoItem{
		{client: -1, kind: equipment.KindLaptop, name: "PRÊT-01", make: "Lenovo", model: "ThinkPad T14", serial: "PF-3LOAN01", status: equipment.StatusInStock},
		{client: -1, kind: equipment.KindLaptop, name: "PRÊT-02", make: "Dell", model: "Latitude 3540", serial: "DL-3LOAN02", status: equipment.StatusInStock},

		{client: 0, kind: equipment.KindWorkstation, make: "HP", model: "ProDesk 400 G7", serial: "CZC1234BKR", location: "Caisse, boutique", installed: -800, purchased: -805, warEnd: 21},
		{client: 0, kind: equipment.KindPrinter, make: "Epson", model: "TM-T20III", serial: "X5E8012345", location: "Caisse, boutique", installed: -800, purchased: -805, warEnd: -70},
		{client: 0, kind: equipment.KindLaptop, make: "Lenovo", model: "IdeaPad 5", serial: "PF4BKR77", location: "Julie Martin, bureau", installed: -420, purchased: -425, warEnd: 305},
		{client: 0, kind: equipment.KindNetwork, name: "Livebox boutique", make: "Orange", model: "Livebox 6", location: "Arrière-boutique"},
		{client: 0, kind: equipment.KindLicence, name: "Logiciel de caisse", make: "CashMag", model: "Boulangerie", seats: 2, purchased: -800, licenceEnd: 120},

		{client: 1, kind: equipment.KindLaptop, make: "Dell", model: "Latitude 5440", serial: "5CD3141DRD", location: "Maître Claire Durand", installed: -600, purchased: -605, warEnd: 490},
		{client: 1, kind: equipment.KindLaptop, make: "HP", model: "EliteBook 840 G10", serial: "5CG4200SEC", location: "Secrétariat", installed: -300, purchased: -302, warEnd: 793},
		{client: 1, kind: equipment.KindWorkstation, make: "Dell", model: "OptiPlex 7010", serial: "7010ACC01", location: "Accueil", installed: -1080, purchased: -1083, warEnd: 12},
		{client: 1, kind: equipment.KindServer, make: "Synology", model: "DS923+", serial: "2260NAS923", location: "Baie, local technique", installed: -700, purchased: -702, warEnd: 1125},
		{client: 1, kind: equipment.KindPrinter, make: "Brother", model: "MFC-L8900CDW", serial: "E78123K0N", location: "Couloir", installed: -700, purchased: -702, warEnd: 398},
		{client: 1, kind: equipment.KindHosting, name: "cabinet-durand-avocats.fr", make: "OVHcloud", model: "Hébergement Pro", location: "Site web du cabinet"},
		{client: 1, kind: equipment.KindLicence, name: "Microsoft 365 Business Standard", make: "Microsoft", model: "365 Business Standard", seats: 6, purchased: -300, licenceEnd: 65},
	}
	today := time.Date(d.now.In(paris).Year(), d.now.In(paris).Month(), d.now.In(paris).Day(), 0, 0, 0, 0, time.UTC)
	day := func(n int) time.Time {
		if n == 0 {
			return time.Time{}
		}
		return today.AddDate(0, 0, n)
	}
	made := make([]*equipment.Equipment, len(items))
	for n, it := range items {
		in := equipment.Input{Kind: it.kind, Name: it.name, Make: it.make, Model: it.model, Serial: it.serial, Location: it.location,
			InstalledOn: day(it.installed), PurchasedOn: day(it.purchased), WarrantyEndsOn: day(it.warEnd), Status: it.status,
			Seats: it.seats, LicenceExpiresOn: day(it.licenceEnd)}
		if it.client >= 0 {
			in.ClientID = d.clients[it.client].ID
		}
		e, err := equipment.Create(ctx, tx, in, d.now)
		if err != nil {
			return fmt.Errorf("seed: equipment %s: %w", it.model, err)
		}
		made[n] = e
	}
	karim := audit.Actor{UserID: d.technician.ID, Label: d.technician.Email}
	at := func(daysAgo, hour, minute int) time.Time {
		v := d.now.In(paris).AddDate(0, 0, -daysAgo)
		return time.Date(v.Year(), v.Month(), v.Day(), hour, minute, 0, 0, paris)
	}
	// stay opens a workshop stay of a machine with its intervention, and records its backup.
	stay := func(e *equipment.Equipment, client int, in equipment.CheckIn, backupAt time.Time, backupWhere string) (*equipment.Intake, error) {
		i, err := interventions.Create(ctx, tx, interventions.Input{ClientID: d.clients[client].ID, Kind: interventions.KindCorrective,
			Place: interventions.PlaceWorkshop, Title: "Atelier : " + e.Name + " — " + in.Reason, Technicians: []uuid.UUID{d.technician.ID}},
			karim, in.BroughtAt)
		if err != nil {
			return nil, err
		}
		in.EquipmentID = e.ID
		s, err := equipment.CheckInMachine(ctx, tx, in, i.ID, d.technician.ID, in.BroughtAt)
		if err != nil {
			return nil, err
		}
		return equipment.RecordBackup(ctx, tx, s.ID, backupWhere, d.technician.ID, backupAt, s.Version, backupAt)
	}

	// The Boulangerie's laptop: 40 days ago, a week in the workshop, returned.
	past, err := stay(made[4], 0, equipment.CheckIn{BroughtBy: "Julie Martin", BroughtAt: at(40, 9, 0),
		Reason: "Très lent au démarrage, ventilateur bruyant", Condition: "Bon état, une rayure sur le capot",
		Accessories: "Chargeur", Label: "B-12"}, at(40, 9, 30), "NAS atelier /sauvegardes/boulangerie/"+made[4].Name)
	if err != nil {
		return fmt.Errorf("seed: boulangerie stay: %w", err)
	}
	i, err := interventions.Get(ctx, tx, past.InterventionID)
	if err != nil {
		return err
	}
	if i, err = interventions.TakeUp(ctx, tx, i.ID, d.technician.ID, i.Version, karim, at(40, 9, 45)); err != nil {
		return fmt.Errorf("seed: boulangerie stay: %w", err)
	}
	if i, err = interventions.AddTimeEntry(ctx, tx, i.ID, &interventions.TimeEntry{TechnicianID: d.technician.ID, Category: interventions.CategoryWork,
		StartedAt: at(40, 19, 0), Minutes: 90, Note: "Nettoyage du ventilateur, pâte thermique, désinstallation des logiciels au démarrage"}, i.Version, at(40, 20, 30)); err != nil {
		return fmt.Errorf("seed: boulangerie stay time: %w", err)
	}
	if i, err = interventions.SetNotes(ctx, tx, i.ID, "Ventilateur nettoyé, pâte thermique refaite, démarrage allégé : l'ordinateur démarre en 40 secondes.", "", false, i.Version, at(40, 20, 35)); err != nil {
		return fmt.Errorf("seed: boulangerie stay notes: %w", err)
	}
	if _, _, err := interventions.Complete(ctx, tx, i.ID, i.Version, karim, at(33, 17, 0), paris); err != nil {
		return fmt.Errorf("seed: boulangerie stay complete: %w", err)
	}
	if _, err := equipment.ReturnMachine(ctx, tx, past.ID, equipment.Return{ReturnedTo: "Julie Martin", ReturnedAt: at(33, 17, 30),
		AccessoriesBack: true}, d.technician.ID, past.Version, at(33, 17, 30)); err != nil {
		return fmt.Errorf("seed: boulangerie return: %w", err)
	}

	// Maître Durand's laptop: in the workshop for two days, backed up, PRÊT-01 lent.
	now, err := stay(made[7], 1, equipment.CheckIn{BroughtBy: "Maître Claire Durand", BroughtAt: at(2, 8, 45),
		Reason: "Écran noir au démarrage après une mise à jour", Condition: "Coque rayée, touche Échap manquante",
		Accessories: "Chargeur, sacoche", Label: "C-07"}, at(2, 9, 20), "NAS atelier /sauvegardes/cabinet/"+made[7].Name)
	if err != nil {
		return fmt.Errorf("seed: cabinet stay: %w", err)
	}
	if _, err := equipment.Lend(ctx, tx, now.ID, made[0].ID, d.technician.ID, now.Version, at(2, 9, 30)); err != nil {
		return fmt.Errorf("seed: cabinet loan: %w", err)
	}
	return nil
}
