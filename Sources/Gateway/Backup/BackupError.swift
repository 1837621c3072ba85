// What goes wrong with a backup or a restore, said so ops know what to do.
import Foundation

/// A backup that cannot be taken, checked or restored; each case says what to do.
public enum BackupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not start as a CounterGate backup does.
    case notABackup(path: String)
    /// A format this binary does not read (a newer CounterGate wrote it).
    case unknownFormat(path: String, format: Int, writtenBy: String?)
    /// The manifest line cannot be read.
    case badManifest(path: String, reason: String)
    /// Shorter than its manifest says: cut off while being written or copied.
    case truncated(path: String, expected: Int64, found: Int64)
    /// The compressed database or the database does not match its checksum (or the file is longer than announced).
    case checksumMismatch(path: String, what: String)
    /// The compressed database cannot be read back.
    case damaged(String)
    /// A backup of another hall (`[hall] name`).
    case otherHall(path: String, backup: String, configured: String)
    /// Written by a CounterGate with migrations this one does not know.
    case newerSchema(path: String, unknown: [String], writtenBy: String)
    /// The gateway (or another restore) holds the data folder.
    case gatewayRunning(holder: String, dataDirectory: String)
    /// Reading or writing files failed.
    case io(String)

    public var description: String {
        switch self {
        case .notABackup(let path):
            return "\(path) is not a CounterGate backup (it does not begin with \"\(BackupFile.magic)\"); pick a .cgbackup file written by countergate backup"
        case .unknownFormat(let path, let format, let writtenBy):
            return "\(path) is a backup of format \(format), written by countergate \(writtenBy ?? "(unknown version)"); this countergate "
                + "(\(GatewayVersion.current)) reads format \(BackupManifest.currentFormat): restore it with that version or a newer one"
        case .badManifest(let path, let reason):
            return "\(path): its manifest (second line) cannot be read: \(reason); the file is damaged: use another copy of the backup"
        case .truncated(let path, let expected, let found):
            return "\(path) is truncated: its manifest announces \(expected) bytes of compressed database, the file holds \(found); "
                + "it was cut off while being written or copied: copy it again from where it was taken, or use an older backup"
        case .checksumMismatch(let path, let what):
            return "\(path) fails its checksum: \(what); the file is damaged: use another copy of the backup (the second folder), or an older one"
        case .damaged(let reason):
            return "the backup is damaged: \(reason); use another copy of the backup, or an older one"
        case .otherHall(let path, let backup, let configured):
            return "\(path) is a backup of \(backup), not of this hall (\(configured), [hall] name); "
                + "if you do mean to put that hall's data here, run countergate restore --other-hall \(path)"
        case .newerSchema(let path, let unknown, let writtenBy):
            return "\(path) was taken by a newer CounterGate (\(writtenBy)): its database has migrations this countergate (\(GatewayVersion.current)) "
                + "does not know (\(unknown.joined(separator: ", "))); upgrade countergate to \(writtenBy) or later, then restore"
        case .gatewayRunning(let holder, let dataDirectory):
            return "the gateway is running (\(holder)) on the data folder \(dataDirectory): stop it first (systemctl stop countergate), "
                + "then restore, then start it again (systemctl start countergate)"
        case .io(let message):
            return message
        }
    }
}
