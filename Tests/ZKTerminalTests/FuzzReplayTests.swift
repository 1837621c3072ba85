// The fuzz corpora and regressions of the pull and push codecs (Fuzz/), replayed through the harnesses' entry
// points, plus a short deterministic mutation run: the normal test run's form of scripts/fuzz.

import CounterGateTestSupport
import Foundation
import Testing
import ZKTerminal

@Suite("Fuzz replay: pull and push codecs")
struct FuzzReplayTests {
    @Test("every zk-pull seed and regression decodes or is refused with a message", arguments: ["zk-pull/corpus", "regressions/zk-pull"])
    func pullReplay(folder: String) throws {
        let files = try FuzzCorpus.files(folder)
        if folder.hasSuffix("corpus") { #expect(files.count >= 3, "the zk-pull corpus is missing: Fuzz/\(folder)") }
        for file in files {
            let steps = ZKFuzzEntryPoints.pull(Array(try Data(contentsOf: file)))
            #expect(!steps.isEmpty, "\(file.lastPathComponent) reached no decoder")
            for step in steps { #expect(step.refusal.map { !$0.isEmpty } ?? true, "\(file.lastPathComponent): \(step.decoder) refused without a message") }
        }
    }

    @Test("every zk-push seed and regression decodes or is refused with a message", arguments: ["zk-push/corpus", "regressions/zk-push"])
    func pushReplay(folder: String) throws {
        let files = try FuzzCorpus.files(folder)
        if folder.hasSuffix("corpus") { #expect(files.count >= 3, "the zk-push corpus is missing: Fuzz/\(folder)") }
        for file in files {
            let steps = ZKFuzzEntryPoints.push(Array(try Data(contentsOf: file)))
            #expect(!steps.isEmpty, "\(file.lastPathComponent) reached no decoder")
            for step in steps { #expect(step.refusal.map { !$0.isEmpty } ?? true, "\(file.lastPathComponent): \(step.decoder) refused without a message") }
        }
    }

    @Test("the seeds decode: a real packet reaches the dataset decoders, a real ATTLOG body its record decoder")
    func seedsDecode() throws {
        let attendance = try #require(try FuzzCorpus.files("zk-pull/corpus").first { $0.lastPathComponent == "attendance-dataset.bin" })
        let pull = ZKFuzzEntryPoints.pull(Array(try Data(contentsOf: attendance)))
        #expect(pull.contains { $0.decoder == "attendance dataset" && $0.refusal == nil })
        let attlog = try #require(try FuzzCorpus.files("zk-push/corpus").first { $0.lastPathComponent == "attlog.txt" })
        let push = ZKFuzzEntryPoints.push(Array(try Data(contentsOf: attlog)))
        #expect(push.filter { $0.decoder == "ATTLOG line" && $0.refusal == nil }.count == 2)
    }

    @Test("short fuzz: 400 mutants of each seed go through the pull and push entry points")
    func shortFuzz() throws {
        for (n, file) in try FuzzCorpus.files("zk-pull/corpus").enumerated() {
            for mutant in FuzzCorpus.mutants(of: Array(try Data(contentsOf: file)), count: 400, seedValue: UInt64(n)) {
                for step in ZKFuzzEntryPoints.pull(mutant) where step.refusal?.isEmpty == true { Issue.record("\(step.decoder): empty refusal") }
            }
        }
        for (n, file) in try FuzzCorpus.files("zk-push/corpus").enumerated() {
            for mutant in FuzzCorpus.mutants(of: Array(try Data(contentsOf: file)), count: 400, seedValue: UInt64(100 + n)) {
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
