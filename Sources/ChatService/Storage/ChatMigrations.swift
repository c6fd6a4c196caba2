import ServiceKit
import Postgres

/// chat-service's schema history. Append new migrations; never edit applied ones.
enum ChatMigrations {
    // Applied migrations are never edited, not even their layout: swift format leaves them alone.
    // swift-format-ignore
    static let all: [Migration] = [
        Migration(version: 1, name: "rooms, participants, messages, reads", sql: """
            CREATE TABLE rooms (
                id          uuid PRIMARY KEY,
                name        text,
                description text,
                room_type   text NOT NULL CHECK (room_type IN ('direct', 'group')),
                created_by  uuid NOT NULL,
                created_at  timestamptz NOT NULL DEFAULT now(),
                updated_at  timestamptz NOT NULL DEFAULT now(),
                deleted_at  timestamptz,
                -- 'smaller-id:larger-id' for direct rooms: one room per pair.
                direct_key  text UNIQUE,
                -- The room's ordering key counter. Taking the next value locks the room
                -- row until commit, so seq order within a room is commit order.
                last_seq    bigint NOT NULL DEFAULT 0
            );

            CREATE TABLE room_participants (
                room_id       uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
                user_id       uuid NOT NULL,
                role          text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
                joined_at     timestamptz NOT NULL DEFAULT now(),
                last_read_at  timestamptz,
                last_read_seq bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (room_id, user_id)
            );
            CREATE INDEX room_participants_user ON room_participants (user_id);

            CREATE TABLE messages (
                id                uuid PRIMARY KEY,
                room_id           uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
                seq               bigint NOT NULL,
                sender_id         uuid NOT NULL,
                client_message_id text,
                content           text,
                message_type      text NOT NULL DEFAULT 'text',
                created_at        timestamptz NOT NULL DEFAULT now(),
                updated_at        timestamptz,
                deleted_at        timestamptz,
                UNIQUE (room_id, seq)
            );
            -- Idempotent sends: one message per (room, sender, client message id).
            CREATE UNIQUE INDEX messages_idempotency ON messages (room_id, sender_id, client_message_id)
                WHERE client_message_id IS NOT NULL;

            CREATE TABLE message_reads (
                room_id    uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
                user_id    uuid NOT NULL,
                message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
                seq        bigint NOT NULL,
                read_at    timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (room_id, user_id)
            );
            """),
        Migration(version: 2, name: "direct rooms: plain members, one live room per pair", sql: """
            -- Both people of a direct room are plain members: neither manages the other.
            UPDATE room_participants p SET role = 'member'
            FROM rooms r WHERE r.id = p.room_id AND r.room_type = 'direct' AND p.role <> 'member';
            -- One live direct room per pair; a deleted one no longer blocks making it again.
            ALTER TABLE rooms DROP CONSTRAINT rooms_direct_key_key;
            CREATE UNIQUE INDEX rooms_direct_key_live ON rooms (direct_key) WHERE direct_key IS NOT NULL AND deleted_at IS NULL;
            """),
        Migration(version: 3, name: "attachments: files and images of messages", sql: """
            -- An upload belongs to a room and its uploader until a message of theirs in that
            -- room takes it (message_id); unclaimed ones are swept after a day.
            CREATE TABLE attachments (
                id           uuid PRIMARY KEY,
                room_id      uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
                uploader_id  uuid NOT NULL,
                storage_key  text NOT NULL UNIQUE,
                filename     text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
                content_type text NOT NULL,
                size_bytes   bigint NOT NULL CHECK (size_bytes > 0),
                width        integer CHECK (width > 0),
                height       integer CHECK (height > 0),
                sha256       text NOT NULL,
                message_id   uuid REFERENCES messages (id) ON DELETE CASCADE,
                created_at   timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX attachments_message ON attachments (message_id) WHERE message_id IS NOT NULL;
            CREATE INDEX attachments_unclaimed ON attachments (created_at) WHERE message_id IS NULL;
            """),
        Migration(version: 4, name: "replies, mentions, reactions, full-text search, muted rooms", sql: """
            -- A reply names a message of the same room (checked when it is sent).
            ALTER TABLE messages ADD COLUMN reply_to_id uuid REFERENCES messages (id) ON DELETE SET NULL;
            -- The room members a message's @usernames named, resolved when it was sent or edited.
            ALTER TABLE messages ADD COLUMN mentions uuid[] NOT NULL DEFAULT '{}';
            -- Only messages that mention someone are indexed (most do not: sending stays cheap).
            CREATE INDEX messages_mentions ON messages USING gin (mentions) WHERE mentions <> '{}';
            -- Full-text search: English stemming, kept in step with edits and deletes by PostgreSQL.
            ALTER TABLE messages ADD COLUMN search tsvector
                GENERATED ALWAYS AS (to_tsvector('english', coalesce(content, ''))) STORED;
            CREATE INDEX messages_search ON messages USING gin (search);

            -- One row per person per emoji per message.
            CREATE TABLE message_reactions (
                message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
                user_id    uuid NOT NULL,
                emoji      text NOT NULL CHECK (octet_length(emoji) BETWEEN 1 AND 64),
                created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (message_id, emoji, user_id)
            );

            ALTER TABLE room_participants ADD COLUMN muted boolean NOT NULL DEFAULT false;
            """),
        Migration(version: 5, name: "system messages record joins, departures and renames", sql: """
            -- For message_type 'system': the change it records ({"kind","userId","name"}); null otherwise.
            ALTER TABLE messages ADD COLUMN system_event jsonb;
            """),
        Migration(version: 6, name: "invitations: joining a room by someone who is not one's contact takes consent", sql: """
            -- user_id was asked into room_id by invited_by, who is not in user_id's contacts: they
            -- become a participant (with role) only by accepting. Not a participant meanwhile:
            -- they hear nothing of the room and share no presence through it.
            CREATE TABLE room_invitations (
                room_id    uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
                user_id    uuid NOT NULL,
                invited_by uuid NOT NULL,
                role       text NOT NULL DEFAULT 'member',
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (room_id, user_id)
            );
            CREATE INDEX room_invitations_user ON room_invitations (user_id, created_at DESC);
            """),
        Migration(version: 7, name: "pinned messages per room, saved messages per person", sql: """
            -- Pins are the room's: owners and admins of a group (either person in a direct room) add
            -- and remove them; every member sees them. A deleted message loses its pin.
            CREATE TABLE pinned_messages (
                room_id    uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
                message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
                pinned_by  uuid NOT NULL,
                pinned_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (room_id, message_id)
            );
            -- Saved messages are the person's own list, kept across devices; only rooms they are
            -- still in are listed.
            CREATE TABLE saved_messages (
                user_id    uuid NOT NULL,
                message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
                room_id    uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
                saved_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (user_id, message_id)
            );
            CREATE INDEX saved_messages_newest ON saved_messages (user_id, saved_at DESC, message_id);
            """),
        Migration(version: 8, name: "notification levels per participant", sql: """
            -- The person's choice for the room: NULL is the default (see NotificationLevel); 'none'
            -- is muted, and `muted` stays in step with it for what reads that column.
            ALTER TABLE room_participants ADD COLUMN notify text CHECK (notify IN ('all', 'mentions', 'none'));
            UPDATE room_participants SET notify = 'none' WHERE muted;
            """),
        Migration(version: 9, name: "public groups and invite links", sql: """
            -- Public groups are listed in the directory and anyone may join; private ones (every
            -- group made before) take an invitation or an invite link.
            ALTER TABLE rooms ADD COLUMN visibility text NOT NULL DEFAULT 'private' CHECK (visibility IN ('public', 'private'));
            CREATE INDEX rooms_directory ON rooms (lower(name), id) WHERE visibility = 'public' AND deleted_at IS NULL;
            -- A link an owner or admin made: whoever has the code may join the group, until it
            -- expires, is used up or is revoked.
            CREATE TABLE room_invite_links (
                code       text PRIMARY KEY,
                room_id    uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
                created_by uuid NOT NULL,
                created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                expires_at timestamptz,
                max_uses   integer CHECK (max_uses > 0),
                uses       integer NOT NULL DEFAULT 0,
                revoked_at timestamptz
            );
            CREATE INDEX room_invite_links_room ON room_invite_links (room_id, created_at DESC);
            """),
        Migration(version: 10, name: "threads", sql: """
            -- A reply in a thread names the message that started it (one level: a thread reply starts none).
            ALTER TABLE messages ADD COLUMN thread_root_id uuid REFERENCES messages (id) ON DELETE CASCADE;
            CREATE INDEX messages_thread ON messages (thread_root_id, seq) WHERE thread_root_id IS NOT NULL;
            -- Who follows a thread (its author and whoever replied, unless they unfollowed) and how far
            -- each has read it.
            CREATE TABLE thread_followers (
                root_id       uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
                user_id       uuid NOT NULL,
                following     boolean NOT NULL DEFAULT true,
                last_read_seq bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (root_id, user_id)
            );
            CREATE INDEX thread_followers_user ON thread_followers (user_id) WHERE following;
            """),
        Migration(version: 11, name: "link previews", sql: """
            -- The sender's choice (at send, or later by removing the card): false shows no preview.
            -- Messages sent before previews existed get none (their senders never chose one); new ones do.
            ALTER TABLE messages ADD COLUMN link_preview boolean NOT NULL DEFAULT false;
            ALTER TABLE messages ALTER COLUMN link_preview SET DEFAULT true;
            -- What the server fetched for a link, shared by every message that has it: a card
            -- (title, description, site, a proxied image), or why there is none. Rows expire
            -- (see LinkPreviewCache) and are fetched again when next asked for.
            CREATE TABLE link_previews (
                url         text PRIMARY KEY,
                fetched_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
                outcome     text NOT NULL CHECK (outcome IN ('ok', 'empty', 'refused', 'failed')),
                detail      text,
                final_url   text,
                title       text,
                description text,
                site_name   text,
                image_type  text CHECK (image_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
                image_width integer,
                image_height integer,
                image       bytea
            );
            CREATE INDEX link_previews_age ON link_previews (fetched_at);
            """),
        Migration(version: 12, name: "sends stored by one function", sql: """
            -- A batch of sends to one room, stored in one call: the statement that calls it plans
            -- in microseconds, and each statement inside is planned once per connection (planning
            -- the equivalent single statement cost PostgreSQL more than storing the messages).
            -- p_batch is a JSON array of {ord, id, sender_id, client_message_id, content,
            -- message_type, reply_to_id, mentions, thread_root_id, link_preview}. Only senders
            -- who are participants of the live room count. The room's row is locked first and
            -- held to commit, so sends to one room commit one at a time and seq order is commit
            -- order. A send whose client message id is already stored (or repeats an earlier one
            -- of the batch) takes no seq and answers with the stored message (repeated). A reply
            -- target or thread root outside the room is dropped; mentions keep members only.
            -- Answers each stored send with the columns the service reads (Rows.messageFields,
            -- no attachments, reactions or thread yet); a migration that changes them replaces this.
            CREATE FUNCTION send_messages(p_room uuid, p_batch jsonb)
            RETURNS TABLE (ord int, created boolean, repeated boolean, id uuid, room_id uuid, seq bigint, sender_id uuid,
                           content text, message_type text, client_message_id text, created_at timestamptz,
                           updated_at timestamptz, deleted_at timestamptz, reply_to_id uuid, mentions json,
                           system_event jsonb, thread_root_id uuid, link_preview boolean, reply_to json,
                           attachments json, reactions json, thread json)
            LANGUAGE plpgsql ROWS 4 AS $fn$
            #variable_conflict use_column
            DECLARE
                v_last bigint;
                v_next bigint;
                v_existing uuid;
                v_reply uuid;
                v_root uuid;
                v_mentions uuid[];
                r record;
            BEGIN
                SELECT rm.last_seq INTO v_last FROM rooms rm WHERE rm.id = p_room AND rm.deleted_at IS NULL FOR NO KEY UPDATE;
                IF NOT FOUND THEN
                    RETURN;
                END IF;
                v_next := v_last;
                FOR r IN
                    SELECT * FROM jsonb_to_recordset(p_batch)
                        AS i(ord int, id uuid, sender_id uuid, client_message_id text, content text, message_type text,
                             reply_to_id uuid, mentions uuid[], thread_root_id uuid, link_preview boolean)
                    ORDER BY i.ord
                LOOP
                    CONTINUE WHEN NOT EXISTS (
                        SELECT 1 FROM room_participants rp WHERE rp.room_id = p_room AND rp.user_id = r.sender_id);
                    v_reply := NULL;
                    IF r.reply_to_id IS NOT NULL THEN
                        SELECT t.id INTO v_reply FROM messages t WHERE t.id = r.reply_to_id AND t.room_id = p_room;
                    END IF;
                    v_root := NULL;
                    IF r.thread_root_id IS NOT NULL THEN
                        SELECT t.id INTO v_root FROM messages t
                        WHERE t.id = r.thread_root_id AND t.room_id = p_room AND t.thread_root_id IS NULL;
                    END IF;
                    v_mentions := '{}';
                    IF cardinality(r.mentions) > 0 THEN
                        v_mentions := ARRAY(
                            SELECT DISTINCT u FROM unnest(r.mentions) AS u
                            WHERE EXISTS (SELECT 1 FROM room_participants rp WHERE rp.room_id = p_room AND rp.user_id = u)
                            ORDER BY u);
                    END IF;
                    -- The unique index is the idempotency check: no look-up whose plan could pick
                    -- another index (a plan cached while the table was small would scan the room).
                    INSERT INTO messages AS m (id, room_id, seq, sender_id, client_message_id, content, message_type,
                                               reply_to_id, mentions, thread_root_id, link_preview)
                    VALUES (r.id, p_room, v_next + 1, r.sender_id, r.client_message_id, r.content, r.message_type,
                            v_reply, v_mentions, v_root, COALESCE(r.link_preview, true))
                    ON CONFLICT (room_id, sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING;
                    v_existing := NULL;
                    IF FOUND THEN
                        v_next := v_next + 1;
                    ELSE
                        SELECT m.id INTO v_existing FROM messages m
                        WHERE m.room_id = p_room AND m.sender_id = r.sender_id AND m.client_message_id = r.client_message_id;
                    END IF;
                    RETURN QUERY
                    SELECT r.ord, v_existing IS NULL, v_existing IS NOT NULL,
                           m.id, m.room_id, m.seq, m.sender_id, m.content, m.message_type, m.client_message_id, m.created_at,
                           m.updated_at, m.deleted_at, m.reply_to_id, array_to_json(m.mentions), m.system_event, m.thread_root_id,
                           m.link_preview,
                           (SELECT json_build_object('id', q.id, 'senderId', q.sender_id, 'messageType', q.message_type,
                                                     'deleted', q.deleted_at IS NOT NULL,
                                                     'excerpt', CASE WHEN q.deleted_at IS NULL THEN
                                                         NULLIF(left(split_part(btrim(q.content, E' \\n\\t\\r'), E'\\n', 1), 140), '') END)
                              FROM messages q WHERE q.id = m.reply_to_id),
                           NULL::json, NULL::json, NULL::json
                    FROM messages m WHERE m.id = COALESCE(v_existing, r.id);
                END LOOP;
                IF v_next > v_last THEN
                    UPDATE rooms SET last_seq = v_next, updated_at = now() WHERE id = p_room;
                END IF;
            END
            $fn$;
            """),
    ]
}
