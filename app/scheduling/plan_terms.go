package scheduling

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// PlanTerm is one task of a plan as the contract's terms record it (contracts.PlanTerms): what was
// agreed, in raw values (codes, ISO dates), written for people by the pages.
type PlanTerm struct {
	Title      string   `json:"title"`
	Target     string   `json:"target,omitempty"`
	Rule       string   `json:"rule"`
	FirstOn    string   `json:"first_on"`
	At         string   `json:"at"`
	Minutes    int      `json:"minutes"`
	Place      string   `json:"place"`
	Technician string   `json:"technician,omitempty"`
	Checklist  []string `json:"checklist,omitempty"`
	Exdates    []string `json:"exdates,omitempty"`
}

// FirstDay is the day of the rule's first occurrence.
func (t PlanTerm) FirstDay() time.Time {
	d, _ := time.Parse(time.DateOnly, t.FirstOn)
	return d
}

// PlanText writes the tasks in force as the contract's terms record them: one task per line, in
// the plan's order, so that two plans compare as text.
func PlanText(tasks []*Task) string {
	lines := make([]string, 0, len(tasks))
	for _, t := range tasks {
		pt := PlanTerm{
			Title: t.Title, Target: t.Target, Rule: t.Rule, FirstOn: t.FirstOn.Format(time.DateOnly), At: t.AtClock(),
			Minutes: t.EstimatedMinutes, Place: string(t.Place), Technician: t.TechnicianName, Checklist: t.Checklist,
		}
		for _, d := range t.Exdates {
			pt.Exdates = append(pt.Exdates, d.Format(time.DateOnly))
		}
		b, err := json.Marshal(pt)
		if err != nil {
			continue // a struct of strings always marshals
		}
		lines = append(lines, string(b))
	}
	return strings.Join(lines, "\n")
}

// ParsePlanText reads back what PlanText wrote; a line that cannot be read is kept as a title.
func ParsePlanText(s string) []PlanTerm {
	if s == "" {
		return nil
	}
	var out []PlanTerm
	for _, line := range strings.Split(s, "\n") {
		var pt PlanTerm
		if err := json.Unmarshal([]byte(line), &pt); err != nil {
			pt = PlanTerm{Title: line}
		}
		out = append(out, pt)
	}
	return out
}

// planTextOf is the text of a contract's plan in force (its tasks not ended).
func planTextOf(ctx context.Context, db bun.IDB, contractID uuid.UUID) (string, error) {
	var tasks []*Task
	if err := selectTasks(db, &tasks).Where("mt.contract_id = ? AND mt.ended_on IS NULL", contractID).
		OrderExpr("mt.title, mt.first_on, mt.rrule, mt.id").Scan(ctx); err != nil {
		return "", fmt.Errorf("scheduling: plan text: %w", err)
	}
	return PlanText(tasks), nil
}

// RecordPlanTerms records a contract's plan in force in its terms when they have none recorded yet
// (tasks written straight into the plan, as the demo data does).
func RecordPlanTerms(ctx context.Context, db bun.IDB, contractID uuid.UUID) error {
	_, err := recordPlan(ctx, db, contractID)
	return err
}
