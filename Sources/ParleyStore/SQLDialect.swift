/// What parley's SQL says differently from one engine to another, in one place. The store's
/// statements are otherwise written in the SQL that SQLite and PostgreSQL both read
/// (`ON CONFLICT … DO NOTHING`, `ON CONFLICT (…) DO UPDATE SET … = excluded.…`, `RETURNING`,
/// `?` placeholders, which `PostgresStatement` numbers for PostgreSQL). A statement reaches its
/// engine's spelling through `StoreAccess.dialect`.
/// Still engine-bound elsewhere, by nature: `Schema.swift` and `PostgresSchema.swift` (types,
/// collations, migrations), `ParleyDatabase` (opening a file or connecting) and
/// `DatabaseIdentity` (recognising parley's files).
struct SQLDialect: Sendable {
    /// Follows a text column or comparison to make it ignore case: SQLite's `NOCASE` collation,
    /// which the indexes on names and emails are built with. PostgreSQL finds the schema's
    /// `parley.nocase` collation under the same name (names fold to lower case).
    static let caseless = "COLLATE NOCASE"

    /// `column LIKE pattern`, ignoring the case of ASCII letters as SQLite's LIKE does.
    /// PostgreSQL cannot match patterns under a nondeterministic collation (`nocase`), so there
    /// the column is matched byte-wise with ILIKE.
    let caselessLike: @Sendable (String) -> String

    /// The values of `column` (in the order the subquery gives them) joined by the unit
    /// separator U+001F, or NULL when there are none.
    let joinedBySeparator: @Sendable (String) -> String

    static let sqlite = SQLDialect(
        caselessLike: { "\($0) LIKE" },
        joinedBySeparator: { "group_concat(\($0), char(31))" })

    static let postgres = SQLDialect(
        caselessLike: { "\($0) COLLATE \"C\" ILIKE" },
        joinedBySeparator: { "string_agg(\($0), chr(31))" })
}
