DROP TABLE IF EXISTS equipment_reminders;
DROP TABLE IF EXISTS ticket_equipment;
DROP TABLE IF EXISTS workshop_loans;
DROP TABLE IF EXISTS workshop_intakes;
DROP TABLE IF EXISTS equipment;
DELETE FROM counters WHERE series = 'A';
