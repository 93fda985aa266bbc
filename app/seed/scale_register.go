package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"maintenant/app/interventions"
)

// register appends one register entry per intervention done in this run, client by client, each
// client's chain continuing its existing entries: the hashes are the real ones (interventions
// .ComputeHash), so that verifying a generated register succeeds. Entries go in by COPY.
func (s *scaler) register(ctx context.Context) error {
	started := time.Now()
	// The rows generated in this transaction are not in the planner's statistics yet: without them
	// it reads every intervention once per client.
	if _, err := s.tx.Exec(ctx, "ANALYZE interventions, intervention_technicians, time_entries, register_entries"); err != nil {
		return fmt.Errorf("seed: scale: register analyze: %w", err)
	}
	type head struct {
		seq  int
		hash []byte
	}
	heads := map[uuid.UUID]head{}
	rows, err := s.tx.Query(ctx, `SELECT DISTINCT ON (client_id) client_id, seq, hash FROM register_entries ORDER BY client_id, seq DESC`)
	if err != nil {
		return fmt.Errorf("seed: scale: register heads: %w", err)
	}
	for rows.Next() {
		var id uuid.UUID
		var h head
		if err := rows.Scan(&id, &h.seq, &h.hash); err != nil {
			rows.Close()
			return fmt.Errorf("seed: scale: register heads: %w", err)
		}
		heads[id] = h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("seed: scale: register heads: %w", err)
	}
	var clientIDs []uuid.UUID
	rows, err = s.tx.Query(ctx, `SELECT DISTINCT client_id FROM interventions WHERE number > $1 AND status = 'done'`, s.interventionBase)
	if err != nil {
		return fmt.Errorf("seed: scale: register clients: %w", err)
	}
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		clientIDs = append(clientIDs, id)
	}
	rows.Close()
	columns := []string{"id", "client_id", "seq", "intervention_id", "occurred_on", "contract_id", "kind", "subject", "actions",
		"minutes_work", "minutes_travel", "minutes_on_site", "minutes_research", "materials_cents", "time_cost_cents",
		"total_cost_cents", "technicians", "sheet_reference", "created_at", "prev_hash", "hash"}
	var total int64
	for _, clientID := range clientIDs {
		entries, err := s.registerEntries(ctx, clientID)
		if err != nil {
			return err
		}
		h, ok := heads[clientID]
		if !ok {
			h = head{seq: 0, hash: interventions.ZeroHash}
		}
		data := make([][]any, 0, len(entries))
		for _, e := range entries {
			e.Seq, e.PrevHash = h.seq+1, h.hash
			e.Hash = interventions.ComputeHash(e)
			h = head{seq: e.Seq, hash: e.Hash}
			data = append(data, []any{e.ID, e.ClientID, e.Seq, e.InterventionID, e.OccurredOn, e.ContractID, string(e.Kind),
				e.Subject, e.Actions, e.MinutesWork, e.MinutesTravel, e.MinutesOnSite, e.MinutesResearch, e.MaterialsCents,
				e.TimeCostCents, e.TotalCostCents, e.Technicians, e.SheetReference, e.CreatedAt, e.PrevHash, e.Hash})
		}
		n, err := s.tx.CopyFrom(ctx, pgx.Identifier{"register_entries"}, columns, pgx.CopyFromRows(data))
		if err != nil {
			return fmt.Errorf("seed: scale: register copy: %w", err)
		}
		total += n
	}
	s.rep.Steps = append(s.rep.Steps, ScaleStep{Name: "register entries (COPY)", Rows: total, Duration: time.Since(started)})
	return nil
}

// registerEntries reads the interventions of one client done in this run, oldest first, with their
// time by category, as register entries without their place in the chain.
func (s *scaler) registerEntries(ctx context.Context, clientID uuid.UUID) ([]*interventions.RegisterEntry, error) {
	rows, err := s.tx.Query(ctx, `SELECT i.id, i.number, i.contract_id, i.kind, i.title, i.summary, i.completed_at,
			coalesce((SELECT string_agg(u.name, ', ') FROM intervention_technicians it JOIN users u ON u.id = it.user_id
				WHERE it.intervention_id = i.id), ''),
			coalesce(t.work, 0), coalesce(t.travel, 0), coalesce(t.on_site, 0), coalesce(t.research, 0),
			coalesce(cv.hourly_rate_cents, 0)
		FROM interventions i
		LEFT JOIN LATERAL (SELECT sum(minutes) FILTER (WHERE category = 'work') AS work,
				sum(minutes) FILTER (WHERE category = 'travel') AS travel,
				sum(minutes) FILTER (WHERE category = 'on_site') AS on_site,
				sum(minutes) FILTER (WHERE category = 'research') AS research
			FROM time_entries te WHERE te.intervention_id = i.id) t ON true
		LEFT JOIN contracts ct ON ct.id = i.contract_id
		LEFT JOIN contract_versions cv ON cv.contract_id = ct.id AND cv.no = ct.current_version
		WHERE i.client_id = $1 AND i.number > $2 AND i.status = 'done'
		ORDER BY i.completed_at, i.number`, clientID, s.interventionBase)
	if err != nil {
		return nil, fmt.Errorf("seed: scale: register read: %w", err)
	}
	defer rows.Close()
	var out []*interventions.RegisterEntry
	for rows.Next() {
		e := &interventions.RegisterEntry{ClientID: clientID}
		var number int
		var kind string
		var completed time.Time
		var rate int64
		if err := rows.Scan(&e.InterventionID, &number, &e.ContractID, &kind, &e.Subject, &e.Actions, &completed,
			&e.Technicians, &e.MinutesWork, &e.MinutesTravel, &e.MinutesOnSite, &e.MinutesResearch, &rate); err != nil {
			return nil, fmt.Errorf("seed: scale: register read: %w", err)
		}
		e.ID = uuid.Must(uuid.NewV7())
		e.Kind = interventions.Kind(kind)
		e.SheetReference = interventions.Reference(number)
		e.CreatedAt = completed.UTC().Truncate(time.Microsecond)
		c := completed.UTC()
		e.OccurredOn = time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, time.UTC)
		minutes := int64(e.MinutesWork + e.MinutesOnSite + e.MinutesResearch)
		e.TimeCostCents = (minutes*rate + 30) / 60
		e.TotalCostCents = e.TimeCostCents
		out = append(out, e)
	}
	return out, rows.Err()
}
