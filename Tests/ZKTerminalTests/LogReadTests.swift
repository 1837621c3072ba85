// The incremental log read's decisions (pure) and the one-pass record decoder, as byte vectors.
import Foundation
import Testing
@testable import ZKTerminal

@Suite struct LogReadTests {
    /// A 40-byte record: uid 7, user "1234", fingerprint, 2024-05-03 17:11:38 (782,327,498, little-endian CA 5E A1 2E), check-out.
    static let record40 = hex("""
        0700 31323334 00000000 00000000 00000000 00000000 00000000 01 CA5EA12E 01 0000000000000000
        """)

    @Test func oneRecordOfEachLayoutDecodesAsTheFieldDecoder() throws {
        let full = try ZKAttendanceLayout.full.decodeAll(Self.record40[...])
        #expect(full == [ZKAttendanceRecord(uid: 7, userID: "1234", time: ZKLocalTime(year: 2024, month: 5, day: 3, hour: 17, minute: 11, second: 38),
                                            verifyType: 1, state: 1)])
        #expect(full == [try ZKAttendanceLayout.full.decode(Self.record40)])
        let compact = hex("0700 01 CA5EA12E 01")
        #expect(try ZKAttendanceLayout.compact.decodeAll(compact[...]) == [try ZKAttendanceLayout.compact.decode(compact)])
        let numeric = hex("D2040000 CA5EA12E 0F 00 0000 05000000")
        let decoded = try ZKAttendanceLayout.numeric.decodeAll(numeric[...])
        #expect(decoded.first?.userID == "1234" && decoded.first?.verifyType == 15 && decoded.first?.workCode == 5)
        // A 24-byte user id with no NUL is taken whole, never read past.
        var long = Self.record40
        for i in 2..<26 { long[i] = 0x39 }
        #expect(try ZKAttendanceLayout.full.decodeAll(long[...]).first?.userID == String(repeating: "9", count: 24))
    }

    @Test func aPartialRecordIsAnErrorNotACrash() {
        #expect(throws: ZKDecodeError.self) { try ZKAttendanceLayout.full.decodeAll(Self.record40.dropLast()[...]) }
    }

    @Test func theCountDecidesWhetherToReadAtAll() {
        let mark = ZKLogMark(records: 100, newest: Self.record40)
        #expect(ZKLogRead.change(since: mark, records: 100, capacity: 200_000) == .unchanged)
        #expect(ZKLogRead.change(since: mark, records: 101, capacity: 200_000) == .grown)
        #expect(ZKLogRead.change(since: nil, records: 100, capacity: 200_000) == .grown)
        #expect(ZKLogRead.change(since: mark, records: 0, capacity: 200_000) == .empty)
        // A full log drops its oldest record for each new one: the same count says nothing.
        #expect(ZKLogRead.change(since: ZKLogMark(records: 200_000, newest: Self.record40), records: 200_000, capacity: 200_000) == .grown)
    }

    @Test func theTailStartsAtTheLastRecordHeld() throws {
        let layout = try ZKLogRead.layout(datasetBytes: 4 + 150 * 40, records: 150)
        #expect(layout == .full)
        let mark = ZKLogMark(records: 100, newest: Self.record40)
        #expect(ZKLogRead.tail(after: mark, records: 150, layout: layout) == .init(start: 4 + 99 * 40, end: 4 + 150 * 40, firstRecord: 99))
        // Fewer records than the mark (cleared), no mark, or a mark of another layout: the whole body.
        let whole = ZKLogRead.Range(start: 4, end: 4 + 50 * 40, firstRecord: 0)
        #expect(ZKLogRead.tail(after: mark, records: 50, layout: layout) == whole)
        #expect(ZKLogRead.tail(after: nil, records: 50, layout: layout) == whole)
        #expect(ZKLogRead.tail(after: ZKLogMark(records: 10, newest: [1, 2, 3, 4, 5, 6, 7, 8]), records: 50, layout: layout) == whole)
        #expect(throws: ZKDecodeError.self) { try ZKLogRead.layout(datasetBytes: 4 + 150 * 40 + 3, records: 150) }
    }

    @Test func theOverlapMustBeTheRecordHeld() {
        let mark = ZKLogMark(records: 1, newest: Self.record40)
        #expect(ZKLogRead.continues(mark, tail: (Self.record40 + Self.record40)[...]))
        var other = Self.record40
        other[27] ^= 1  // a second later
        #expect(!ZKLogRead.continues(mark, tail: (other + Self.record40)[...]))
        #expect(!ZKLogRead.continues(mark, tail: Self.record40.prefix(10)))
    }
}
