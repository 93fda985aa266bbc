package contracts

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
)

// TemplateKind is the kind of contract a template is for.
type TemplateKind string

// The kinds of template: website maintenance, e-commerce, social networks, an IT park (workstations
// and servers), anything else.
const (
	TemplateWebsite       TemplateKind = "website"
	TemplateEcommerce     TemplateKind = "ecommerce"
	TemplateSocialNetwork TemplateKind = "social_network"
	TemplateITPark        TemplateKind = "it_park"
	TemplateOther         TemplateKind = "other"
)

// TemplateKinds lists every kind, in the order forms offer them.
func TemplateKinds() []TemplateKind {
	return []TemplateKind{TemplateWebsite, TemplateEcommerce, TemplateSocialNetwork, TemplateITPark, TemplateOther}
}

// Label is the catalogue key naming the kind ("template.kind.website").
func (k TemplateKind) Label() string { return "template.kind." + string(k) }

// Limits of a template.
const (
	MaxTemplateName  = 120
	MaxTemplateDesc  = 2000
	MaxReviewMonths  = 60
	MaxTemplateTasks = 10
)

// PlanTask is one recurring task of a template's default preventive plan, copied into the plan of
// each contract made from the template (its first occurrence on the contract's start date).
type PlanTask struct {
	Title     string   `json:"title"`
	Checklist []string `json:"checklist"`
	Minutes   int      `json:"minutes"`
	// Rule is an RFC 5545 recurrence rule ("FREQ=MONTHLY;BYMONTHDAY=1").
	Rule string `json:"rule"`
	// AtMinute is the time of day of the visits, in minutes after midnight.
	AtMinute int `json:"at_minute"`
	// Place is "remote", "on_site" or "workshop".
	Place string `json:"place"`
}

// Template is a reusable set of contract terms for one kind of contract. Making a contract from it
// copies its terms: changing the template later never changes a contract.
type Template struct {
	bun.BaseModel `bun:"table:contract_templates,alias:tpl"`

	ID          uuid.UUID    `bun:"id,pk,type:uuid"`
	Name        string       `bun:"name"`
	Kind        TemplateKind `bun:"kind"`
	Description string       `bun:"description"`

	Title               string            `bun:"title"`
	Object              string            `bun:"object"`
	Services            []Service         `bun:"services,type:jsonb"`
	MaintenanceKinds    []MaintenanceKind `bun:"maintenance_kinds,array"`
	InitialMonths       int               `bun:"initial_months"`
	RenewalMonths       int               `bun:"renewal_months"`
	NoticeMonths        int               `bun:"notice_months"`
	TerminationTerms    string            `bun:"termination_terms"`
	FeeCents            int64             `bun:"fee_cents"`
	BillingPeriod       BillingPeriod     `bun:"billing_period"`
	PaymentTermsDays    int               `bun:"payment_terms_days"`
	IncludedMinutes     int               `bun:"included_minutes"`
	HourlyRateCents     int64             `bun:"hourly_rate_cents"`
	SLAPolicyID         uuid.UUID         `bun:"sla_policy_id,type:uuid"`
	ProviderObligations string            `bun:"provider_obligations"`
	ClientObligations   string            `bun:"client_obligations"`
	Confidentiality     string            `bun:"confidentiality"`
	SpecificConditions  string            `bun:"specific_conditions"`
	Exclusions          string            `bun:"exclusions"`
	ReviewMonths        int               `bun:"review_months"`
	Plan                []PlanTask        `bun:"plan,type:jsonb"`

	Archived  bool      `bun:"archived"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
	Version   int       `bun:"version"`

	// PolicyName is read with the template, for display.
	PolicyName string `bun:"policy_name,scanonly"`
}

// Terms returns the template's terms as the terms of a new contract starting on start: a copy, so
// that the contract never shares anything with the template.
func (t *Template) Terms(start time.Time) *Version {
	return &Version{
		Title: t.Title, Object: t.Object, Services: slices.Clone(t.Services),
		MaintenanceKinds: slices.Clone(t.MaintenanceKinds), StartDate: Day(start),
		InitialMonths: t.InitialMonths, RenewalMonths: t.RenewalMonths, NoticeMonths: t.NoticeMonths,
		TerminationTerms: t.TerminationTerms, FeeCents: t.FeeCents, BillingPeriod: t.BillingPeriod,
		PaymentTermsDays: t.PaymentTermsDays, IncludedMinutes: t.IncludedMinutes, HourlyRateCents: t.HourlyRateCents,
		SLAPolicyID:         uuid.NullUUID{UUID: t.SLAPolicyID, Valid: t.SLAPolicyID != uuid.Nil},
		ProviderObligations: t.ProviderObligations, ClientObligations: t.ClientObligations,
		Confidentiality: t.Confidentiality, SpecificConditions: t.SpecificConditions, Exclusions: t.Exclusions,
	}
}

// checkTemplate normalizes and validates a template: its name, kind, review interval and plan here,
// its terms as a contract's (less the start date), and that its SLA policy exists.
func checkTemplate(ctx context.Context, db bun.IDB, t *Template, keepPolicy uuid.UUID) error {
	t.Name = strings.Join(strings.Fields(t.Name), " ")
	t.Description = strings.TrimSpace(strings.ReplaceAll(t.Description, "\r\n", "\n"))
	f := apperr.Fields{}
	switch n := utf8.RuneCountInString(t.Name); {
	case n == 0:
		f.Add("name", "error.required")
	case n > MaxTemplateName:
		f.Add("name", "error.too_long")
	}
	if !slices.Contains(TemplateKinds(), t.Kind) {
		f.Add("kind", "template.error.kind")
	}
	if utf8.RuneCountInString(t.Description) > MaxTemplateDesc {
		f.Add("description", "error.too_long")
	}
	if t.ReviewMonths < 0 || t.ReviewMonths > MaxReviewMonths {
		f.Add("review_months", "template.error.review_months")
	}
	if len(t.Plan) > MaxTemplateTasks {
		f.Add("plan", "template.error.plan_too_many")
	}
	for i := range t.Plan {
		p := &t.Plan[i]
		p.Title = strings.Join(strings.Fields(p.Title), " ")
		if p.Title == "" || utf8.RuneCountInString(p.Title) > 200 {
			f.Add(fmt.Sprintf("plan_title_%d", i), "error.required")
		}
		if p.Minutes <= 0 || p.Minutes > 24*60 {
			f.Add(fmt.Sprintf("plan_minutes_%d", i), "template.error.plan_minutes")
		}
		if p.AtMinute < 0 || p.AtMinute >= 24*60 {
			f.Add(fmt.Sprintf("plan_at_%d", i), "template.error.plan_at")
		}
		if strings.TrimSpace(p.Rule) == "" {
			f.Add(fmt.Sprintf("plan_rule_%d", i), "error.required")
		}
		if !slices.Contains([]string{"remote", "on_site", "workshop"}, p.Place) {
			p.Place = "remote"
		}
		if p.Checklist == nil {
			p.Checklist = []string{}
		}
	}
	v := t.Terms(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) // the start date is the contract's, not the template's
	v.SLAPolicyID = uuid.NullUUID{UUID: t.SLAPolicyID, Valid: t.SLAPolicyID != uuid.Nil}
	if err := checkTerms(ctx, db, v, uuid.NullUUID{UUID: keepPolicy, Valid: keepPolicy != uuid.Nil}, f); err != nil {
		return err
	}
	delete(f, "start_date")
	// The normalized terms back into the template.
	t.Title, t.Object, t.Services, t.MaintenanceKinds = v.Title, v.Object, v.Services, v.MaintenanceKinds
	t.TerminationTerms, t.ProviderObligations, t.ClientObligations = v.TerminationTerms, v.ProviderObligations, v.ClientObligations
	t.Confidentiality, t.SpecificConditions, t.Exclusions = v.Confidentiality, v.SpecificConditions, v.Exclusions
	if t.Services == nil {
		t.Services = []Service{}
	}
	if t.MaintenanceKinds == nil {
		t.MaintenanceKinds = []MaintenanceKind{}
	}
	if t.Plan == nil {
		t.Plan = []PlanTask{}
	}
	return f.Err()
}

// selectTemplates selects templates with their SLA policy's name.
func selectTemplates(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("tpl.*").ColumnExpr("coalesce(p.name, '') AS policy_name").
		Join("LEFT JOIN sla_policies AS p ON p.id = tpl.sla_policy_id")
}

// CreateTemplate writes a new template; an unknown or archived SLA policy, negative amounts or
// durations are field errors and nothing is written.
func CreateTemplate(ctx context.Context, db bun.IDB, t *Template, now time.Time) error {
	if err := checkTemplate(ctx, db, t, uuid.Nil); err != nil {
		return err
	}
	if err := templateNameFree(ctx, db, t.Name, uuid.Nil); err != nil {
		return err
	}
	t.ID = uuid.Must(uuid.NewV7())
	t.CreatedAt, t.UpdatedAt, t.Version, t.Archived = now.UTC(), now.UTC(), 1, false
	if _, err := db.NewInsert().Model(t).Exec(ctx); err != nil {
		return fmt.Errorf("contracts: create template: %w", err)
	}
	return nil
}

func templateNameFree(ctx context.Context, db bun.IDB, name string, except uuid.UUID) error {
	n, err := db.NewSelect().Model((*Template)(nil)).Where("lower(name) = lower(?) AND id <> ?", name, except).Count(ctx)
	if err != nil {
		return fmt.Errorf("contracts: template name: %w", err)
	}
	if n > 0 {
		return apperr.Fields{"name": "template.error.name_taken"}.Err()
	}
	return nil
}

// UpdateTemplate changes a template read at expectedVersion (ErrStale otherwise). Contracts made
// from it keep the terms they were given.
func UpdateTemplate(ctx context.Context, db bun.IDB, t *Template, expectedVersion int, now time.Time) error {
	cur := new(Template)
	if err := db.NewSelect().Model(cur).Where("tpl.id = ?", t.ID).For("UPDATE").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return apperr.NotFoundf("contract template")
		}
		return fmt.Errorf("contracts: update template: %w", err)
	}
	if cur.Version != expectedVersion {
		return apperr.Conflictf(ErrStale)
	}
	if err := checkTemplate(ctx, db, t, cur.SLAPolicyID); err != nil {
		return err
	}
	if err := templateNameFree(ctx, db, t.Name, t.ID); err != nil {
		return err
	}
	t.CreatedAt, t.UpdatedAt, t.Version = cur.CreatedAt, now.UTC(), cur.Version+1
	if _, err := db.NewUpdate().Model(t).ExcludeColumn("id", "created_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("contracts: update template: %w", err)
	}
	return nil
}

// SetTemplateArchived archives a template (no longer offered for new contracts) or brings it back.
func SetTemplateArchived(ctx context.Context, db bun.IDB, id uuid.UUID, archived bool, now time.Time) (*Template, error) {
	res, err := db.NewUpdate().Model((*Template)(nil)).Set("archived = ?", archived).Set("updated_at = ?", now.UTC()).
		Set("version = version + 1").Where("id = ?", id).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("contracts: archive template: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, apperr.NotFoundf("contract template")
	}
	return GetTemplate(ctx, db, id)
}

// GetTemplate returns one template.
func GetTemplate(ctx context.Context, db bun.IDB, id uuid.UUID) (*Template, error) {
	t := new(Template)
	if err := selectTemplates(db, t).Where("tpl.id = ?", id).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("contract template")
		}
		return nil, fmt.Errorf("contracts: template: %w", err)
	}
	return t, nil
}

// MaxTemplates bounds the list of templates (a provider has a handful).
const MaxTemplates = 200

// ListTemplates returns the templates by kind and name; archived ones only when asked.
func ListTemplates(ctx context.Context, db bun.IDB, withArchived bool) ([]*Template, error) {
	var ts []*Template
	q := selectTemplates(db, &ts).OrderExpr("tpl.archived, tpl.kind, lower(tpl.name)").Limit(MaxTemplates)
	if !withArchived {
		q = q.Where("NOT tpl.archived")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("contracts: templates: %w", err)
	}
	return ts, nil
}

// MarkFromTemplate records on a new contract the template it was made from and takes the template's
// review interval.
func MarkFromTemplate(ctx context.Context, db bun.IDB, contractID uuid.UUID, t *Template) error {
	_, err := db.NewUpdate().Model((*Contract)(nil)).Set("template_id = ?", t.ID).Set("review_months = ?", t.ReviewMonths).
		Where("id = ?", contractID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("contracts: mark from template: %w", err)
	}
	return nil
}
