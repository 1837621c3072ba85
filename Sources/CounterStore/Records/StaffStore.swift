// Staff and windows in the store: the windows come from the configuration, the staff from the staff list.
import CounterCore
import Foundation
import GRDB

/// What a staff import changed.
public struct StaffImportSummary: Sendable, Equatable, CustomStringConvertible {
    public let added: Int
    public let updated: Int
    /// Cards from the `card` column that nobody had before.
    public var cardsAdded = 0
    /// Cards from the `card` column that moved from another person in the same list.
    public var cardsMoved = 0
    /// Cards taken from a person whose `card` cell lists other cards.
    public var cardsRemoved = 0
    /// Cards from the `card` column that their person already had.
    public var cardsUnchanged = 0

    public var description: String {
        "staff list imported: \(added) added, \(updated) updated" + (cardsDescription.map { "; \($0)" } ?? "")
    }

    /// `cards: 2 added, 1 moved, 0 removed, 3 unchanged`, or nil when the list gave no cards.
    var cardsDescription: String? {
        guard cardsAdded + cardsMoved + cardsRemoved + cardsUnchanged > 0 else { return nil }
        return "cards: \(cardsAdded) added, \(cardsMoved) moved, \(cardsRemoved) removed, \(cardsUnchanged) unchanged"
    }
}

extension HallStore {
    /// Makes the store's windows those of the configuration (added, renamed; a window no longer configured is
    /// kept while staff still name it, so history stays readable).
    public func syncWindows(_ windows: [ServiceWindow], at: Date) async throws {
        try await pool.write { db in
            for window in windows {
                try db.execute(sql: """
                    INSERT INTO windows (number, name, department) VALUES (?, ?, ?)
                    ON CONFLICT(number) DO UPDATE SET name = excluded.name, department = excluded.department
                    """, arguments: [window.number, window.name, window.department])
            }
        }
    }

    public func windows() async throws -> [ServiceWindow] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM windows ORDER BY number").map {
                ServiceWindow(number: $0["number"], name: $0["name"], department: $0["department"])
            }
        }
    }

    /// Imports a checked staff list in one transaction: every row lands, or none does, cards included.
    ///
    /// A person already in the store is updated. A row whose terminal user id or A/B post is held by someone
    /// else already in the store fails the whole import, naming the row.
    ///
    /// Cards (``StaffListRow/cards``): a person whose row lists cards has exactly those cards afterwards; the cards
    /// they had and the row does not list are taken from them (audited `card.removed`). A person whose row lists
    /// none keeps the cards they have. A listed card nobody had is given to the person, and a card that someone
    /// else in the same list had moves to the person (both audited `card.set`, as ``setCard(_:staffID:actor:at:)``
    /// does). A listed card that belongs to someone who is not in the list fails the whole import, naming the row,
    /// the card and its holder.
    public func importStaff(_ rows: [StaffListRow], actor: String, at: Date) async throws -> StaffImportSummary {
        try await pool.write { db in
            var added = 0
            var updated = 0
            for entry in rows {
                let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM staff WHERE id = ?)", arguments: [entry.staff.id]) ?? false
                // Clear the unique columns of everyone in the list first, so that two people swapping terminal ids
                // or posts in one list do not collide; anyone else holding them is a real conflict below.
                if exists {
                    try db.execute(sql: "UPDATE staff SET terminal_user_id = NULL, post = NULL WHERE id = ?", arguments: [entry.staff.id])
                    updated += 1
                } else {
                    added += 1
                }
            }
            for entry in rows {
                let person = entry.staff
                do {
                    try db.execute(sql: """
                        INSERT INTO staff (id, name, window, department, roles, terminal_user_id, post, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(id) DO UPDATE SET name = excluded.name, window = excluded.window,
                            department = excluded.department, roles = excluded.roles,
                            terminal_user_id = excluded.terminal_user_id, post = excluded.post, updated_at = excluded.updated_at
                        """, arguments: [person.id, person.name, person.window, person.department,
                                         person.roles.sorted().map(\.rawValue).joined(separator: ","),
                                         person.terminalUserID, person.post?.rawValue, at.storeSeconds])
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                    let message = error.message ?? ""
                    let what: String
                    if message.contains("terminal_user_id") {
                        what = "terminal user id \(person.terminalUserID ?? "") already belongs to someone not in this list"
                    } else if message.contains("post") {
                        let slot = person.post?.rawValue ?? ""
                        what = "window \(person.window.map(String.init) ?? "-") already has a \(slot) post (\(slot)岗) held by someone not in this list"
                    } else {
                        what = "it conflicts with staff already in the store (\(message))"
                    }
                    throw StoreError.staffConflict(row: entry.row, message: what)
                }
            }
            var summary = StaffImportSummary(added: added, updated: updated)
            try importCards(rows, into: db, summary: &summary, actor: actor, at: at)
            try AuditChain.append(db, at: at, actor: actor, action: "staff.imported", subject: "staff",
                                  detail: "\(added) added, \(updated) updated" + (summary.cardsDescription.map { "; \($0)" } ?? ""))
            return summary
        }
    }

    /// Everyone, by staff id.
    public func staff() async throws -> [Staff] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM staff ORDER BY id").map(Staff.init(row:)) }
    }

    public func staff(id: String) async throws -> Staff? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM staff WHERE id = ?", arguments: [id]).map(Staff.init(row:)) }
    }
}

/// Gives the staff list's cards to their people, in the import's transaction (the rules: ``HallStore/importStaff``).
private func importCards(_ rows: [StaffListRow], into db: Database, summary: inout StaffImportSummary,
                         actor: String, at: Date) throws {
    let inList = Set(rows.map(\.staff.id))
    // StaffList refuses a card on two rows; rows made another way are checked here too.
    var rowOfCard: [String: StaffListRow] = [:]
    for entry in rows {
        for card in entry.cards {
            if let other = rowOfCard[card], other.staff.id != entry.staff.id {
                throw StoreError.staffConflict(row: entry.row, message: "card \(card) is also given to \(other.staff.id) on row \(other.row)")
            }
            rowOfCard[card] = entry
        }
    }
    for entry in rows {
        let person = entry.staff.id
        for card in entry.cards {
            let holder = try String.fetchOne(db, sql: "SELECT staff_id FROM staff_cards WHERE card = ?", arguments: [card])
            if holder == person {
                summary.cardsUnchanged += 1
                continue
            }
            if let holder, !inList.contains(holder) {
                let name = try String.fetchOne(db, sql: "SELECT name FROM staff WHERE id = ?", arguments: [holder]) ?? holder
                throw StoreError.staffConflict(row: entry.row, message: """
                    card \(card) belongs to \(name) (\(holder)), who is not in this list; if the card has changed hands, \
                    add \(holder) to the list too, without this card, and import again
                    """)
            }
            try db.execute(sql: """
                INSERT INTO staff_cards (card, staff_id, set_at) VALUES (?, ?, ?)
                ON CONFLICT(card) DO UPDATE SET staff_id = excluded.staff_id, set_at = excluded.set_at
                """, arguments: [card, person, at.storeSeconds])
            if holder == nil { summary.cardsAdded += 1 } else { summary.cardsMoved += 1 }
            try AuditChain.append(db, at: at, actor: actor, action: "card.set", subject: person,
                                  detail: "\(card) (\(holder.map { "moved from \($0)" } ?? "new card"))")
        }
    }
    // After every move: a card that another row gives to someone else moves (audited as a move), it is not taken away first.
    for entry in rows where !entry.cards.isEmpty {
        let listed = Set(entry.cards)
        let held = try String.fetchAll(db, sql: "SELECT card FROM staff_cards WHERE staff_id = ? ORDER BY card", arguments: [entry.staff.id])
        for card in held where !listed.contains(card) {
            try db.execute(sql: "DELETE FROM staff_cards WHERE card = ?", arguments: [card])
            summary.cardsRemoved += 1
            try AuditChain.append(db, at: at, actor: actor, action: "card.removed", subject: entry.staff.id,
                                  detail: "\(card) (not in the staff list's card column)")
        }
    }
}

extension Staff {
    init(row: Row) {
        let roles = (row["roles"] as String).split(separator: ",").compactMap { StaffRole(rawValue: String($0)) }
        self.init(id: row["id"], name: row["name"], window: row["window"], department: row["department"],
                  roles: Set(roles), terminalUserID: row["terminal_user_id"],
                  post: (row["post"] as String?).flatMap(PostSlot.init(rawValue:)))
    }
}
