// The staff list's fuzz corpus and regressions (Fuzz/), replayed through the harness's entry point, plus a short
// deterministic mutation run: the normal test run's form of scripts/fuzz.

import CounterGateTestSupport
import Foundation
import Testing
import CounterCore

@Suite("Fuzz replay: staff list (CSV)")
struct StaffListFuzzReplayTests {
    @Test("the seeds are accepted, and every regression is accepted or refused with a message")
    func replay() throws {
        let seeds = try FuzzCorpus.files("staff-csv/corpus")
        #expect(seeds.count >= 3, "the staff-csv corpus is missing: Fuzz/staff-csv/corpus")
        for file in seeds { #expect(StaffListFuzzEntryPoint.parse(Array(try Data(contentsOf: file))) == nil, "\(file.lastPathComponent) is no longer accepted") }
        for file in try FuzzCorpus.files("regressions/staff-csv") {
            if let refusal = StaffListFuzzEntryPoint.parse(Array(try Data(contentsOf: file))) { #expect(!refusal.isEmpty) }
        }
    }

    @Test("short fuzz: 500 mutants of each seed are accepted or refused with a message")
    func shortFuzz() throws {
        let tokens = Array(",\"\n\r|0a ".utf8)
        for (n, file) in try FuzzCorpus.files("staff-csv/corpus").enumerated() {
            for mutant in FuzzCorpus.mutants(of: Array(try Data(contentsOf: file)), count: 500, seedValue: 0x9E37_79B9_7F4A_7C15 &+ UInt64(n), tokens: tokens) {
                if let refusal = StaffListFuzzEntryPoint.parse(mutant) { #expect(!refusal.isEmpty) }
            }
        }
    }
}
