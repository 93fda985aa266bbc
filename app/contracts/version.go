package contracts

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
)

// ServiceKind is the kind of thing a contract maintains.
type ServiceKind string

// The kinds of service a contract may cover.
const (
	ServiceWebsite          ServiceKind = "website"
	ServiceEcommerce        ServiceKind = "ecommerce"
	ServiceSocialNetwork    ServiceKind = "social_network"
	ServiceWorkstations     ServiceKind = "workstations"
	ServiceServers          ServiceKind = "servers"
	ServiceHosting          ServiceKind = "hosting"
	ServiceBackups          ServiceKind = "backups"
	ServiceSoftwareLicences ServiceKind = "software_licences"
	ServiceOther            ServiceKind = "other"
)

// ServiceKinds lists every kind of service, in the order forms offer them.
func ServiceKinds() []ServiceKind {
	return []ServiceKind{ServiceWebsite, ServiceEcommerce, ServiceSocialNetwork, ServiceWorkstations,
		ServiceServers, ServiceHosting, ServiceBackups, ServiceSoftwareLicences, ServiceOther}
}

// Label is the catalogue key naming the kind ("contract.service.website").
func (k ServiceKind) Label() string { return "contract.service." + string(k) }

// Valid tells whether k is a known kind.
func (k ServiceKind) Valid() bool { return slices.Contains(ServiceKinds(), k) }

// Service is one thing the contract covers: its kind and what exactly (a site's address, the
// number of workstations…).
type Service struct {
	Kind        ServiceKind `json:"kind"`
	Description string      `json:"description"`
}

// MaintenanceKind is a kind of maintenance work the fee includes.
type MaintenanceKind string

// The kinds of maintenance: preventive (regular checks that avoid faults), corrective (repairing
// faults) and evolutive (adapting the system to new needs).
const (
	MaintenancePreventive MaintenanceKind = "preventive"
	MaintenanceCorrective MaintenanceKind = "corrective"
	MaintenanceEvolutive  MaintenanceKind = "evolutive"
)

// MaintenanceKinds lists every kind of maintenance, in the order forms offer them.
func MaintenanceKinds() []MaintenanceKind {
	return []MaintenanceKind{MaintenancePreventive, MaintenanceCorrective, MaintenanceEvolutive}
}

// Label is the catalogue key naming the kind ("contract.maintenance.preventive").
func (k MaintenanceKind) Label() string { return "contract.maintenance." + string(k) }

// BillingPeriod is how often the fee is invoiced; the fee is the amount of one period.
type BillingPeriod string

// The billing periods.
const (
	BillingMonthly   BillingPeriod = "monthly"
	BillingQuarterly BillingPeriod = "quarterly"
	BillingYearly    BillingPeriod = "yearly"
)

// BillingPeriods lists the billing periods, in the order forms offer them.
func BillingPeriods() []BillingPeriod {
	return []BillingPeriod{BillingMonthly, BillingQuarterly, BillingYearly}
}

// Label is the catalogue key naming the period ("contract.billing.monthly").
func (p BillingPeriod) Label() string { return "contract.billing." + string(p) }

// Months is the length of the period in months.
func (p BillingPeriod) Months() int {
	switch p {
	case BillingQuarterly:
		return 3
	case BillingYearly:
		return 12
	}
	return 1
}

// Limits of the terms, checked by Validate (the database holds the same or looser ones).
const (
	MaxTitle            = 200
	MaxText             = 10000
	MaxReason           = 2000
	MaxServices         = 20
	MaxServiceText      = 500
	MaxInitialMonths    = 120
	MaxRenewalMonths    = 120
	MaxNoticeMonths     = 24
	MaxFeeCents         = 100_000_000_000 // 1 000 000 000,00 €
	MaxHourlyRateCents  = 10_000_000      // 100 000,00 € per hour
	MaxIncludedMinutes  = 1000 * 60       // 1000 hours per month
	MaxPaymentTermsDays = 120
)

// Version is one version of a contract's terms: number 1 is the original, each amendment (avenant)
// adds the next, effective from a given day. Dates are civil dates at UTC midnight (see Day).
type Version struct {
	bun.BaseModel `bun:"table:contract_versions,alias:v"`

	ContractID    uuid.UUID     `bun:"contract_id,pk,type:uuid"`
	No            int           `bun:"no,pk"`
	EffectiveFrom time.Time     `bun:"effective_from,type:date"`
	Reason        string        `bun:"reason"`
	CreatedBy     uuid.NullUUID `bun:"created_by,type:uuid"`
	CreatedAt     time.Time     `bun:"created_at"`

	Title            string            `bun:"title"`
	Object           string            `bun:"object"`
	Services         []Service         `bun:"services,type:jsonb"`
	MaintenanceKinds []MaintenanceKind `bun:"maintenance_kinds,array"`
	StartDate        time.Time         `bun:"start_date,type:date"`
	InitialMonths    int               `bun:"initial_months"`
	// RenewalMonths is the length of each tacit renewal; 0 means the contract ends after its initial
	// term.
	RenewalMonths    int           `bun:"renewal_months"`
	NoticeMonths     int           `bun:"notice_months"`
	TerminationTerms string        `bun:"termination_terms"`
	FeeCents         int64         `bun:"fee_cents"`
	BillingPeriod    BillingPeriod `bun:"billing_period"`
	PaymentTermsDays int           `bun:"payment_terms_days"`
	// IncludedMinutes is the intervention time included per month; 0 means none.
	IncludedMinutes     int           `bun:"included_minutes"`
	HourlyRateCents     int64         `bun:"hourly_rate_cents"`
	SLAPolicyID         uuid.NullUUID `bun:"sla_policy_id,type:uuid"`
	ProviderObligations string        `bun:"provider_obligations"`
	ClientObligations   string        `bun:"client_obligations"`
	Confidentiality     string        `bun:"confidentiality"`
	SpecificConditions  string        `bun:"specific_conditions"`
	Exclusions          string        `bun:"exclusions"`
	// PolicyVersionNo is the maintenance policy version in force when these terms were signed or
	// amended (0: none was published).
	PolicyVersionNo int `bun:"policy_version_no,nullzero"`

	// CreatedByName and PolicyName are read with the version, for display.
	CreatedByName string `bun:"created_by_name,scanonly"`
	PolicyName    string `bun:"policy_name,scanonly"`
}

// IsAmendment tells whether the version is an amendment rather than the original terms.
func (v *Version) IsAmendment() bool { return v.No > 1 }

// HasMaintenance tells whether the terms include a kind of maintenance, for forms.
func (v *Version) HasMaintenance(k MaintenanceKind) bool {
	return slices.Contains(v.MaintenanceKinds, k)
}

// Dates returns the part of the terms that fixes the contract's deadlines.
func (v *Version) Dates() Term {
	return Term{Start: v.StartDate, InitialMonths: v.InitialMonths, RenewalMonths: v.RenewalMonths, NoticeMonths: v.NoticeMonths}
}

// Normalize trims the texts, drops services left entirely empty, and orders and deduplicates the
// maintenance kinds, so that equal terms compare equal.
func (v *Version) Normalize() {
	v.Title = strings.TrimSpace(v.Title)
	for _, p := range []*string{&v.Object, &v.TerminationTerms, &v.ProviderObligations, &v.ClientObligations,
		&v.Confidentiality, &v.SpecificConditions, &v.Exclusions} {
		*p = strings.TrimSpace(strings.ReplaceAll(*p, "\r\n", "\n"))
	}
	services := make([]Service, 0, len(v.Services))
	for _, s := range v.Services {
		s.Description = strings.Join(strings.Fields(s.Description), " ") // one line
		if s.Kind == "" && s.Description == "" {
			continue
		}
		services = append(services, s)
	}
	v.Services = services
	kinds := make([]MaintenanceKind, 0, len(v.MaintenanceKinds))
	for _, k := range MaintenanceKinds() {
		if slices.Contains(v.MaintenanceKinds, k) {
			kinds = append(kinds, k)
		}
	}
	for _, k := range v.MaintenanceKinds {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k) // unknown: kept for Validate to refuse
		}
	}
	v.MaintenanceKinds = kinds
	if !v.StartDate.IsZero() {
		v.StartDate = Day(v.StartDate)
	}
}

// Validate checks the terms on their own, after Normalize; that the SLA policy exists is checked by
// the store (CheckTerms). Problems are reported per form field with catalogue keys; services are
// reported as "services" (their number) or "services.<i>.kind" / "services.<i>.description" for the
// i-th service (from 0).
func (v *Version) Validate() error {
	f := apperr.Fields{}
	v.check(f)
	return f.Err()
}

func (v *Version) check(f apperr.Fields) {
	switch n := utf8.RuneCountInString(v.Title); {
	case n == 0:
		f.Add("title", "error.required")
	case n > MaxTitle:
		f.Add("title", "error.too_long")
	}
	for field, text := range map[string]string{
		"object": v.Object, "termination_terms": v.TerminationTerms, "provider_obligations": v.ProviderObligations,
		"client_obligations": v.ClientObligations, "confidentiality": v.Confidentiality,
		"specific_conditions": v.SpecificConditions, "exclusions": v.Exclusions,
	} {
		if utf8.RuneCountInString(text) > MaxText {
			f.Add(field, "error.too_long")
		}
	}
	switch n := len(v.Services); {
	case n == 0:
		f.Add("services", "contract.error.services_none")
	case n > MaxServices:
		f.Add("services", "contract.error.services_too_many")
	}
	for i, s := range v.Services {
		if !s.Kind.Valid() {
			f.Add(fmt.Sprintf("services.%d.kind", i), "contract.error.service_kind")
		}
		switch n := utf8.RuneCountInString(s.Description); {
		case n == 0:
			f.Add(fmt.Sprintf("services.%d.description", i), "contract.error.service_description")
		case n > MaxServiceText:
			f.Add(fmt.Sprintf("services.%d.description", i), "error.too_long")
		}
	}
	for _, k := range v.MaintenanceKinds {
		if !slices.Contains(MaintenanceKinds(), k) {
			f.Add("maintenance_kinds", "contract.error.maintenance_kind")
		}
	}
	if v.StartDate.IsZero() {
		f.Add("start_date", "error.required")
	} else if y := v.StartDate.Year(); y < 2000 || y > 2100 {
		f.Add("start_date", "contract.error.date_range")
	}
	if v.InitialMonths < 1 || v.InitialMonths > MaxInitialMonths {
		f.Add("initial_months", "contract.error.initial_months")
	}
	if v.RenewalMonths < 0 || v.RenewalMonths > MaxRenewalMonths {
		f.Add("renewal_months", "contract.error.renewal_months")
	}
	switch {
	case v.NoticeMonths < 0 || v.NoticeMonths > MaxNoticeMonths:
		f.Add("notice_months", "contract.error.notice_months")
	case v.RenewalMonths > 0 && v.NoticeMonths >= v.RenewalMonths:
		f.Add("notice_months", "contract.error.notice_vs_renewal")
	}
	if v.FeeCents < 0 || v.FeeCents > MaxFeeCents {
		f.Add("fee", "contract.error.fee_range")
	}
	if !slices.Contains(BillingPeriods(), v.BillingPeriod) {
		f.Add("billing_period", "contract.error.billing_period")
	}
	if v.PaymentTermsDays < 0 || v.PaymentTermsDays > MaxPaymentTermsDays {
		f.Add("payment_terms_days", "contract.error.payment_terms")
	}
	if v.IncludedMinutes < 0 || v.IncludedMinutes > MaxIncludedMinutes {
		f.Add("included_hours", "contract.error.included_hours")
	}
	if v.HourlyRateCents < 0 || v.HourlyRateCents > MaxHourlyRateCents {
		f.Add("hourly_rate", "contract.error.hourly_rate_range")
	}
	if !v.SLAPolicyID.Valid {
		f.Add("sla_policy_id", "contract.error.policy_required")
	}
}

// termsEqual tells whether two versions agree on every term (not on number, reason or dates of the
// version itself).
func termsEqual(a, b *Version) bool { return len(Diff(a, b)) == 0 }
