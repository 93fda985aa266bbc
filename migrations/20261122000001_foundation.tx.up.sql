CREATE EXTENSION IF NOT EXISTS citext;

-- The provider running this instance: one row.
CREATE TABLE organisation (
    id                  smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    require_staff_totp  boolean NOT NULL DEFAULT false,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer NOT NULL DEFAULT 1
);
INSERT INTO organisation (name) VALUES ('Maintenant');

CREATE TABLE clients (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    archived    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX clients_name_key ON clients (lower(name));

CREATE TABLE users (
    id                   uuid PRIMARY KEY,
    kind                 text NOT NULL CHECK (kind IN ('staff', 'client')),
    email                citext NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role                 text NOT NULL,
    client_id            uuid REFERENCES clients (id),
    can_approve_and_pay  boolean NOT NULL DEFAULT false,
    language             text NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
    password_hash        text NOT NULL DEFAULT '',
    password_changed_at  timestamptz,
    totp_secret          text NOT NULL DEFAULT '',
    totp_enabled         boolean NOT NULL DEFAULT false,
    active               boolean NOT NULL DEFAULT true,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    version              integer NOT NULL DEFAULT 1,
    CONSTRAINT users_kind_shape CHECK (
        (kind = 'staff' AND client_id IS NULL AND role IN ('manager', 'technician'))
        OR (kind = 'client' AND client_id IS NOT NULL AND role IN ('admin', 'member'))
    )
);
CREATE INDEX users_client_idx ON users (client_id, lower(name), id) WHERE client_id IS NOT NULL;

-- Browser sessions; the cookie carries a random token, the table only its SHA-256.
CREATE TABLE sessions (
    id_hash        bytea PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mfa_verified   boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL,
    idle_seconds   integer NOT NULL CHECK (idle_seconds > 0),
    expires_at     timestamptz NOT NULL,
    ip             text NOT NULL DEFAULT '',
    user_agent     text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Single-use links: password resets and invitations.
CREATE TABLE user_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('reset', 'invite')),
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX user_tokens_user_idx ON user_tokens (user_id, purpose);

-- Attempts counted by the login and password-reset rate limits.
CREATE TABLE auth_attempts (
    id       bigserial PRIMARY KEY,
    bucket   text NOT NULL,
    key      text NOT NULL,
    at       timestamptz NOT NULL
);
CREATE INDEX auth_attempts_key_idx ON auth_attempts (bucket, key, at);

-- Who did what, when, from where. Append-only.
CREATE TABLE audit_log (
    id            uuid PRIMARY KEY,
    at            timestamptz NOT NULL,
    actor_id      uuid,
    actor_label   text NOT NULL DEFAULT '',
    action        text NOT NULL,
    target_type   text NOT NULL DEFAULT '',
    target_id     text NOT NULL DEFAULT '',
    client_id     uuid,
    ip            text NOT NULL DEFAULT '',
    user_agent    text NOT NULL DEFAULT '',
    details       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);

CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is not allowed: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- Every mail the application sends goes through this outbox.
CREATE TABLE outbox_messages (
    id           uuid PRIMARY KEY,
    created_at   timestamptz NOT NULL,
    to_address   text NOT NULL,
    to_name      text NOT NULL DEFAULT '',
    subject      text NOT NULL,
    text_body    text NOT NULL,
    html_body    text NOT NULL DEFAULT '',
    kind         text NOT NULL DEFAULT '',
    dedupe_key   text UNIQUE,
    status       text NOT NULL DEFAULT 'kept' CHECK (status IN ('kept', 'queued', 'sent', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    sent_at      timestamptz
);
CREATE INDEX outbox_messages_created_idx ON outbox_messages (created_at DESC, id DESC);
