DROP INDEX IF EXISTS interventions_scheduled_idx;
DROP TABLE IF EXISTS calendar_feeds;
DROP TABLE IF EXISTS visit_reschedules;
DROP TABLE IF EXISTS visit_checklist_items;
DROP TABLE IF EXISTS scheduled_visits;
DROP TABLE IF EXISTS maintenance_tasks;
DROP TABLE IF EXISTS plan_amendments;
