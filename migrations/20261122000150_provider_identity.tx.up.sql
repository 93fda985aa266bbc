-- The provider's legal identity, printed on every document (contracts, quotes, invoices).
ALTER TABLE organisation
    ADD COLUMN legal_form     text NOT NULL DEFAULT '' CHECK (length(legal_form) <= 200),
    ADD COLUMN siren          text NOT NULL DEFAULT '' CHECK (siren = '' OR siren ~ '^[0-9]{9}$'),
    ADD COLUMN vat_number     text NOT NULL DEFAULT '' CHECK (length(vat_number) <= 20),
    ADD COLUMN address_line1  text NOT NULL DEFAULT '' CHECK (length(address_line1) <= 200),
    ADD COLUMN address_line2  text NOT NULL DEFAULT '' CHECK (length(address_line2) <= 200),
    ADD COLUMN postal_code    text NOT NULL DEFAULT '' CHECK (length(postal_code) <= 20),
    ADD COLUMN city           text NOT NULL DEFAULT '' CHECK (length(city) <= 100),
    ADD COLUMN email          text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    ADD COLUMN phone          text NOT NULL DEFAULT '' CHECK (length(phone) <= 40);
