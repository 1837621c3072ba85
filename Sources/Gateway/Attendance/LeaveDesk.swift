// Leave and outings (请假, 因公外出): one path for the command line (and later the API and the pages) from a request to
// its decision. The rules are the core's (LeaveRequest); the desk finds the people they name.
import CounterConfig
import CounterCore
import CounterStore
import Foundation

/// Why the desk cannot act.
public struct LeaveDeskError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

public struct LeaveDesk: Sendable {
    public let config: HallConfiguration
    public let store: HallStore
    public let clock: any HallClock

    public init(config: HallConfiguration, store: HallStore, clock: any HallClock) {
        self.config = config
        self.store = store
        self.clock = clock
    }

    /// Files a request by or for `staffID` (a request after its start is a make-up, 补办).
    public func request(for staffID: String, kind: LeaveKind, from start: Date, to end: Date, reason: String, by actor: String) async throws -> StoredLeave {
        let person = try await staff(staffID)
        let hasLead = try await lead(ofWindow: person.window, besides: person.id) != nil
        let request = try LeaveRequest(staffID: person.id, kind: kind, start: start, end: end, reason: reason, requestedAt: clock.now(), windowHasLead: hasLead)
        return try await store.requestLeave(request, by: actor, at: clock.now())
    }

    /// The window lead's opinion (意见).
    public func opinion(on id: Int64, by leadID: String, text: String) async throws -> StoredLeave {
        let lead = try await staff(leadID)
        let requester = try await requesterOf(id)
        let leadOfWindow = lead.window != nil && lead.window == requester.window
        return try await store.actOnLeave(id, actor: lead.id, action: "opinion", at: clock.now()) { request in
            try request.leadOpinion(by: lead, leadOfWindow: leadOfWindow, opinion: text)
        }
    }

    /// Approves or refuses. A duty chief approves as the duty chief the roster (值班表) names for the leave's first day.
    public func decide(_ id: Int64, by approverID: String, approve: Bool) async throws -> StoredLeave {
        let approver = try await staff(approverID)
        guard let stored = try await store.leave(id: id) else { throw StoreError.unknownLeave(id) }
        let onDuty = try await store.dutyChief(on: stored.request.firstDay)
        return try await store.actOnLeave(id, actor: approver.id, action: approve ? "approved" : "refused", at: clock.now()) { request in
            try request.decide(by: approver, approve: approve, dutyChiefOfTheDay: onDuty)
        }
    }

    /// Puts `staffID` on the duty roster for `days`.
    public func setRoster(days: [CivilDate], staffID: String, by actor: String) async throws -> [DutyRosterDay] {
        try await setRoster(days.map { DutyRosterDay(day: $0, staffID: staffID) }, by: actor)
    }

    /// Sets the roster for each day given, all or nothing: each person must hold the duty chief role, a day is given
    /// once, and no day is in the past (the roster of a past day decided its approvals and is kept as it was).
    public func setRoster(_ entries: [DutyRosterDay], by actor: String) async throws -> [DutyRosterDay] {
        let today = CivilDate(clock.now())
        var seen = Set<CivilDate>()
        for entry in entries {
            guard entry.day >= today else {
                throw LeaveDeskError(description: "\(entry.day) is past: the roster of a past day decided its approvals and is kept as it was")
            }
            guard seen.insert(entry.day).inserted else { throw LeaveDeskError(description: "\(entry.day) is given twice; give each day once") }
        }
        var people: [String: Staff] = [:]
        for id in Set(entries.map(\.staffID)) {
            let person = try await staff(id)
            try DutyRoster.check(person)
            people[id] = person
        }
        let stored = entries.map { DutyRosterDay(day: $0.day, staffID: people[$0.staffID]?.id ?? $0.staffID) }
        try await store.setDutyRoster(stored, by: actor, at: clock.now())
        return stored
    }

    /// The rotation (轮流) of `chiefs` over the working days `from...through`, stored. A year whose holiday arrangement
    /// is not loaded is rotated over its weekdays, and named in `weekdaysOnly` so the caller can say so.
    public func rotateRoster(chiefs: [String], from: CivilDate, through: CivilDate, by actor: String) async throws
        -> (days: [DutyRosterDay], weekdaysOnly: [Int]) {
        guard from <= through, through.dayNumber - from.dayNumber <= 366 else {
            throw LeaveDeskError(description: "the period runs from \(from) to \(through); give a first day not after the last, at most a year apart")
        }
        let calendar = try config.calendar()
        let days = (0...(through.dayNumber - from.dayNumber)).map { from.adding(days: $0) }
        let missing = Set(days.map(\.year)).filter { calendar.years[$0] == nil }.sorted()
        let entries = try DutyRoster.rotation(chiefs: chiefs, days: days) { day in
            (try? calendar.isWorkingDay(day)) ?? !day.isWeekend
        }
        return (try await setRoster(entries, by: actor), missing)
    }

    /// The duty chief records a punch the terminal did not take (补卡), with the reason.
    public func correctPunch(of staffID: String, at instant: Date, reason: String, by correctorID: String) async throws -> StoredPunchCorrection {
        let person = try await staff(staffID)
        let corrector = try await staff(correctorID)
        try PunchCorrection.check(staffID: person.id, at: instant, reason: reason, by: corrector, now: clock.now())
        return try await store.correctPunch(staffID: person.id, at: instant, reason: reason, by: corrector.id, now: clock.now())
    }

    /// The person takes a waiting request back.
    public func withdraw(_ id: Int64, by staffID: String) async throws -> StoredLeave {
        try await store.actOnLeave(id, actor: staffID, action: "withdrawn", at: clock.now()) { request in try request.withdraw(by: staffID) }
    }

    private func staff(_ id: String) async throws -> Staff {
        guard let person = try await store.staff(id: id) else {
            throw LeaveDeskError(description: "no staff member \(id); countergate staff list shows who is on file")
        }
        return person
    }

    private func lead(ofWindow window: Int?, besides id: String) async throws -> Staff? {
        guard let window else { return nil }
        return try await store.staff().first { $0.window == window && $0.has(.windowLead) && $0.id != id }
    }

    private func requesterOf(_ id: Int64) async throws -> Staff {
        guard let stored = try await store.leave(id: id) else {
            throw StoreError.unknownLeave(id)
        }
        return try await staff(stored.request.staffID)
    }
}
