// `[audit]`: where the key that signs the audit log's anchor is kept (docs/operations.md, "The audit log").
import CounterTOML
import Foundation

extension HallConfiguration {
    /// The audit log's anchor: `audit-head` in the data folder, signed with a key kept in `key_file`.
    public struct Audit: Sendable, Equatable {
        /// The anchor's key file; nil: `audit.key` in the data folder. Kept off the data disk (a USB key, another
        /// mount), a copy of the database and its folder is not enough to rewrite the log's end unseen.
        public var keyFile: String? = nil

        public init() {}
    }

    /// The anchor's key: `[audit] key_file`, else `audit.key` in the data folder.
    public var auditKeyPath: String { audit.keyFile ?? (store.dataDirectory as NSString).appendingPathComponent("audit.key") }

    /// The anchor: `audit-head` in the data folder.
    public var auditHeadPath: String { (store.dataDirectory as NSString).appendingPathComponent("audit-head") }

    static func readAudit(_ table: TableReader, baseDirectory: String) -> Audit {
        var audit = Audit()
        audit.keyFile = table.string("key_file", expected: "a file path, e.g. \"/etc/countergate/audit.key\"").map { resolve($0, against: baseDirectory) }
        return audit
    }
}
