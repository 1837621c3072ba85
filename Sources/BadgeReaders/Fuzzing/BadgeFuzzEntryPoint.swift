// What the fuzzer feeds to the badge readers' decoders; the libFuzzer harness (Fuzz/harness/badge.swift) and the replay
// tests call this.

/// Fuzz entry point for badge readers: the serial frame decoders (RDM6300 frames, digit lines in every card format), the
/// evdev event decoder with the keyboard-wedge assembler, and the card-number parsers.
public enum BadgeFuzzEntryPoint {
    /// What one input did: cards read and inputs refused, summed over the decoders.
    public struct Outcome: Sendable, Equatable {
        public var cards = 0
        public var rejections = 0

        public init() {}
    }

    /// The first byte picks how the stream is cut into reads (1-32 bytes); the rest is what a reader sent. Never traps;
    /// every decoder keeps at most a line or a frame.
    public static func run(_ input: [UInt8]) -> Outcome {
        var outcome = Outcome()
        guard let selector = input.first else { return outcome }
        let stream = Array(input.dropFirst())
        let cut = Int(selector % 32) + 1
        var decoders: [any SerialCardDecoder] = [RDM6300FrameDecoder()]
        for format in CardFormat.allCases { decoders.append(LineCardDecoder(format: format, maxLength: Int(selector % 40))) }
        for index in decoders.indices {
            var start = 0
            while start < stream.count {
                let end = min(start + cut, stream.count)
                count(decoders[index].feed(Array(stream[start..<end])), into: &outcome)
                start = end
            }
            decoders[index].reset()
        }

        // The same bytes as evdev events (24 bytes each) into the wedge assembler.
        var assembler = WedgeCardAssembler(maximumLength: Int(selector % 80) + 1)
        var offset = 0
        while offset + InputEvent.size <= stream.count {
            do throws(InputEventDecodingError) {
                let event = try InputEvent.decode(stream[offset..<(offset + InputEvent.size)])
                for output in assembler.feed(event) {
                    if case .card = output { outcome.cards += 1 } else { outcome.rejections += 1 }
                }
            } catch {
                outcome.rejections += 1
            }
            offset += InputEvent.size
        }
        if (try? InputEvent.decodeAll(stream)) == nil { outcome.rejections += 1 }

        // Each line of the text as a card number typed into the staff list or a page, in every format.
        let text = String(decoding: stream.prefix(256), as: UTF8.self)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(8) {
            for format in CardFormat.allCases {
                if case .success = format.parse(String(line)) { outcome.cards += 1 } else { outcome.rejections += 1 }
            }
        }
        return outcome
    }

    private static func count(_ outputs: [SerialDecoderOutput], into outcome: inout Outcome) {
        for output in outputs {
            if case .card = output { outcome.cards += 1 } else { outcome.rejections += 1 }
        }
    }
}
