import GRDB

/// The database schema, as GRDB migrations. Each migration runs once, in order, in a transaction.
/// Each migration from v4 on sets `PRAGMA user_version` to its number.
enum Schema {
    /// The `user_version` the last migration sets: a file at this version needs none.
    static let version: Int32 = 7

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: organisation, channels, conversations, audit") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL
                    ) WITHOUT ROWID;

                    CREATE TABLE users (
                        id INTEGER PRIMARY KEY,
                        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        name TEXT NOT NULL,
                        role TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
                        password_hash TEXT,
                        enabled INTEGER NOT NULL DEFAULT 1,
                        created_at INTEGER NOT NULL
                    );

                    CREATE TABLE teams (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        created_at INTEGER NOT NULL
                    );

                    CREATE TABLE team_members (
                        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        role TEXT NOT NULL CHECK (role IN ('viewer', 'contributor', 'supervisor')),
                        PRIMARY KEY (team_id, user_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX team_members_by_user ON team_members(user_id);

                    CREATE TABLE channels (
                        id INTEGER PRIMARY KEY,
                        kind TEXT NOT NULL CHECK (kind IN ('twitter')),
                        handle TEXT NOT NULL COLLATE NOCASE,
                        account_id TEXT NOT NULL UNIQUE,
                        display_name TEXT NOT NULL,
                        auto_ownership INTEGER NOT NULL DEFAULT 1,
                        auto_resolve_new INTEGER,
                        auto_resolve_pending INTEGER,
                        resolve_reason TEXT,
                        all_users INTEGER NOT NULL DEFAULT 0,
                        all_users_role TEXT NOT NULL DEFAULT 'contributor'
                            CHECK (all_users_role IN ('viewer', 'contributor', 'supervisor')),
                        all_teams INTEGER NOT NULL DEFAULT 0,
                        auth_kind TEXT,
                        access_token TEXT,
                        refresh_token TEXT,
                        token_secret TEXT,
                        token_expires_at INTEGER,
                        mentions_since_id TEXT,
                        dm_newest_id TEXT,
                        last_sync_at INTEGER,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX channels_by_handle ON channels(handle);
                    CREATE INDEX channels_by_display_name ON channels(display_name COLLATE NOCASE);

                    CREATE TABLE team_channels (
                        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                        channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                        PRIMARY KEY (team_id, channel_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX team_channels_by_channel ON team_channels(channel_id);

                    CREATE TABLE channel_grants (
                        channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        role TEXT NOT NULL CHECK (role IN ('viewer', 'contributor', 'supervisor')),
                        PRIMARY KEY (channel_id, user_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX channel_grants_by_user ON channel_grants(user_id);

                    CREATE TABLE topics (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE COLLATE NOCASE
                    );

                    CREATE TABLE contacts (
                        id INTEGER PRIMARY KEY,
                        channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                        platform_id TEXT NOT NULL,
                        handle TEXT NOT NULL,
                        name TEXT,
                        UNIQUE (channel_id, platform_id)
                    );

                    CREATE TABLE conversations (
                        id INTEGER PRIMARY KEY,
                        channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                        contact_id INTEGER NOT NULL UNIQUE REFERENCES contacts(id) ON DELETE CASCADE,
                        queue TEXT NOT NULL CHECK (queue IN ('new', 'pending', 'resolved')),
                        owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
                        deadline INTEGER,
                        limit_seconds INTEGER,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE INDEX conversations_by_channel_queue ON conversations(channel_id, queue, id);
                    CREATE INDEX conversations_by_queue ON conversations(queue, id, channel_id);
                    CREATE INDEX conversations_by_deadline ON conversations(deadline) WHERE deadline IS NOT NULL;
                    CREATE INDEX conversations_by_owner ON conversations(owner_id) WHERE owner_id IS NOT NULL;

                    CREATE TABLE messages (
                        id INTEGER PRIMARY KEY,
                        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                        channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                        platform_id TEXT NOT NULL,
                        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
                        kind TEXT NOT NULL CHECK (kind IN ('public', 'dm')),
                        author_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
                        author_label TEXT NOT NULL,
                        text TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        UNIQUE (channel_id, platform_id)
                    );
                    CREATE INDEX messages_by_conversation ON messages(conversation_id, at);
                    CREATE INDEX messages_by_channel_time ON messages(channel_id, at);

                    CREATE TABLE conversation_tags (
                        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                        tag TEXT NOT NULL,
                        PRIMARY KEY (conversation_id, tag)
                    ) WITHOUT ROWID;
                    CREATE INDEX conversation_tags_by_tag ON conversation_tags(tag, conversation_id);

                    CREATE TABLE conversation_topics (
                        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                        topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
                        PRIMARY KEY (conversation_id, topic_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX conversation_topics_by_topic ON conversation_topics(topic_id, conversation_id);

                    CREATE TABLE notes (
                        id INTEGER PRIMARY KEY,
                        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                        author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
                        author_label TEXT NOT NULL,
                        text TEXT NOT NULL,
                        at INTEGER NOT NULL
                    );
                    CREATE INDEX notes_by_conversation ON notes(conversation_id);

                    CREATE TABLE queue_events (
                        id INTEGER PRIMARY KEY,
                        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                        channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                        at INTEGER NOT NULL,
                        from_queue TEXT,
                        to_queue TEXT NOT NULL,
                        cause TEXT NOT NULL,
                        user_id INTEGER REFERENCES users(id) ON DELETE SET NULL
                    );
                    CREATE INDEX queue_events_by_channel_time ON queue_events(channel_id, at);

                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY,
                        at INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        as_user TEXT,
                        session TEXT NOT NULL,
                        action TEXT NOT NULL,
                        target TEXT NOT NULL,
                        channel_id INTEGER,
                        old_value TEXT,
                        new_value TEXT
                    );
                    CREATE INDEX audit_by_time ON audit(at);
                    """)
        }
        m.registerMigration("v2: report and audit indexes") { db in
            try db.execute(
                sql: """
                    CREATE INDEX queue_events_by_conversation ON queue_events(conversation_id, at);
                    CREATE INDEX messages_by_conversation_direction ON messages(conversation_id, direction, at);
                    CREATE INDEX audit_by_actor ON audit(actor COLLATE NOCASE);
                    CREATE INDEX audit_by_channel ON audit(channel_id) WHERE channel_id IS NOT NULL;
                    """)
        }
        m.registerMigration("v3: reports read message counts from the index alone") { db in
            // A channel's messages in a period, with what a report counts, without touching the
            // table: a report on a million messages walks one index range.
            try db.execute(
                sql: """
                    DROP INDEX messages_by_channel_time;
                    CREATE INDEX messages_by_channel_time ON messages(channel_id, at, direction, author_user_id);
                    """)
        }
        m.registerMigration(identityMigration) { db in
            // The mark parley recognises its files by; user_version counts parley's migrations.
            try db.execute(sql: "PRAGMA application_id = \(DatabaseIdentity.applicationID)")
            try db.execute(sql: "PRAGMA user_version = 4")
        }
        m.registerMigration("v5: a resolve keeps its reason") { db in
            // `conversation show` tells why a conversation was resolved (the channel's reason, as
            // auto-resolve recorded it at the time).
            try db.execute(sql: "ALTER TABLE queue_events ADD COLUMN reason TEXT")
            try db.execute(sql: "PRAGMA user_version = 5")
        }
        m.registerMigration("v6: reports read kept figures, one row a day") { db in
            // A report sums these instead of walking every message of its period; the figures
            // an existing database already holds are counted from its messages and queue history.
            try db.execute(sql: reportFigureTables)
            for statement in ReportRecount.fill { try db.execute(sql: statement) }
            try db.execute(sql: "PRAGMA user_version = 6")
        }
        m.registerMigration("v7: messages lose the index by conversation and direction") { db in
            // Reports read kept figures now, not messages: what read a conversation's messages of
            // one direction (its latest inbound, a first response) walks messages_by_conversation
            // from a time on and skips the others. Each stored message paid for this index, in
            // a place of its own (a sync's page touched a page of it per conversation).
            try db.execute(sql: "DROP INDEX messages_by_conversation_direction")
            try db.execute(sql: "PRAGMA user_version = 7")
        }
        return m
    }

    /// The kept report figures (`ReportFigures`), per channel and UTC day; `agent_id` is a user's id.
    static let reportFigureTables = """
        CREATE TABLE report_days (
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            day INTEGER NOT NULL,
            inbound INTEGER NOT NULL DEFAULT 0,
            outbound INTEGER NOT NULL DEFAULT 0,
            new_conversations INTEGER NOT NULL DEFAULT 0,
            reopened INTEGER NOT NULL DEFAULT 0,
            resolved INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (channel_id, day)
        ) WITHOUT ROWID;

        CREATE TABLE report_agent_days (
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            day INTEGER NOT NULL,
            agent_id INTEGER NOT NULL,
            outbound INTEGER NOT NULL DEFAULT 0,
            resolved INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (channel_id, day, agent_id)
        ) WITHOUT ROWID;

        CREATE TABLE report_times (
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            day INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('first_response', 'resolution')),
            bucket INTEGER NOT NULL,
            count INTEGER NOT NULL,
            total_ms INTEGER NOT NULL,
            PRIMARY KEY (channel_id, day, kind, bucket)
        ) WITHOUT ROWID;

        CREATE TABLE report_agent_times (
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            day INTEGER NOT NULL,
            agent_id INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('first_response', 'resolution')),
            bucket INTEGER NOT NULL,
            count INTEGER NOT NULL,
            total_ms INTEGER NOT NULL,
            PRIMARY KEY (channel_id, day, agent_id, kind, bucket)
        ) WITHOUT ROWID;
        """

    /// The migration that only marks the file as parley's. A read-only database opens without it.
    static let identityMigration = "v4: the file says it is parley's (application_id, user_version)"
}
