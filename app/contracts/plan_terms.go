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
)

// ChangePlan: the preventive plan, one task per line as app/scheduling writes it.
const ChangePlan ChangeKind = "plan"

// PlanField is the catalogue key naming the preventive plan among the terms.
const PlanField = "contract.field.preventive_plan"

// PlanTerms records the preventive plan as of a version of a contract's terms. A version without a
// row keeps the plan of the version before: the plan changes only by its own amendments (made by
// AmendPlan), and an amendment of the other terms leaves it as it was.
type PlanTerms struct {
	bun.BaseModel `bun:"table:contract_plan_terms,alias:cpt"`

	ContractID uuid.UUID `bun:"contract_id,pk,type:uuid"`
	VersionNo  int       `bun:"version_no,pk"`
	Plan       string    `bun:"plan"`
}

// Plans returns the preventive plan of each version of a contract's terms (index no-1), the plan of
// a version without its own record being the one before.
func Plans(ctx context.Context, db bun.IDB, id uuid.UUID, versions int) ([]string, error) {
	var rows []*PlanTerms
	if err := db.NewSelect().Model(&rows).Where("contract_id = ? AND version_no <= ?", id, versions).
		OrderExpr("version_no").Limit(1000).Scan(ctx); err != nil {
		return nil, fmt.Errorf("contracts: plans: %w", err)
	}
	out := make([]string, versions)
	cur, n := "", 0
	for no := 1; no <= versions; no++ {
		if n < len(rows) && rows[n].VersionNo == no {
			cur = rows[n].Plan
			n++
		}
		out[no-1] = cur
	}
	return out, nil
}

// PlanChanges lists, for each version but the first (index no-1), the change of the preventive plan
// it made, if any: the tasks (lines) it took out or changed before, the ones it added or changed
// after, the tasks it left as they were being left out. plans is what Plans returned.
func PlanChanges(plans []string) []*Change {
	out := make([]*Change, len(plans))
	for i := 1; i < len(plans); i++ {
		if plans[i] == plans[i-1] {
			continue
		}
		before, after := lines(plans[i-1]), lines(plans[i])
		out[i] = &Change{Field: PlanField, Kind: ChangePlan, Before: strings.Join(missing(before, after), "\n"),
			After: strings.Join(missing(after, before), "\n")}
	}
	return out
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// missing is the lines of a that b does not have, in a's order.
func missing(a, b []string) []string {
	var out []string
	for _, l := range a {
		if !slices.Contains(b, l) {
			out = append(out, l)
		}
	}
	return out
}

// SetDraftPlan records the preventive plan of a draft contract in its terms, in place (nothing was
// agreed yet). A contract that is no longer a draft is a Conflict ErrNotDraft.
func SetDraftPlan(ctx context.Context, db bun.IDB, id uuid.UUID, plan string) error {
	c, err := lock(ctx, db, id)
	if err != nil {
		return err
	}
	if c.Status != StatusDraft {
		return apperr.Conflictf(ErrNotDraft)
	}
	return putPlan(ctx, db, id, c.CurrentVersion, plan)
}

// RecordPlan records plan as the preventive plan of every version of a contract's terms that has
// none recorded yet, before the first one that has: for plans entered before the terms recorded
// them (the demo data, older databases), so that the next amendment shows what it changes.
func RecordPlan(ctx context.Context, db bun.IDB, id uuid.UUID, plan string) error {
	_, err := db.NewRaw(`INSERT INTO contract_plan_terms (contract_id, version_no, plan)
		SELECT v.contract_id, 1, ? FROM contract_versions AS v
		WHERE v.contract_id = ? AND v.no = 1 AND NOT EXISTS (SELECT 1 FROM contract_plan_terms AS p WHERE p.contract_id = v.contract_id)`,
		plan, id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("contracts: record plan: %w", err)
	}
	return nil
}

func putPlan(ctx context.Context, db bun.IDB, id uuid.UUID, no int, plan string) error {
	row := &PlanTerms{ContractID: id, VersionNo: no, Plan: plan}
	if _, err := db.NewInsert().Model(row).On("CONFLICT (contract_id, version_no) DO UPDATE").Set("plan = EXCLUDED.plan").Exec(ctx); err != nil {
		return fmt.Errorf("contracts: plan terms: %w", err)
	}
	return nil
}

// AmendPlan records a change of a running contract's preventive plan as an amendment of its terms:
// the next version, the other terms unchanged, with plan as its plan, effective from effectiveFrom,
// for reason. The caller (app/scheduling) has checked the reason and the day. It returns the new
// version's number. A contract that is not running is a Conflict ErrNotAmendable.
func AmendPlan(ctx context.Context, db bun.IDB, id uuid.UUID, plan, reason string, effectiveFrom time.Time, by uuid.UUID, now time.Time) (int, error) {
	c, err := lock(ctx, db, id)
	if err != nil {
		return 0, err
	}
	if !c.Status.IsRunning() {
		return 0, apperr.Conflictf(ErrNotAmendable)
	}
	cur, err := versionNo(ctx, db, id, c.CurrentVersion)
	if err != nil {
		return 0, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReason {
		return 0, apperr.Invalidf("contract.error.reason_required")
	}
	v := *cur
	v.No, v.EffectiveFrom, v.Reason = c.CurrentVersion+1, Day(effectiveFrom), reason
	v.CreatedBy, v.CreatedAt = nullUUID(by), now.UTC()
	if _, err := db.NewInsert().Model(&v).Exec(ctx); err != nil {
		return 0, fmt.Errorf("contracts: amend plan: %w", err)
	}
	if err := putPlan(ctx, db, id, v.No, plan); err != nil {
		return 0, err
	}
	_, err = db.NewUpdate().Model((*Contract)(nil)).
		Set("current_version = ?", v.No).Set("version = version + 1").Set("updated_at = ?", now.UTC()).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("contracts: amend plan: %w", err)
	}
	return v.No, nil
}
