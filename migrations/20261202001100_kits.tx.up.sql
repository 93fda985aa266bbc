-- Technicians' kits ("valises"): a content list per kit (item, quantity, consumable or not, minimum
-- level, what is in the kit now), taken out and returned by a technician with a return check line
-- by line, missing or low items reported onto a restock list until the manager restocks them, and
-- the consumables used on an intervention (each one also a material line of its sheet).
-- Warranty storage: the place where an item's box is kept until its warranty ends.
CREATE TABLE kits (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX kits_name_key ON kits (lower(name));
CREATE INDEX kits_list_idx ON kits (lower(name), id);

CREATE TABLE kit_items (
    id               uuid PRIMARY KEY,
    kit_id           uuid NOT NULL REFERENCES kits (id) ON DELETE CASCADE,
    position         integer NOT NULL CHECK (position >= 0),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- quantity is the full content; on_hand what the kit holds now.
    quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
    on_hand          integer NOT NULL CHECK (on_hand BETWEEN 0 AND 10000),
    consumable       boolean NOT NULL DEFAULT false,
    min_level        integer NOT NULL DEFAULT 0 CHECK (min_level >= 0 AND min_level <= quantity),
    unit_price_cents bigint NOT NULL DEFAULT 0 CHECK (unit_price_cents BETWEEN 0 AND 100000000000),
    created_at       timestamptz NOT NULL
);
CREATE UNIQUE INDEX kit_items_name_key ON kit_items (kit_id, lower(name));
CREATE INDEX kit_items_kit_idx ON kit_items (kit_id, position, id);

CREATE TABLE kit_outings (
    id            uuid PRIMARY KEY,
    kit_id        uuid NOT NULL REFERENCES kits (id) ON DELETE CASCADE,
    technician_id uuid NOT NULL REFERENCES users (id),
    taken_at      timestamptz NOT NULL,
    returned_at   timestamptz,
    returned_by   uuid REFERENCES users (id),
    -- Lines found missing or low at the return check.
    short_lines   integer NOT NULL DEFAULT 0 CHECK (short_lines >= 0),
    CHECK ((returned_at IS NULL) = (returned_by IS NULL)),
    CHECK (returned_at IS NULL OR returned_at >= taken_at)
);
-- A kit is out once at a time.
CREATE UNIQUE INDEX kit_outings_open_key ON kit_outings (kit_id) WHERE returned_at IS NULL;
CREATE INDEX kit_outings_kit_idx ON kit_outings (kit_id, taken_at DESC, id DESC);
CREATE INDEX kit_outings_holder_idx ON kit_outings (technician_id) WHERE returned_at IS NULL;

-- The return check of an outing, line by line (names kept as they were).
CREATE TABLE kit_checks (
    outing_id uuid NOT NULL REFERENCES kit_outings (id) ON DELETE CASCADE,
    position  integer NOT NULL,
    item_id   uuid REFERENCES kit_items (id) ON DELETE SET NULL,
    name      text NOT NULL,
    quantity  integer NOT NULL,
    present   integer NOT NULL CHECK (present >= 0),
    PRIMARY KEY (outing_id, position)
);

CREATE TABLE kit_restocks (
    id           uuid PRIMARY KEY,
    kit_id       uuid NOT NULL REFERENCES kits (id) ON DELETE CASCADE,
    item_id      uuid NOT NULL REFERENCES kit_items (id) ON DELETE CASCADE,
    reason       text NOT NULL CHECK (reason IN ('missing', 'low')),
    -- What the kit held by then, as far as known.
    on_hand      integer NOT NULL CHECK (on_hand >= 0),
    reported_by  uuid NOT NULL REFERENCES users (id),
    reported_at  timestamptz NOT NULL,
    restocked_at timestamptz,
    restocked_by uuid REFERENCES users (id),
    CHECK ((restocked_at IS NULL) = (restocked_by IS NULL))
);
-- One open request per line.
CREATE UNIQUE INDEX kit_restocks_open_key ON kit_restocks (item_id) WHERE restocked_at IS NULL;
CREATE INDEX kit_restocks_open_idx ON kit_restocks (reported_at, id) WHERE restocked_at IS NULL;
CREATE INDEX kit_restocks_kit_idx ON kit_restocks (kit_id) WHERE restocked_at IS NULL;

CREATE TABLE kit_uses (
    id              uuid PRIMARY KEY,
    kit_id          uuid NOT NULL REFERENCES kits (id) ON DELETE CASCADE,
    item_id         uuid REFERENCES kit_items (id) ON DELETE SET NULL,
    outing_id       uuid NOT NULL REFERENCES kit_outings (id) ON DELETE CASCADE,
    intervention_id uuid NOT NULL REFERENCES interventions (id),
    material_id     uuid REFERENCES materials (id) ON DELETE SET NULL,
    name            text NOT NULL,
    quantity        integer NOT NULL CHECK (quantity > 0),
    used_by         uuid NOT NULL REFERENCES users (id),
    used_at         timestamptz NOT NULL
);
CREATE INDEX kit_uses_outing_idx ON kit_uses (outing_id, used_at);
CREATE INDEX kit_uses_intervention_idx ON kit_uses (intervention_id);

ALTER TABLE equipment
    ADD COLUMN box_location text NOT NULL DEFAULT '' CHECK (length(box_location) <= 200),
    ADD COLUMN box_discarded_at timestamptz,
    -- A box is kept for a warranty: no warranty end, no box kept.
    ADD CONSTRAINT equipment_box_warranty CHECK (box_location = '' OR box_discarded_at IS NOT NULL OR warranty_ends_on IS NOT NULL);
CREATE INDEX equipment_boxes_idx ON equipment (warranty_ends_on, id) WHERE box_location <> '' AND box_discarded_at IS NULL;
