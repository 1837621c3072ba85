// Reading only what is new in a terminal's attendance log: where the last read ended, and which bytes to ask for.
import Foundation

/// Where a read of a terminal's attendance log ended: how many records the log held and the bytes of its newest
/// record. The next read starts from here.
public struct ZKLogMark: Sendable, Hashable, Codable {
    /// Records in the log when it was read.
    public var records: Int
    /// The newest record's bytes as the terminal sent them (empty for an empty log).
    public var newest: [UInt8]

    public init(records: Int, newest: [UInt8]) {
        self.records = records
        self.newest = newest
    }

    public static let empty = ZKLogMark(records: 0, newest: [])
}

/// The decisions of an incremental log read, pure so they are tested without a terminal.
///
/// The pull protocol has no public "new records only" request (the vendor SDK's `ReadNewGLogData` is not documented on
/// the wire, and pyzk, php-zklib and node-zklib read the whole log). What every firmware does offer is the buffered read:
/// PREPARE_BUFFER copies the log into the terminal's buffer and READ_BUFFER serves any byte range of it. The log is
/// append-only, so the records after the last read sit at the end of the buffer: read the range from the last record
/// we hold (one record of overlap) to the end, and check that overlap against what we hold. When it differs (the log
/// was cleared, rolled over, or the firmware ignored the start offset and served from the beginning), read it whole.
public enum ZKLogRead {
    /// What the record count (GET_FREE_SIZES, read with the terminal enabled) says about the log since `mark`.
    public enum Change: Sendable, Equatable {
        /// Same count, and the log is not full: nothing was added (a full log may drop its oldest record for each new one,
        /// so its count says nothing).
        case unchanged
        /// The log is empty.
        case empty
        /// Something to read.
        case grown
    }

    public static func change(since mark: ZKLogMark?, records: Int, capacity: Int) -> Change {
        if records == 0 { return .empty }
        guard let mark, mark.records == records, !mark.newest.isEmpty else { return .grown }
        return capacity > 0 && records >= capacity ? .grown : .unchanged
    }

    /// A byte range of the buffered data set (which starts with its u32 byte count).
    public struct Range: Sendable, Equatable {
        public var start: Int
        public var end: Int
        /// The index in the log of the first record in the range.
        public var firstRecord: Int
        public var count: Int { end - start }
    }

    /// The record layout of a buffered log of `records` records in `datasetBytes` bytes (the size PREPARE_BUFFER
    /// announced, the u32 count included).
    public static func layout(datasetBytes: Int, records: Int) throws(ZKDecodeError) -> ZKAttendanceLayout {
        guard datasetBytes >= 4, let layout = try ZKDataset.attendanceLayout(bodyBytes: datasetBytes - 4, records: records) else {
            throw .unknownRecordSize(what: "attendance dataset", totalBytes: max(0, datasetBytes - 4), records: records)
        }
        return layout
    }

    /// The bytes to read after `mark`: from the last record the mark holds (overlap) to the end; the whole body when
    /// the log holds fewer records than the mark (cleared) or there is no mark.
    public static func tail(after mark: ZKLogMark?, records: Int, layout: ZKAttendanceLayout) -> Range {
        let size = layout.rawValue
        let end = 4 + records * size
        guard let mark, mark.records >= 1, mark.records <= records, mark.newest.count == size else { return whole(records: records, layout: layout) }
        let first = mark.records - 1
        return Range(start: 4 + first * size, end: end, firstRecord: first)
    }

    /// The whole body (the records, without the u32 count in front).
    public static func whole(records: Int, layout: ZKAttendanceLayout) -> Range {
        Range(start: 4, end: 4 + records * layout.rawValue, firstRecord: 0)
    }

    /// Whether a tail read continues the log the mark describes: its first record is the mark's newest, byte for byte.
    public static func continues(_ mark: ZKLogMark, tail: ArraySlice<UInt8>) -> Bool {
        tail.count >= mark.newest.count && tail.prefix(mark.newest.count).elementsEqual(mark.newest)
    }
}
