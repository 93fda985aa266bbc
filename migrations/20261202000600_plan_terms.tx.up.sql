-- The preventive plan is part of a contract's terms. A row records the plan (one task per line, as
-- app/scheduling writes it) as of a version of the terms; a version without a row keeps the plan of
-- the version before. A change of the plan on a running contract is an amendment: a new version of
-- the terms with its row here, so the contract's history shows the plan before and after.
CREATE TABLE contract_plan_terms (
    contract_id uuid    NOT NULL,
    version_no  integer NOT NULL,
    plan        text    NOT NULL DEFAULT '' CHECK (length(plan) <= 200000),
    PRIMARY KEY (contract_id, version_no),
    FOREIGN KEY (contract_id, version_no) REFERENCES contract_versions (contract_id, no)
);
-- The contract version a plan amendment made.
ALTER TABLE plan_amendments ADD COLUMN contract_version_no integer CHECK (contract_version_no > 1);
