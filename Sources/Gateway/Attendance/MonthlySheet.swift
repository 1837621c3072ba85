// The monthly sheet (月度考勤汇总): per person and per window, what the inspection office (督查室) publishes on the
// hall's LAN at the start of the next month (考勤制度 第六条). One path for the API, the pages, the exports and the
// command line: computed from the store (each day judged by the core, AttendanceJudge), or, once published, the
// frozen copy with every later change shown as an amendment (更正), never a silent change.
import CounterConfig
import CounterCore
import CounterStore
import Foundation

/// The sheet of one month.
public struct MonthlySheet: Codable, Sendable, Hashable {
    /// One person's figures.
    public struct Person: Codable, Sendable, Hashable {
        public let staffId: String
        public let name: String
        public let window: Int?
        public let department: String
        public let daysDue: Int
        public let daysPresent: Int
        public let lateCount: Int
        public let lateMinutes: Int
        public let earlyCount: Int
        public let earlyMinutes: Int
        public let missingPunches: Int
        /// Shifts on leave, by kind (`sick`, `personal`).
        public let leaveShifts: [String: Int]
        public let outingShifts: Int
        /// 旷工, in days (a shift of a two-shift day is half a day).
        public let absentDays: Double
        /// Working days not judged yet: a terminal serving the person has not been heard from past them.
        public let pendingDays: Int
        public let minutesWorked: Int
        /// Punch corrections (补卡) this month.
        public let corrections: Int

        init(_ person: Staff, _ month: MonthlyAttendance, corrections: Int) {
            staffId = person.id
            name = person.name
            window = person.window
            department = person.department
            daysDue = month.daysDue
            daysPresent = month.daysPresent
            lateCount = month.lateCount
            lateMinutes = month.lateMinutes
            earlyCount = month.earlyCount
            earlyMinutes = month.earlyMinutes
            missingPunches = month.missingPunches
            leaveShifts = Dictionary(uniqueKeysWithValues: month.leaveShifts.map { ($0.key.rawValue, $0.value) })
            outingShifts = month.outingShifts
            absentDays = month.absentDays
            pendingDays = month.pendingDays
            minutesWorked = month.minutesWorked
            self.corrections = corrections
        }

        /// Leave shifts of every kind.
        public var leaveTotal: Int { leaveShifts.values.reduce(0, +) }

        /// The figures by name, for amendments and exports.
        var figures: [(String, Double)] {
            [("daysDue", Double(daysDue)), ("daysPresent", Double(daysPresent)), ("lateCount", Double(lateCount)),
             ("lateMinutes", Double(lateMinutes)), ("earlyCount", Double(earlyCount)), ("earlyMinutes", Double(earlyMinutes)),
             ("missingPunches", Double(missingPunches)), ("outingShifts", Double(outingShifts)), ("absentDays", absentDays),
             ("pendingDays", Double(pendingDays)), ("corrections", Double(corrections)), ("minutesWorked", Double(minutesWorked))]
                + LeaveKind.allCases.map { ("leaveShifts.\($0.rawValue)", Double(leaveShifts[$0.rawValue] ?? 0)) }
        }
    }

    /// One window's figures: its people's summed, and the shifts nobody of it was on post (AB岗).
    public struct Window: Codable, Sendable, Hashable {
        public let window: Int
        public let name: String
        public let people: Int
        public let lateCount: Int
        public let earlyCount: Int
        public let missingPunches: Int
        public let leaveShifts: Int
        public let outingShifts: Int
        public let absentDays: Double
        /// Shifts of the month in which none of the window's people was at work (无人在岗).
        public let coverGaps: Int
    }

    /// Who published it, and when.
    public struct Publication: Codable, Sendable, Hashable {
        public let at: String
        public let by: String
    }

    /// A figure that differs from the published one (a correction or leave decided after publishing).
    public struct Amendment: Codable, Sendable, Hashable {
        public let staffId: String
        public let name: String
        public let figure: String
        public let published: Double
        public let now: Double
    }

    /// `in-progress` (the month is not over), `pending` (over, some days not judged: a terminal unread), `final`
    /// (every day judged, not published), `published` (frozen; see `amendments`).
    public let state: String
    public let month: String
    /// Every working day of the month judged for everybody.
    public let final: Bool
    public let computedAt: String
    public let people: [Person]
    public let windows: [Window]
    /// Punches of the month whose terminal user id matches nobody on the staff list: counted for nobody until the staff
    /// list gives the user id to a person (`staff import`), then counted for them.
    public let unmatchedPunches: Int
    public let publication: Publication?
    public let amendments: [Amendment]
    /// Why the amendments of a published month are not known now (the month cannot be computed: say, its calendar year is
    /// missing); nil otherwise.
    public let amendmentsUnavailable: String?

    init(state: String, month: String, final: Bool, computedAt: String, people: [Person], windows: [Window], unmatchedPunches: Int,
         publication: Publication?, amendments: [Amendment], amendmentsUnavailable: String? = nil) {
        self.amendmentsUnavailable = amendmentsUnavailable
        self.state = state
        self.month = month
        self.final = final
        self.computedAt = computedAt
        self.people = people
        self.windows = windows
        self.unmatchedPunches = unmatchedPunches
        self.publication = publication
        self.amendments = amendments
    }

    /// Reads a sheet as it was frozen when published; a figure added to the sheet since then reads as 0 (none), so a
    /// month published by an earlier version stays readable.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        state = try c.decode(String.self, forKey: .state)
        month = try c.decode(String.self, forKey: .month)
        final = try c.decode(Bool.self, forKey: .final)
        computedAt = try c.decode(String.self, forKey: .computedAt)
        people = try c.decode([Person].self, forKey: .people)
        windows = try c.decodeIfPresent([Window].self, forKey: .windows) ?? []
        unmatchedPunches = try c.decodeIfPresent(Int.self, forKey: .unmatchedPunches) ?? 0
        publication = try c.decodeIfPresent(Publication.self, forKey: .publication)
        amendments = try c.decodeIfPresent([Amendment].self, forKey: .amendments) ?? []
        amendmentsUnavailable = try c.decodeIfPresent(String.self, forKey: .amendmentsUnavailable)
    }
}

/// Why a sheet cannot be published.
public enum MonthlySheetError: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchMonth(String)
    case monthNotOver(String)
    case notFinal(month: String, pendingPeople: [String])
    case alreadyPublished(month: String, at: String, by: String)

    public var description: String {
        switch self {
        case .noSuchMonth(let text): return "month \(text) does not exist; give it as YYYY-MM"
        case .monthNotOver(let month): return "\(month) is not over yet; a month is published (公示) at the start of the next"
        case .notFinal(let month, let people):
            return "\(month) still has days not judged for \(people.joined(separator: ", ")): a terminal serving them has not been "
                + "read past those days; bring the terminal back (or wait for its next contact) and publish then"
        case .alreadyPublished(let month, let at, let by):
            return "\(month) was published at \(at) by \(by); later changes show as amendments (更正) on the published sheet"
        }
    }
}

/// Computes, publishes and reads monthly sheets.
public struct MonthlySheetDesk: Sendable {
    public let config: HallConfiguration
    public let store: HallStore
    public let clock: any HallClock

    public init(config: HallConfiguration, store: HallStore, clock: any HallClock) {
        self.config = config
        self.store = store
        self.clock = clock
    }

    /// Reads `YYYY-MM`.
    public static func month(_ text: String) throws(MonthlySheetError) -> (year: Int, month: Int) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month),
              (2000...2200).contains(year) else { throw .noSuchMonth(text) }
        return (year, month)
    }

    /// The sheet as people see it: the published copy with its amendments, or the month computed now. A published copy
    /// is shown even when the month cannot be computed now (the amendments are then not known, and
    /// `amendmentsUnavailable` says why).
    public func sheet(year: Int, month: Int) async throws -> MonthlySheet {
        let key = String(format: "%04d-%02d", year, month)
        guard let published = try await store.publishedSheet(month: key) else { return try await compute(year: year, month: month) }
        let frozen = try JSONDecoder().decode(MonthlySheet.self, from: Data(published.sheet.utf8))
        var amendments: [MonthlySheet.Amendment] = []
        var unavailable: String?
        do { amendments = Self.amendments(published: frozen, now: try await compute(year: year, month: month)) } catch {
            unavailable = "\(error)"
        }
        return MonthlySheet(state: "published", month: frozen.month, final: frozen.final, computedAt: frozen.computedAt,
                            people: frozen.people, windows: frozen.windows, unmatchedPunches: frozen.unmatchedPunches,
                            publication: .init(at: APITime.string(published.at), by: published.by), amendments: amendments,
                            amendmentsUnavailable: unavailable)
    }

    /// Publishes (公示) a month: it must be over and judged for everybody; the sheet is frozen as it is now.
    public func publish(year: Int, month: Int, by actor: String) async throws -> MonthlySheet {
        let computed = try await compute(year: year, month: month)
        if let existing = try await store.publishedSheet(month: computed.month) {
            throw MonthlySheetError.alreadyPublished(month: computed.month, at: HallTime.format(existing.at), by: existing.by)
        }
        guard computed.state != "in-progress" else { throw MonthlySheetError.monthNotOver(computed.month) }
        guard computed.final else {
            throw MonthlySheetError.notFinal(month: computed.month, pendingPeople: computed.people.filter { $0.pendingDays > 0 }.map(\.staffId))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(computed), as: UTF8.self)
        do { try await store.publishSheet(month: computed.month, sheet: text, by: actor, at: clock.now()) } catch {
            // Published meanwhile by another request: the month's row exists.
            if let existing = try await store.publishedSheet(month: computed.month) {
                throw MonthlySheetError.alreadyPublished(month: computed.month, at: HallTime.format(existing.at), by: existing.by)
            }
            throw error
        }
        return try await sheet(year: year, month: month)
    }

    /// Every figure that differs between the published copy and the month now: each person's, a person added or no
    /// longer there, each window's, and the punches counted for nobody.
    static func amendments(published: MonthlySheet, now: MonthlySheet) -> [MonthlySheet.Amendment] {
        let current = Dictionary(now.people.map { ($0.staffId, $0) }, uniquingKeysWith: { a, _ in a })
        let before = Set(published.people.map(\.staffId))
        var found: [MonthlySheet.Amendment] = []
        for person in published.people {
            guard let later = current[person.staffId] else {
                found.append(.init(staffId: person.staffId, name: person.name, figure: "onSheet", published: 1, now: 0))
                continue
            }
            let after = Dictionary(later.figures, uniquingKeysWith: { a, _ in a })
            for (name, value) in person.figures where after[name] != value {
                found.append(.init(staffId: person.staffId, name: person.name, figure: name, published: value, now: after[name] ?? 0))
            }
        }
        for person in now.people where !before.contains(person.staffId) {
            found.append(.init(staffId: person.staffId, name: person.name, figure: "onSheet", published: 0, now: 1))
        }
        let windowsNow = Dictionary(now.windows.map { ($0.window, $0) }, uniquingKeysWith: { a, _ in a })
        for window in published.windows {
            guard let later = windowsNow[window.window] else { continue }
            for (name, value, after) in [("window.absentDays", window.absentDays, later.absentDays),
                                         ("window.coverGaps", Double(window.coverGaps), Double(later.coverGaps)),
                                         ("window.leaveShifts", Double(window.leaveShifts), Double(later.leaveShifts)),
                                         ("window.missingPunches", Double(window.missingPunches), Double(later.missingPunches))] where value != after {
                found.append(.init(staffId: "", name: "\(window.window)号窗口", figure: name, published: value, now: after))
            }
        }
        if published.unmatchedPunches != now.unmatchedPunches {
            found.append(.init(staffId: "", name: "", figure: "unmatchedPunches", published: Double(published.unmatchedPunches), now: Double(now.unmatchedPunches)))
        }
        return found
    }

    /// The month computed from the store now. Each day is judged from the punches, confirmed sign-ins, reconciled
    /// records and corrections (补卡); a day is pending, never absent, until every terminal serving the person was heard
    /// from past it. Approved leave and outings excuse what they cover.
    public func compute(year: Int, month: Int) async throws -> MonthlySheet {
        guard let first = CivilDate(year: year, month: month, day: 1) else { throw MonthlySheetError.noSuchMonth("\(year)-\(month)") }
        let dates = (0..<CivilDate.daysIn(month: month, year: year)).map { first.adding(days: $0) }
        let calendar = try config.calendar()
        let kinds = try dates.map { try calendar.kind(of: $0) }
        let start = HallTime.start(of: first), end = HallTime.start(of: first.adding(days: dates.count))
        var times: [String: [Date]] = [:]
        var unmatched = 0
        for punch in try await store.punches(from: start, to: end) {
            if let id = punch.punch.staffID { times[id, default: []].append(punch.punch.at) } else { unmatched += 1 }
        }
        for signIn in try await store.signIns(from: start, to: end.addingTimeInterval(-1)) {
            if case .confirmed = signIn.signIn.status { times[signIn.signIn.staffID, default: []].append(signIn.signIn.at) }
        }
        for record in try await store.attendanceRecords(from: start, to: end.addingTimeInterval(-1)) { times[record.staffID, default: []].append(record.at) }
        var corrections: [String: Int] = [:]
        for correction in try await store.punchCorrections(from: start, to: end) {
            times[correction.staffID, default: []].append(correction.at)
            corrections[correction.staffID, default: 0] += 1
        }
        var leave: [String: [LeaveSpan]] = [:]
        for stored in try await store.leaves(from: start, to: end) { if let span = stored.request.span { leave[stored.request.staffID, default: []].append(span) } }
        // How far each terminal has been heard from: its last contact while online, the moment it went away otherwise.
        let heard = Dictionary(try await store.deviceHealth().compactMap { device in device.role.map { ($0, device.lastSeen) } },
                               uniquingKeysWith: { max($0, $1) })
        let terminals = config.devices.filter { $0.kind == .terminal }
        let now = clock.now()
        let staff = try await store.staff()
        var judged: [String: [AttendanceDay]] = [:]
        let people = staff.map { person -> MonthlySheet.Person in
            let serving = terminals.filter { person.window.map($0.windows.contains) ?? true }
            // No terminal serves them (sign-in only): judged up to now.
            let readThrough = min(now, serving.isEmpty ? now : serving.map { heard[$0.role] ?? .distantPast }.min() ?? now)
            let hours = config.hours.hours(staffID: person.id, window: person.window)
            let days = zip(dates, kinds).map { date, kind in
                AttendanceJudge.day(date, kind: kind, hours: hours, times: times[person.id] ?? [], leave: leave[person.id] ?? [],
                                    readThrough: readThrough)
            }
            judged[person.id] = days
            return MonthlySheet.Person(person, MonthlyAttendance(staffID: person.id, year: year, month: month, days: days),
                                       corrections: corrections[person.id] ?? 0)
        }
        let windows = config.windows.map { window -> MonthlySheet.Window in
            let own = people.filter { $0.window == window.number }
            return MonthlySheet.Window(
                window: window.number, name: window.name, people: own.count, lateCount: own.reduce(0) { $0 + $1.lateCount },
                earlyCount: own.reduce(0) { $0 + $1.earlyCount }, missingPunches: own.reduce(0) { $0 + $1.missingPunches },
                leaveShifts: own.reduce(0) { $0 + $1.leaveTotal }, outingShifts: own.reduce(0) { $0 + $1.outingShifts },
                absentDays: own.reduce(0) { $0 + $1.absentDays },
                coverGaps: PostCoverCheck.gaps(days: own.map { judged[$0.staffId] ?? [] }))
        }
        let final = people.allSatisfy { $0.pendingDays == 0 }
        let state = now < end ? "in-progress" : (final ? "final" : "pending")
        return MonthlySheet(state: state, month: String(format: "%04d-%02d", year, month), final: final && now >= end,
                            computedAt: APITime.string(now), people: people, windows: windows, unmatchedPunches: unmatched,
                            publication: nil, amendments: [])
    }
}
