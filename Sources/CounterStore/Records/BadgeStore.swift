// Badge cards and taps in the store: which card is whose, and every tap with what it meant.
import CounterCore
import Foundation
import GRDB

/// A stored tap.
public struct StoredBadgeTap: Sendable, Hashable {
    public let id: Int64
    public let reader: String
    public let card: String
    public let staffID: String?
    public let at: Date
    public let meaning: String
}

extension HallStore {
    /// Gives `card` (canonical form) to a staff member; a card that belonged to someone else moves, audited.
    public func setCard(_ card: String, staffID: String, actor: String, at: Date) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM staff WHERE id = ?)", arguments: [staffID]) == true else {
                throw StoreError.unknownStaff(staffID)
            }
            let previous = try String.fetchOne(db, sql: "SELECT staff_id FROM staff_cards WHERE card = ?", arguments: [card])
            try db.execute(sql: """
                INSERT INTO staff_cards (card, staff_id, set_at) VALUES (?, ?, ?)
                ON CONFLICT(card) DO UPDATE SET staff_id = excluded.staff_id, set_at = excluded.set_at
                """, arguments: [card, staffID, at.storeSeconds])
            let detail = previous.map { $0 == staffID ? "unchanged" : "moved from \($0)" } ?? "new card"
            try AuditChain.append(db, at: at, actor: actor, action: "card.set", subject: staffID, detail: "\(card) (\(detail))")
        }
    }

    /// The staff member a card (canonical form) belongs to.
    public func staffID(forCard card: String) async throws -> String? {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT staff_id FROM staff_cards WHERE card = ?", arguments: [card]) }
    }

    /// The cards of a staff member.
    public func cards(ofStaff staffID: String) async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: "SELECT card FROM staff_cards WHERE staff_id = ? ORDER BY card", arguments: [staffID]) }
    }

    /// Every staff member's cards (canonical forms), by staff id.
    public func cardsByStaff() async throws -> [String: [String]] {
        try await pool.read { db in
            var cards: [String: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT staff_id, card FROM staff_cards ORDER BY staff_id, card") {
                cards[row["staff_id"] as String, default: []].append(row["card"] as String)
            }
            return cards
        }
    }

    /// Keeps a tap and what it meant (an unknown card included: it is shown to ops, never dropped).
    @discardableResult
    public func record(tap card: String, reader: String, meaning: BadgeTapMeaning, at: Date) async throws -> StoredBadgeTap {
        try await pool.write { db in
            let staffID: String?
            switch meaning {
            case .onPost(let s, _), .offPost(let s, _), .checkIn(let s), .signIn(let s): staffID = s
            case .unknownCard: staffID = nil
            }
            try db.execute(sql: "INSERT INTO badge_taps (reader, card, staff_id, at, meaning) VALUES (?, ?, ?, ?, ?)",
                           arguments: [reader, card, staffID, at.storeSeconds, meaning.code])
            return StoredBadgeTap(id: db.lastInsertedRowID, reader: reader, card: card, staffID: staffID, at: Date(storeSeconds: at.storeSeconds), meaning: meaning.code)
        }
    }

    /// Taps of cards nobody has, newest first, for ops to assign.
    public func unknownCardTaps(limit: Int = 100) async throws -> [StoredBadgeTap] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM badge_taps WHERE staff_id IS NULL ORDER BY at DESC, id DESC LIMIT ?", arguments: [limit]).map {
                StoredBadgeTap(id: $0["id"], reader: $0["reader"], card: $0["card"], staffID: nil, at: Date(storeSeconds: $0["at"]), meaning: $0["meaning"])
            }
        }
    }
}

extension HallStore {
    /// The taps of known cards in `[from, to)`, in order, with what each meant (`on-post`, `off-post`, `check-in`, `sign-in`).
    public func taps(from: Date, to: Date) async throws -> [(at: Date, staffID: String, meaning: String)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT staff_id, at, meaning FROM badge_taps WHERE staff_id IS NOT NULL AND at >= ? AND at < ? ORDER BY at, id
                """, arguments: [from.storeSeconds, to.storeSeconds]).map { row in
                (Date(storeSeconds: row["at"]), row["staff_id"], row["meaning"])
            }
        }
    }
}
