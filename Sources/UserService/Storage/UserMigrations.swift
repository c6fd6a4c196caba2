import ServiceKit
import Postgres

/// user-service's schema history. Append new migrations; never edit applied ones
/// (the migrator refuses a changed checksum).
enum UserMigrations {
    // Applied migrations are never edited, not even their layout: swift format leaves them alone.
    // swift-format-ignore
    static let all: [Migration] = [
        Migration(version: 1, name: "users, profiles and contacts", sql: """
            CREATE TABLE users (
                id            uuid PRIMARY KEY,
                username      text NOT NULL,
                email         text NOT NULL,
                password_hash text NOT NULL,
                created_at    timestamptz NOT NULL DEFAULT now(),
                last_seen_at  timestamptz
            );
            CREATE UNIQUE INDEX users_username_key ON users (lower(username));
            CREATE UNIQUE INDEX users_email_key ON users (lower(email));

            CREATE TABLE user_profiles (
                user_id      uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                display_name text NOT NULL,
                bio          text,
                avatar_url   text,
                status       text,
                phone_number text,
                updated_at   timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX user_profiles_display_name_prefix ON user_profiles (lower(display_name) text_pattern_ops);
            CREATE INDEX users_username_prefix ON users (lower(username) text_pattern_ops);

            CREATE TABLE contacts (
                owner_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                contact_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                nickname   text,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (owner_id, contact_id),
                CHECK (owner_id <> contact_id)
            );
            """),
        Migration(version: 2, name: "refresh tokens and signing keys", sql: """
            CREATE TABLE refresh_tokens (
                token_hash  text PRIMARY KEY,
                family_id   uuid NOT NULL,
                user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                created_at  timestamptz NOT NULL DEFAULT now(),
                expires_at  timestamptz NOT NULL,
                used_at     timestamptz,
                revoked_at  timestamptz
            );
            CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
            CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

            CREATE TABLE signing_keys (
                kid             text PRIMARY KEY,
                private_key_pem text NOT NULL,
                created_at      timestamptz NOT NULL DEFAULT now(),
                retired_at      timestamptz
            );
            """),
        Migration(version: 3, name: "profile pictures", sql: """
            -- The picture a person uploaded (its bytes are in the object store); avatar_url
            -- then points at user-service's copy, versioned by the content's hash.
            CREATE TABLE avatars (
                user_id      uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                storage_key  text NOT NULL,
                content_type text NOT NULL,
                size_bytes   bigint NOT NULL,
                sha256       text NOT NULL,
                updated_at   timestamptz NOT NULL DEFAULT now()
            );
            """),
        Migration(version: 4, name: "blocked people", sql: """
            -- blocker_id blocked blocked_id: no new direct room or group between them, no
            -- presence either way, no mentions from the blocked person. Rooms they already
            -- share stay readable.
            CREATE TABLE blocks (
                blocker_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                blocked_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (blocker_id, blocked_id),
                CHECK (blocker_id <> blocked_id)
            );
            CREATE INDEX blocks_blocked ON blocks (blocked_id);
            """),
        Migration(version: 5, name: "do not disturb", sql: """
            -- Until when the person wants no notifications on any device (NULL: none asked).
            ALTER TABLE user_profiles ADD COLUMN dnd_until timestamptz;
            """),
    ]
}
