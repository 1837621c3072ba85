// The fuzz corpora and regressions of the pull and push codecs (Fuzz/), replayed through the harnesses' entry
// points, plus a short deterministic mutation run: the normal test run's form of scripts/fuzz.

import Foundation
import Testing
import ZKTerminal

/// The files of `Fuzz/<folder>` in the repository, sorted; empty when the folder is missing.
func fuzzInputs(_ folder: String) throws -> [URL] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let dir = root.appendingPathComponent("Fuzz").appendingPathComponent(folder)
    guard FileManager.default.fileExists(atPath: dir.path) else { return [] }
    return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        .filter { !$0.lastPathComponent.hasPrefix(".") }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
}

/// Deterministic mutants of a seed (bit flips, byte sets, cuts, duplications), as a fuzzer would make them.
func fuzzMutants(of seed: [UInt8], count: Int, seedValue: UInt64) -> [[UInt8]] {
    var state = seedValue &+ 0x9E37_79B9_7F4A_7C15
    func next() -> Int {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Int(truncatingIfNeeded: state & 0x7FFF_FFFF)
    }
    var out: [[UInt8]] = []
    for _ in 0..<count {
        var m = seed
        for _ in 0...(next() % 4) {
            switch next() % 5 {
            case 0 where !m.isEmpty: m[next() % m.count] ^= UInt8(1 << (next() % 8))
            case 1 where !m.isEmpty: m[next() % m.count] = [0x00, 0xFF, 0x7F, 0x80, 0x0A, 0x09, 0x3D][next() % 7]
            case 2 where !m.isEmpty: m.removeLast(next() % (m.count + 1) / 2)
            case 3 where !m.isEmpty: let at = next() % m.count; m.insert(contentsOf: m[at...].prefix(16), at: at)
            default: m.append(UInt8(truncatingIfNeeded: next()))
            }
        }
        out.append(m)
    }
    return out
}

@Suite("Fuzz replay: pull and push codecs")
struct FuzzReplayTests {
    @Test("every zk-pull seed and regression decodes or is refused with a message", arguments: ["zk-pull/corpus", "regressions/zk-pull"])
    func pullReplay(folder: String) throws {
        let files = try fuzzInputs(folder)
        if folder.hasSuffix("corpus") { #expect(files.count >= 3, "the zk-pull corpus is missing: Fuzz/\(folder)") }
        for file in files {
            let steps = ZKFuzzEntryPoints.pull(Array(try Data(contentsOf: file)))
            #expect(!steps.isEmpty, "\(file.lastPathComponent) reached no decoder")
            for step in steps { #expect(step.refusal.map { !$0.isEmpty } ?? true, "\(file.lastPathComponent): \(step.decoder) refused without a message") }
        }
    }

    @Test("every zk-push seed and regression decodes or is refused with a message", arguments: ["zk-push/corpus", "regressions/zk-push"])
    func pushReplay(folder: String) throws {
        let files = try fuzzInputs(folder)
        if folder.hasSuffix("corpus") { #expect(files.count >= 3, "the zk-push corpus is missing: Fuzz/\(folder)") }
        for file in files {
            let steps = ZKFuzzEntryPoints.push(Array(try Data(contentsOf: file)))
            #expect(!steps.isEmpty, "\(file.lastPathComponent) reached no decoder")
            for step in steps { #expect(step.refusal.map { !$0.isEmpty } ?? true, "\(file.lastPathComponent): \(step.decoder) refused without a message") }
        }
    }

    @Test("the seeds decode: a real packet reaches the dataset decoders, a real ATTLOG body its record decoder")
    func seedsDecode() throws {
        let attendance = try #require(try fuzzInputs("zk-pull/corpus").first { $0.lastPathComponent == "attendance-dataset.bin" })
        let pull = ZKFuzzEntryPoints.pull(Array(try Data(contentsOf: attendance)))
        #expect(pull.contains { $0.decoder == "attendance dataset" && $0.refusal == nil })
        let attlog = try #require(try fuzzInputs("zk-push/corpus").first { $0.lastPathComponent == "attlog.txt" })
        let push = ZKFuzzEntryPoints.push(Array(try Data(contentsOf: attlog)))
        #expect(push.filter { $0.decoder == "ATTLOG line" && $0.refusal == nil }.count == 2)
    }

    @Test("short fuzz: 400 mutants of each seed go through the pull and push entry points")
    func shortFuzz() throws {
        for (n, file) in try fuzzInputs("zk-pull/corpus").enumerated() {
            for mutant in fuzzMutants(of: Array(try Data(contentsOf: file)), count: 400, seedValue: UInt64(n)) {
                for step in ZKFuzzEntryPoints.pull(mutant) where step.refusal?.isEmpty == true { Issue.record("\(step.decoder): empty refusal") }
            }
        }
        for (n, file) in try fuzzInputs("zk-push/corpus").enumerated() {
            for mutant in fuzzMutants(of: Array(try Data(contentsOf: file)), count: 400, seedValue: UInt64(100 + n)) {
                for step in ZKFuzzEntryPoints.push(mutant) where step.refusal?.isEmpty == true { Issue.record("\(step.decoder): empty refusal") }
            }
        }
    }

    @Test("a TCP frame claiming 4 GiB is refused from its 8-byte prefix, before anything is kept for it")
    func hugeFrameRefused() {
        var deframer = ZKTCPDeframer()
        deframer.append(ZKTCPFrame.magic + [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: ZKDecodeError.tooLong(what: "TCP frame", limit: ZKPacket.maximumLength, got: 0xFFFF_FFFF)) { try deframer.next() }
        #expect(deframer.pendingBytes == 8)
        let steps = ZKFuzzEntryPoints.pull([0] + ZKTCPFrame.magic + [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(steps.first?.refusal?.contains("at most \(ZKPacket.maximumLength) bytes") == true)
    }

    @Test("a user/template upload declaring 4 GiB parts is refused as inconsistent, not allocated")
    func hugeUploadRefused() {
        let claim: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: ZKDecodeError.self) { try ZKDataset.parseUserTemplateUpload(claim) }
    }
}
