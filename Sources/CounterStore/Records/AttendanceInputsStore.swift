// What the day's judgement takes besides punches: leave and outings (each request with the acts on it: the lead's
// opinion, the decision, a withdrawal) and punch corrections (补卡), every act audited. The rules of who may act are
// CounterCore's (LeaveRequest, PunchCorrection); the store keeps what was decided, a request in one transaction with
// its check against the person's other requests.
import CounterCore
import Foundation
import GRDB

/// A stored request.
public struct StoredLeave: Sendable, Hashable {
    public let id: Int64
    public let request: LeaveRequest
    public let requestedBy: String
    public let requestedAt: Date
}

extension HallStore {
    /// Stores a new request, refusing one that overlaps another of the person's that still stands (waiting or approved).
    /// - Throws: ``LeaveError/overlaps(existing:)``.
    public func requestLeave(_ request: LeaveRequest, by actor: String, at: Date) async throws -> StoredLeave {
        try await pool.write { db in
            for row in try Row.fetchAll(db, sql: "SELECT * FROM leave_requests WHERE staff_id = ? AND starts_at < ? AND ends_at > ?",
                                        arguments: [request.staffID, request.end.storeSeconds, request.start.storeSeconds]) {
                let other = StoredLeave(row: row)
                if request.overlaps(other.request) { throw LeaveError.overlaps(existing: other.id) }
            }
            try db.execute(sql: """
                INSERT INTO leave_requests (staff_id, kind, starts_at, ends_at, reason, made_up, window_has_lead, state, requested_by, requested_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [request.staffID, request.kind.rawValue, request.start.storeSeconds, request.end.storeSeconds, request.reason,
                                 request.madeUp, request.windowHasLead, request.state.rawValue, actor, at.storeSeconds, at.storeSeconds])
            let id = db.lastInsertedRowID
            try AuditChain.append(db, at: at, actor: actor, action: request.madeUp ? "leave.requested-afterwards" : "leave.requested",
                                  subject: request.staffID, detail: "leave \(id): \(request.kind.chineseName) \(HallTime.format(request.start)) – "
                                      + "\(HallTime.format(request.end)): \(request.reason)")
            return StoredLeave(id: id, request: request, requestedBy: actor, requestedAt: at)
        }
    }

    /// Applies an act to request `id` (the core's rules decide whether it may be done), stores it and audits it.
    /// - Parameter act: changes the request, or throws ``LeaveError``; nothing is stored then.
    public func actOnLeave(_ id: Int64, actor: String, action: String, at: Date,
                           _ act: @Sendable (inout LeaveRequest) throws -> Void) async throws -> StoredLeave {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM leave_requests WHERE id = ?", arguments: [id]) else {
                throw StoreError.unknownLeave(id)
            }
            let stored = StoredLeave(row: row)
            var request = stored.request
            try act(&request)
            try db.execute(sql: "UPDATE leave_requests SET state = ?, lead_opinion = ?, decided_by = ?, updated_at = ? WHERE id = ?",
                           arguments: [request.state.rawValue, request.leadOpinion, request.decidedBy, at.storeSeconds, id])
            try AuditChain.append(db, at: at, actor: actor, action: "leave.\(action)", subject: request.staffID,
                                  detail: "leave \(id): now \(request.state.rawValue)")
            return StoredLeave(id: id, request: request, requestedBy: stored.requestedBy, requestedAt: stored.requestedAt)
        }
    }

    /// One request.
    public func leave(id: Int64) async throws -> StoredLeave? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM leave_requests WHERE id = ?", arguments: [id]).map(StoredLeave.init(row:)) }
    }

    /// Requests that overlap `[from, to)`, oldest first.
    public func leaves(from: Date, to: Date) async throws -> [StoredLeave] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM leave_requests WHERE starts_at < ? AND ends_at > ? ORDER BY starts_at, id",
                             arguments: [to.storeSeconds, from.storeSeconds]).map(StoredLeave.init(row:))
        }
    }
}

extension StoredLeave {
    init(row: Row) {
        id = row["id"]
        request = LeaveRequest(restoring: row["staff_id"], kind: LeaveKind(rawValue: row["kind"]) ?? .personal,
                               start: Date(storeSeconds: row["starts_at"]), end: Date(storeSeconds: row["ends_at"]), reason: row["reason"],
                               madeUp: row["made_up"], windowHasLead: row["window_has_lead"], state: LeaveState(rawValue: row["state"]) ?? .awaitingApproval,
                               leadOpinion: row["lead_opinion"], decidedBy: row["decided_by"])
        requestedBy = row["requested_by"]
        requestedAt = Date(storeSeconds: row["requested_at"])
    }
}

/// A stored punch correction (补卡).
public struct StoredPunchCorrection: Sendable, Hashable {
    public let id: Int64
    public let staffID: String
    public let at: Date
    public let reason: String
    public let correctedBy: String
    public let correctedAt: Date
}

extension HallStore {
    /// Records a correction (checked by the caller against the core's rule), audited.
    public func correctPunch(staffID: String, at: Date, reason: String, by corrector: String, now: Date) async throws -> StoredPunchCorrection {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM staff WHERE id = ?", arguments: [staffID]) != nil else { throw StoreError.unknownStaff(staffID) }
            try db.execute(sql: "INSERT INTO punch_corrections (staff_id, punched_at, reason, corrected_by, corrected_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [staffID, at.storeSeconds, reason, corrector, now.storeSeconds])
            let id = db.lastInsertedRowID
            try AuditChain.append(db, at: now, actor: corrector, action: "punch.corrected", subject: staffID,
                                  detail: "补卡 \(id): \(HallTime.format(at)): \(reason)", seal: try AuditRowSeal.of(.punchCorrections, id: id, in: db))
            return StoredPunchCorrection(id: id, staffID: staffID, at: at, reason: reason, correctedBy: corrector, correctedAt: now)
        }
    }

    /// Corrections of punches in `[from, to)`, oldest first.
    public func punchCorrections(from: Date, to: Date) async throws -> [StoredPunchCorrection] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM punch_corrections WHERE punched_at >= ? AND punched_at < ? ORDER BY punched_at, id",
                             arguments: [from.storeSeconds, to.storeSeconds]).map { row in
                StoredPunchCorrection(id: row["id"], staffID: row["staff_id"], at: Date(storeSeconds: row["punched_at"]), reason: row["reason"],
                                      correctedBy: row["corrected_by"], correctedAt: Date(storeSeconds: row["corrected_at"]))
            }
        }
    }
}

extension HallStore {
    /// Puts `staffID` on the roster for each of `days` (replacing whoever was there), in one transaction, audited per day.
    /// The caller checks the person may be on it (``DutyRoster/check(_:)``).
    public func setDutyRoster(_ days: [DutyRosterDay], by actor: String, at: Date) async throws {
        try await pool.write { db in
            for entry in days {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM staff WHERE id = ?", arguments: [entry.staffID]) != nil else {
                    throw StoreError.unknownStaff(entry.staffID)
                }
                let before = try String.fetchOne(db, sql: "SELECT staff_id FROM duty_roster WHERE day = ?", arguments: [entry.day.description])
                if before == entry.staffID { continue }
                try db.execute(sql: """
                    INSERT INTO duty_roster (day, staff_id, set_by, set_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (day) DO UPDATE SET staff_id = excluded.staff_id, set_by = excluded.set_by, set_at = excluded.set_at
                    """, arguments: [entry.day.description, entry.staffID, actor, at.storeSeconds])
                try AuditChain.append(db, at: at, actor: actor, action: "roster.set", subject: entry.day.description,
                                      detail: before.map { "值班长 \(entry.staffID) (was \($0))" } ?? "值班长 \(entry.staffID)")
            }
        }
    }

    /// The duty chief the roster names for `day`, if any.
    public func dutyChief(on day: CivilDate) async throws -> String? {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT staff_id FROM duty_roster WHERE day = ?", arguments: [day.description]) }
    }

    /// The roster from `from` through `through`, by day.
    public func dutyRoster(from: CivilDate, through: CivilDate) async throws -> [DutyRosterDay] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT day, staff_id FROM duty_roster WHERE day >= ? AND day <= ? ORDER BY day",
                             arguments: [from.description, through.description]).compactMap { row in
                CivilDate(row["day"] as String).map { DutyRosterDay(day: $0, staffID: row["staff_id"]) }
            }
        }
    }
}

/// A month's sheet as it was published (公示): frozen, never changed afterwards.
public struct PublishedSheet: Sendable, Hashable {
    public let month: String
    public let at: Date
    public let by: String
    /// The sheet's JSON as it was published.
    public let sheet: String
}

extension HallStore {
    /// Freezes a month's sheet. A month is published once.
    public func publishSheet(month: String, sheet: String, by actor: String, at: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO published_months (month, published_at, published_by, sheet) VALUES (?, ?, ?, ?)",
                           arguments: [month, at.storeSeconds, actor, sheet])
            try AuditChain.append(db, at: at, actor: actor, action: "sheet.published", subject: month, detail: "月度考勤汇总公示 \(month)")
        }
    }

    /// The published sheet of `month` (`YYYY-MM`), if it was published.
    public func publishedSheet(month: String) async throws -> PublishedSheet? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM published_months WHERE month = ?", arguments: [month]).map { row in
                PublishedSheet(month: row["month"], at: Date(storeSeconds: row["published_at"]), by: row["published_by"], sheet: row["sheet"])
            }
        }
    }
}
