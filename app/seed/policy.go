package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/policy"
)

// housePolicy publishes the provider's maintenance policy, version 1, from the source document
// (approved by the maintenance manager, in force since 15 January 2026, already announced), so that
// the demo contracts record it.
func (d *demo) housePolicy(ctx context.Context, tx *database.Tx) error {
	draft := policy.Draft{Title: "Politique de maintenance", Sections: map[policy.Section]string{
		policy.SectionPurpose: "Cette politique de maintenance a pour objectif de définir les procédures et les responsabilités " +
			"relatives à l'entretien et à la maintenance des services et systèmes fournis par l'entreprise AsevoDigital.",
		policy.SectionScope: "Cette politique s'applique à tous les services et systèmes maintenus par AsevoDigital.",
		policy.SectionDefinitions: "- **Maintenance préventive** : entretien régulier planifié des systèmes pour prévenir les pannes et prolonger leur durée de vie.\n" +
			"- **Maintenance corrective** : réparations effectuées en réponse à une panne ou à un dysfonctionnement des systèmes.\n" +
			"- **Systèmes** : tous les logiciels, plateformes et infrastructures numériques utilisés et fournis par AsevoDigital.",
		policy.SectionResponsibilities: "- **Responsable de maintenance** : supervise toutes les activités de maintenance, assure le respect des calendriers " +
			"de maintenance et coordonne avec les fournisseurs et les prestataires de services. Exécute les tâches de maintenance " +
			"préventive et corrective selon les instructions et les calendriers établis. Il s'agit de Clément Garcia Carballa, d'AsevoDigital.\n" +
			"- **Clients** : signalent toute anomalie ou panne aux services de maintenance et respectent les procédures d'utilisation des systèmes.",
		policy.SectionPreventive: "- **Planification** : un calendrier de maintenance préventive est établi dans le devis. Ce calendrier peut être révisé et mis à jour.\n" +
			"- **Exécution** : le responsable de maintenance effectue les tâches de maintenance préventive conformément au calendrier. " +
			"Toutes les interventions sont documentées dans un registre de maintenance.\n" +
			"- **Inspections** : des inspections régulières sont effectuées pour identifier les signes de détérioration ou de dysfonctionnement potentiel.",
		policy.SectionCorrective: "- **Signalement** : les clients signalent immédiatement toute panne ou dysfonctionnement aux services de maintenance, " +
			"depuis leur portail, par e-mail ou par téléphone.\n" +
			"- **Réparation** : le responsable de maintenance diagnostique le problème et établit un plan de réparation. Les réparations " +
			"sont effectuées dans les meilleurs délais pour minimiser les interruptions de service. Les actions correctives sont " +
			"documentées dans le registre de maintenance.",
		policy.SectionServices: "Le service de maintenance dépend des services auxquels le client a souscrit, visibles dans le devis.\n\n" +
			"- **Site internet** : mises à jour régulières ou exceptionnelles, ajouts d'articles ou d'informations, ou tout autre changement " +
			"requis, à condition que le responsable de maintenance ait les compétences nécessaires et que la tâche soit proportionnelle aux montants payés par le client.\n" +
			"- **Site de e-commerce** : mises à jour régulières ou exceptionnelles, ajouts de produits avec leur description et leur mise en page, " +
			"service client, aux mêmes conditions.\n" +
			"- **Réseau social** : mises à jour régulières ou exceptionnelles, publications de produits avec leur description et leur mise en page, " +
			"service client, aux mêmes conditions.\n\n" +
			"Les mises à jour exceptionnelles peuvent être facturées en plus du forfait de base, à condition que le client ait été prévenu.",
		policy.SectionDocumentation: "- **Registre de maintenance** : toutes les interventions de maintenance sont documentées dans un registre de maintenance, " +
			"incluant les dates, les coûts et les actions effectuées.",
		policy.SectionRevision: "Cette politique peut être révisée pour s'assurer qu'elle reste pertinente et efficace. Les révisions sont effectuées " +
			"par le responsable de maintenance en consultation avec les parties prenantes pertinentes.",
	}}
	pub := policy.Publication{ApproverName: "Clément Garcia Carballa",
		ApprovedOn: time.Date(2026, 1, 8, 0, 0, 0, 0, time.UTC), EffectiveOn: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)}
	v, err := policy.Publish(ctx, tx, uuid.Nil, draft, pub, 0, d.manager.ID, d.now)
	if err != nil {
		return fmt.Errorf("seed: policy: %w", err)
	}
	if _, err := policy.MarkNotified(ctx, tx, v.No, d.now); err != nil {
		return fmt.Errorf("seed: policy: %w", err)
	}
	return nil
}

// contractTemplates writes a template per kind of contract the provider sells, on the demo's SLA
// policies; each running demo contract is reviewed yearly, and the Boulangerie's was reviewed.
func (d *demo) contractTemplates(ctx context.Context, tx *database.Tx) error {
	pols, err := contracts.ListSLAPolicies(ctx, tx, false)
	if err != nil || len(pols) < 2 {
		return fmt.Errorf("seed: templates: SLA policies: %v", err)
	}
	var shop, office uuid.UUID
	for _, p := range pols {
		if p.Name[:8] == "Commerce" {
			shop = p.ID
		} else {
			office = p.ID
		}
	}
	common := func(t *contracts.Template) *contracts.Template {
		t.InitialMonths, t.RenewalMonths, t.NoticeMonths = 12, 12, 3
		t.BillingPeriod, t.PaymentTermsDays, t.ReviewMonths = contracts.BillingMonthly, 30, 12
		t.HourlyRateCents = 6500
		t.ProviderObligations = "Respecter les délais de prise en charge et de résolution du niveau de service ; protéger les données ; " +
			"informer le client de chaque intervention ; proposer les évolutions utiles."
		t.ClientObligations = "Signaler toute panne sans délai ; donner les accès nécessaires ; respecter les procédures d'utilisation."
		t.Confidentiality = "Les informations et données du client auxquelles le prestataire accède restent confidentielles, " +
			"pendant le contrat et cinq ans après ; elles sont traitées conformément au RGPD."
		t.TerminationTerms = "Chaque partie peut résilier à l'échéance avec un préavis de trois mois, par écrit. " +
			"En cas de manquement grave non corrigé sous trente jours après mise en demeure, résiliation anticipée sans indemnité."
		return t
	}
	ts := []*contracts.Template{
		common(&contracts.Template{Name: "Maintenance de site internet", Kind: contracts.TemplateWebsite,
			Description: "Site vitrine : mises à jour, sauvegardes, petites modifications de contenu.",
			Title:       "Maintenance du site internet", Object: "Maintenance préventive, corrective et évolutive du site internet du client.",
			Services:         []contracts.Service{{Kind: contracts.ServiceWebsite, Description: "Site vitrine du client"}, {Kind: contracts.ServiceBackups, Description: "Sauvegarde hebdomadaire du site"}},
			MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenancePreventive, contracts.MaintenanceCorrective, contracts.MaintenanceEvolutive},
			FeeCents:         9000, IncludedMinutes: 120, SLAPolicyID: office,
			Exclusions: "Refonte graphique complète, nouvelles fonctionnalités importantes (sur devis).",
			Plan: []contracts.PlanTask{{Title: "Mises à jour et sauvegarde du site", Checklist: []string{"Mettre à jour le CMS et les extensions", "Vérifier la sauvegarde", "Contrôler les formulaires"},
				Minutes: 60, Rule: "FREQ=MONTHLY;BYMONTHDAY=5", AtMinute: 9 * 60, Place: "remote"}}}),
		common(&contracts.Template{Name: "Site e-commerce", Kind: contracts.TemplateEcommerce,
			Description: "Boutique en ligne : mises à jour, fiches produits, service client.",
			Title:       "Maintenance de la boutique en ligne", Object: "Maintenance du site marchand : disponibilité, mises à jour, ajout de produits et service client.",
			Services:         []contracts.Service{{Kind: contracts.ServiceEcommerce, Description: "Boutique en ligne du client"}, {Kind: contracts.ServiceHosting, Description: "Hébergement et certificat"}},
			MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenancePreventive, contracts.MaintenanceCorrective, contracts.MaintenanceEvolutive},
			FeeCents:         18000, IncludedMinutes: 240, SLAPolicyID: shop,
			SpecificConditions: "Ajout de produits : jusqu'à 20 fiches par mois comprises.",
			Plan: []contracts.PlanTask{{Title: "Contrôle de la boutique", Checklist: []string{"Passer une commande test", "Mettre à jour les extensions", "Vérifier les paiements"},
				Minutes: 90, Rule: "FREQ=MONTHLY;BYMONTHDAY=1", AtMinute: 8 * 60, Place: "remote"}}}),
		common(&contracts.Template{Name: "Réseaux sociaux", Kind: contracts.TemplateSocialNetwork,
			Description: "Pages professionnelles : publications, mise à jour des informations, réponses.",
			Title:       "Animation et maintenance des réseaux sociaux", Object: "Mise à jour des pages professionnelles du client et publication de ses contenus.",
			Services:         []contracts.Service{{Kind: contracts.ServiceSocialNetwork, Description: "Pages professionnelles du client"}},
			MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenanceCorrective, contracts.MaintenanceEvolutive},
			FeeCents:         6000, IncludedMinutes: 180, SLAPolicyID: shop}),
		common(&contracts.Template{Name: "Parc informatique", Kind: contracts.TemplateITPark,
			Description: "Postes de travail et serveur d'un bureau : entretien, dépannage, sauvegardes.",
			Title:       "Maintenance du parc informatique", Object: "Maintenance préventive et corrective des postes de travail, du serveur et des sauvegardes du client.",
			Services:         []contracts.Service{{Kind: contracts.ServiceWorkstations, Description: "Postes de travail du bureau"}, {Kind: contracts.ServiceServers, Description: "Serveur de fichiers"}, {Kind: contracts.ServiceBackups, Description: "Sauvegardes quotidiennes"}},
			MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenancePreventive, contracts.MaintenanceCorrective},
			FeeCents:         25000, IncludedMinutes: 300, SLAPolicyID: office,
			Plan: []contracts.PlanTask{{Title: "Visite d'entretien du parc", Checklist: []string{"Mises à jour de sécurité", "Contrôle des sauvegardes", "Nettoyage des postes"},
				Minutes: 120, Rule: "FREQ=MONTHLY;BYDAY=1TU", AtMinute: 14 * 60, Place: "on_site"}}}),
	}
	for _, t := range ts {
		if err := contracts.CreateTemplate(ctx, tx, t, d.now); err != nil {
			return fmt.Errorf("seed: template %s: %w", t.Name, err)
		}
	}
	if _, err := tx.NewRaw("UPDATE contracts SET review_months = 12 WHERE status IN ('active', 'suspended')").Exec(ctx); err != nil {
		return fmt.Errorf("seed: review interval: %w", err)
	}
	boulangerie, err := contracts.ListByClient(ctx, tx, d.clients[0].ID)
	if err != nil {
		return err
	}
	for _, ct := range boulangerie {
		if !ct.Status.IsRunning() {
			continue
		}
		r := &contracts.Review{ContractID: ct.ID, HeldOn: contracts.Day(d.now).AddDate(0, -2, 0),
			Participants: d.contacts[0].Name + " (gérant), " + d.manager.Name + " (responsable de maintenance)",
			Notes:        "Bilan de l'année : sauvegardes régulières, deux pannes de caisse traitées dans les délais.",
			Decisions:    "Garder la fréquence des visites ; prévoir la mise à jour du site avant les fêtes."}
		if err := contracts.RecordReview(ctx, tx, r, d.manager.ID, d.now, contracts.Day(d.now)); err != nil {
			return fmt.Errorf("seed: review: %w", err)
		}
		break
	}
	return nil
}
