// What the fuzzers feed to the pull and push codecs; the libFuzzer harnesses (Fuzz/) and the replay tests call these.
import Foundation

/// One decoder's answer to a fuzz input: nil when it decoded, else the message it refused with.
public struct ZKFuzzStep: Sendable, Equatable {
    public let decoder: String
    public let refusal: String?
}

/// Entry points for fuzzing: bytes in, every decoder of a protocol tried, a step per decoder out. They never trap on
/// any input; a refusal is always a typed error with a message.
public enum ZKFuzzEntryPoints {
    /// The pull protocol: the input is a TCP stream cut into reads (the first byte picks the cut length), each packet
    /// the deframer returns is decoded, and the payload goes through every payload decoder.
    public static func pull(_ input: [UInt8]) -> [ZKFuzzStep] {
        var steps: [ZKFuzzStep] = []
        guard let cut = input.first else { return steps }
        let stream = input.dropFirst()
        let chunk = Int(cut % 64) + 1
        var deframer = ZKTCPDeframer()
        var packets: [[UInt8]] = []
        var index = stream.startIndex
        framing: while index < stream.endIndex {
            let end = min(index + chunk, stream.endIndex)
            deframer.append(stream[index..<end])
            index = end
            while true {
                do throws(ZKDecodeError) {
                    guard let packet = try deframer.next() else { break }
                    packets.append(packet)
                } catch {
                    steps.append(ZKFuzzStep(decoder: "tcp deframer", refusal: error.description))
                    break framing
                }
            }
        }
        // A stream that is not framed is still fed to the decoders as one bare (UDP) packet.
        if packets.isEmpty { packets = [Array(stream)] }
        for packet in packets.prefix(8) {
            steps.append(step("packet") { () throws(ZKDecodeError) in _ = try ZKPacket.decode(packet, verifyChecksum: false) })
            steps.append(contentsOf: payload(Array(packet.dropFirst(min(8, packet.count))), records: Int(cut)))
        }
        return steps
    }

    /// Every payload and dataset decoder of the pull protocol on one payload.
    static func payload(_ p: [UInt8], records: Int) -> [ZKFuzzStep] {
        [
            step("attendance dataset") { () throws(ZKDecodeError) in _ = try ZKDataset.attendance(p, records: records) },
            step("user dataset") { () throws(ZKDecodeError) in _ = try ZKDataset.users(p, records: records) },
            step("template dataset") { () throws(ZKDecodeError) in _ = try ZKDataset.templates(p) },
            step("user/template upload") { () throws(ZKDecodeError) in _ = try ZKDataset.parseUserTemplateUpload(p) },
            step("free sizes") { () throws(ZKDecodeError) in _ = try ZKFreeSizes.decode(p) },
            step("live attendance") { () throws(ZKDecodeError) in _ = try ZKLiveAttendance.decode(p) },
            step("buffered read: prepare request") { () throws(ZKDecodeError) in _ = try ZKBufferedRead.parsePrepareRequest(p) },
            step("buffered read: buffer ready") { () throws(ZKDecodeError) in _ = try ZKBufferedRead.parseBufferReadyReply(p) },
            step("buffered read: read request") { () throws(ZKDecodeError) in _ = try ZKBufferedRead.parseReadRequest(p) },
            step("buffered read: prepare data") { () throws(ZKDecodeError) in _ = try ZKBufferedRead.parsePrepareData(p) },
            step("option value") { () throws(ZKDecodeError) in _ = ZKOption.value(of: p) + ZKOption.name(ofRequest: p) },
        ]
    }

    /// The push protocol: the first byte picks the content type and which text decoders see the body; the body is split
    /// into lines and each line goes through the record decoders of the tables, the whole text through the others.
    public static func push(_ input: [UInt8]) -> [ZKFuzzStep] {
        var steps: [ZKFuzzStep] = []
        guard let selector = input.first else { return steps }
        let body = Array(input.dropFirst())
        let contentType: String? = switch selector % 3 {
        case 0: nil
        case 1: "text/plain; charset=GB18030"
        default: "text/plain;charset=utf-8"
        }
        let encoding = PushBody.encoding(of: body, contentType: contentType)
        for line in PushBody.lines(body, encoding: encoding).prefix(64) {
            let text: String
            switch line.text {
            case .success(let decoded): text = decoded
            case .failure(let error):
                steps.append(ZKFuzzStep(decoder: "body line", refusal: error.description))
                continue
            }
            steps.append(pushStep("ATTLOG line") { () throws(PushDecodeError) in _ = try PushAttendanceRecord(line: text) })
            steps.append(pushStep("OPERLOG line") { () throws(PushDecodeError) in _ = try PushOperationRecord(line: text) })
            steps.append(pushStep("BIODATA line") { () throws(PushDecodeError) in _ = try PushOperationRecord(biodataLine: text) })
            steps.append(pushStep("command") { () throws(PushDecodeError) in _ = try PushCommand(text: text) })
            steps.append(pushStep("query: SN") { () throws(PushDecodeError) in _ = try PushRequestValues.serialNumber(text) })
            steps.append(pushStep("query: Stamp") { () throws(PushDecodeError) in _ = try PushRequestValues.stamp(text) })
            steps.append(pushStep("query: table") { () throws(PushDecodeError) in _ = try PushRequestValues.table(text) })
        }
        let whole = String(decoding: body, as: UTF8.self)
        steps.append(pushStep("command results") { () throws(PushDecodeError) in
            let decoded = PushCommandResults.decode(whole)
            if let first = decoded.malformed.first { throw first.error }
        })
        steps.append(pushStep("options answer") { () throws(PushDecodeError) in _ = try PushOptions.decode(answer: whole) })
        steps.append(pushStep("command answer") { () throws(PushDecodeError) in _ = try PushCommandLine.decode(answer: whole) })
        steps.append(pushStep("device facts") { () throws(PushDecodeError) in
            _ = PushDeviceFacts.parse(whole)
            _ = PushDeviceFacts.parse(infoParameter: whole)
        })
        return steps
    }

    private static func step(_ decoder: String, _ body: () throws(ZKDecodeError) -> Void) -> ZKFuzzStep {
        do throws(ZKDecodeError) {
            try body()
            return ZKFuzzStep(decoder: decoder, refusal: nil)
        } catch {
            return ZKFuzzStep(decoder: decoder, refusal: error.description)
        }
    }

    private static func pushStep(_ decoder: String, _ body: () throws(PushDecodeError) -> Void) -> ZKFuzzStep {
        do throws(PushDecodeError) {
            try body()
            return ZKFuzzStep(decoder: decoder, refusal: nil)
        } catch {
            return ZKFuzzStep(decoder: decoder, refusal: error.description)
        }
    }
}
