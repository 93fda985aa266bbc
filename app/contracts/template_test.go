package contracts_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/policy"
)

func sampleTemplate(pol uuid.UUID) *contracts.Template {
	return &contracts.Template{
		Name: "Maintenance de site internet", Kind: contracts.TemplateWebsite, Title: "Maintenance du site internet",
		Object:           "Mises à jour régulières du site.",
		Services:         []contracts.Service{{Kind: contracts.ServiceWebsite, Description: "Site vitrine du client"}},
		MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenancePreventive, contracts.MaintenanceCorrective},
		InitialMonths:    12, RenewalMonths: 12, NoticeMonths: 3, FeeCents: 9000, BillingPeriod: contracts.BillingMonthly,
		PaymentTermsDays: 30, IncludedMinutes: 120, SLAPolicyID: pol, Confidentiality: "Les données restent confidentielles.",
		ReviewMonths: 12,
		Plan:         []contracts.PlanTask{{Title: "Mises à jour", Minutes: 60, Rule: "FREQ=MONTHLY", AtMinute: 9 * 60, Place: "remote"}},
	}
}

func TestTemplateBadInputSavesNothing(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		edit  func(*contracts.Template)
		field string
	}{
		{"unknown SLA policy", func(t *contracts.Template) { t.SLAPolicyID = uuid.Must(uuid.NewV7()) }, "sla_policy_id"},
		{"archived SLA policy", func(t *contracts.Template) { t.SLAPolicyID = f.archived }, "sla_policy_id"},
		{"negative fee", func(t *contracts.Template) { t.FeeCents = -100 }, "fee"},
		{"negative hours", func(t *contracts.Template) { t.IncludedMinutes = -60 }, "included_hours"},
		{"negative review interval", func(t *contracts.Template) { t.ReviewMonths = -1 }, "review_months"},
		{"no name", func(t *contracts.Template) { t.Name = " " }, "name"},
		{"unknown kind", func(t *contracts.Template) { t.Kind = "boat" }, "kind"},
		{"task without duration", func(t *contracts.Template) { t.Plan[0].Minutes = -5 }, "plan_minutes_0"},
	} {
		tpl := sampleTemplate(f.policy)
		c.edit(tpl)
		err := contracts.CreateTemplate(ctx, f.db.Bun, tpl, storeNow)
		if apperr.KindOf(err) != apperr.Invalid || apperr.FieldsOf(err)[c.field] == "" {
			t.Errorf("%s: err = %v, want a problem on %s", c.name, err, c.field)
		}
	}
	if ts, _ := contracts.ListTemplates(ctx, f.db.Bun, true); len(ts) != 0 {
		t.Fatalf("refused templates saved: %d", len(ts))
	}
}

func TestContractFromTemplateKeepsItsTerms(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	// A policy in force records itself on the contract made today.
	if _, err := policy.Publish(ctx, f.db.Bun, uuid.Nil, policy.Draft{Title: "Politique", Sections: map[policy.Section]string{policy.SectionPurpose: "Objet."}},
		policy.Publication{ApproverName: "C. Garcia", ApprovedOn: storeDay("2026-01-01"), EffectiveOn: storeDay("2026-01-01")}, 0, uuid.Nil, storeNow); err != nil {
		t.Fatal(err)
	}
	tpl := sampleTemplate(f.policy)
	if err := contracts.CreateTemplate(ctx, f.db.Bun, tpl, storeNow); err != nil {
		t.Fatal(err)
	}
	c := f.create(t, f.client, tpl.Terms(storeDay("2026-12-01")), storeNow)
	if err := contracts.MarkFromTemplate(ctx, f.db.Bun, c.ID, tpl); err != nil {
		t.Fatal(err)
	}
	// The template changes afterwards: the contract does not.
	tpl.FeeCents, tpl.Confidentiality, tpl.Services[0].Description = 15000, "Autre clause.", "Changé"
	if err := contracts.UpdateTemplate(ctx, f.db.Bun, tpl, 1, storeNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := contracts.UpdateTemplate(ctx, f.db.Bun, tpl, 1, storeNow.Add(time.Hour)); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("stale template update: %v", err)
	}
	got, err := contracts.Get(ctx, f.db.Bun, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Terms.FeeCents != 9000 || got.Terms.Confidentiality != "Les données restent confidentielles." ||
		got.Terms.Services[0].Description != "Site vitrine du client" {
		t.Errorf("contract terms followed the template: %+v", got.Terms)
	}
	if !got.TemplateID.Valid || got.TemplateID.UUID != tpl.ID || got.ReviewMonths != 12 {
		t.Errorf("template %v, review months %d", got.TemplateID, got.ReviewMonths)
	}
	if got.Terms.PolicyVersionNo != 1 {
		t.Errorf("policy version recorded = %d, want 1", got.Terms.PolicyVersionNo)
	}
}

func TestReviews(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	c := f.create(t, f.client, storeTerms(f.policy), storeNow)
	f.to(t, c.ID, contracts.StatusActive)
	c, _ = contracts.Get(ctx, f.db.Bun, c.ID)
	if _, err := contracts.SetReviewInterval(ctx, f.db.Bun, c.ID, -3, c.Version, storeNow); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("negative interval: %v", err)
	}
	c, err := contracts.SetReviewInterval(ctx, f.db.Bun, c.ID, 6, c.Version, storeNow)
	if err != nil {
		t.Fatal(err)
	}
	// Started 2026-01-01, reviewed every 6 months: due 2026-07-01, overdue on 2026-11-22.
	due, err := contracts.DueReviews(ctx, f.db.Bun, storeDay("2026-11-22"), 10)
	if err != nil || len(due) != 1 || due[0].DueOn.Format(time.DateOnly) != "2026-07-01" {
		t.Fatalf("due reviews = %+v (%v)", due, err)
	}
	for _, bad := range []contracts.Review{
		{ContractID: c.ID, HeldOn: storeDay("2026-11-23"), Participants: "M. Martin"},
		{ContractID: c.ID, HeldOn: storeDay("2026-11-20")},
		{ContractID: c.ID, HeldOn: storeDay("2026-11-20"), Participants: "M. Martin", AmendmentNo: 7},
	} {
		r := bad
		err := f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			return contracts.RecordReview(ctx, tx, &r, uuid.Nil, storeNow, storeDay("2026-11-22"))
		})
		if apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("review %+v: %v, want Invalid", bad, err)
		}
	}
	r := contracts.Review{ContractID: c.ID, HeldOn: storeDay("2026-11-20"), Participants: "M. Martin, C. Garcia", Decisions: "Ajouter la sauvegarde."}
	if err := contracts.RecordReview(ctx, f.db.Bun, &r, uuid.Nil, storeNow, storeDay("2026-11-22")); err != nil {
		t.Fatal(err)
	}
	rs, err := contracts.ListReviews(ctx, f.db.Bun, c.ID)
	if err != nil || len(rs) != 1 {
		t.Fatalf("reviews = %d (%v)", len(rs), err)
	}
	// The next review is six months after this one.
	if due, _ := contracts.DueReviews(ctx, f.db.Bun, storeDay("2027-05-19"), 10); len(due) != 0 {
		t.Fatalf("due before 2027-05-20: %+v", due)
	}
	if due, _ := contracts.DueReviews(ctx, f.db.Bun, storeDay("2027-05-20"), 10); len(due) != 1 {
		t.Fatalf("not due on 2027-05-20: %+v", due)
	}
	if ok, _ := contracts.RecordReviewReminder(ctx, f.db.Bun, c.ID, storeDay("2027-05-20"), 30, storeNow); !ok {
		t.Fatal("first reminder not recorded")
	}
	if ok, _ := contracts.RecordReviewReminder(ctx, f.db.Bun, c.ID, storeDay("2027-05-20"), 30, storeNow); ok {
		t.Fatal("reminder recorded twice")
	}
}
