// The centre's exports' small text rules, in one place: a CSV field, and an instant in China's time.
import Foundation

enum CentreText {
    /// A CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// Seconds since 1970 as China's wall time, in `format` (a DateFormatter pattern).
    static func chinaTime(_ seconds: Int64, format: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = format
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
