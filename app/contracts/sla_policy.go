// Package contracts holds maintenance contracts, their versioned terms (amendments), the services
// they cover, their deadlines, and the SLA policies they reference.
package contracts

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/sla"
)

// SLAPolicy is a reusable service level: the service-hours calendar and, per priority, the reaction
// and resolution targets in business time, plus the penalty rule for missed targets.
type SLAPolicy struct {
	bun.BaseModel `bun:"table:sla_policies"`

	ID          uuid.UUID `bun:"id,pk,type:uuid"`
	Name        string    `bun:"name"`
	Description string    `bun:"description"`
	// Hours maps an English weekday name ("monday"…"sunday") to its opening intervals "09:00-12:30".
	Hours            map[string][]string `bun:"hours,type:jsonb"`
	FrenchHolidays   bool                `bun:"french_holidays"`
	AlsaceMoselle    bool                `bun:"alsace_moselle"`
	Closures         []time.Time         `bun:"closures,type:date[],array"`
	PenaltyBPPerHour int                 `bun:"penalty_bp_per_hour"`
	PenaltyCapBP     int                 `bun:"penalty_cap_bp"`
	Archived         bool                `bun:"archived"`
	CreatedAt        time.Time           `bun:"created_at"`
	UpdatedAt        time.Time           `bun:"updated_at"`
	Version          int                 `bun:"version"`

	// Targets are loaded from sla_targets.
	Targets map[sla.Priority]Targets `bun:"-"`
}

// Targets are the reaction and resolution times of one priority, in business minutes.
type Targets struct {
	ReactionMinutes   int
	ResolutionMinutes int
}

// slaTarget is a row of sla_targets.
type slaTarget struct {
	bun.BaseModel `bun:"table:sla_targets"`

	PolicyID          uuid.UUID `bun:"policy_id,pk,type:uuid"`
	Priority          string    `bun:"priority,pk"`
	ReactionMinutes   int       `bun:"reaction_minutes"`
	ResolutionMinutes int       `bun:"resolution_minutes"`
}

// GetSLAPolicy returns a policy with its targets.
func GetSLAPolicy(ctx context.Context, db bun.IDB, id uuid.UUID) (*SLAPolicy, error) {
	p := new(SLAPolicy)
	if err := db.NewSelect().Model(p).Where("id = ?", id).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("sla policy")
		}
		return nil, fmt.Errorf("contracts: get sla policy: %w", err)
	}
	if err := loadTargets(ctx, db, []*SLAPolicy{p}); err != nil {
		return nil, err
	}
	return p, nil
}

// ListSLAPolicies returns every policy (archived ones only when asked), by name, with their targets.
// Policies are few: the list is not paginated.
func ListSLAPolicies(ctx context.Context, db bun.IDB, withArchived bool) ([]*SLAPolicy, error) {
	var ps []*SLAPolicy
	q := db.NewSelect().Model(&ps).OrderExpr("lower(name), id")
	if !withArchived {
		q = q.Where("NOT archived")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("contracts: list sla policies: %w", err)
	}
	if err := loadTargets(ctx, db, ps); err != nil {
		return nil, err
	}
	return ps, nil
}

func loadTargets(ctx context.Context, db bun.IDB, ps []*SLAPolicy) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(ps))
	byID := make(map[uuid.UUID]*SLAPolicy, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
		byID[p.ID] = p
		p.Targets = map[sla.Priority]Targets{}
	}
	var rows []slaTarget
	if err := db.NewSelect().Model(&rows).Where("policy_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return fmt.Errorf("contracts: load sla targets: %w", err)
	}
	for _, r := range rows {
		pr, err := sla.ParsePriority(r.Priority)
		if err != nil {
			return fmt.Errorf("contracts: load sla targets: %w", err)
		}
		byID[r.PolicyID].Targets[pr] = Targets{ReactionMinutes: r.ReactionMinutes, ResolutionMinutes: r.ResolutionMinutes}
	}
	return nil
}
