// Status replies: DLE EOT bytes, GS r bytes and ASB blocks decode to conditions; malformed ones are typed errors.
import CounterCore
import ESCPOS
import Testing

@Suite struct StatusTests {
    @Test func healthyPrinter() throws {
        let condition = try ESCPOSStatus.condition(fromReplies: [0x12, 0x12, 0x12, 0x12])
        #expect(condition.online == true && condition.paper == .adequate && condition.canPrint)
        #expect(condition.summary == "ready (就绪)")
        #expect(condition.operationalState == .idle)
    }

    @Test func paperOutCoverOpenCutterError() throws {
        let paperOut = try ESCPOSStatus.condition(fromReplies: [0x1A, 0x32, 0x12, 0x72])
        #expect(paperOut.online == false && paperOut.paper == .out && paperOut.stoppedAtPaperEnd && !paperOut.canPrint)
        #expect(paperOut.summary == "out of paper (缺纸): load paper")
        #expect(paperOut.operationalState == .error(reason: "out of paper (缺纸): load paper"))

        let cover = try ESCPOSStatus.condition(fromReplies: [0x1A, 0x16, 0x12, 0x12])
        #expect(cover.coverOpen && cover.summary == "cover open (纸仓盖打开): close the cover")

        let cutter = try ESCPOSStatus.condition(fromReplies: [0x1A, 0x52, 0x1A, 0x12])
        #expect(cutter.cutterError && cutter.summary.hasPrefix("cutter error (切刀故障)"))

        let nearEnd = try ESCPOSStatus.condition(fromReplies: [0x12, 0x12, 0x12, 0x1E])
        #expect(nearEnd.paper == .nearEnd && nearEnd.canPrint && nearEnd.operationalState == .idle)
        #expect(nearEnd.summary == "paper near end (纸将尽): have a new roll ready")

        let unrecoverable = try ESCPOSStatus.condition(fromReplies: [0x1A, 0x52, 0x32, 0x12])
        #expect(unrecoverable.unrecoverableError && unrecoverable.problems.first?.hasPrefix("unrecoverable error (不可恢复错误)") == true)

        let offline = try ESCPOSStatus.condition(fromReplies: [0x1A])
        #expect(offline.summary.hasPrefix("offline (脱机)"))
    }

    @Test func everyByteEitherDecodesOrIsATypedError() {
        var valid = 0
        for n in 1...4 {
            for value in 0...255 {
                let byte = UInt8(value)
                do {
                    let reply = try ESCPOSStatus.decode(byte, for: n)
                    valid += 1
                    #expect(byte & 0x93 == 0x12)
                    _ = PrinterCondition().applying(reply).summary
                } catch {
                    #expect(error == .malformedReply(byte: byte, request: n))
                    #expect(String(describing: error).contains("0xx1xx10"))
                }
            }
        }
        #expect(valid == 4 * 16)  // four free bits per byte
        #expect(throws: ESCPOSStatusError.noSuchRequest(0)) { try ESCPOSStatus.decode(0x12, for: 0) }
        for value in 0...255 {
            _ = try? ESCPOSStatus.decodeTransmitStatus(UInt8(value))
        }
        #expect(throws: ESCPOSStatusError.malformedTransmitStatus(0x10)) { try ESCPOSStatus.decodeTransmitStatus(0x10) }
    }

    @Test func randomASBBlocksNeverCrash() {
        var random = SeededRandom(seed: 42)
        var valid = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...6, using: &random)
            let block = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            if let reply = try? ESCPOSStatus.decodeASB(block) {
                valid += 1
                let condition = PrinterCondition().applying(reply)
                _ = (condition.summary, condition.operationalState, condition.canPrint)
            }
        }
        #expect(valid > 0)
        #expect(throws: ESCPOSStatusError.malformedASB([0x12, 0, 0, 0])) { try ESCPOSStatus.decodeASB([0x12, 0, 0, 0]) }
        let coverOpen = PrinterCondition().applying(try! ESCPOSStatus.decodeASB([0x38, 0x00, 0x0F, 0x00]))
        #expect(coverOpen.coverOpen && coverOpen.online == false && coverOpen.paper == .out)
    }

    @Test func replyBytesRoundTrip() throws {
        var conditions: [PrinterCondition] = []
        var healthy = PrinterCondition()
        healthy.online = true
        healthy.paper = .adequate
        conditions.append(healthy)
        var out = healthy
        out.online = false
        out.paper = .out
        out.stoppedAtPaperEnd = true
        conditions.append(out)
        var cover = healthy
        cover.online = false
        cover.coverOpen = true
        conditions.append(cover)
        var near = healthy
        near.paper = .nearEnd
        conditions.append(near)
        for condition in conditions {
            let replies = (1...4).map { ESCPOSStatus.replyByte(for: $0, condition: condition) }
            let decoded = try ESCPOSStatus.condition(fromReplies: replies)
            #expect(decoded.online == condition.online && decoded.paper == condition.paper && decoded.coverOpen == condition.coverOpen)
            #expect(decoded.summary == condition.summary)
            let asb = PrinterCondition().applying(try ESCPOSStatus.decodeASB(ESCPOSStatus.asbBlock(condition: condition)))
            #expect(asb.paper == condition.paper && asb.coverOpen == condition.coverOpen && asb.online == condition.online)
            let transmit = PrinterCondition().applying(try ESCPOSStatus.decodeTransmitStatus(ESCPOSStatus.transmitStatusByte(condition: condition)))
            #expect(transmit.paper == condition.paper)
        }
    }
}
