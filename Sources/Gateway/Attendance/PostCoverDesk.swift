// A/B post cover (AB岗) now: each window's people, who is on post (a punch, a badge tap at the window, a confirmed
// sign-in today, not tapped off post, not on approved leave), and the alert when nobody covers a window in opening
// hours. The rule is the core's (PostCoverCheck); this gathers what the store saw. PostCoverWatch raises the alerts:
// a `cover` page event, the `countergate_windows_uncovered` gauge and a log line, when a window's alert begins or ends.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import Metrics

public struct PostCoverDesk: Sendable {
    public let config: HallConfiguration
    public let store: HallStore
    public let clock: any HallClock

    public init(config: HallConfiguration, store: HallStore, clock: any HallClock) {
        self.config = config
        self.store = store
        self.clock = clock
    }

    /// Every configured window's cover now.
    public func now() async throws -> [WindowCover] {
        let now = clock.now()
        let today = CivilDate(now)
        let midnight = HallTime.start(of: today), tomorrow = HallTime.start(of: today.adding(days: 1))
        // Each person's latest event of the day decides: a punch, a sign-in, a 补卡 or an on-post tap puts them on post,
        // an off-post tap takes them off until their next event.
        var events: [(at: Date, staffID: String, on: Bool)] = []
        for punch in try await store.punches(from: midnight, to: tomorrow) where punch.punch.at <= now {
            if let id = punch.punch.staffID { events.append((punch.punch.at, id, true)) }
        }
        for signIn in try await store.signIns(from: midnight, to: tomorrow.addingTimeInterval(-1)) {
            if case .confirmed = signIn.signIn.status, signIn.signIn.at <= now { events.append((signIn.signIn.at, signIn.signIn.staffID, true)) }
        }
        for correction in try await store.punchCorrections(from: midnight, to: tomorrow) where correction.at <= now {
            events.append((correction.at, correction.staffID, true))
        }
        for tap in try await store.taps(from: midnight, to: now.addingTimeInterval(1)) { events.append((tap.at, tap.staffID, tap.meaning != "off-post")) }
        var onPost = Set<String>()
        let seen = Set(events.map(\.staffID))
        for event in events.sorted(by: { $0.at < $1.at }) {
            if event.on { onPost.insert(event.staffID) } else { onPost.remove(event.staffID) }
        }
        var away: [String: (kind: LeaveKind, from: Date, until: Date)] = [:]
        for stored in try await store.leaves(from: now, to: now.addingTimeInterval(1)) {
            if let span = stored.request.span { away[stored.request.staffID] = (span.kind, span.start, span.end) }
        }
        let isWorkingDay = (try? config.calendar().isWorkingDay(today)) ?? !today.isWeekend
        let staff = try await store.staff()
        // The hall's hours decide when a window is open (a person's own hours do not move the window's).
        return config.windows.map { window in
            let people = staff.filter { $0.window == window.number }
            let hours = config.hours.hours(staffID: "", window: window.number)
            let shifts = (isWorkingDay ? hours.shifts(on: today) : []).map { shift in
                DateInterval(start: midnight.addingTimeInterval(TimeInterval(shift.start.minutes * 60)),
                             end: midnight.addingTimeInterval(TimeInterval(shift.end.minutes * 60)))
            }
            return PostCoverCheck.cover(window: window.number, people: people, onPost: onPost, seenToday: seen, awayNow: away, now: now,
                                        shifts: shifts, graceMinutes: hours.graceLateMinutes)
        }
    }
}

/// Watches the cover once a minute and raises each window's alert when it begins, and says when it ends.
public struct PostCoverWatch: Sendable {
    public let desk: PostCoverDesk
    public let events: GatewayEvents
    public let logger: Logger
    /// How often the cover is looked at.
    public let interval: Duration

    public init(desk: PostCoverDesk, events: GatewayEvents, logger: Logger, interval: Duration = .seconds(60)) {
        self.desk = desk
        self.events = events
        self.logger = logger
        self.interval = interval
    }

    /// Looks once; returns the windows alerting now. `previous` is what the last look returned.
    public func look(previous: [Int: CoverAlert]) async -> [Int: CoverAlert] {
        let covers: [WindowCover]
        do { covers = try await desk.now() } catch {
            logger.error("cannot read the windows' cover (AB岗)", metadata: ["error": "\(error)"])
            return previous
        }
        var alerting: [Int: CoverAlert] = [:]
        for cover in covers {
            if let alert = cover.alert { alerting[cover.window] = alert }
            guard cover.alert != previous[cover.window] else { continue }
            events.publish(.cover(cover))
            if let alert = cover.alert {
                logger.warning("window \(cover.window) (\(cover.window)号窗口) is not covered: \(alert.chineseText)",
                               metadata: ["window": "\(cover.window)", "people": "\(cover.people.map(\.staffID).joined(separator: ","))"])
            } else if cover.state == .closed {
                logger.notice("window \(cover.window) (\(cover.window)号窗口): opening hours over, its cover alert ends")
            } else {
                logger.notice("window \(cover.window) (\(cover.window)号窗口) is covered again: \(cover.state.chineseName)")
            }
        }
        Gauge(label: "countergate_windows_uncovered").record(alerting.count)
        return alerting
    }

    /// Looks every `interval` until cancelled.
    public func run() async {
        var alerting: [Int: CoverAlert] = [:]
        while !Task.isCancelled {
            alerting = await look(previous: alerting)
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}

extension GatewayEvent {
    /// `cover`: a window's A/B cover alert began (`alert` set) or ended.
    static func cover(_ cover: WindowCover) -> GatewayEvent {
        GatewayEvent(name: "cover", fields: [
            "window": String(cover.window), "state": cover.state.chineseName, "alert": cover.alert?.chineseText,
            "people": cover.people.map(\.staffID).joined(separator: ",")])
    }
}
