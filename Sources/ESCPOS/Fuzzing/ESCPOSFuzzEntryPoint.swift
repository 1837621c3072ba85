// What the fuzzer feeds to the ESC/POS decoders; the libFuzzer harness (Fuzz/harness/escpos.swift) and the replay tests
// call this.

/// Fuzz entry point for the ESC/POS side of a printer: the stream decoder (what the simulated printers and the tests
/// read back) and the status decoders (what a real printer answers to DLE EOT, GS r and ASB).
public enum ESCPOSFuzzEntryPoint {
    /// What one input did: the elements decoded, the bytes still pending at the end, and the refusals of the status
    /// decoders.
    public struct Outcome: Sendable, Equatable {
        public var elements = 0
        public var texts = 0
        public var pendingAtEnd = 0
        /// The description of the first refusal of each status decoder (each is read, so it must be printable).
        public var statusRefusals: [String] = []
        /// How many replies the status decoders refused in all.
        public var statusRefusalCount = 0

        /// Counts a refusal; describes it only when it is `decoder`'s first. Describing every one cost the fuzzer
        /// half its time in the sanitizer's allocator, for paths the first one already covers.
        mutating func refused(_ error: ESCPOSStatusError, by decoder: Int, described: inout UInt8) {
            statusRefusalCount += 1
            let bit: UInt8 = 1 << decoder
            guard described & bit == 0 else { return }
            described |= bit
            statusRefusals.append(error.description)
        }
    }

    /// The first byte picks how the stream is cut into reads (1-64 bytes) and the decoder's size bound; the rest is the
    /// printer's input. Every byte is also read as a status reply to each real-time request, and every 4 bytes as an
    /// ASB block. Never traps; memory stays within the decoder's bound.
    public static func run(_ input: [UInt8]) -> Outcome {
        var outcome = Outcome()
        guard let selector = input.first else { return outcome }
        let stream = input.dropFirst()
        let cut = Int(selector % 64) + 1
        // Small bounds too, so the "passed over" path of oversized commands is reached with small inputs.
        var decoder = ESCPOSStreamDecoder(maxKeptBytes: selector & 0x80 == 0 ? 4 << 20 : 64)
        var index = stream.startIndex
        while index < stream.endIndex {
            let end = min(index + cut, stream.endIndex)
            count(decoder.decode(stream[index..<end]), into: &outcome)
            index = end
        }
        outcome.pendingAtEnd = decoder.pendingByteCount
        count(decoder.finish(), into: &outcome)

        var described: UInt8 = 0  // which decoders' refusals were described (bit 1-4: DLE EOT n, 5: GS r, 6: ASB, 7: condition)
        for byte in stream.prefix(256) {
            for n in 1...4 {
                do throws(ESCPOSStatusError) { _ = try ESCPOSStatus.decode(byte, for: n) } catch {
                    outcome.refused(error, by: n, described: &described)
                }
            }
            do throws(ESCPOSStatusError) { _ = try ESCPOSStatus.decodeTransmitStatus(byte) } catch {
                outcome.refused(error, by: 5, described: &described)
            }
        }
        var blocks = stream.prefix(256)[...]
        while blocks.count >= 4 {
            do throws(ESCPOSStatusError) { _ = try ESCPOSStatus.decodeASB(Array(blocks.prefix(4))) } catch {
                outcome.refused(error, by: 6, described: &described)
            }
            blocks = blocks.dropFirst(4)
        }
        do throws(ESCPOSStatusError) { _ = try ESCPOSStatus.condition(fromReplies: Array(stream.prefix(16))) } catch {
            outcome.refused(error, by: 7, described: &described)
        }
        return outcome
    }

    private static func count(_ elements: [ESCPOSElement], into outcome: inout Outcome) {
        outcome.elements += elements.count
        for element in elements { if case .text = element { outcome.texts += 1 } }
    }
}
