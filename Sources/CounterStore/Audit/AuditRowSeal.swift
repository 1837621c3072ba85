// What an audit entry vouches for beyond its own text: the rows it recorded (a notice, a batch of punches), by id and
// by the SHA-256 of their content, so an edit, a deletion or an insertion in those tables shows up in `audit verify`.
import Crypto
import Foundation
import GRDB

/// The tables whose rows the audit log seals, each with the columns it covers in a fixed order. A column a legitimate
/// later change may touch (a notice's void status, a sign-in's review) is left out; that change has its own entry.
/// The version in the name is part of the seal: changing the columns means a new case, never an edit of one.
enum SealedTable: String, Sendable, CaseIterable {
    case notices = "notices.v1"
    case punches = "punches.v1"
    case punchCorrections = "punch_corrections.v1"
    case signIns = "sign_ins.v1"

    var table: String {
        switch self {
        case .notices: return "notices"
        case .punches: return "punches"
        case .punchCorrections: return "punch_corrections"
        case .signIns: return "sign_ins"
        }
    }

    /// The columns hashed, the row id first.
    var columns: [String] {
        switch self {
        case .notices:
            return ["id", "number", "year", "sequence", "kind", "window", "clerk", "applicant", "item", "received_on",
                    "promised_completion", "promised_completion_provisional", "draft", "issued_at", "idempotency_key", "follows"]
        case .punches:
            return ["id", "terminal_serial", "terminal_user_id", "punched_at", "verification", "direction", "staff_id", "flag", "received_at"]
        case .punchCorrections:
            return ["id", "staff_id", "punched_at", "reason", "corrected_by", "corrected_at"]
        case .signIns:
            return ["id", "staff_id", "signed_at", "method", "terminal_role"]
        }
    }

    /// What one row is called in a report.
    var rowNoun: String {
        switch self {
        case .notices: return "notice"
        case .punches: return "punch"
        case .punchCorrections: return "punch correction (补卡)"
        case .signIns: return "sign-in"
        }
    }

    var selectRange: String { "SELECT \(columns.joined(separator: ", ")) FROM \(table) WHERE id BETWEEN ? AND ? ORDER BY id" }
}

/// Row ids as ascending, non-overlapping ranges: a batch of inserted punches is usually one range, written `1-100000`.
struct RowIDRanges: Sendable, Equatable {
    private(set) var ranges: [ClosedRange<Int64>] = []

    init() {}
    init(_ ranges: [ClosedRange<Int64>]) { self.ranges = ranges }

    var count: Int64 { ranges.reduce(0) { $0 + $1.upperBound - $1.lowerBound + 1 } }
    var isEmpty: Bool { ranges.isEmpty }

    /// Adds an id larger than every id so far (ids of one transaction's inserts only grow).
    mutating func append(_ id: Int64) {
        if let last = ranges.last, id == last.upperBound + 1 {
            ranges[ranges.count - 1] = last.lowerBound...id
        } else {
            ranges.append(id...id)
        }
    }

    var text: String {
        ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",")
    }

    init?(text: String) {
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard let low = bounds.first.flatMap({ Int64($0) }) else { return nil }
            let high = bounds.count == 2 ? Int64(bounds[1]) : (bounds.count == 1 ? low : nil)
            guard let high, high >= low, ranges.last.map({ $0.upperBound < low }) ?? true else { return nil }
            ranges.append(low...high)
        }
        if ranges.isEmpty { return nil }
    }
}

/// The seal an audit entry carries: `<table version>;<ids>;<sha256>`, e.g. `punches.v1;1-100000;9f86…`.
struct AuditRowSeal: Sendable, Equatable {
    let table: SealedTable
    let ids: RowIDRanges
    let sha256: String

    var text: String { "\(table.rawValue);\(ids.text);\(sha256)" }

    init(table: SealedTable, ids: RowIDRanges, sha256: String) {
        self.table = table
        self.ids = ids
        self.sha256 = sha256
    }

    init?(text: String) {
        let parts = text.split(separator: ";", omittingEmptySubsequences: false)
        guard parts.count == 3, let table = SealedTable(rawValue: String(parts[0])), let ids = RowIDRanges(text: String(parts[1])),
              parts[2].count == 64 else { return nil }
        self.init(table: table, ids: ids, sha256: String(parts[2]))
    }

    /// The seal of rows already stored (a notice just inserted, rows from before the log sealed its rows).
    static func of(_ table: SealedTable, ids: RowIDRanges, in db: Database) throws -> AuditRowSeal {
        var hasher = SealedRowsHasher()
        for range in ids.ranges {
            let cursor = try Row.fetchCursor(db, sql: table.selectRange, arguments: [range.lowerBound, range.upperBound])
            while let row = try cursor.next() { hasher.add(row) }
        }
        return AuditRowSeal(table: table, ids: ids, sha256: hasher.finish())
    }

    /// The seal of one row just inserted.
    static func of(_ table: SealedTable, id: Int64, in db: Database) throws -> AuditRowSeal {
        try of(table, ids: RowIDRanges([id...id]), in: db)
    }
}

/// SHA-256 over rows in canonical form, fed one row at a time: each value typed and, where it has a length, length
/// prefixed, in binary (`~` NULL; `i` and the integer's 8 bytes little-endian; `r` and the double's 8 bytes; `t` and
/// `b`, the byte count as 4 bytes little-endian, then the UTF-8 text or the blob), so no two different rows hash alike.
/// The bytes are gathered in a buffer and hashed 64 KiB at a time: a download seals 100,000 punches in one batch.
struct SealedRowsHasher {
    private var sha = SHA256()
    private var buffer: [UInt8] = []
    private(set) var rows = 0

    init() { buffer.reserveCapacity(1 << 16 + 1024) }

    /// A row read back from the table (the checking side).
    mutating func add(_ row: Row) {
        for value in row.databaseValues { add(value) }
        rows += 1
    }

    /// A row as the writer inserts it (the writing side), its values given in ``SealedTable/columns`` order by `values`.
    mutating func addRow(_ values: (inout SealedRowsHasher) -> Void) {
        values(&self)
        rows += 1
        if buffer.count >= 1 << 16 { flush() }
    }

    private mutating func add(_ value: DatabaseValue) {
        switch value.storage {
        case .null: null()
        case .int64(let n): integer(n)
        case .double(let d):
            buffer.append(UInt8(ascii: "r"))
            withUnsafeBytes(of: d.bitPattern.littleEndian) { buffer.append(contentsOf: $0) }
        case .string(let s): text(s)
        case .blob(let b):
            buffer.append(UInt8(ascii: "b"))
            length(b.count)
            buffer.append(contentsOf: b)
        }
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func null() { buffer.append(UInt8(ascii: "~")) }

    mutating func integer(_ n: Int64) {
        buffer.append(UInt8(ascii: "i"))
        withUnsafeBytes(of: n.littleEndian) { buffer.append(contentsOf: $0) }
    }

    mutating func text(_ s: String?) {
        guard var s else { return null() }
        s.withUTF8 { bytes in
            buffer.append(UInt8(ascii: "t"))
            length(bytes.count)
            buffer.append(contentsOf: bytes)
        }
    }

    private mutating func length(_ count: Int) {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: count).littleEndian) { buffer.append(contentsOf: $0) }
    }

    private mutating func flush() {
        buffer.withUnsafeBytes { sha.update(bufferPointer: $0) }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func finish() -> String {
        flush()
        return sha.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// The seal of rows as they are inserted, for writers that insert many (punches): ids and hash built as they go, with
/// no query per row.
final class SealedBatch {
    let table: SealedTable
    private(set) var ids = RowIDRanges()
    private var hasher = SealedRowsHasher()

    init(_ table: SealedTable) { self.table = table }

    var count: Int { hasher.rows }

    /// Adds an inserted row: its id, then its other values in ``SealedTable/columns`` order, given by `values`.
    func add(id: Int64, _ values: (inout SealedRowsHasher) -> Void) {
        ids.append(id)
        hasher.addRow { row in
            row.integer(id)
            values(&row)
        }
    }

    /// The seal of the rows added since the last call, and a fresh start; nil when none were.
    func take() -> AuditRowSeal? {
        guard hasher.rows > 0 else { return nil }
        let seal = AuditRowSeal(table: table, ids: ids, sha256: hasher.finish())
        ids = RowIDRanges()
        hasher = SealedRowsHasher()
        return seal
    }
}
