// The ESC/POS fuzz corpus and regressions (Fuzz/), replayed through the harness's entry point, plus a short
// deterministic mutation run: the normal test run's form of scripts/fuzz.

import CounterGateTestSupport
import ESCPOS
import Testing

@Suite("Fuzz replay: ESC/POS stream and status decoders")
struct ESCPOSFuzzReplayTests {
    @Test("the seeds decode to what they hold; every regression goes through without trapping")
    func replay() throws {
        let seeds = try FuzzCorpus.inputs("escpos/corpus")
        #expect(seeds.count >= 3, "the escpos corpus is missing: Fuzz/escpos/corpus")
        for seed in seeds where seed.name != "status-replies.bin" {
            let outcome = ESCPOSFuzzEntryPoint.run(seed.bytes)
            #expect(outcome.elements > 0, "\(seed.name) decoded to nothing")
            if seed.name.hasPrefix("notice") { #expect(outcome.texts > 0, "\(seed.name) held no text") }
        }
        for regression in try FuzzCorpus.inputs("regressions/escpos") { _ = ESCPOSFuzzEntryPoint.run(regression.bytes) }
    }

    @Test("a printer's real status replies decode; a byte that is no reply is refused with a message")
    func statusReplies() throws {
        let replies = try #require(try FuzzCorpus.inputs("escpos/corpus").first { $0.name == "status-replies.bin" })
        let outcome = ESCPOSFuzzEntryPoint.run(replies.bytes)
        #expect(!outcome.statusRefusals.isEmpty)
        #expect(outcome.statusRefusals.allSatisfy { !$0.isEmpty })
        #expect(outcome.statusRefusals.count <= 7, "the first refusal of each of the seven status decoders is described, no more")
        #expect(outcome.statusRefusalCount > outcome.statusRefusals.count, "the rest are counted")
        #expect(throws: ESCPOSStatusError.self) { try ESCPOSStatus.decode(0xFF, for: 1) }
    }

    @Test("short fuzz: 400 mutants of each seed go through every decoder")
    func shortFuzz() throws {
        for (n, seed) in try FuzzCorpus.inputs("escpos/corpus").enumerated() {
            for mutant in FuzzCorpus.mutants(of: seed.bytes, count: 400, seedValue: 300 + UInt64(n), tokens: [0x1B, 0x1D, 0x1C, 0x10, 0x04, 0x28, 0x6B]) {
                let outcome = ESCPOSFuzzEntryPoint.run(mutant)
                #expect(outcome.statusRefusals.allSatisfy { !$0.isEmpty })
            }
        }
    }

    @Test("a raster image claiming 4 GB is passed over as it arrives: memory stays within the decoder's bound")
    func hugeImageIsPassedOver() {
        var decoder = ESCPOSStreamDecoder(maxKeptBytes: 1 << 20)
        // GS v 0, 65535 bytes wide, 65535 rows high: about 4 GB announced.
        _ = decoder.decode([0x1D, 0x76, 0x30, 0x00, 0xFF, 0xFF, 0xFF, 0xFF])
        for _ in 0..<64 { _ = decoder.decode([UInt8](repeating: 0xAA, count: 64 * 1024)) }
        #expect(decoder.pendingByteCount > 1 << 20)  // still to pass over, not kept
    }
}
