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

// CreateSLAPolicy validates and inserts a policy with its four targets. Run it in a transaction
// (database.DB.InTx) so the policy and its targets are written together.
func CreateSLAPolicy(ctx context.Context, db bun.IDB, p *SLAPolicy, now time.Time) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.ID == uuid.Nil {
		p.ID = uuid.Must(uuid.NewV7())
	}
	p.ensureSLAHours()
	p.CreatedAt, p.UpdatedAt, p.Version, p.Archived = now.UTC(), now.UTC(), 1, false
	if _, err := db.NewInsert().Model(p).Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return apperr.Fields{"name": "sla.error.name_taken"}.Err()
		}
		return fmt.Errorf("contracts: create sla policy: %w", err)
	}
	if err := insertSLATargets(ctx, db, p); err != nil {
		return fmt.Errorf("contracts: create sla policy: %w", err)
	}
	return nil
}

// UpdateSLAPolicy saves a policy's terms and replaces its targets, if nobody changed it since
// p.Version was read: otherwise Conflict (NotFound when it no longer exists). Run it in a
// transaction. The archived flag is left as it is; see ArchiveSLAPolicy.
func UpdateSLAPolicy(ctx context.Context, db bun.IDB, p *SLAPolicy, now time.Time) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.ensureSLAHours()
	p.UpdatedAt = now.UTC()
	res, err := db.NewUpdate().Model(p).
		Column("name", "description", "hours", "french_holidays", "alsace_moselle", "closures",
			"penalty_bp_per_hour", "penalty_cap_bp", "updated_at").
		Set("version = version + 1").
		Where("id = ? AND version = ?", p.ID, p.Version).Returning("archived, created_at").Exec(ctx)
	if err != nil {
		if database.IsUniqueViolation(err) {
			return apperr.Fields{"name": "sla.error.name_taken"}.Err()
		}
		return fmt.Errorf("contracts: update sla policy: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return slaPolicyMissingOrStale(ctx, db, p.ID)
	}
	p.Version++
	if _, err := db.NewDelete().Model((*slaTarget)(nil)).Where("policy_id = ?", p.ID).Exec(ctx); err != nil {
		return fmt.Errorf("contracts: update sla policy: delete targets: %w", err)
	}
	if err := insertSLATargets(ctx, db, p); err != nil {
		return fmt.Errorf("contracts: update sla policy: %w", err)
	}
	return nil
}

// ArchiveSLAPolicy hides a policy from the choices offered to new contracts; contracts that use it
// keep it. It returns the policy as archived, NotFound if it does not exist.
func ArchiveSLAPolicy(ctx context.Context, db bun.IDB, id uuid.UUID, now time.Time) (*SLAPolicy, error) {
	return setSLAPolicyArchived(ctx, db, id, true, now)
}

// UnarchiveSLAPolicy offers an archived policy to contracts again.
func UnarchiveSLAPolicy(ctx context.Context, db bun.IDB, id uuid.UUID, now time.Time) (*SLAPolicy, error) {
	return setSLAPolicyArchived(ctx, db, id, false, now)
}

func setSLAPolicyArchived(ctx context.Context, db bun.IDB, id uuid.UUID, archived bool, now time.Time) (*SLAPolicy, error) {
	p := new(SLAPolicy)
	res, err := db.NewUpdate().Model(p).
		Set("archived = ?", archived).Set("updated_at = ?", now.UTC()).Set("version = version + 1").
		Where("id = ?", id).Returning("*").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("contracts: archive sla policy: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, apperr.NotFoundf("sla policy")
	}
	return p, nil
}

// CountContractsUsing returns how many contracts use the policy in their terms in force (their
// latest version), terminated and expired contracts left out: the contracts a change of the policy
// affects.
func CountContractsUsing(ctx context.Context, db bun.IDB, policyID uuid.UUID) (int, error) {
	counts, err := CountContractsUsingSLAPolicies(ctx, db, []uuid.UUID{policyID})
	if err != nil {
		return 0, err
	}
	return counts[policyID], nil
}

// CountContractsUsingSLAPolicies is CountContractsUsing for several policies in one query, for
// lists; policies no contract uses are absent from the map.
func CountContractsUsingSLAPolicies(ctx context.Context, db bun.IDB, policyIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	out := make(map[uuid.UUID]int, len(policyIDs))
	if len(policyIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		PolicyID uuid.UUID `bun:"sla_policy_id,type:uuid"`
		N        int       `bun:"n"`
	}
	err := db.NewRaw(`SELECT cv.sla_policy_id, count(*) AS n
		FROM contract_versions cv JOIN contracts c ON c.id = cv.contract_id AND cv.no = c.current_version
		WHERE cv.sla_policy_id IN (?) AND c.status NOT IN ('terminated', 'expired')
		GROUP BY cv.sla_policy_id`, bun.List(policyIDs)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("contracts: count contracts using sla policies: %w", err)
	}
	for _, r := range rows {
		out[r.PolicyID] = r.N
	}
	return out, nil
}

// ensureSLAHours stores a closed week as an empty object rather than JSON null.
func (p *SLAPolicy) ensureSLAHours() {
	if p.Hours == nil {
		p.Hours = map[string][]string{}
	}
	if p.Closures == nil {
		p.Closures = []time.Time{}
	}
}

func insertSLATargets(ctx context.Context, db bun.IDB, p *SLAPolicy) error {
	rows := make([]slaTarget, 0, len(p.Targets))
	for _, pr := range sla.Priorities() {
		t := p.Targets[pr]
		rows = append(rows, slaTarget{PolicyID: p.ID, Priority: pr.String(),
			ReactionMinutes: t.ReactionMinutes, ResolutionMinutes: t.ResolutionMinutes})
	}
	if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("insert sla targets: %w", err)
	}
	return nil
}

// slaPolicyMissingOrStale explains an update that changed no row.
func slaPolicyMissingOrStale(ctx context.Context, db bun.IDB, id uuid.UUID) error {
	exists, err := db.NewSelect().Model((*SLAPolicy)(nil)).Where("id = ?", id).Exists(ctx)
	if err != nil {
		return fmt.Errorf("contracts: update sla policy: %w", err)
	}
	if !exists {
		return apperr.NotFoundf("sla policy")
	}
	return apperr.Conflictf("error.stale")
}
