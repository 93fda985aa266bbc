DROP TABLE contract_review_reminders;
DROP TABLE contract_reviews;
ALTER TABLE contracts DROP COLUMN template_id, DROP COLUMN review_months;
DROP TABLE contract_templates;
ALTER TABLE contract_versions DROP COLUMN policy_version_no;
DROP TRIGGER policy_versions_frozen ON policy_versions;
DROP FUNCTION policy_versions_frozen();
DROP TABLE policy_versions;
