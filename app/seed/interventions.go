package seed

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/sla"
)

// demoEntry is time a demo sheet logs. It starts at the first free quarter of an hour of the
// technician inside the client's service hours, from `from` (zero: the end of the previous entry).
type demoEntry struct {
	tech     *demoTech
	category interventions.Category
	minutes  int
	from     time.Time
	billable bool
	note     string
}

// demoTech is who logs the time.
type demoTech struct {
	id    uuid.UUID
	actor audit.Actor
}

// demoSheet is an intervention of the demo and the story of its sheet.
type demoSheet struct {
	client int // 0 Boulangerie, 1 Cabinet
	in     interventions.Input
	// ticket is the title of the linked demo ticket ("" none); fallback is where the time starts
	// when the ticket's own time would not be over by now (the link is then dropped).
	ticket   string
	after    time.Duration // from the ticket's opening to the first entry
	fallback time.Time
	// scheduled: the visit was planned a week ahead for the first entry's start.
	scheduled bool
	entries   []demoEntry
	actions   []interventions.EquipmentAction
	materials []*interventions.Material
	summary   string
	notes     string
	signer    string // signs on site, on the technician's device
	signLater bool
	// status is what the story ends in: todo, in_progress or done.
	status   interventions.Status
	addendum string
	addAfter time.Duration // from the completion to the addendum
}

// planner books the technicians' time of the demo so that it never overlaps, inside service hours.
type planner struct {
	busy map[uuid.UUID][][2]time.Time
}

// plan returns the starts of entries, booking them when book is set. hours are the client's
// service hours (weekday → "07:00-19:00" windows); start is where entries without their own `from`
// begin.
func (p *planner) plan(entries []demoEntry, hours map[string][]string, start time.Time, book bool) ([]time.Time, error) {
	added := map[uuid.UUID][][2]time.Time{}
	free := func(tech uuid.UUID, a, b time.Time) bool {
		for _, s := range append(slices.Clone(p.busy[tech]), added[tech]...) {
			if a.Before(s[1]) && s[0].Before(b) {
				return false
			}
		}
		return true
	}
	var out []time.Time
	from := start
	for _, e := range entries {
		if !e.from.IsZero() {
			from = e.from
		}
		at, ok := p.slot(e.tech.id, hours, from, e.minutes, free)
		if !ok {
			return nil, fmt.Errorf("seed: no free time for %d minutes from %s", e.minutes, from)
		}
		end := at.Add(time.Duration(e.minutes) * time.Minute)
		added[e.tech.id] = append(added[e.tech.id], [2]time.Time{at, end})
		out = append(out, at)
		from = end
	}
	if book {
		for id, spans := range added {
			p.busy[id] = append(p.busy[id], spans...)
		}
	}
	return out, nil
}

// slot finds the first quarter of an hour at or after from, within 60 days, when minutes fit in one
// window of the service hours on a day that is not a public holiday and the technician is free.
func (p *planner) slot(tech uuid.UUID, hours map[string][]string, from time.Time, minutes int, free func(uuid.UUID, time.Time, time.Time) bool) (time.Time, bool) {
	from = from.In(paris)
	dur := time.Duration(minutes) * time.Minute
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, paris)
	for n := 0; n < 60; n, day = n+1, day.AddDate(0, 0, 1) {
		if _, holiday := sla.FrenchHoliday(sla.DateOf(day), false); holiday {
			continue
		}
		for _, w := range hours[strings.ToLower(day.Weekday().String())] {
			var h1, m1, h2, m2 int
			if _, err := fmt.Sscanf(w, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil {
				continue
			}
			open := time.Date(day.Year(), day.Month(), day.Day(), h1, m1, 0, 0, paris)
			closes := time.Date(day.Year(), day.Month(), day.Day(), h2, m2, 0, 0, paris)
			at := open
			if from.After(at) {
				at = from
			}
			if q := at.Sub(open) % (15 * time.Minute); q != 0 {
				at = at.Add(15*time.Minute - q)
			}
			for ; !at.Add(dur).After(closes); at = at.Add(15 * time.Minute) {
				if free(tech, at, at.Add(dur)) {
					return at, true
				}
			}
		}
	}
	return time.Time{}, false
}

// interventions writes, for each demo client, completed interventions with their sheets (time in
// every category, per-machine actions, materials, a sheet signed on site, one left to sign from the
// portal, an addendum) and their register entries, one intervention in progress and one to do whose
// duration nobody estimated yet. Everything goes through the interventions package, so the register
// chain is the real one.
func (d *demo) interventions(ctx context.Context, tx *database.Tx) error {
	cs := make([]*contracts.Contract, len(d.clients))
	hours := make([]map[string][]string, len(d.clients))
	for i, cl := range d.clients {
		list, err := contracts.ListByClient(ctx, tx, cl.ID)
		if err != nil || len(list) == 0 {
			return fmt.Errorf("seed: contracts of %s: %v", cl.Name, err)
		}
		cs[i] = list[0]
		pol, err := contracts.GetSLAPolicy(ctx, tx, cs[i].Terms.SLAPolicyID.UUID)
		if err != nil {
			return fmt.Errorf("seed: service hours of %s: %w", cl.Name, err)
		}
		hours[i] = pol.Hours
	}
	now := d.now.In(paris)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, paris)
	lastMonth := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, paris)
	// on is an instant of last month: day n (1-based) at hour h.
	on := func(n, h int) time.Time { return lastMonth.AddDate(0, 0, n-1).Add(time.Duration(h) * time.Hour) }
	daysAgo := func(n, h int) time.Time { return today.AddDate(0, 0, -n).Add(time.Duration(h) * time.Hour) }

	sophie := &demoTech{id: d.manager.ID, actor: audit.Actor{UserID: d.manager.ID, Label: d.manager.Email}}
	karim := &demoTech{id: d.technician.ID, actor: audit.Actor{UserID: d.technician.ID, Label: d.technician.Email}}
	const (
		work, travel, onSite, research = interventions.CategoryWork, interventions.CategoryTravel, interventions.CategoryOnSite, interventions.CategoryResearch
		done, inProgress, todo         = interventions.StatusDone, interventions.StatusInProgress, interventions.StatusTodo
	)
	sheets := []demoSheet{
		// Boulangerie Martin: the website and the shop, mostly remote, by Sophie.
		{client: 0, ticket: "Le site affiche une erreur 500", after: 50 * time.Minute, fallback: on(3, 9),
			in: interventions.Input{Kind: interventions.KindCorrective, Place: interventions.PlaceRemote,
				Title: "Rétablissement du site après l'erreur 500", EstimatedMinutes: 180},
			entries: []demoEntry{
				{tech: sophie, category: research, minutes: 60, note: "Journaux du serveur : erreur fatale dans l'extension de cache mise à jour la nuit précédente."},
				{tech: sophie, category: work, minutes: 150, note: "Extension désactivée, version précédente restaurée, boutique testée de la commande au paiement."},
			},
			actions: []interventions.EquipmentAction{
				{Target: "Site vitrine boulangerie-martin.fr", Done: "Extension de cache désactivée puis restaurée dans sa version précédente ; pages principales vérifiées.", Remaining: "Installer la version de l'extension compatible avec PHP 8.2 dès sa parution."},
				{Target: "Boutique en ligne WooCommerce", Done: "Commande test en click & collect et paiement test : tout fonctionne."},
			},
			summary:   "Le site et la boutique affichaient une erreur 500 après la mise à jour automatique d'une extension de cache. L'extension a été remise dans sa version précédente ; le site et les commandes fonctionnent de nouveau.",
			notes:     "Désactiver les mises à jour automatiques des extensions : elles passent désormais par la maintenance mensuelle.",
			signLater: true, status: done,
			addendum: "Complément : la version 3.2 de l'extension de cache, compatible avec PHP 8.2, a été installée et l'extension réactivée. Le site et la boutique ont été vérifiés après l'installation.",
			addAfter: 9 * 24 * time.Hour},
		{client: 0, scheduled: true, fallback: on(13, 8),
			in: interventions.Input{Kind: interventions.KindPreventive, Place: interventions.PlaceRemote,
				Title: "Mise à jour WordPress et WooCommerce", EstimatedMinutes: 90},
			entries: []demoEntry{
				{tech: sophie, category: research, minutes: 20, note: "Notes de version de WordPress, WooCommerce et du thème ; compatibilité des extensions."},
				{tech: sophie, category: work, minutes: 70, note: "Sauvegarde, mises à jour sur la copie de test, puis sur le site."},
			},
			actions: []interventions.EquipmentAction{
				{Target: "Site vitrine boulangerie-martin.fr", Done: "WordPress mis à jour, thème et 6 extensions mis à jour après essai sur la copie de test ; sauvegarde complète avant les mises à jour."},
				{Target: "Boutique en ligne WooCommerce", Done: "WooCommerce et le module de paiement mis à jour ; commande test validée.", Remaining: "Le module de click & collect attend une mise à jour de son éditeur : à faire le mois prochain."},
			},
			summary: "Maintenance mensuelle : le site, la boutique et leurs extensions sont à jour, après une sauvegarde complète. Une commande test a été passée avec succès.",
			status:  done},
		{client: 0, scheduled: true, fallback: daysAgo(9, 14),
			in: interventions.Input{Kind: interventions.KindInstallation, Place: interventions.PlaceOnSite,
				Title: "Installation d'une tablette pour les commandes click & collect", EstimatedMinutes: 150},
			entries: []demoEntry{
				{tech: karim, category: travel, minutes: 25},
				{tech: karim, category: work, minutes: 90, billable: true, note: "Tablette fixée au mur du comptoir, application de gestion des commandes installée et reliée à la boutique."},
				{tech: karim, category: onSite, minutes: 20, note: "Prise en main avec Julie Martin : accepter, préparer et remettre une commande."},
				{tech: karim, category: travel, minutes: 25},
			},
			actions: []interventions.EquipmentAction{
				{Target: "Tablette du comptoir", Done: "Installée sur un support mural orientable ; application des commandes installée, notifications sonores activées."},
				{Target: "Boutique en ligne WooCommerce", Done: "Compte de la tablette créé avec les seuls droits de gestion des commandes."},
			},
			materials: []*interventions.Material{
				{Description: "Tablette Android 10 pouces", QuantityMilli: 1000, UnitPriceCents: 18900, Billable: true},
				{Description: "Support mural orientable pour tablette", QuantityMilli: 1000, UnitPriceCents: 3490, Billable: true},
			},
			summary: "Une tablette est installée au comptoir : les commandes click & collect y arrivent avec une alerte sonore. Julie Martin a été formée à leur traitement.",
			signer:  "Julie Martin", status: done},
		{client: 0, ticket: "La boutique en ligne refuse toutes les commandes", after: 4 * time.Hour, fallback: daysAgo(5, 9),
			in: interventions.Input{Kind: interventions.KindCorrective, Place: interventions.PlaceRemote,
				Title: "Panier vidé à la validation des commandes", EstimatedMinutes: 240},
			entries: []demoEntry{
				{tech: sophie, category: research, minutes: 40, note: "Reproduit sur la copie de test : conflit entre le thème et WooCommerce 9."},
				{tech: sophie, category: work, minutes: 60, note: "Contournement : page de commande standard de WooCommerce en attendant le correctif du thème."},
			},
			actions: []interventions.EquipmentAction{
				{Target: "Boutique en ligne WooCommerce", Done: "Page de commande du thème remplacée par celle de WooCommerce : les commandes passent de nouveau.", Remaining: "Installer le correctif du thème dès sa publication, puis rétablir la page de commande d'origine."},
			},
			status: inProgress},
		{client: 0, ticket: "Ajouter la galette des rois à la boutique", after: 30 * time.Minute,
			in: interventions.Input{Kind: interventions.KindEvolutive, Place: interventions.PlaceRemote,
				Title: "Galette des rois à la boutique en ligne (8 et 6 parts)"},
			status: todo},

		// Cabinet Durand Avocats: the PCs and the file server, on site, by Karim.
		{client: 1, scheduled: true, fallback: on(3, 9),
			in: interventions.Input{Kind: interventions.KindPreventive, Place: interventions.PlaceOnSite,
				Title: "Maintenance préventive mensuelle des postes et du serveur", EstimatedMinutes: 180},
			entries: []demoEntry{
				{tech: karim, category: travel, minutes: 30},
				{tech: karim, category: work, minutes: 150, note: "Mises à jour, nettoyage et contrôle de l'antivirus sur les 6 postes ; contrôle du NAS."},
				{tech: karim, category: onSite, minutes: 15, note: "Point avec Maître Durand sur l'état du parc."},
			},
			actions: []interventions.EquipmentAction{
				{Target: "Postes PC-01 à PC-06", Done: "Mises à jour de Windows 11 et d'Office, nettoyage des disques, antivirus à jour sur chaque poste."},
				{Target: "Poste de Maître Durand (PC-02)", Done: "Souris défectueuse remplacée par une souris du stock du cabinet."},
				{Target: "Serveur de fichiers (NAS)", Done: "Journaux contrôlés : le disque 2 signale des secteurs réalloués.", Remaining: "Remplacer le disque 2 du NAS avant qu'il ne tombe en panne."},
				{Target: "Sauvegardes externalisées", Done: "Sauvegardes des 30 derniers jours présentes ; restauration d'un dossier test réussie."},
			},
			summary: "Visite mensuelle : postes à jour et sauvegardes vérifiées. Le disque 2 du serveur de fichiers montre des signes d'usure : nous proposons de le remplacer rapidement.",
			notes:   "Disque 2 du NAS : numéro de série relevé, garantie expirée.",
			signer:  "Paul Durand", status: done},
		{client: 1, scheduled: true, fallback: on(6, 14),
			in: interventions.Input{Kind: interventions.KindCorrective, Place: interventions.PlaceOnSite,
				Title: "Remplacement du disque du NAS", EstimatedMinutes: 180},
			entries: []demoEntry{
				{tech: karim, category: research, minutes: 30, note: "Choix d'un disque compatible avec le NAS et commande."},
				{tech: karim, category: travel, minutes: 30, from: on(9, 9)},
				{tech: karim, category: work, minutes: 105, note: "Disque 2 remplacé à chaud, reconstruction du RAID suivie jusqu'au bout."},
				{tech: karim, category: onSite, minutes: 15, note: "Explications à la secrétaire : le serveur est resté accessible pendant la reconstruction."},
			},
			actions: []interventions.EquipmentAction{
				{Target: "Serveur de fichiers (NAS)", Done: "Disque 2 remplacé par un disque neuf de 4 To ; RAID reconstruit et vérifié, aucune donnée perdue."},
				{Target: "Sauvegardes externalisées", Done: "Sauvegarde complète lancée après la reconstruction : réussie."},
			},
			materials: []*interventions.Material{
				{Description: "Disque dur NAS 4 To (WD Red Plus)", QuantityMilli: 1000, UnitPriceCents: 11900, Billable: true},
			},
			summary:   "Le disque usé du serveur de fichiers a été remplacé. Le serveur est resté accessible et aucune donnée n'a été perdue.",
			signLater: true, status: done},
		{client: 1, ticket: "Sauvegarde de la nuit en échec", after: 2 * time.Hour, fallback: daysAgo(6, 14),
			in: interventions.Input{Kind: interventions.KindCorrective, Place: interventions.PlaceRemote,
				Title: "Sauvegarde de la nuit en échec : disque de sauvegarde plein", EstimatedMinutes: 90},
			entries: []demoEntry{
				{tech: karim, category: research, minutes: 20, note: "Rapport de sauvegarde : plus de place sur le disque externe."},
				{tech: karim, category: work, minutes: 60, note: "Anciennes sauvegardes archivées, rétention réglée à 30 jours, sauvegarde relancée."},
			},
			actions: []interventions.EquipmentAction{
				{Target: "Sauvegardes externalisées", Done: "Sauvegardes de plus de 30 jours archivées ; rétention automatique réglée ; sauvegarde relancée avec succès."},
			},
			summary: "La sauvegarde avait échoué faute de place. L'espace est libéré, les anciennes sauvegardes sont archivées automatiquement et la sauvegarde a réussi.",
			status:  done},
		{client: 1, fallback: daysAgo(4, 14),
			in: interventions.Input{Kind: interventions.KindInstallation, Place: interventions.PlaceWorkshop,
				Title: "Remplacement du poste de l'accueil (PC-01)", EstimatedMinutes: 210},
			entries: []demoEntry{
				{tech: karim, category: work, minutes: 90, note: "Préparation du nouveau poste à l'atelier."},
			},
			actions: []interventions.EquipmentAction{
				{Target: "Nouveau poste de l'accueil (PC-01)", Done: "Windows 11, Office et l'antivirus installés ; documents de l'ancien poste copiés.", Remaining: "Livrer et brancher le poste à l'accueil, reprendre l'ancien poste."},
			},
			status: inProgress},
		{client: 1, ticket: "Impossible d'ouvrir les dossiers partagés", after: 20 * time.Minute,
			in: interventions.Input{Kind: interventions.KindCorrective, Place: interventions.PlaceRemote,
				Title: "Accès perdu au dossier « Clients » du serveur sur deux postes"},
			status: todo},
	}

	p := &planner{busy: map[uuid.UUID][][2]time.Time{}}
	// Completions and addenda go to the register in the order they happened.
	type event struct {
		at    time.Time
		sheet *demoSheet
		id    uuid.UUID
		add   bool
		actor audit.Actor
	}
	var events []event
	for n := range sheets {
		s := &sheets[n]
		cl, ct := d.clients[s.client], cs[s.client]
		in := s.in
		in.ClientID, in.ContractID = cl.ID, ct.ID
		created := s.fallback.Add(-7 * 24 * time.Hour)
		start := s.fallback
		if s.ticket != "" {
			var tk struct {
				ID       uuid.UUID `bun:"id,type:uuid"`
				OpenedAt time.Time `bun:"opened_at"`
			}
			if err := tx.NewSelect().Table("tickets").Column("id", "opened_at").
				Where("client_id = ? AND title = ?", cl.ID, s.ticket).Limit(1).Scan(ctx, &tk); err != nil {
				return fmt.Errorf("seed: ticket %q: %w", s.ticket, err)
			}
			linked := true
			if len(s.entries) > 0 {
				// Time logged for the ticket must be over by now; otherwise the sheet stands alone.
				starts, err := p.plan(s.entries, hours[s.client], tk.OpenedAt.Add(s.after), false)
				if err != nil {
					return err
				}
				last := s.entries[len(s.entries)-1]
				linked = starts[len(starts)-1].Add(time.Duration(last.minutes+30) * time.Minute).Before(d.now)
			}
			if linked {
				in.TicketID, start, created = tk.ID, tk.OpenedAt.Add(s.after), tk.OpenedAt.Add(s.after)
			}
		}
		starts, err := p.plan(s.entries, hours[s.client], start, true)
		if err != nil {
			return err
		}
		if len(starts) > 0 && created.After(starts[0]) {
			created = starts[0]
		}
		if s.scheduled && len(starts) > 0 {
			// The visit: its first entry that is not research done beforehand.
			k := 0
			for k < len(starts)-1 && s.entries[k].category == research {
				k++
			}
			in.ScheduledAt, in.Technicians = starts[k], []uuid.UUID{s.entries[k].tech.id}
		}
		creator := audit.Actor{UserID: d.manager.ID, Label: d.manager.Email}
		i, err := interventions.Create(ctx, tx, in, creator, created)
		if err != nil {
			return fmt.Errorf("seed: intervention %q: %w", in.Title, err)
		}
		if len(s.entries) == 0 {
			continue
		}
		first := s.entries[0].tech
		if i, err = interventions.TakeUp(ctx, tx, i.ID, first.id, i.Version, first.actor, starts[0]); err != nil {
			return fmt.Errorf("seed: take up %s: %w", i.Reference(), err)
		}
		var end, signed time.Time
		for k, e := range s.entries {
			te := &interventions.TimeEntry{TechnicianID: e.tech.id, Category: e.category, StartedAt: starts[k],
				Minutes: e.minutes, Billable: e.billable, Note: e.note}
			end = te.End()
			if e.category != travel {
				signed = end.Add(time.Minute) // before the drive back
			}
			if i, err = interventions.AddTimeEntry(ctx, tx, i.ID, te, i.Version, end); err != nil {
				return fmt.Errorf("seed: time of %s: %w", i.Reference(), err)
			}
		}
		if i, err = interventions.SetActions(ctx, tx, i.ID, s.actions, i.Version, end); err != nil {
			return fmt.Errorf("seed: actions of %s: %w", i.Reference(), err)
		}
		for _, m := range s.materials {
			if i, err = interventions.AddMaterial(ctx, tx, i.ID, m, i.Version, end); err != nil {
				return fmt.Errorf("seed: material of %s: %w", i.Reference(), err)
			}
		}
		if s.summary != "" || s.notes != "" || s.signLater {
			if i, err = interventions.SetNotes(ctx, tx, i.ID, s.summary, s.notes, s.signLater, i.Version, end); err != nil {
				return fmt.Errorf("seed: notes of %s: %w", i.Reference(), err)
			}
		}
		if s.signer != "" {
			if _, err := interventions.Sign(ctx, tx, uuid.Nil, i.ID, interventions.SignatureInput{
				SignerName: s.signer, Image: demoSignature(s.signer), From: interventions.SignedOnSite,
			}, first.actor, signed); err != nil {
				return fmt.Errorf("seed: signature of %s: %w", i.Reference(), err)
			}
		}
		if s.status == done {
			at := end.Add(5 * time.Minute)
			events = append(events, event{at: at, sheet: s, id: i.ID, actor: first.actor})
			if s.addendum != "" {
				events = append(events, event{at: at.Add(s.addAfter), sheet: s, id: i.ID, add: true, actor: first.actor})
			}
		}
	}
	slices.SortStableFunc(events, func(a, b event) int { return a.at.Compare(b.at) })
	for _, e := range events {
		if e.at.After(d.now) {
			continue // an addendum that would be written in the future is not written yet
		}
		if e.add {
			if _, _, err := interventions.AddAddendum(ctx, tx, e.id, e.sheet.addendum, e.actor, e.at, paris); err != nil {
				return fmt.Errorf("seed: addendum: %w", err)
			}
			continue
		}
		i, err := interventions.Get(ctx, tx, e.id)
		if err != nil {
			return err
		}
		if _, _, err := interventions.Complete(ctx, tx, e.id, i.Version, e.actor, e.at, paris); err != nil {
			return fmt.Errorf("seed: complete %s: %w", i.Reference(), err)
		}
	}
	return nil
}

// demoSignature draws the signer's name as a handwritten-looking signature: one looping stroke per
// word in dark blue ink, a loop per letter (tall for ascenders and capitals, below the line for
// descenders, small otherwise), a slight slant, and a flourish under it, on a white background.
func demoSignature(name string) []byte {
	const w, h = 360, 120
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.White)
		}
	}
	ink := color.RGBA{23, 37, 84, 255}
	dot := func(cx, cy, r float64) {
		for y := int(cy - r - 1); y <= int(cy+r+1); y++ {
			for x := int(cx - r - 1); x <= int(cx+r+1); x++ {
				if dx, dy := float64(x)-cx, float64(y)-cy; dx*dx+dy*dy <= r*r && x >= 0 && y >= 0 && x < w && y < h {
					img.Set(x, y, ink)
				}
			}
		}
	}
	words := strings.Fields(name)
	letters := 0
	for _, word := range words {
		letters += len([]rune(word))
	}
	if letters == 0 {
		return nil
	}
	const base = 70.0
	step := min(300/float64(letters+len(words)), 26)
	x := 24.0
	for _, word := range words {
		for k, r := range []rune(word) {
			height, down := 12.0, false // a small letter
			switch {
			case k == 0 && unicode.IsUpper(r):
				height = 44
			case strings.ContainsRune("bdfhklt", r):
				height = 32
			case strings.ContainsRune("gjpqy", r):
				height, down = 26, true
			}
			width := step * (0.8 + 0.4*float64(r%3)/2)
			for u := 0.0; u <= 1; u += 0.002 {
				lift := height * (1 - math.Cos(2*math.Pi*u)) / 2
				if down {
					lift = -lift
				}
				px := x + width*u - 0.35*width*math.Sin(2*math.Pi*u) + 0.25*lift // the slant
				dot(px, base-lift, 1.7-0.5*u*u)
			}
			x += width
		}
		x += step * 0.9 // the pen lifts between words
	}
	// The flourish: from under the last letter back to the start, slightly rising.
	for u := 0.0; u <= 1; u += 0.001 {
		dot(x-step+(36-x+step)*u, base+22-10*u-6*math.Sin(math.Pi*u), 1.3)
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}
