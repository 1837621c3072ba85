// Log lines for people (on a terminal) or for the journal and log shippers (JSON lines otherwise).
import Foundation
import Logging

/// A swift-log handler writing to standard error: a readable line on a TTY, one JSON object per line otherwise.
public struct HallLogHandler: LogHandler {
    public enum Format: Sendable { case human, jsonLines }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let label: String
    let format: Format

    public init(label: String, format: Format, level: Logger.Level) {
        self.label = label
        self.format = format
        self.logLevel = level
    }

    /// Human lines when standard error is a terminal, JSON lines when it is a pipe, a file or the journal.
    public static var automaticFormat: Format { isatty(STDERR_FILENO) == 1 ? .human : .jsonLines }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level
        let message = event.message
        var all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        if let error = event.error { all["error"] = "\(error)" }
        let now = Date()
        let text: String
        switch format {
        case .human:
            let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            text = "\(Self.humanTime(now)) \(level.rawValue.uppercased()) \(label): \(message)" + (fields.isEmpty ? "" : " \(fields)") + "\n"
        case .jsonLines:
            var object: [String: Any] = ["ts": Self.isoTime(now), "level": level.rawValue, "logger": label, "msg": "\(message)"]
            if !all.isEmpty { object["meta"] = all.mapValues { "\($0)" } }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            text = String(decoding: data, as: UTF8.self) + "\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func isoTime(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    static func humanTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.current
        let c = calendar.dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d", c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}
