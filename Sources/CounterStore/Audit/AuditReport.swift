// What `audit verify`, the start check and doctor say about the audit log: the chain, the rows it sealed, its anchor.
import CounterCore
import Foundation
import GRDB

/// The audit log checked whole.
public struct AuditReport: Sendable, Equatable {
    /// The chain and the rows its entries recorded.
    public let verification: AuditVerification
    /// The first bad entry, when ``verification`` names one.
    public let badEntry: AuditEntry?
    /// The log against its anchor.
    public let anchor: AuditAnchorStatus
    /// Why this process could not move the anchor lately, if it could not (the anchor's folder unwritable).
    public let anchorProblem: String?

    /// Nothing edited, removed or cut.
    public var isSound: Bool { verification.isIntact && anchor.isSound }

    /// The first bad entry in words: `entry 57 (notice.issued 2026-0001 by 窗口3 at 2026-12-06 09:12:00)`.
    public var badEntryText: String? {
        badEntry.map { "entry \($0.id) (\($0.action) \($0.subject) by \($0.actor) at \(HallTime.format($0.at)))" }
    }

    /// The report's lines: the chain, then the anchor.
    public var lines: [String] {
        var lines: [String] = []
        switch verification {
        case .intact: lines.append(verification.description)
        case .broken(_, let reason):
            lines.append("audit log BROKEN at \(badEntryText ?? "an entry"): \(reason)")
            lines.append("keep a copy of the data folder and report it to the inspection office (督查室); the entries before it are intact")
        case .unrecordedRow:
            lines.append(verification.description)
            lines.append("keep a copy of the data folder and report it to the inspection office (督查室)")
        }
        lines.append((anchor.isSound ? "anchor: " : "anchor BROKEN: ") + anchor.description)
        if let anchorProblem { lines.append("anchor not moved lately: \(anchorProblem)") }
        return lines
    }
}

extension HallStore {
    /// The audit log checked whole: every entry's hash and link, the rows entries recorded, and the log's end against
    /// its anchor (entries cut off the end). Anchor writes this process has queued are finished first.
    public func auditReport() async throws -> AuditReport {
        anchorKeeper?.flush()
        let files = anchorKeeper?.files
        let (verification, anchor, bad) = try await pool.read { db -> (AuditVerification, AuditAnchorStatus, AuditEntry?) in
            let verification = try AuditChain.verify(db)
            let anchor = try files.map { try AuditAnchorCheck.status($0, db) } ?? .notConfigured
            var bad: AuditEntry?
            if case .broken(let id, _) = verification {
                bad = try Row.fetchOne(db, sql: "SELECT * FROM audit_log WHERE id = ?", arguments: [id]).map(AuditEntry.init(row:))
            }
            return (verification, anchor, bad)
        }
        return AuditReport(verification: verification, badEntry: bad, anchor: anchor, anchorProblem: anchorKeeper?.problem)
    }

    /// After ops restored an older copy of the database (or lost the anchor or its key): records why in the log
    /// (`audit.reanchored`, with what the anchor said) and anchors the log at that entry, with a new key if the key is gone.
    /// - Returns: what the anchor said before, and the entry recording the change.
    public func reanchorAudit(actor: String, reason: String, at: Date) async throws -> (before: AuditAnchorStatus, entry: AuditEntry) {
        guard let keeper = anchorKeeper else {
            throw AuditAnchorError(description: "this store was opened without an audit anchor; open it through the configuration")
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw AuditAnchorError(description: "say why the log is re-anchored (--reason), e.g. \"restored the backup of 2026-12-01\"") }
        keeper.flush()
        let before = try await pool.read { db in try AuditAnchorCheck.status(keeper.files, db) }
        let entry = try await pool.write { db in
            try AuditChain.append(db, at: at, actor: actor, action: "audit.reanchored", subject: "audit log",
                                  detail: "\(reason) (the anchor said before: \(before.description))")
        }
        keeper.flush()
        try keeper.reset()
        keeper.note(nil)
        return (before, entry)
    }

    /// Waits until the audit anchor covers every entry this process committed (for tests and orderly exits).
    public func flushAuditAnchor() { anchorKeeper?.flush() }
}

extension HallStore {
    /// Only the log's end against its anchor (no scan of the log): the check `serve` makes as it starts.
    public func auditAnchorStatus() async throws -> AuditAnchorStatus {
        anchorKeeper?.flush()
        guard let files = anchorKeeper?.files else { return .notConfigured }
        return try await pool.read { db in try AuditAnchorCheck.status(files, db) }
    }
}
