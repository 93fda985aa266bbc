package seed

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/sla"
	"maintenant/app/tickets"
)

// paris is the demo provider's time zone.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// step is one thing that happens to a demo ticket, some time after it was opened.
type step struct {
	after  time.Duration
	do     string // status name, "diagnosis", "assign", "message", "client-message", "note", "attach"
	text   string
	text2  string
	status tickets.Status
}

// demoTicket is a ticket of the demo, with its story.
type demoTicket struct {
	client   int // 0 Boulangerie, 1 Cabinet
	opened   time.Time
	priority sla.Priority
	title    string
	desc     string
	channel  tickets.Channel
	steps    []step
}

// tickets writes, for each demo client, tickets in every state: last month's closed ones (one of the
// Boulangerie's missed its resolution target, so last month's SLA report shows a penalty), an outage
// resolved late three months ago for each (a penalty credited on an invoice), a breached
// one still open, one waiting on the client, messages, an internal note and an attached screenshot.
func (d *demo) tickets(ctx context.Context, tx *database.Tx) error {
	cs := make([]*contracts.Contract, len(d.clients))
	for i, cl := range d.clients {
		list, err := contracts.ListByClient(ctx, tx, cl.ID)
		if err != nil || len(list) == 0 {
			return fmt.Errorf("seed: contracts of %s: %v", cl.Name, err)
		}
		cs[i] = list[0]
	}
	now := d.now.In(paris)
	lastMonth := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, paris)
	// atIn returns an instant of the month starting on first: the nth open weekday (Tuesday to
	// Friday) at hour:min; at, one of last month.
	atIn := func(first time.Time, nth, hour, min int) time.Time {
		day := first
		for n := 0; ; day = day.AddDate(0, 0, 1) {
			if wd := day.Weekday(); wd >= time.Tuesday && wd <= time.Friday {
				if _, holiday := sla.FrenchHoliday(sla.DateOf(day), false); !holiday {
					n++
					if n == nth {
						return time.Date(day.Year(), day.Month(), day.Day(), hour, min, 0, 0, paris)
					}
				}
			}
		}
	}
	at := func(nth, hour, min int) time.Time { return atIn(lastMonth, nth, hour, min) }
	threeMonthsAgo := lastMonth.AddDate(0, -2, 0)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }

	demoTickets := []demoTicket{
		// Last month, Boulangerie: a critical outage resolved late (a penalty), and a met one.
		{client: 0, opened: at(2, 10, 0), priority: sla.Critical, channel: tickets.ChannelPortal,
			title: "Le site affiche une erreur 500",
			desc:  "Depuis ce matin, la page d'accueil et la boutique affichent « Erreur 500 ». Les clients ne peuvent plus commander.",
			steps: []step{
				{after: 20 * time.Minute, do: "status", status: tickets.StatusAcknowledged},
				{after: 50 * time.Minute, do: "diagnosis", text: "Une extension de cache mise à jour cette nuit est incompatible avec la version de PHP du serveur.", text2: "Désactiver l'extension, restaurer la version précédente, vérifier la boutique, puis planifier la mise à jour compatible."},
				{after: time.Hour, do: "status", status: tickets.StatusInProgress},
				{after: 6*time.Hour + 30*time.Minute, do: "message", text: "Le site fonctionne de nouveau : l'extension fautive est désactivée et la boutique prend les commandes. Nous suivons la mise à jour compatible."},
				{after: 6*time.Hour + 31*time.Minute, do: "status", status: tickets.StatusResolved},
				{after: 26 * time.Hour, do: "client-message", text: "Merci, tout fonctionne."},
				{after: 26*time.Hour + time.Minute, do: "status", status: tickets.StatusClosed},
			}},
		{client: 0, opened: at(5, 9, 0), priority: sla.High, channel: tickets.ChannelPhone,
			title: "Le paiement en ligne refuse les cartes",
			desc:  "Appel de Julie Martin : plusieurs clients signalent un refus de paiement par carte sur la boutique.",
			steps: []step{
				{after: 30 * time.Minute, do: "status", status: tickets.StatusAcknowledged},
				{after: 45 * time.Minute, do: "status", status: tickets.StatusInProgress},
				{after: 4 * time.Hour, do: "message", text: "Le certificat du module de paiement était expiré ; il est renouvelé et les paiements passent."},
				{after: 4*time.Hour + time.Minute, do: "status", status: tickets.StatusResolved},
				{after: 3 * 24 * time.Hour, do: "status", status: tickets.StatusClosed},
			}},
		// Last month, Cabinet: met.
		{client: 1, opened: at(3, 14, 30), priority: sla.Normal, channel: tickets.ChannelEmail,
			title: "Imprimante du secrétariat hors ligne",
			desc:  "L'imprimante du secrétariat n'apparaît plus sur les postes depuis le changement de box.",
			steps: []step{
				{after: 40 * time.Minute, do: "status", status: tickets.StatusAcknowledged},
				{after: 2 * time.Hour, do: "message", text: "L'imprimante avait changé d'adresse IP ; elle a une adresse fixe désormais et réapparaît sur tous les postes."},
				{after: 2*time.Hour + time.Minute, do: "status", status: tickets.StatusResolved},
				{after: 2 * 24 * time.Hour, do: "status", status: tickets.StatusClosed},
			}},

		// Now, Boulangerie: one ticket in each open state, a breached one, a resolved one.
		{client: 0, opened: ago(2 * time.Hour), priority: sla.Low, channel: tickets.ChannelPortal,
			title: "Ajouter la galette des rois à la boutique",
			desc:  "Pouvez-vous ajouter la galette des rois (8 et 6 parts) à la boutique en ligne, avec la commande la veille ?"},
		{client: 0, opened: ago(26 * time.Hour), priority: sla.Normal, channel: tickets.ChannelPortal,
			title: "Une photo ne s'affiche plus sur la page d'accueil",
			desc:  "La photo des viennoiseries en haut de la page d'accueil est remplacée par un carré gris (capture jointe).",
			steps: []step{
				{after: 0, do: "attach"},
				{after: 2 * time.Hour, do: "status", status: tickets.StatusAcknowledged},
			}},
		{client: 0, opened: ago(50 * time.Hour), priority: sla.High, channel: tickets.ChannelPortal,
			title: "Le formulaire de contact n'envoie plus d'e-mails",
			desc:  "Les messages du formulaire de contact n'arrivent plus dans la boîte de la boulangerie.",
			steps: []step{
				{after: time.Hour, do: "diagnosis", text: "Le service d'envoi d'e-mails du site refuse la connexion : le mot de passe de l'adresse d'envoi a été changé.", text2: "Créer un mot de passe d'application dédié au site, le configurer, puis envoyer un message de test."},
				{after: 90 * time.Minute, do: "note", text: "Mot de passe d'application à demander à Julie : ne pas réutiliser celui de la boîte."},
			}},
		{client: 0, opened: ago(30 * time.Hour), priority: sla.Normal, channel: tickets.ChannelEmail,
			title: "Lenteurs du site le samedi matin",
			desc:  "Le samedi matin, entre 8 h et 10 h, le site met plusieurs secondes à s'afficher.",
			steps: []step{
				{after: time.Hour, do: "status", status: tickets.StatusAcknowledged},
				{after: 2 * time.Hour, do: "assign"},
				{after: 3 * time.Hour, do: "status", status: tickets.StatusInProgress},
			}},
		{client: 0, opened: ago(3 * 24 * time.Hour), priority: sla.Normal, channel: tickets.ChannelPortal,
			title: "Horaires d'ouverture pour les fêtes",
			desc:  "Merci d'afficher nos horaires spéciaux de fin d'année sur le site.",
			steps: []step{
				{after: time.Hour, do: "status", status: tickets.StatusAcknowledged},
				{after: 2 * time.Hour, do: "message", text: "Bien sûr : pouvez-vous nous envoyer les horaires exacts pour le 24, le 25, le 31 décembre et le 1er janvier ?"},
				{after: 2*time.Hour + time.Minute, do: "status", status: tickets.StatusWaitingClient},
			}},
		{client: 0, opened: ago(4 * 24 * time.Hour), priority: sla.Critical, channel: tickets.ChannelPhone,
			title: "La boutique en ligne refuse toutes les commandes",
			desc:  "Appel de Julie Martin : le panier se vide à la validation de la commande.",
			steps: []step{
				{after: 3 * time.Hour, do: "status", status: tickets.StatusAcknowledged},
				{after: 4 * time.Hour, do: "status", status: tickets.StatusInProgress},
				{after: 5 * time.Hour, do: "note", text: "Conflit entre le thème et la dernière version de WooCommerce ; correctif de l'éditeur attendu."},
			}},
		{client: 0, opened: ago(5 * 24 * time.Hour), priority: sla.Low, channel: tickets.ChannelPortal,
			title: "Le lien vers Instagram ne fonctionne pas",
			desc:  "L'icône Instagram en bas du site mène à une page introuvable.",
			steps: []step{
				{after: time.Hour, do: "status", status: tickets.StatusAcknowledged},
				{after: 2 * time.Hour, do: "message", text: "Le lien pointait vers l'ancien nom du compte ; il est corrigé."},
				{after: 2*time.Hour + time.Minute, do: "status", status: tickets.StatusResolved},
			}},

		// Now, Cabinet.
		{client: 1, opened: ago(3 * time.Hour), priority: sla.High, channel: tickets.ChannelPortal,
			title: "Impossible d'ouvrir les dossiers partagés",
			desc:  "Depuis ce matin, deux postes n'accèdent plus au dossier « Clients » du serveur."},
		{client: 1, opened: ago(28 * time.Hour), priority: sla.Normal, channel: tickets.ChannelPortal,
			title: "Nouveau collaborateur à équiper",
			desc:  "Maître Lefèvre arrive lundi : il lui faut un poste, une adresse e-mail et l'accès au logiciel du cabinet.",
			steps: []step{
				{after: time.Hour, do: "status", status: tickets.StatusAcknowledged},
				{after: 2 * time.Hour, do: "message", text: "Nous préparons le poste. Quel identifiant souhaitez-vous pour l'adresse e-mail (prénom.nom ou initiales) ?"},
				{after: 2*time.Hour + time.Minute, do: "status", status: tickets.StatusWaitingClient},
			}},
		{client: 1, opened: ago(6 * 24 * time.Hour), priority: sla.Normal, channel: tickets.ChannelEmail,
			title: "Sauvegarde de la nuit en échec",
			desc:  "Le rapport de sauvegarde de cette nuit indique un échec sur le serveur.",
			steps: []step{
				{after: 30 * time.Minute, do: "status", status: tickets.StatusAcknowledged},
				{after: time.Hour, do: "assign"},
				{after: 2 * time.Hour, do: "status", status: tickets.StatusInProgress},
				{after: 5 * time.Hour, do: "message", text: "Le disque de sauvegarde externe était plein ; les anciennes sauvegardes sont archivées et la sauvegarde a été relancée avec succès."},
				{after: 5*time.Hour + time.Minute, do: "status", status: tickets.StatusResolved},
			}},

		// Three months ago, each client: an outage resolved late, a penalty the demo invoices credit
		// (listed last so the numbers of the tickets above stay as they were).
		{client: 0, opened: atIn(threeMonthsAgo, 3, 9, 30), priority: sla.Critical, channel: tickets.ChannelPhone,
			title: "Le site est inaccessible",
			desc:  "Appel de Julie Martin : le site et la boutique ne répondent plus depuis ce matin.",
			steps: []step{
				{after: 30 * time.Minute, do: "status", status: tickets.StatusAcknowledged},
				{after: 45 * time.Minute, do: "status", status: tickets.StatusInProgress},
				{after: 7 * time.Hour, do: "message", text: "L'hébergeur avait suspendu le serveur après un pic de trafic ; le site est rétabli et la limite relevée."},
				{after: 7*time.Hour + time.Minute, do: "status", status: tickets.StatusResolved},
				{after: 3 * 24 * time.Hour, do: "status", status: tickets.StatusClosed},
			}},
		{client: 1, opened: atIn(threeMonthsAgo, 4, 9, 0), priority: sla.Critical, channel: tickets.ChannelPhone,
			title: "Le serveur de fichiers ne répond plus",
			desc:  "Appel du secrétariat : aucun poste n'accède plus aux dossiers du serveur.",
			steps: []step{
				{after: 20 * time.Minute, do: "status", status: tickets.StatusAcknowledged},
				{after: 40 * time.Minute, do: "status", status: tickets.StatusInProgress},
				{after: 6 * time.Hour, do: "message", text: "L'alimentation du serveur de fichiers avait lâché ; elle est remplacée et le serveur de nouveau accessible."},
				{after: 6*time.Hour + time.Minute, do: "status", status: tickets.StatusResolved},
				{after: 2 * 24 * time.Hour, do: "status", status: tickets.StatusClosed},
			}},
	}

	staff := tickets.StaffActor(audit.Actor{UserID: d.manager.ID, Label: d.manager.Email}, d.manager.Name)
	for _, dt := range demoTickets {
		cl := d.clients[dt.client]
		contact := d.contacts[dt.client]
		opener := tickets.ClientActor(audit.Actor{UserID: contact.ID, Label: contact.Email}, cl.ID, contact.Name)
		if dt.channel != tickets.ChannelPortal {
			opener = staff
		}
		c := cs[dt.client]
		in := tickets.OpenInput{
			ClientID: cl.ID, ContractID: c.ID, ServiceLabel: tickets.ServiceLabelOf(c.Terms.Services[0]),
			Title: dt.title, Description: dt.desc, Priority: dt.priority, Channel: dt.channel,
			ReporterID: contact.ID,
		}
		t, err := tickets.Open(ctx, tx, in, opener, dt.opened, paris)
		if err != nil {
			return fmt.Errorf("seed: ticket %q: %w", dt.title, err)
		}
		for _, s := range dt.steps {
			when := dt.opened.Add(s.after)
			switch s.do {
			case "status":
				t, err = tickets.Transition(ctx, tx, t.ID, s.status, staff, "", t.Version, when)
			case "diagnosis":
				t, err = tickets.SetDiagnosis(ctx, tx, t.ID, s.text, s.text2, staff, t.Version, when)
			case "assign":
				t, err = tickets.Assign(ctx, tx, t.ID, d.technician.ID, staff, t.Version, when)
			case "message", "note":
				_, _, err = tickets.AddMessage(ctx, tx, t.ID, staff, s.do == "note", s.text, when)
			case "client-message":
				clientActor := tickets.ClientActor(audit.Actor{UserID: contact.ID, Label: contact.Email}, cl.ID, contact.Name)
				_, _, err = tickets.AddMessage(ctx, tx, t.ID, clientActor, false, s.text, when)
			case "attach":
				if d.files != nil {
					_, err = tickets.AddAttachment(ctx, tx, d.files, t.ID, uuid.Nil, opener, false,
						"capture-page-accueil.png", bytes.NewReader(demoScreenshot()), when)
				}
			}
			if err != nil {
				return fmt.Errorf("seed: ticket %q, %s: %w", dt.title, s.do, err)
			}
			if s.do == "message" || s.do == "note" || s.do == "client-message" || s.do == "attach" {
				if t, err = tickets.Get(ctx, tx, t.ID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// demoScreenshot draws a small picture of a web page with a grey box where a photo is missing.
func demoScreenshot() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	fill := func(r image.Rectangle, c color.RGBA) {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				img.Set(x, y, c)
			}
		}
	}
	fill(img.Bounds(), color.RGBA{255, 251, 240, 255})
	fill(image.Rect(0, 0, 320, 28), color.RGBA{120, 53, 15, 255})
	fill(image.Rect(20, 44, 300, 140), color.RGBA{203, 213, 225, 255})
	fill(image.Rect(20, 156, 200, 166), color.RGBA{71, 85, 105, 255})
	fill(image.Rect(20, 174, 260, 182), color.RGBA{148, 163, 184, 255})
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}
