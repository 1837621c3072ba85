// The TOML reader's fuzz corpus and regressions (Fuzz/), replayed through the harness's entry point, plus a short
// deterministic mutation run: the normal test run's form of scripts/fuzz.

import Foundation
import Testing
import CounterTOML

private func inputs(_ folder: String) throws -> [URL] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let dir = root.appendingPathComponent("Fuzz").appendingPathComponent(folder)
    guard FileManager.default.fileExists(atPath: dir.path) else { return [] }
    return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        .filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.lastPathComponent < $1.lastPathComponent }
}

@Suite("Fuzz replay: TOML reader")
struct TOMLFuzzReplayTests {
    @Test("the seeds parse, and every regression parses or is refused with a located message")
    func replay() throws {
        let seeds = try inputs("toml/corpus")
        #expect(seeds.count >= 3, "the toml corpus is missing: Fuzz/toml/corpus")
        for file in seeds { #expect(TOMLFuzzEntryPoint.parse(Array(try Data(contentsOf: file))) == nil, "\(file.lastPathComponent) no longer parses") }
        for file in try inputs("regressions/toml") {
            if let refusal = TOMLFuzzEntryPoint.parse(Array(try Data(contentsOf: file))) { #expect(refusal.contains("line"), "\(refusal)") }
        }
    }

    @Test("short fuzz: 500 mutants of each seed are parsed or refused with a located message")
    func shortFuzz() throws {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> Int { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return Int(state & 0x7FFF_FFFF) }
        let tokens = Array("[]{}=\"'.,#\n\\ 1e".utf8)
        for file in try inputs("toml/corpus") {
            let seed = Array(try Data(contentsOf: file))
            for _ in 0..<500 {
                var m = seed
                for _ in 0...(next() % 3) where !m.isEmpty {
                    if next() % 2 == 0 { m[next() % m.count] = tokens[next() % tokens.count] } else { m.remove(at: next() % m.count) }
                }
                if let refusal = TOMLFuzzEntryPoint.parse(m) { #expect(refusal.contains("line")) }
            }
        }
    }

    @Test("100 000 nested arrays or inline tables are refused with a message, not a stack overflow")
    func deepNesting() {
        let arrays = Array("a = ".utf8) + [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(TOMLFuzzEntryPoint.parse(arrays)?.contains("nested too deeply") == true)
        let tables = Array("a = ".utf8) + Array(String(repeating: "{b = ", count: 100_000).utf8)
        #expect(TOMLFuzzEntryPoint.parse(tables)?.contains("nested too deeply") == true)
        let dotted = Array(("[" + Array(repeating: "k", count: 100_000).joined(separator: ".") + "]\n").utf8)
        #expect(TOMLFuzzEntryPoint.parse(dotted) != nil)
    }
}
