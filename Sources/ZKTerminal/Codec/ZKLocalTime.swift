// The terminal's clock: a local wall-clock time with no zone, packed into 32 bits (or 6 raw bytes in events).
import CounterCore
import Foundation

/// A time as the terminal reads it: its local wall clock, no zone. The hall's zone turns it into an instant.
public struct ZKLocalTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int
    public let second: Int

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// Unpacks `((y%100)*12*31 + (m-1)*31 + d-1)*86400 + (h*60+min)*60 + s`. Any u32 unpacks; the result can be
    /// a day that does not exist (Feb 31), which ``isValidDate`` tells.
    public init(packed: UInt32) {
        var t = Int(packed)
        second = t % 60; t /= 60
        minute = t % 60; t /= 60
        hour = t % 24; t /= 24
        day = t % 31 + 1; t /= 31
        month = t % 12 + 1; t /= 12
        year = t + 2000
    }

    /// The 6 raw bytes of live events: YY MM DD hh mm ss.
    public init(eventBytes b: some Collection<UInt8>) throws(ZKDecodeError) {
        let v = Array(b)
        guard v.count >= 6 else { throw .tooShort(what: "event time", needed: 6, got: v.count) }
        self.init(year: 2000 + Int(v[0]), month: Int(v[1]), day: Int(v[2]), hour: Int(v[3]), minute: Int(v[4]), second: Int(v[5]))
    }

    /// The packed form. Years outside 2000-2099 cannot be packed (the format keeps two digits).
    public var packed: UInt32 {
        let days = ((year % 100) * 12 * 31 + (month - 1) * 31 + day - 1)
        return UInt32(truncatingIfNeeded: days * 86400 + (hour * 60 + minute) * 60 + second)
    }

    public var eventBytes: [UInt8] {
        [UInt8(truncatingIfNeeded: year - 2000), UInt8(truncatingIfNeeded: month), UInt8(truncatingIfNeeded: day),
         UInt8(truncatingIfNeeded: hour), UInt8(truncatingIfNeeded: minute), UInt8(truncatingIfNeeded: second)]
    }

    /// Whether this is a real calendar time (no Feb 31, no 25 o'clock).
    public var isValidDate: Bool {
        guard (1...12).contains(month), (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second), day >= 1 else { return false }
        let days = [31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    /// The instant this wall-clock time is in `zone`, or nil when the day does not exist.
    public func instant(in zone: TimeZone) -> Date? {
        guard isValidDate else { return nil }
        // Arithmetic rather than Calendar: downloads convert 100,000 of these, and Calendar costs microseconds each.
        guard let date = CivilDate(year: year, month: month, day: day) else { return nil }
        let naive = Date(timeIntervalSince1970: TimeInterval(date.dayNumber * 86400 + (hour * 60 + minute) * 60 + second))
        // The zone's offset at that wall time (asked twice so a daylight-saving change in between is honoured).
        let first = naive.addingTimeInterval(-TimeInterval(zone.secondsFromGMT(for: naive)))
        return naive.addingTimeInterval(-TimeInterval(zone.secondsFromGMT(for: first)))
    }


    /// The wall-clock time of `instant` in `zone`.
    public init(_ instant: Date, in zone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        self.init(year: c.year!, month: c.month!, day: c.day!, hour: c.hour!, minute: c.minute!, second: c.second!)
    }

    public var description: String {
        String(format: "%04d-%02d-%02d %02d:%02d:%02d", year, month, day, hour, minute, second)
    }

    public static func < (a: ZKLocalTime, b: ZKLocalTime) -> Bool {
        (a.year, a.month, a.day, a.hour, a.minute, a.second) < (b.year, b.month, b.day, b.hour, b.minute, b.second)
    }
}
