CREATE INDEX interventions_scheduled_idx ON interventions (scheduled_at) WHERE scheduled_at IS NOT NULL;
DROP INDEX interventions_scheduled_cover_idx;
