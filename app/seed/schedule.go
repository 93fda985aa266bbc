package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/scheduling"
)

// demoTask is a recurring task of a demo contract's preventive plan.
type demoTask struct {
	title, target, rule string
	firstOn             string // YYYY-MM-DD
	at, minutes         int    // minutes of the day, duration
	place               interventions.Place
	checklist           []string
}

// demoPastDays is how far back the demo's preventive visits go.
const demoPastDays = 75

// schedule gives each demo contract its preventive plan (agreed with the contract, so not an
// amendment), plans its visits of the last demoPastDays as they were planned then and completes
// them with their sheets and ticked checklists, except the last one of the Cabinet's monthly
// check, left overdue; then plans the visits ahead over the horizon and reschedules the
// Boulangerie's next monthly visit by a day.
func (d *demo) schedule(ctx context.Context, tx *database.Tx) error {
	plans := [][]demoTask{
		{ // Boulangerie Martin: the website and the shop, remote, before the shop opens.
			{title: "Mises à jour du site et de la boutique", target: "boulangerie-martin.fr et la boutique en ligne", rule: "FREQ=MONTHLY;BYDAY=1TU",
				firstOn: "2026-01-01", at: 6*60 + 30, minutes: 45, place: interventions.PlaceRemote, checklist: []string{
					"Mettre à jour WordPress, WooCommerce et les extensions", "Vérifier la sauvegarde de la nuit",
					"Passer une commande test en click & collect"}},
			{title: "Test de restauration de la sauvegarde", target: "Sauvegardes du site", rule: "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15",
				firstOn: "2026-01-15", at: 6*60 + 30, minutes: 60, place: interventions.PlaceRemote, checklist: []string{
					"Restaurer la sauvegarde de la veille sur la copie de test", "Vérifier les commandes et les comptes clients restaurés"}},
			{title: "Licences et certificat du site", target: "Extensions payantes, certificat TLS", rule: "FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=1",
				firstOn: "2026-07-01", at: 6*60 + 30, minutes: 30, place: interventions.PlaceRemote, checklist: []string{
					"Renouveler les licences qui expirent dans les 60 jours", "Contrôler la date d'expiration du certificat"}},
		},
		{ // Cabinet Durand Avocats: the workstations, the file server and the backups.
			{title: "Contrôle à distance des postes et du NAS", target: "6 postes, serveur de fichiers", rule: "FREQ=MONTHLY;BYDAY=2TH",
				firstOn: "2026-01-01", at: 7 * 60, minutes: 60, place: interventions.PlaceRemote, checklist: []string{
					"Vérifier les sauvegardes externalisées de la nuit", "Appliquer les mises à jour de sécurité des postes",
					"Contrôler l'espace libre et l'état des disques du NAS"}},
			{title: "Visite trimestrielle : onduleur, NAS et postes", target: "Onduleur, NAS, 6 postes", rule: "FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE",
				firstOn: "2026-01-01", at: 7*60 + 30, minutes: 75, place: interventions.PlaceOnSite, checklist: []string{
					"Tester l'autonomie de l'onduleur", "Dépoussiérer les postes et le NAS", "Tester une restauration d'un dossier client"}},
		},
	}
	karim := audit.Actor{UserID: d.technician.ID, Label: d.technician.Email}
	now := d.now
	past := now.AddDate(0, 0, -demoPastDays)
	var contractIDs []uuid.UUID
	for i, cl := range d.clients {
		list, err := contracts.ListByClient(ctx, tx, cl.ID)
		if err != nil || len(list) == 0 {
			return fmt.Errorf("seed: contracts of %s: %v", cl.Name, err)
		}
		c := list[0]
		contractIDs = append(contractIDs, c.ID)
		for _, dt := range plans[i] {
			first, _ := time.Parse(time.DateOnly, dt.firstOn)
			t := &scheduling.Task{
				ID: uuid.Must(uuid.NewV7()), ContractID: c.ID, Title: dt.title, Target: dt.target, Checklist: dt.checklist,
				EstimatedMinutes: dt.minutes, TechnicianID: uuid.NullUUID{UUID: d.technician.ID, Valid: true}, Place: dt.place,
				Rule: dt.rule, FirstOn: first, AtMinute: dt.at, Exdates: []time.Time{}, CreatedAt: c.CreatedAt,
			}
			if _, err := tx.NewInsert().Model(t).Exec(ctx); err != nil {
				return fmt.Errorf("seed: task: %w", err)
			}
		}
		// The plan was agreed with the contract: its original terms record it.
		if err := scheduling.RecordPlanTerms(ctx, tx, c.ID); err != nil {
			return fmt.Errorf("seed: plan terms: %w", err)
		}
		if _, err := scheduling.GenerateContract(ctx, tx, c.ID, karim, past, paris, demoPastDays); err != nil {
			return fmt.Errorf("seed: past visits: %w", err)
		}
	}
	// The visits already past are done, but the Cabinet's last monthly check.
	var visits []*interventions.Intervention
	if err := tx.NewSelect().Model(&visits).Column("id", "client_id", "title", "scheduled_at", "estimated_minutes", "version").
		Where("kind = 'preventive' AND status = 'scheduled' AND scheduled_at < ?", now).Order("scheduled_at").Scan(ctx); err != nil {
		return fmt.Errorf("seed: past visits: %w", err)
	}
	overdue := uuid.Nil
	for _, v := range visits {
		if v.ClientID == d.clients[1].ID && v.Title == plans[1][0].title {
			overdue = v.ID
		}
	}
	for _, v := range visits {
		if v.ID == overdue {
			continue
		}
		if err := completeVisit(ctx, tx, v, karim, d.technician.ID, now); err != nil {
			return err
		}
	}
	for _, id := range contractIDs {
		if _, err := scheduling.GenerateContract(ctx, tx, id, karim, now, paris, scheduling.DefaultHorizonDays); err != nil {
			return fmt.Errorf("seed: visits ahead: %w", err)
		}
	}
	// The Boulangerie's next monthly visit moves a day later: the shop is closed for inventory.
	var next interventions.Intervention
	if err := tx.NewSelect().Model(&next).Column("id", "scheduled_at", "version").
		Where("client_id = ? AND kind = 'preventive' AND status = 'scheduled' AND title = ? AND scheduled_at > ?", d.clients[0].ID, plans[0][0].title, now).
		Order("scheduled_at").Limit(1).Scan(ctx); err != nil {
		return fmt.Errorf("seed: visit to reschedule: %w", err)
	}
	sophie := audit.Actor{UserID: d.manager.ID, Label: d.manager.Email}
	today := contracts.Day(now.In(paris))
	_, err := scheduling.RescheduleVisit(ctx, tx, next.ID, scheduling.RescheduleInput{
		At: next.ScheduledAt.In(paris).AddDate(0, 0, 1), TechnicianID: d.technician.ID, Confirmed: true,
		Reason: "Inventaire de la boutique ce jour-là : Julie Martin préfère le lendemain.",
	}, next.Version, sophie, now.Add(-48*time.Hour), today)
	return err
}

// completeVisit fills and completes a past visit's sheet: the technician's time at the planned
// hour, every checklist step ticked, a summary.
func completeVisit(ctx context.Context, tx *database.Tx, v *interventions.Intervention, actor audit.Actor, tech uuid.UUID, now time.Time) error {
	start := v.ScheduledAt
	end := start.Add(time.Duration(v.EstimatedMinutes) * time.Minute)
	i, err := interventions.TakeUp(ctx, tx, v.ID, tech, v.Version, actor, start)
	if err != nil {
		return fmt.Errorf("seed: take up visit: %w", err)
	}
	items, err := scheduling.Checklist(ctx, tx, v.ID)
	if err != nil {
		return err
	}
	steps := make([]int, len(items))
	for n := range items {
		steps[n] = n
	}
	if err := scheduling.SetChecklist(ctx, tx, v.ID, steps, i.Version, "Karim Benali", end); err != nil {
		return fmt.Errorf("seed: checklist: %w", err)
	}
	// The demo's other sheets may hold the technician at that hour (the demo runs on any date): the
	// time goes to the first free slot among a few, the same day.
	version := i.Version + 1
	err = fmt.Errorf("seed: no free slot for the visit of %s", start)
	for _, shift := range []int{0, -90, 600, 720, 840} {
		at := start.Add(time.Duration(shift) * time.Minute)
		if at.Add(time.Duration(v.EstimatedMinutes) * time.Minute).After(now) {
			continue
		}
		end = at.Add(time.Duration(v.EstimatedMinutes) * time.Minute)
		i, err = interventions.AddTimeEntry(ctx, tx, v.ID, &interventions.TimeEntry{TechnicianID: tech, Category: interventions.CategoryWork,
			StartedAt: at, Minutes: v.EstimatedMinutes, Note: "Visite préventive selon la check-list."}, version, end)
		if err == nil || apperr.FieldsOf(err)["started_at"] == "" {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("seed: visit time: %w", err)
	}
	if i, err = interventions.SetNotes(ctx, tx, v.ID, "Visite préventive faite selon la check-list ; rien d'anormal.", "", false, i.Version, end); err != nil {
		return fmt.Errorf("seed: visit notes: %w", err)
	}
	if _, _, err := interventions.Complete(ctx, tx, v.ID, i.Version, actor, end, paris); err != nil {
		return fmt.Errorf("seed: complete visit: %w", err)
	}
	return nil
}
