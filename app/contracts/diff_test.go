package contracts

import (
	"reflect"
	"testing"

	"github.com/google/uuid"
)

func diffBase() *Version {
	return &Version{
		Title: "Maintenance", Object: "Objet",
		Services:         []Service{{ServiceWebsite, "site.fr"}},
		MaintenanceKinds: []MaintenanceKind{MaintenancePreventive},
		StartDate:        dlDate("2026-01-01"), InitialMonths: 12, RenewalMonths: 12, NoticeMonths: 3,
		FeeCents: 12000, BillingPeriod: BillingMonthly, PaymentTermsDays: 30, IncludedMinutes: 0, HourlyRateCents: 6500,
		SLAPolicyID: uuid.NullUUID{UUID: uuid.MustParse("0193a8f0-0000-7000-8000-000000000001"), Valid: true},
	}
}

func TestDiff(t *testing.T) {
	a := diffBase()
	if got := Diff(a, diffBase()); len(got) != 0 {
		t.Fatalf("equal terms differ: %v", got)
	}
	b := diffBase()
	b.No, b.Reason, b.EffectiveFrom = 2, "Avenant", dlDate("2026-06-01") // not terms
	if got := Diff(a, b); len(got) != 0 {
		t.Fatalf("version metadata counted as a change: %v", got)
	}
	b.Title = "Maintenance complète"
	b.Services = append(b.Services, Service{ServiceEcommerce, "boutique.site.fr"})
	b.MaintenanceKinds = []MaintenanceKind{MaintenancePreventive, MaintenanceCorrective}
	b.StartDate = dlDate("2026-02-01")
	b.FeeCents = 15000
	b.BillingPeriod = BillingQuarterly
	b.IncludedMinutes = 240
	b.SLAPolicyID = uuid.NullUUID{}
	b.Exclusions = "Matériel"
	want := []Change{
		{"contract.field.title", ChangeText, "Maintenance", "Maintenance complète"},
		{"contract.field.services", ChangeServices, "website: site.fr", "website: site.fr\necommerce: boutique.site.fr"},
		{"contract.field.maintenance_kinds", ChangeMaintenance, "preventive", "preventive,corrective"},
		{"contract.field.start_date", ChangeDate, "2026-01-01", "2026-02-01"},
		{"contract.field.fee", ChangeMoney, "12000", "15000"},
		{"contract.field.billing_period", ChangeBilling, "monthly", "quarterly"},
		{"contract.field.included_hours", ChangeMinutes, "0", "240"},
		{"contract.field.sla_policy", ChangePolicy, "0193a8f0-0000-7000-8000-000000000001", ""},
		{"contract.field.exclusions", ChangeText, "", "Matériel"},
	}
	if got := Diff(a, b); !reflect.DeepEqual(got, want) {
		t.Errorf("Diff =\n%v\nwant\n%v", got, want)
	}
	if got := ParseServicesText(want[1].After); !reflect.DeepEqual(got, b.Services) {
		t.Errorf("ParseServicesText = %v", got)
	}
	// The order of services matters (they are a list); a description with ": " survives.
	c := diffBase()
	c.Services = []Service{{ServiceOther, "note: important"}, {ServiceWebsite, "site.fr"}}
	if got := ParseServicesText(servicesText(c.Services)); !reflect.DeepEqual(got, c.Services) {
		t.Errorf("round trip = %v", got)
	}
}

func TestNormalizeAndValidate(t *testing.T) {
	v := diffBase()
	v.Title = "  <script>alert(1)</script>  "
	v.Services = []Service{{}, {ServiceWebsite, "  un\nsite  "}, {"", "  "}}
	v.MaintenanceKinds = []MaintenanceKind{MaintenanceEvolutive, MaintenancePreventive, MaintenanceEvolutive}
	v.Object = "ligne 1\r\nligne 2"
	v.Normalize()
	if v.Title != "<script>alert(1)</script>" || len(v.Services) != 1 || v.Services[0].Description != "un site" ||
		!reflect.DeepEqual(v.MaintenanceKinds, []MaintenanceKind{MaintenancePreventive, MaintenanceEvolutive}) || v.Object != "ligne 1\nligne 2" {
		t.Errorf("normalized: %+v", v)
	}
	if err := v.Validate(); err != nil {
		t.Errorf("valid terms refused: %v", err)
	}
	v.RenewalMonths, v.NoticeMonths = 0, 24 // no renewal: the notice may be long
	if err := v.Validate(); err != nil {
		t.Errorf("no renewal, 24 months notice: %v", err)
	}
	v.NoticeMonths = 25
	if err := v.Validate(); err == nil {
		t.Error("25 months notice accepted")
	}
	v = diffBase()
	v.Services = make([]Service, 21)
	for i := range v.Services {
		v.Services[i] = Service{ServiceOther, "x"}
	}
	if err := v.Validate(); err == nil {
		t.Error("21 services accepted")
	}
}
