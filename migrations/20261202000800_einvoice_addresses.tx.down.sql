ALTER TABLE clients DROP COLUMN IF EXISTS einvoice_address;
ALTER TABLE organisation DROP COLUMN IF EXISTS einvoice_address;
