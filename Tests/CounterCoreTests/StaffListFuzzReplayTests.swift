// The staff list's fuzz corpus and regressions (Fuzz/), replayed through the harness's entry point, plus a short
// deterministic mutation run: the normal test run's form of scripts/fuzz.

import Foundation
import Testing
import CounterCore

private func inputs(_ folder: String) throws -> [URL] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let dir = root.appendingPathComponent("Fuzz").appendingPathComponent(folder)
    guard FileManager.default.fileExists(atPath: dir.path) else { return [] }
    return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        .filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.lastPathComponent < $1.lastPathComponent }
}

@Suite("Fuzz replay: staff list (CSV)")
struct StaffListFuzzReplayTests {
    @Test("the seeds are accepted, and every regression is accepted or refused with a message")
    func replay() throws {
        let seeds = try inputs("staff-csv/corpus")
        #expect(seeds.count >= 3, "the staff-csv corpus is missing: Fuzz/staff-csv/corpus")
        for file in seeds { #expect(StaffListFuzzEntryPoint.parse(Array(try Data(contentsOf: file))) == nil, "\(file.lastPathComponent) is no longer accepted") }
        for file in try inputs("regressions/staff-csv") {
            if let refusal = StaffListFuzzEntryPoint.parse(Array(try Data(contentsOf: file))) { #expect(!refusal.isEmpty) }
        }
    }

    @Test("short fuzz: 500 mutants of each seed are accepted or refused with a message")
    func shortFuzz() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return Int(state & 0x7FFF_FFFF) }
        let tokens = Array(",\"\n\r|0a ".utf8)
        for file in try inputs("staff-csv/corpus") {
            let seed = Array(try Data(contentsOf: file))
            for _ in 0..<500 {
                var m = seed
                for _ in 0...(next() % 3) where !m.isEmpty {
                    if next() % 2 == 0 { m[next() % m.count] = tokens[next() % tokens.count] } else { m.remove(at: next() % m.count) }
                }
                if let refusal = StaffListFuzzEntryPoint.parse(m) { #expect(!refusal.isEmpty) }
            }
        }
    }
}
