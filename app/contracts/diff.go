package contracts

import (
	"strconv"
	"strings"
	"time"
)

// ChangeKind says how the values of a Change are written, so that a page can format them: the
// values are raw (cents, ISO dates, codes), never formatted for a language here.
type ChangeKind string

// The kinds of value a Change carries.
const (
	// ChangeText: free text, as entered.
	ChangeText ChangeKind = "text"
	// ChangeMoney: an amount in cents ("12345").
	ChangeMoney ChangeKind = "money"
	// ChangeDate: a civil date "2006-01-02".
	ChangeDate ChangeKind = "date"
	// ChangeMonths, ChangeDays: a whole number of months or days ("12").
	ChangeMonths ChangeKind = "months"
	ChangeDays   ChangeKind = "days"
	// ChangeMinutes: a duration in minutes ("240").
	ChangeMinutes ChangeKind = "minutes"
	// ChangeBilling: a billing period code ("monthly").
	ChangeBilling ChangeKind = "billing"
	// ChangePolicy: the id of a service-level policy (empty for none).
	ChangePolicy ChangeKind = "policy"
	// ChangeServices: one service per line, "kind: description" (kind is a ServiceKind code).
	ChangeServices ChangeKind = "services"
	// ChangeMaintenance: maintenance kind codes separated by commas ("preventive,corrective").
	ChangeMaintenance ChangeKind = "maintenance"
)

// Change is one term that differs between two versions. Field is the catalogue key naming the term
// ("contract.field.fee").
type Change struct {
	Field  string
	Kind   ChangeKind
	Before string
	After  string
}

// Diff lists the terms that differ from a to b, in the order of the contract's clauses. Services
// and maintenance kinds are compared as whole lists.
func Diff(a, b *Version) []Change {
	var out []Change
	add := func(field string, kind ChangeKind, before, after string) {
		if before != after {
			out = append(out, Change{Field: field, Kind: kind, Before: before, After: after})
		}
	}
	num := strconv.Itoa
	cents := func(n int64) string { return strconv.FormatInt(n, 10) }
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return Day(t).Format(time.DateOnly)
	}
	policy := func(v *Version) string {
		if !v.SLAPolicyID.Valid {
			return ""
		}
		return v.SLAPolicyID.UUID.String()
	}
	add("contract.field.title", ChangeText, a.Title, b.Title)
	add("contract.field.object", ChangeText, a.Object, b.Object)
	add("contract.field.services", ChangeServices, servicesText(a.Services), servicesText(b.Services))
	add("contract.field.maintenance_kinds", ChangeMaintenance, kindsText(a.MaintenanceKinds), kindsText(b.MaintenanceKinds))
	add("contract.field.start_date", ChangeDate, date(a.StartDate), date(b.StartDate))
	add("contract.field.initial_months", ChangeMonths, num(a.InitialMonths), num(b.InitialMonths))
	add("contract.field.renewal_months", ChangeMonths, num(a.RenewalMonths), num(b.RenewalMonths))
	add("contract.field.notice_months", ChangeMonths, num(a.NoticeMonths), num(b.NoticeMonths))
	add("contract.field.termination_terms", ChangeText, a.TerminationTerms, b.TerminationTerms)
	add("contract.field.fee", ChangeMoney, cents(a.FeeCents), cents(b.FeeCents))
	add("contract.field.billing_period", ChangeBilling, string(a.BillingPeriod), string(b.BillingPeriod))
	add("contract.field.payment_terms_days", ChangeDays, num(a.PaymentTermsDays), num(b.PaymentTermsDays))
	add("contract.field.included_hours", ChangeMinutes, num(a.IncludedMinutes), num(b.IncludedMinutes))
	add("contract.field.hourly_rate", ChangeMoney, cents(a.HourlyRateCents), cents(b.HourlyRateCents))
	add("contract.field.sla_policy", ChangePolicy, policy(a), policy(b))
	add("contract.field.provider_obligations", ChangeText, a.ProviderObligations, b.ProviderObligations)
	add("contract.field.client_obligations", ChangeText, a.ClientObligations, b.ClientObligations)
	add("contract.field.confidentiality", ChangeText, a.Confidentiality, b.Confidentiality)
	add("contract.field.specific_conditions", ChangeText, a.SpecificConditions, b.SpecificConditions)
	add("contract.field.exclusions", ChangeText, a.Exclusions, b.Exclusions)
	return out
}

func servicesText(ss []Service) string {
	lines := make([]string, len(ss))
	for i, s := range ss {
		lines[i] = string(s.Kind) + ": " + s.Description
	}
	return strings.Join(lines, "\n")
}

func kindsText(ks []MaintenanceKind) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = string(k)
	}
	return strings.Join(parts, ",")
}

// ParseServicesText reads back the value of a ChangeServices change.
func ParseServicesText(s string) []Service {
	if s == "" {
		return nil
	}
	var out []Service
	for _, line := range strings.Split(s, "\n") {
		kind, desc, _ := strings.Cut(line, ": ")
		out = append(out, Service{Kind: ServiceKind(kind), Description: desc})
	}
	return out
}
