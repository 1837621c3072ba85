// The one clock abstraction: the core never reads the time itself, it is handed a clock.
import Foundation
import Synchronization

/// Where "now" comes from. The gateway passes the system clock; tests and simulators pass a ``ManualClock``.
public protocol HallClock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The system clock: the gateway's and the command line's one source of "now" (the rules are handed it, never read
/// the time themselves).
public struct SystemClock: HallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that only moves when told to. Used by tests and simulators (a fake, never the gateway's clock).
public final class ManualClock: HallClock {
    private let current: Mutex<Date>

    /// - Parameter start: the instant the clock shows until it is moved.
    public init(_ start: Date) { current = Mutex(start) }

    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward (or backward, for a terminal whose clock is wrong).
    public func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }

    /// Sets the clock to an instant.
    public func set(_ date: Date) { current.withLock { $0 = date } }
}

/// The hall's own time zone (China Standard Time), used to turn instants into the hall's dates.
public enum HallTime {
    /// Asia/Shanghai; every date printed at the window is a date in this zone.
    public static let chinaStandardTime = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!

    /// `2026-11-25 08:31:05` in the hall's time, for lists people read.
    public static func format(_ instant: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = chinaStandardTime
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// The first instant of a day in the hall's time.
    public static func start(of day: CivilDate) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = chinaStandardTime
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)) ?? Date(timeIntervalSince1970: 0)
    }
}
