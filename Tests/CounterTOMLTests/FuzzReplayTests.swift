// The TOML reader's fuzz corpus and regressions (Fuzz/), replayed through the harness's entry point, plus a short
// deterministic mutation run: the normal test run's form of scripts/fuzz.

import CounterGateTestSupport
import Foundation
import Testing
import CounterTOML

@Suite("Fuzz replay: TOML reader")
struct TOMLFuzzReplayTests {
    @Test("the seeds parse, and every regression parses or is refused with a located message")
    func replay() throws {
        let seeds = try FuzzCorpus.files("toml/corpus")
        #expect(seeds.count >= 3, "the toml corpus is missing: Fuzz/toml/corpus")
        for file in seeds { #expect(TOMLFuzzEntryPoint.parse(Array(try Data(contentsOf: file))) == nil, "\(file.lastPathComponent) no longer parses") }
        for file in try FuzzCorpus.files("regressions/toml") {
            if let refusal = TOMLFuzzEntryPoint.parse(Array(try Data(contentsOf: file))) { #expect(refusal.contains("line"), "\(refusal)") }
        }
    }

    @Test("short fuzz: 500 mutants of each seed are parsed or refused with a located message")
    func shortFuzz() throws {
        let tokens = Array("[]{}=\"'.,#\n\\ 1e".utf8)
        for (n, file) in try FuzzCorpus.files("toml/corpus").enumerated() {
            for mutant in FuzzCorpus.mutants(of: Array(try Data(contentsOf: file)), count: 500, seedValue: 0x2545_F491_4F6C_DD1D &+ UInt64(n), tokens: tokens) {
                if let refusal = TOMLFuzzEntryPoint.parse(mutant) { #expect(refusal.contains("line")) }
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
