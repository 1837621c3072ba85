// The centre's PostgreSQL schema, kept as numbered migrations like the hall's SQLite ones: each applied once, in
// order, in a transaction, and recorded in centre_migrations. A database with a migration this binary does not know
// (a newer centre wrote it) is refused.
import Logging
import PostgresNIO

public enum CentreSchemaError: Error, Sendable, CustomStringConvertible {
    case newer(found: Int, known: Int)

    public var description: String {
        switch self {
        case .newer(let found, let known):
            return "the centre's database has schema version \(found), newer than this countergate knows (\(known)); "
                + "run the newer countergate that wrote it, or restore the database from before it"
        }
    }
}

public enum CentreSchema {
    /// Every migration, in order; the version is the position (1-based). Never change one that has shipped: add another.
    static let migrations: [(name: String, sql: [String])] = [
        ("halls and records", [
            """
            CREATE TABLE halls (
                id text PRIMARY KEY,
                name text NOT NULL,
                token_sha256 text NOT NULL UNIQUE,
                registered_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            // Per hall and numbering stream (a restore at the hall starts a new one): the highest sequence committed.
            """
            CREATE TABLE hall_streams (
                hall_id text NOT NULL REFERENCES halls(id),
                stream text NOT NULL,
                committed_seq bigint NOT NULL,
                started_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (hall_id, stream)
            )
            """,
            // Each hall's last word: its watermark (everything it stored up to this time of its own clock is here), its
            // clock then and ours, and how much still waits there.
            """
            CREATE TABLE hall_contact (
                hall_id text PRIMARY KEY REFERENCES halls(id),
                stream text NOT NULL,
                committed_seq bigint NOT NULL,
                watermark bigint,
                hall_clock bigint NOT NULL,
                waiting bigint NOT NULL,
                last_contact timestamptz NOT NULL
            )
            """,
            // Every forwarded record once: its identity in the county is the hall, the kind and the hall's key.
            """
            CREATE TABLE records (
                hall_id text NOT NULL REFERENCES halls(id),
                kind text NOT NULL,
                record_key text NOT NULL,
                stream text NOT NULL,
                seq bigint NOT NULL,
                occurred_at bigint NOT NULL,
                recorded_at bigint NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(),
                body jsonb NOT NULL CHECK (jsonb_typeof(body) = 'object'),
                PRIMARY KEY (hall_id, kind, record_key)
            )
            """,
            "CREATE INDEX records_order ON records (hall_id, stream, seq)",
            "CREATE INDEX records_kind_time ON records (kind, occurred_at)",
        ]),
    ]

    public static var version: Int { migrations.count }

    /// Brings the database up to date; returns the names of the migrations applied now.
    @discardableResult
    public static func migrate(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.query("""
            CREATE TABLE IF NOT EXISTS centre_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var current = 0
        for try await (version) in try await client.query("SELECT COALESCE(MAX(version), 0) FROM centre_migrations", logger: logger).decode(Int.self) {
            current = version
        }
        guard current <= version else { throw CentreSchemaError.newer(found: current, known: version) }
        var applied: [String] = []
        for (index, migration) in migrations.enumerated() where index + 1 > current {
            let number = index + 1
            let name = migration.name
            try await client.withTransaction(logger: logger) { connection in
                // Two centres starting at once: the second waits here, then finds the migration applied.
                try await connection.query("LOCK TABLE centre_migrations IN EXCLUSIVE MODE", logger: logger)
                var done = false
                for try await _ in try await connection.query("SELECT 1 FROM centre_migrations WHERE version = \(number)", logger: logger) { done = true }
                if done { return }
                for statement in migration.sql { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("INSERT INTO centre_migrations (version, name) VALUES (\(number), \(name))", logger: logger)
            }
            applied.append(name)
        }
        return applied
    }
}
