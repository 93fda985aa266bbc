-- Electronic invoicing addresses (EN 16931 BT-34 for the provider, BT-49 for a client), under the
-- French directory's scheme 0225: the company's SIREN, optionally followed by a suffix naming a
-- service ("812345676_COMPTA"). Empty means the SIREN alone.
ALTER TABLE organisation
    ADD COLUMN einvoice_address text NOT NULL DEFAULT ''
        CHECK (einvoice_address = '' OR einvoice_address ~ '^[0-9]{9}[A-Za-z0-9+_.-]{0,116}$');
ALTER TABLE clients
    ADD COLUMN einvoice_address text NOT NULL DEFAULT ''
        CHECK (einvoice_address = '' OR einvoice_address ~ '^[0-9]{9}[A-Za-z0-9+_.-]{0,116}$');
