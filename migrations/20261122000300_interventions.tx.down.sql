DROP TABLE IF EXISTS register_entries;
DROP TABLE IF EXISTS addenda;
DROP TABLE IF EXISTS signatures;
DROP TABLE IF EXISTS materials;
DROP TABLE IF EXISTS equipment_actions;
DROP TABLE IF EXISTS time_entries;
DROP TABLE IF EXISTS intervention_technicians;
DROP TABLE IF EXISTS interventions;
DELETE FROM counters WHERE series = 'I';
