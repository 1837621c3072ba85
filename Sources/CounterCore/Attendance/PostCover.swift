// A/B post cover (AB岗工作制度): "当A岗因故不在岗时,B岗自动顶岗" — when A is away, B takes over; a window of one
// person away more than half a day needs someone else to stand in. Pure: who is on post now decides each window's
// cover, and the month's judged days decide its cover gaps. The gateway gathers what was seen (punches, badge taps,
// sign-ins, leave) and raises the alerts.
import Foundation

/// How a window is covered right now.
public enum CoverState: Sendable, Hashable {
    /// The A post is on post.
    case aOnPost
    /// A is away, B covers (顶岗).
    case bCovers
    /// Someone of the window other than its A and B posts is on post (a window without posts, or a stand-in).
    case staffed
    /// Nobody of the window is on post during opening hours: both A and B are away (or the window's one person is).
    case uncovered
    /// The hall is not open now (before the first shift, after the last, a day off).
    case closed

    public var chineseName: String {
        switch self {
        case .aOnPost: return "A岗在岗"
        case .bCovers: return "B岗顶岗"
        case .staffed: return "有人在岗"
        case .uncovered: return "无人在岗"
        case .closed: return "非办公时间"
        }
    }
}

/// Why a window needs the duty chief now.
public enum CoverAlert: Sendable, Hashable {
    /// Neither A nor B on post during opening hours.
    case bothAway
    /// The window's only person has been away more than half a day (只有1名工作人员的,离岗超过半天).
    case onePersonAwayOverHalfDay

    public var chineseText: String {
        switch self {
        case .bothAway: return "A岗、B岗均不在岗"
        case .onePersonAwayOverHalfDay: return "窗口唯一工作人员离岗超过半天,须另行安排人员顶岗"
        }
    }
}

/// One window's cover now.
public struct WindowCover: Sendable, Hashable {
    public let window: Int
    /// The window's people with their post slot, and whether each is on post.
    public let people: [Person]
    public let state: CoverState
    public let alert: CoverAlert?

    public struct Person: Sendable, Hashable {
        public let staffID: String
        public let name: String
        public let post: PostSlot?
        public let onPost: Bool
        /// Approved leave or outing now, when away on one.
        public let away: LeaveKind?
    }
}

public enum PostCoverCheck {
    /// A window's cover at `now`.
    /// - Parameters:
    ///   - people: the window's staff.
    ///   - onPost: staff on post now by what was seen today (the latest of their punches, badge taps at the window and
    ///     confirmed sign-ins, an off-post tap ending it).
    ///   - seenToday: staff with any event today (on post or not now).
    ///   - awayNow: staff on approved leave or an outing at `now`, with its kind, start and end.
    ///   - shifts: today's shifts as instants (none on a day off): the window is open within them, after `graceMinutes`
    ///     from each shift's start (the lunch break is not opening hours).
    public static func cover(window: Int, people: [Staff], onPost: Set<String>, seenToday: Set<String>, awayNow: [String: (kind: LeaveKind, from: Date, until: Date)],
                             now: Date, shifts: [DateInterval], graceMinutes: Int) -> WindowCover {
        let persons = people.sorted { ($0.post?.rawValue ?? "Z", $0.id) < ($1.post?.rawValue ?? "Z", $1.id) }.map { person in
            let away = awayNow[person.id]
            return WindowCover.Person(staffID: person.id, name: person.name, post: person.post,
                                      onPost: away == nil && onPost.contains(person.id), away: away?.kind)
        }
        let open = shifts.contains { now >= $0.start.addingTimeInterval(TimeInterval(graceMinutes * 60)) && now < $0.end }
        guard open else { return WindowCover(window: window, people: persons, state: .closed, alert: nil) }
        let state: CoverState
        if persons.contains(where: { $0.post == .a && $0.onPost }) {
            state = .aOnPost
        } else if persons.contains(where: { $0.post == .b && $0.onPost }) {
            state = .bCovers
        } else if persons.contains(where: \.onPost) {
            state = .staffed
        } else {
            state = .uncovered
        }
        var alert: CoverAlert?
        if state == .uncovered {
            if persons.count == 1, let only = persons.first {
                // One person: away on leave longer than half a day, or not come at all by the end of the day's first shift
                // (half a day missed) — 只有1名工作人员的,离岗超过半天.
                let longLeave = awayNow[only.staffID].map { $0.until.timeIntervalSince($0.from) > LeaveRequest.halfDay } ?? false
                let firstShiftMissed = !seenToday.contains(only.staffID) && shifts.first.map { now >= $0.end } == true
                alert = longLeave || firstShiftMissed ? .onePersonAwayOverHalfDay : nil
            } else if !persons.isEmpty {
                alert = .bothAway
            }
        }
        return WindowCover(window: window, people: persons, state: state, alert: alert)
    }

    /// Cover gaps (无人在岗) of a window in a month: the shifts of the judged days in which none of the window's people
    /// was at work (on time, late, early or with one punch missing). A shift still pending is not counted.
    /// - Parameter days: each of the window's people's judged days of the month.
    public static func gaps(days: [[AttendanceDay]]) -> Int {
        var byShift: [CivilDate: [Int: (present: Bool, pending: Bool)]] = [:]
        for person in days {
            for day in person where day.kind.isWorkingDay {
                for (index, result) in day.shifts.enumerated() {
                    var entry = byShift[day.date, default: [:]][index] ?? (false, false)
                    switch result.status {
                    case .onTime, .late, .early, .lateAndEarly, .missingPunch: entry.present = true
                    case .pending: entry.pending = true
                    case .onLeave, .onOuting, .absent: break
                    }
                    byShift[day.date, default: [:]][index] = entry
                }
            }
        }
        return byShift.values.reduce(0) { total, shifts in total + shifts.values.filter { !$0.present && !$0.pending }.count }
    }
}
