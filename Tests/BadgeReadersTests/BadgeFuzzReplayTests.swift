// The badge readers' fuzz corpus and regressions (Fuzz/), replayed through the harness's entry point, plus a short
// deterministic mutation run: the normal test run's form of scripts/fuzz.

import BadgeReaders
import CounterGateTestSupport
import Testing

@Suite("Fuzz replay: badge frames, evdev events and card numbers")
struct BadgeFuzzReplayTests {
    @Test("every seed reads at least one card; every regression goes through without trapping")
    func replay() throws {
        let seeds = try FuzzCorpus.inputs("badge/corpus")
        #expect(seeds.count >= 3, "the badge corpus is missing: Fuzz/badge/corpus")
        for seed in seeds { #expect(BadgeFuzzEntryPoint.run(seed.bytes).cards > 0, "\(seed.name) read no card") }
        for regression in try FuzzCorpus.inputs("regressions/badge") { _ = BadgeFuzzEntryPoint.run(regression.bytes) }
    }

    @Test("short fuzz: 400 mutants of each seed go through every decoder")
    func shortFuzz() throws {
        var total = BadgeFuzzEntryPoint.Outcome()
        for (n, seed) in try FuzzCorpus.inputs("badge/corpus").enumerated() {
            for mutant in FuzzCorpus.mutants(of: seed.bytes, count: 400, seedValue: 400 + UInt64(n), tokens: [0x02, 0x03, 0x0D, 0x30, 0x41]) {
                let outcome = BadgeFuzzEntryPoint.run(mutant)
                total.cards += outcome.cards
                total.rejections += outcome.rejections
            }
        }
        // Mutants both read cards and are refused: the decoders were reached, not skipped.
        #expect(total.cards > 0 && total.rejections > 0)
    }

    @Test("an endless line without an end is refused at its length, not kept")
    func endlessLineIsBounded() {
        var decoder = LineCardDecoder(format: .decimal, maxLength: 10)
        for _ in 0..<1_000 { _ = decoder.feed([UInt8](repeating: UInt8(ascii: "7"), count: 1_000)) }
        let out = decoder.feed(Array("\r\n0012345678\r\n".utf8))
        #expect(out.contains { if case .card = $0 { true } else { false } })
        #expect(decoder.rejections[.wrongLength, default: 0] >= 1)
    }
}
