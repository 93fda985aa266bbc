package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/sla"
)

// contracts writes one SLA policy and one active contract per demo client; the Boulangerie's contract
// has an amendment. Dates are relative to the seeding day so that deadlines stay meaningful.
func (d *demo) contracts(ctx context.Context, tx *database.Tx) error {
	shop := &contracts.SLAPolicy{
		Name:        "Commerce — 7 h à 19 h, du mardi au samedi",
		Description: "Pour les commerces ouverts au public : les pannes du site marchand sont traitées pendant les heures d'ouverture.",
		Hours: map[string][]string{
			"tuesday": {"07:00-19:00"}, "wednesday": {"07:00-19:00"}, "thursday": {"07:00-19:00"},
			"friday": {"07:00-19:00"}, "saturday": {"07:00-19:00"},
		},
		FrenchHolidays:   true,
		PenaltyBPPerHour: 200,  // 2 % of the monthly fee per started hour of delay
		PenaltyCapBP:     2000, // at most 20 % of the monthly fee per month
		Targets: map[sla.Priority]contracts.Targets{
			sla.Critical: {ReactionMinutes: 60, ResolutionMinutes: 4 * 60},
			sla.High:     {ReactionMinutes: 2 * 60, ResolutionMinutes: 8 * 60},
			sla.Normal:   {ReactionMinutes: 4 * 60, ResolutionMinutes: 24 * 60},
			sla.Low:      {ReactionMinutes: 8 * 60, ResolutionMinutes: 60 * 60},
		},
	}
	office := &contracts.SLAPolicy{
		Name:        "Bureaux — jours ouvrés 9 h–12 h 30, 14 h–18 h",
		Description: "Pour les cabinets et bureaux : heures ouvrées du lundi au vendredi, jours fériés exclus.",
		Hours: map[string][]string{
			"monday": {"09:00-12:30", "14:00-18:00"}, "tuesday": {"09:00-12:30", "14:00-18:00"},
			"wednesday": {"09:00-12:30", "14:00-18:00"}, "thursday": {"09:00-12:30", "14:00-18:00"},
			"friday": {"09:00-12:30", "14:00-18:00"},
		},
		FrenchHolidays:   true,
		PenaltyBPPerHour: 100,  // 1 % per started hour
		PenaltyCapBP:     1500, // capped at 15 % per month
		Targets: map[sla.Priority]contracts.Targets{
			sla.Critical: {ReactionMinutes: 30, ResolutionMinutes: 4 * 60},
			sla.High:     {ReactionMinutes: 60, ResolutionMinutes: 8 * 60},
			sla.Normal:   {ReactionMinutes: 4 * 60, ResolutionMinutes: 15 * 60},
			sla.Low:      {ReactionMinutes: 7*60 + 30, ResolutionMinutes: 37*60 + 30},
		},
	}
	for _, p := range []*contracts.SLAPolicy{shop, office} {
		if err := contracts.CreateSLAPolicy(ctx, tx, p, d.now); err != nil {
			return fmt.Errorf("seed: sla policy %s: %w", p.Name, err)
		}
	}

	month := time.Date(d.now.Year(), d.now.Month(), 1, 0, 0, 0, 0, time.UTC)
	bakery := &contracts.Version{
		Title:  "Maintenance du site vitrine, de la boutique en ligne et des réseaux sociaux",
		Object: "Le prestataire assure la maintenance préventive, corrective et évolutive du site internet de la boulangerie, de sa boutique en ligne (commandes en click & collect) et de ses pages sur les réseaux sociaux.",
		Services: []contracts.Service{
			{Kind: contracts.ServiceWebsite, Description: "Site vitrine boulangerie-martin.fr (WordPress)"},
			{Kind: contracts.ServiceEcommerce, Description: "Boutique en ligne WooCommerce, paiement en ligne et click & collect"},
			{Kind: contracts.ServiceSocialNetwork, Description: "Page Facebook et compte Instagram de la boutique"},
		},
		MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenancePreventive, contracts.MaintenanceCorrective, contracts.MaintenanceEvolutive},
		StartDate:        month.AddDate(0, -10, 0),
		InitialMonths:    12, RenewalMonths: 12, NoticeMonths: 3,
		TerminationTerms:    "Chaque partie peut résilier le contrat par lettre recommandée ou depuis l'espace client, en respectant un préavis de 3 mois avant l'échéance. En cas de manquement grave non corrigé dans les 30 jours d'une mise en demeure, le contrat peut être résilié sans préavis.",
		FeeCents:            14900,
		BillingPeriod:       contracts.BillingMonthly,
		PaymentTermsDays:    30,
		HourlyRateCents:     6500,
		SLAPolicyID:         uuid.NullUUID{UUID: shop.ID, Valid: true},
		ProviderObligations: "Mises à jour mensuelles du CMS, des extensions et du thème ; surveillance de la disponibilité ; sauvegarde quotidienne du site et de la base de commandes ; intervention selon les délais du niveau de service.",
		ClientObligations:   "Signaler toute panne sans délai par l'espace client, par e-mail ou par téléphone ; donner les accès nécessaires ; ne pas modifier les extensions sans en informer le prestataire.",
		Confidentiality:     "Le prestataire garde confidentielles les informations de la boulangerie et de ses clients. Les données personnelles des clients de la boutique sont traitées conformément au RGPD, uniquement pour les besoins de la maintenance.",
		SpecificConditions:  "Les mises à jour exceptionnelles (refonte d'une page, nouvelle fonctionnalité) font l'objet d'un devis préalable accepté par le client.",
		Exclusions:          "Rédaction des contenus, photographies, achats d'espaces publicitaires, pannes du matériel de caisse.",
	}
	cabinet := &contracts.Version{
		Title:  "Infogérance du parc informatique du cabinet",
		Object: "Le prestataire assure la maintenance des postes de travail, du serveur de fichiers et des sauvegardes du cabinet, ainsi que l'assistance aux utilisateurs.",
		Services: []contracts.Service{
			{Kind: contracts.ServiceWorkstations, Description: "6 postes Windows 11 et leurs périphériques"},
			{Kind: contracts.ServiceServers, Description: "Serveur de fichiers (NAS) et annuaire"},
			{Kind: contracts.ServiceBackups, Description: "Sauvegardes quotidiennes externalisées, test de restauration trimestriel"},
		},
		MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenancePreventive, contracts.MaintenanceCorrective},
		StartDate:        month.AddDate(0, -14, 0),
		InitialMonths:    24, RenewalMonths: 12, NoticeMonths: 3,
		TerminationTerms:    "Résiliation par lettre recommandée avec accusé de réception ou depuis l'espace client, au plus tard 3 mois avant l'échéance.",
		FeeCents:            135000,
		BillingPeriod:       contracts.BillingQuarterly,
		PaymentTermsDays:    30,
		IncludedMinutes:     4 * 60,
		HourlyRateCents:     8000,
		SLAPolicyID:         uuid.NullUUID{UUID: office.ID, Valid: true},
		ProviderObligations: "Maintenance préventive mensuelle des postes, mise à jour des logiciels et des licences, vérification quotidienne des sauvegardes, test de restauration trimestriel, assistance téléphonique.",
		ClientObligations:   "Laisser l'accès aux locaux et aux postes pendant les heures ouvrées ; signaler toute panne immédiatement ; ne pas installer de logiciel sans accord.",
		Confidentiality:     "Secret professionnel de l'avocat : le prestataire et ses techniciens s'engagent à une stricte confidentialité sur les dossiers et les données du cabinet, et n'accèdent aux données que pour la maintenance. Sous-traitance conforme à l'article 28 du RGPD.",
		SpecificConditions:  "4 heures d'intervention sont incluses chaque mois ; au-delà, le temps est facturé au taux horaire.",
		Exclusions:          "Matériel hors garantie à remplacer, logiciels métier dont l'éditeur assure le support.",
	}
	for i, v := range []*contracts.Version{bakery, cabinet} {
		c := &contracts.Contract{ClientID: d.clients[i].ID}
		if err := contracts.Create(ctx, tx, c, v, d.manager.ID, d.now); err != nil {
			return fmt.Errorf("seed: contract %s: %w", v.Title, err)
		}
		active, _, err := contracts.Transition(ctx, tx, c.ID, contracts.StatusActive, "Signé par les deux parties", c.Version, d.now)
		if err != nil {
			return fmt.Errorf("seed: activate %s: %w", c.Reference, err)
		}
		if i == 0 {
			amended := *v
			amended.FeeCents = 16900
			amended.Services = append(append([]contracts.Service{}, v.Services...),
				contracts.Service{Kind: contracts.ServiceHosting, Description: "Hébergement du site et de la boutique, certificat TLS"})
			if err := contracts.Amend(ctx, tx, c.ID, &amended, "Ajout de l'hébergement du site à la demande de la cliente",
				month.AddDate(0, -4, 0), d.manager.ID, active.Version, d.now); err != nil {
				return fmt.Errorf("seed: amend %s: %w", c.Reference, err)
			}
		}
	}
	return nil
}
