/// What parley's SQL says differently from one engine to another, in one place. The store's
/// statements are otherwise written in the SQL that SQLite and PostgreSQL both read
/// (`ON CONFLICT … DO NOTHING`, `ON CONFLICT (…) DO UPDATE SET … = excluded.…`, `RETURNING`).
/// Still engine-bound elsewhere, by nature: `Schema.swift` (types, pragmas, the migrator),
/// `ParleyDatabase` (opening the file: WAL, the busy handler, read-only files) and
/// `DatabaseIdentity` (recognising parley's files).
enum SQLDialect {
    /// Follows a text column or comparison to make it ignore case (ASCII letters): SQLite's
    /// `NOCASE` collation, which the indexes on names and emails are built with.
    static let caseless = "COLLATE NOCASE"
}
