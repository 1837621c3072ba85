// A copy of the store as one SQLite file, made with SQLite's online backup while the gateway keeps writing, and what a
// copy holds (its migrations, its rows, its integrity): the database side of `countergate backup` and `restore`.
import Foundation
import GRDB

/// What a database image holds, read from the image itself.
public struct StoreImageFacts: Sendable, Equatable {
    /// The migrations applied to it, in the order they were applied (names this binary may not know included).
    public var migrations: [String]
    /// Rows per table (SQLite's and GRDB's own tables left out).
    public var rows: [String: Int]
}

/// Why a database image cannot be made or used.
public struct StoreImageError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

public enum StoreImage {
    /// The migrations this binary knows, in order: a database with others is of a newer schema.
    public static var knownMigrations: [String] { HallSchema.migrator.migrations }

    /// Copies the database at `databasePath` into a new file `imagePath` with SQLite's online backup: one read
    /// transaction, so the copy is the database as one commit left it, while the gateway goes on writing (WAL: the
    /// writer does not wait). The database is not migrated or changed.
    /// - Returns: what the image holds.
    /// - Throws: ``StoreImageError`` when there is no database, or it cannot be read or the image written.
    public static func copy(databaseAt databasePath: String, to imagePath: String) throws -> StoreImageFacts {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw StoreImageError(description: "there is no database at \(databasePath): nothing to back up (check [store] data_dir)")
        }
        guard !FileManager.default.fileExists(atPath: imagePath) else {
            throw StoreImageError(description: "\(imagePath) already exists; remove it and try again")
        }
        do {
            var sourceConfig = Configuration()
            sourceConfig.busyMode = .timeout(10)
            let source = try DatabasePool(path: databasePath, configuration: sourceConfig)
            let image = try DatabaseQueue(path: imagePath)
            try source.backup(to: image)
            try image.close()
            try source.close()
        } catch let error as DatabaseError {
            try? FileManager.default.removeItem(atPath: imagePath)
            throw StoreImageError(description: "cannot copy the database \(databasePath): \(error.message ?? error.description)")
        }
        return try facts(of: imagePath, checkIntegrity: false)
    }

    /// Reads what the image at `path` holds; with `checkIntegrity`, first runs SQLite's `integrity_check` and refuses
    /// an image that fails it.
    public static func facts(of path: String, checkIntegrity: Bool) throws -> StoreImageFacts {
        do {
            var config = Configuration()
            config.readonly = true
            let image = try DatabaseQueue(path: path, configuration: config)
            defer { try? image.close() }
            return try image.read { db in
                if checkIntegrity {
                    let result = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                    guard result == ["ok"] else {
                        throw StoreImageError(description: "the database in it fails SQLite's integrity check: \(result.prefix(3).joined(separator: "; "))")
                    }
                }
                let migrations = try db.tableExists("grdb_migrations")
                    ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") : []
                var rows: [String: Int] = [:]
                let tables = try String.fetchAll(db, sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations' ORDER BY name
                    """)
                for table in tables {
                    rows[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0
                }
                return StoreImageFacts(migrations: migrations, rows: rows)
            }
        } catch let error as DatabaseError {
            throw StoreImageError(description: "the database in it cannot be read: \(error.message ?? error.description)")
        }
    }
}
