DROP INDEX IF EXISTS equipment_boxes_idx;
ALTER TABLE equipment DROP CONSTRAINT IF EXISTS equipment_box_warranty,
    DROP COLUMN IF EXISTS box_discarded_at, DROP COLUMN IF EXISTS box_location;
DROP TABLE IF EXISTS kit_uses;
DROP TABLE IF EXISTS kit_restocks;
DROP TABLE IF EXISTS kit_checks;
DROP TABLE IF EXISTS kit_outings;
DROP TABLE IF EXISTS kit_items;
DROP TABLE IF EXISTS kits;
