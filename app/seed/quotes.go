package seed

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/documents"
	"maintenant/app/i18n"
	"maintenant/app/interventions"
	"maintenant/app/provider"
)

// demoQuote is a quote of the demo and what became of it.
type demoQuote struct {
	client   int // 0 Boulangerie, 1 Cabinet
	title    string
	desc     string
	lines    []*billing.Line
	deposit  int
	sentAgo  int    // days before the seeding
	validFor int    // days from sending
	decision string // "", "accept", "decline"
	decided  int    // days before the seeding
	reason   string
}

// quotes writes the demo quotes: for the Boulangerie, the redesign of the shop's home page waiting
// for a decision, one accepted (with its evidence and the intervention it created, since scheduled)
// and one declined with a reason; for the Cabinet, one expired, one waiting and one accepted (its
// work scheduled too).
func (d *demo) quotes(ctx context.Context, tx *database.Tx) error {
	line := func(desc string, qtyMilli interventions.Quantity, unit string, price int64, vat, discount int) *billing.Line {
		return &billing.Line{Description: desc, Quantity: qtyMilli, Unit: unit, UnitPriceCents: price, VATRateBP: vat, DiscountBP: discount}
	}
	list := []demoQuote{
		{client: 0, title: "Refonte exceptionnelle de la page d'accueil de la boutique en ligne",
			desc: "Nouvelle page d'accueil pour les fêtes : bandeau des commandes de bûches, photos de la vitrine, " +
				"créneaux de retrait en magasin mis en avant. Hors forfait : le contrat couvre les mises à jour courantes, pas une refonte.",
			lines: []*billing.Line{
				line("Maquette de la nouvelle page d'accueil (ordinateur et téléphone)", 1000, "forfait", 450_00, 2000, 0),
				line("Intégration, tests sur téléphone et mise en ligne", 6500, "h", 65_00, 2000, 1000),
				line("Retouche et optimisation des photos de la vitrine", 12000, "photo", 8_50, 2000, 0),
			}, deposit: 3000, sentAgo: 2, validFor: 30},
		{client: 0, title: "Module de précommande des galettes des rois",
			desc: "Formulaire de précommande avec choix du créneau de retrait, paiement à la boutique.",
			lines: []*billing.Line{
				line("Paramétrage du module de précommande", 1000, "forfait", 290_00, 2000, 0),
				line("Formation de l'équipe de vente", 1500, "h", 65_00, 2000, 0),
			}, deposit: 3000, sentAgo: 12, validFor: 30, decision: "accept", decided: 9},
		{client: 0, title: "Séance photo des produits pour la boutique en ligne",
			desc: "Demi-journée de prise de vue en boutique, 40 photos retouchées.",
			lines: []*billing.Line{
				line("Séance photo en boutique (demi-journée)", 1000, "forfait", 380_00, 2000, 0),
				line("Retouche des photos", 40000, "photo", 6_00, 2000, 0),
			}, sentAgo: 25, validFor: 30, decision: "decline", decided: 20,
			reason: "Nous avons trouvé un photographe du quartier qui fera les photos pour moins cher."},
		{client: 1, title: "Migration de la messagerie vers un hébergement chiffré",
			desc: "Migration des 6 boîtes aux lettres et des archives, configuration des postes.",
			lines: []*billing.Line{
				line("Migration des boîtes aux lettres et des archives", 6000, "boîte", 45_00, 2000, 0),
				line("Configuration des postes de travail", 6000, "poste", 30_00, 2000, 0),
			}, sentAgo: 50, validFor: 30},
		{client: 1, title: "Remplacement du serveur de fichiers",
			desc: "Nouveau serveur de fichiers avec disques en miroir, migration des dossiers clients, sauvegardes chiffrées hors site.",
			lines: []*billing.Line{
				line("Serveur NAS 4 baies avec disques", 1000, "", 1890_00, 2000, 500),
				line("Migration et configuration", 8000, "h", 70_00, 2000, 0),
				line("Documentation remise au cabinet", 1000, "forfait", 0, 2000, 0),
			}, deposit: 4000, sentAgo: 3, validFor: 21},
		// Listed last so the numbers of the quotes above stay as they were.
		{client: 1, title: "Borne Wi-Fi pour la salle de réunion",
			desc: "Borne Wi-Fi professionnelle dans la salle de réunion, avec un réseau invités séparé du réseau du cabinet.",
			lines: []*billing.Line{
				line("Borne Wi-Fi 6 professionnelle avec support plafond", 1000, "u", 240_00, 2000, 0),
				line("Installation, réseau invités isolé et configuration", 2000, "h", 80_00, 2000, 0),
			}, deposit: 3000, sentAgo: 45, validFor: 30, decision: "accept", decided: 40},
	}
	org, err := provider.Get(ctx, tx)
	if err != nil {
		return err
	}
	cat, err := i18n.New()
	if err != nil {
		return err
	}
	staff := audit.Actor{UserID: d.manager.ID, Label: d.manager.Email}
	day := func(t time.Time) time.Time {
		t = t.In(paris)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	for _, dq := range list {
		cl, contact := d.clients[dq.client], d.contacts[dq.client]
		cs, err := contracts.ListByClient(ctx, tx, cl.ID)
		if err != nil || len(cs) == 0 {
			return fmt.Errorf("seed: contracts of %s: %v", cl.Name, err)
		}
		sent := d.now.AddDate(0, 0, -dq.sentAgo).Add(-time.Hour)
		q, err := billing.Create(ctx, tx, billing.Input{
			ClientID: cl.ID, ContractID: cs[0].ID, Title: dq.title, Description: dq.desc, DepositBP: dq.deposit,
			ValidUntil: day(sent).AddDate(0, 0, dq.validFor), Lines: dq.lines,
			PaymentTerms: "Solde à réception de la facture, par virement, sous 30 jours.",
		}, staff, sent.Add(-2*time.Hour), paris)
		if err != nil {
			return fmt.Errorf("seed: quote %q: %w", dq.title, err)
		}
		if q, err = billing.Send(ctx, tx, q.ID, q.Version, staff, sent, paris); err != nil {
			return fmt.Errorf("seed: send quote %q: %w", dq.title, err)
		}
		at := d.now.AddDate(0, 0, -dq.decided)
		client := audit.Actor{UserID: contact.ID, Label: contact.Email, IP: "203.0.113.24",
			UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"}
		switch dq.decision {
		case "accept":
			// The evidence: the French PDF the client could download before accepting.
			pdf, err := documents.Quote(documents.QuoteData{Quote: q, Provider: org, Client: cl, Location: paris},
				func(id string, args ...any) string { return cat.T(i18n.FR, id, args...) },
				func(cents int64) string { return i18n.Money(i18n.FR, cents) })
			if err != nil {
				return err
			}
			sum := sha256.Sum256(pdf)
			_, i, err := billing.Accept(ctx, tx, cl.ID, q.ID, billing.AcceptInput{
				UserID: contact.ID, Agreed: true, SignerName: contact.Name, ContentHash: q.HashHex(), PDFSHA256: sum[:],
			}, client, at, paris)
			if err != nil {
				return fmt.Errorf("seed: accept quote %q: %w", dq.title, err)
			}
			// The manager scheduled the work the next day, for next week.
			when := time.Date(d.now.In(paris).Year(), d.now.In(paris).Month(), d.now.In(paris).Day(), 9, 0, 0, 0, paris).AddDate(0, 0, 7+dq.client)
			if _, err := interventions.Transition(ctx, tx, i.ID, interventions.StatusScheduled, when, "", i.Version, staff, at.Add(24*time.Hour)); err != nil {
				return fmt.Errorf("seed: schedule the work of quote %q: %w", dq.title, err)
			}
		case "decline":
			if _, err := billing.Decline(ctx, tx, cl.ID, q.ID, contact.ID, q.HashHex(), dq.reason, client, at, paris); err != nil {
				return fmt.Errorf("seed: decline quote %q: %w", dq.title, err)
			}
		}
	}
	_, err = billing.ExpireDue(ctx, tx, audit.Actor{Label: "system"}, d.now, paris)
	return err
}
