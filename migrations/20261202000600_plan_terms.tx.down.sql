ALTER TABLE plan_amendments DROP COLUMN IF EXISTS contract_version_no;
DROP TABLE IF EXISTS contract_plan_terms;
