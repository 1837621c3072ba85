// The window's items (事项目录) in the store, one version per import; and the waits between a supplementary-materials
// notice and the acceptance that followed it.
import CounterCore
import Crypto
import Foundation
import GRDB

/// One imported version of the item catalogue.
public struct CatalogueVersion: Sendable, Hashable, Codable {
    public let version: Int
    public let importedAt: Date
    public let importedBy: String
    /// The file's name, as imported.
    public let source: String
    public let sha256: String
    public let items: Int
}

/// What an import did.
public struct CatalogueImport: Sendable, Hashable {
    public let version: CatalogueVersion
    /// False when the file was the same as the version in use: no new version was made.
    public let created: Bool
}

/// A supplementary-materials notice (补办材料通知书) and, once the materials were complete, the acceptance that
/// followed it: how long the applicant waited.
public struct SupplementaryWait: Sendable, Hashable {
    public let supplementary: Notice
    /// The acceptance (受理 or 联办件受理) that names it in `follows`; nil while the applicant has not come back.
    public let acceptance: Notice?
}

extension HallStore {
    /// Stores `items` as a new version of the catalogue, the version in use from now on; the same file again (same
    /// SHA-256 as the version in use) makes no new version. Audited.
    public func importCatalogue(_ items: [CatalogueItem], fileBytes: Data, source: String, actor: String, at: Date) async throws -> CatalogueImport {
        let digest = SHA256.hash(data: fileBytes).map { String(format: "%02x", $0) }.joined()
        return try await pool.write { db in
            if let current = try Self.currentCatalogueVersion(db), current.sha256 == digest {
                return CatalogueImport(version: current, created: false)
            }
            let version = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM catalogue_versions") ?? 0) + 1
            try db.execute(sql: "INSERT INTO catalogue_versions (version, imported_at, imported_by, source, sha256, items) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [version, at.storeSeconds, actor, source, digest, items.count])
            let encoder = JSONEncoder.sorted
            for item in items {
                try db.execute(sql: """
                    INSERT INTO catalogue_items (version, window, name, promised_days, materials, departments, line) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [version, item.window, item.name, item.promisedWorkingDays,
                                     String(decoding: try encoder.encode(item.materials), as: UTF8.self),
                                     String(decoding: try encoder.encode(item.departments), as: UTF8.self), item.line])
            }
            try AuditChain.append(db, at: at, actor: actor, action: "catalogue.imported", subject: "version \(version)",
                                  detail: "\(items.count) items from \(source) sha256 \(digest)")
            return CatalogueImport(version: CatalogueVersion(version: version, importedAt: Date(storeSeconds: at.storeSeconds), importedBy: actor,
                                                             source: source, sha256: digest, items: items.count), created: true)
        }
    }

    /// Every version imported, oldest first.
    public func catalogueVersions() async throws -> [CatalogueVersion] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM catalogue_versions ORDER BY version").map(Self.catalogueVersion) }
    }

    /// The items of `version` (default: the version in use), by window and the file's order; of one window when given.
    /// Empty when no catalogue was imported.
    public func catalogueItems(version: Int? = nil, window: Int? = nil) async throws -> (version: CatalogueVersion, items: [CatalogueItem])? {
        try await pool.read { db in
            let chosen: CatalogueVersion?
            if let version {
                chosen = try Row.fetchOne(db, sql: "SELECT * FROM catalogue_versions WHERE version = ?", arguments: [version]).map(Self.catalogueVersion)
            } else {
                chosen = try Self.currentCatalogueVersion(db)
            }
            guard let chosen else { return nil }
            var sql = "SELECT * FROM catalogue_items WHERE version = ?"
            var arguments: StatementArguments = [chosen.version]
            if let window { sql += " AND window = ?"; arguments += [window] }
            sql += " ORDER BY window, line"
            let decoder = JSONDecoder()
            let items = try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                CatalogueItem(window: row["window"], name: row["name"], promisedWorkingDays: row["promised_days"],
                              materials: try decoder.decode([String].self, from: Data((row["materials"] as String).utf8)),
                              departments: try decoder.decode([String].self, from: Data((row["departments"] as String).utf8)),
                              line: row["line"])
            }
            return (chosen, items)
        }
    }

    /// Supplementary-materials notices issued between `from` and `to` (the hall's days, inclusive), each with the
    /// acceptance that followed it, if any; voided notices left out. By issue.
    public func supplementaryWaits(from: CivilDate, to: CivilDate) async throws -> [SupplementaryWait] {
        try await pool.read { db in
            let supplementary = try Row.fetchAll(db, sql: """
                SELECT * FROM notices WHERE kind = 'supplementary-materials' AND status = 'issued' AND received_on BETWEEN ? AND ?
                ORDER BY year, sequence
                """, arguments: [from.description, to.description]).map(StoredNotice.init(row:))
            return try supplementary.map { s in
                let followed = try Row.fetchOne(db, sql: "SELECT * FROM notices WHERE follows = ? AND status = 'issued' LIMIT 1",
                                                arguments: [s.notice.number]).map(StoredNotice.init(row:))
                return SupplementaryWait(supplementary: s.notice, acceptance: followed?.notice)
            }
        }
    }

    /// The acceptance already issued after the supplementary-materials notice `number`, if any.
    public func acceptance(following number: String) async throws -> Notice? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM notices WHERE follows = ? AND status = 'issued' LIMIT 1",
                             arguments: [number]).map(StoredNotice.init(row:))?.notice
        }
    }

    static func currentCatalogueVersion(_ db: Database) throws -> CatalogueVersion? {
        try Row.fetchOne(db, sql: "SELECT * FROM catalogue_versions ORDER BY version DESC LIMIT 1").map(catalogueVersion)
    }

    static func catalogueVersion(_ row: Row) -> CatalogueVersion {
        CatalogueVersion(version: row["version"], importedAt: Date(storeSeconds: row["imported_at"]), importedBy: row["imported_by"],
                         source: row["source"], sha256: row["sha256"], items: row["items"])
    }
}
