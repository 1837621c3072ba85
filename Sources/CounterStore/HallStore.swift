// The hall's durable state: one SQLite database in WAL mode, opened through GRDB.
import CounterCore
import Foundation
import GRDB

/// How hard the store works to keep a commit through a power cut.
public enum StoreDurability: String, Sendable, Codable, CaseIterable {
    /// `synchronous = FULL`: every commit is on disk before it is acknowledged. The default: a punch or a
    /// notice number that was acknowledged must survive the hall's power being cut.
    case full
    /// `synchronous = NORMAL`: commits survive a crash of the gateway, but the last ones may be lost if the
    /// machine loses power. Only for throwaway demo data.
    case normal
}

/// A store problem, said so a person can act on it.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case staffConflict(row: Int, message: String)
    case unknownStaff(String)
    case unknownSignIn(Int64)
    case unknownConflict(Int64)
    case conflictAlreadyResolved(id: Int64, by: String)
    case notice(NoticeNotIssuable)
    case calendar(WorkingDayCalendarError)
    case idempotencyKeyReused(key: String, existing: String)
    case unknownNotice(String)
    case noticeAlreadyVoid(String)
    case unknownLeave(Int64)
    /// The supplementary-materials notice is already followed by an acceptance in force.
    case alreadyFollowed(String, by: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open the store at \(path): \(reason). Check the data directory exists and the service user may write to it (countergate doctor shows both)"
        case .staffConflict(let row, let message):
            return "the staff list was not imported (nothing was changed): row \(row): \(message)"
        case .unknownStaff(let id): return "no staff member with id \(id); import the staff list first (countergate staff import)"
        case .unknownSignIn(let id): return "no sign-in with id \(id)"
        case .unknownConflict(let id): return "no attendance conflict with id \(id); see countergate attendance conflicts"
        case .conflictAlreadyResolved(let id, let by): return "attendance conflict \(id) was already resolved by \(by)"
        case .notice(let problem): return problem.description
        case .calendar(let error): return error.description
        case .unknownNotice(let number): return "no notice numbered \(number)"
        case .noticeAlreadyVoid(let number): return "notice \(number) is already void"
        case .unknownLeave(let id): return "no leave request \(id); countergate leave list shows them"
        case .alreadyFollowed(let number, let by): return "follows: \(number) was already followed by the acceptance \(by)"
        case .idempotencyKeyReused(let key, let existing):
            return "idempotency key \(key) was already used for a different request (\(existing)); use a new key for a new notice"
        }
    }
}

/// The store. Safe to share between tasks: GRDB's pool serialises writes and lets reads run beside them.
public final class HallStore: Sendable {
    public let path: String
    public let durability: StoreDurability
    let pool: DatabasePool
    /// Moves the audit log's anchor after each commit that appended to the log (nil: no anchor, as in most tests).
    let anchorKeeper: AuditAnchorKeeper?

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// - Parameter anchor: where the audit log's anchor and its key are (Audit/AuditAnchor.swift). Every process that
    ///   writes to the hall's store passes it, so each keeps the anchor moving; the first to open a store with no key
    ///   and no anchor creates both.
    public init(path: String, durability: StoreDurability = .full, anchor: AuditAnchorFiles? = nil) throws {
        self.path = path
        self.durability = durability
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.foreignKeysEnabled = true
        let synchronous = durability == .full ? "FULL" : "NORMAL"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try HallSchema.migrator.migrate(pool)
            // A running gateway's queue watch learns of a print job queued here through the bell (PrintQueueBell.swift).
            pool.add(transactionObserver: PrintQueueBellObserver(storePath: path), extent: .databaseLifetime)
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: path, reason: error.message ?? error.description)
        }
        if let anchor {
            let keeper = AuditAnchorKeeper(files: anchor, pool: pool)
            pool.add(transactionObserver: AuditGrowthObserver(keeper: keeper), extent: .databaseLifetime)
            anchorKeeper = keeper
            // An anchor that cannot be written never keeps the hall from working: the problem is kept for the
            // start check, the status page and `audit verify` to report.
            do {
                let fm = FileManager.default
                if !fm.fileExists(atPath: anchor.keyPath) && !fm.fileExists(atPath: anchor.headPath) {
                    try keeper.reset()  // the first seal of this log
                } else {
                    keeper.note(try keeper.advance())  // entries another process wrote since the anchor last moved
                }
            } catch {
                keeper.note("\(error)")
            }
        } else {
            anchorKeeper = nil
        }
    }

    deinit {
        // A command that wrote and is about to exit leaves the anchor at its last entry.
        anchorKeeper?.flush()
    }

    /// The names of the migrations applied to this database, in order.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try HallSchema.migrator.appliedMigrations(db) }
    }

    /// The journal mode SQLite reports (`wal` for a healthy store).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "unknown" }
    }

    /// Runs `body` in one write transaction: everything in it commits together or not at all.
    /// For callers that combine store operations (and tests that need a transaction to fail).
    public func inTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.write(body)
    }

    /// Reads a consistent snapshot.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }
}

extension Date {
    /// Whole seconds since 1970, how the store keeps instants.
    var storeSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
    init(storeSeconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(storeSeconds)) }
}
