// A backup file's manifest and the file's name: what `countergate backup` writes before the compressed database, and
// what `backup verify` and `restore` check the rest of the file against.
import Foundation

/// What a backup holds, written as one JSON line after the file's first line (`head -2 FILE` shows it).
public struct BackupManifest: Codable, Sendable, Equatable {
    /// The file format this binary writes; a higher one is refused (written by a newer CounterGate).
    public static let currentFormat = 1
    public var format: Int
    /// The hall's name (`[hall] name`): a backup is restored onto its own hall unless ops say otherwise.
    public var hall: String
    /// When the backup was taken, UTC, ISO 8601.
    public var createdAt: String
    /// The version of the countergate that took it.
    public var gatewayVersion: String
    /// The migrations applied to the database, in order: its schema.
    public var schema: [String]
    /// Rows per table in the database.
    public var rows: [String: Int]
    /// The database image: its size and SHA-256 (hex).
    public var databaseBytes: Int64
    public var databaseSHA256: String
    /// The compressed image after the manifest: how, its size and SHA-256 (hex).
    public var compression: String
    public var payloadBytes: Int64
    public var payloadSHA256: String

    enum CodingKeys: String, CodingKey {
        case format, hall, schema, rows, compression
        case createdAt = "created_at"
        case gatewayVersion = "gateway_version"
        case databaseBytes = "database_bytes"
        case databaseSHA256 = "database_sha256"
        case payloadBytes = "payload_bytes"
        case payloadSHA256 = "payload_sha256"
    }

    /// The rows of the tables people ask about first, for a one-line summary.
    public var summary: String {
        let main = ["punches", "notices", "sign_ins", "print_jobs", "staff", "audit_log"]
        let counted = main.compactMap { table in rows[table].map { "\($0) \(table)" } }
        return counted.joined(separator: ", ")
    }
}

/// The name of a backup file: `countergate-<hall>-<UTC time>.cgbackup`, so the backups of several halls can share a folder
/// and each hall's retention touches only its own.
public enum BackupFileName {
    public static let suffix = ".cgbackup"

    /// The hall's name as it goes into file names: path separators, spaces and control characters become `-`.
    public static func hallPart(_ hall: String) -> String {
        let cleaned = String(hall.unicodeScalars.map { scalar -> Character in
            if scalar == "/" || scalar == "\\" || scalar == ":" || scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F {
                return "-"
            }
            return Character(scalar)
        })
        return cleaned.isEmpty ? "hall" : cleaned
    }

    /// `countergate-<hall>-20261206T161500Z.cgbackup`, with `-N` added when `taken` would repeat a name.
    public static func name(hall: String, at instant: Date, sequence: Int = 0) -> String {
        "countergate-\(hallPart(hall))-\(stamp(instant))" + (sequence > 0 ? "-\(sequence)" : "") + suffix
    }

    /// The time of a backup of `hall` from its file name; nil for any other file (another hall's, or not a backup).
    public static func instant(of fileName: String, hall: String) -> (Date, Int)? {
        let prefix = "countergate-\(hallPart(hall))-"
        guard fileName.hasPrefix(prefix), fileName.hasSuffix(suffix) else { return nil }
        let middle = fileName.dropFirst(prefix.count).dropLast(suffix.count)
        let parts = middle.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let date = parse(String(parts[0])) else { return nil }
        let sequence = parts.count == 2 ? Int(parts[1]) : 0
        guard let sequence else { return nil }
        return (date, sequence)
    }

    static func stamp(_ instant: Date) -> String {
        let c = Calendar.utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    static func parse(_ text: String) -> Date? {
        let digits = Array(text.utf8)
        guard digits.count == 16, digits[8] == UInt8(ascii: "T"), digits[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: digits[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15) else { return nil }
        return Calendar.utc.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }

    /// ISO 8601 in UTC, whole seconds: the manifest's `created_at`.
    public static func iso8601(_ instant: Date) -> String {
        let c = Calendar.utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}

fileprivate extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()
}
