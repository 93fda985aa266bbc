DROP INDEX IF EXISTS interventions_quote_idx;
ALTER TABLE interventions DROP COLUMN IF EXISTS quote_id;
DROP TABLE IF EXISTS quote_acceptances;
DROP TABLE IF EXISTS quote_lines;
DROP TABLE IF EXISTS quotes;
DELETE FROM counters WHERE series = 'D';
