// The serial decoders: good frames, bad checksums, half frames, noise, split reads, and a fuzz loop.
@testable import BadgeReaders
import Testing

/// A frame from its 12 characters (10 data + 2 checksum) as given, good or not.
private func frame(_ chars: String) -> [UInt8] { [0x02] + Array(chars.utf8) + [0x03] }

private func cards(_ outputs: [SerialDecoderOutput]) -> [SerialCardReading] {
    outputs.compactMap { if case .card(let c) = $0 { c } else { nil } }
}

private func rejections(_ outputs: [SerialDecoderOutput]) -> [SerialRejection] {
    outputs.compactMap { if case .rejected(let r) = $0 { r } else { nil } }
}

@Suite("RDM6300 frame decoder")
struct SerialRDM6300DecoderTests {
    @Test("a good frame gives the version byte, the 32-bit id, the canonical number and the raw characters")
    func goodFrame() {
        // 0x3E ^ 0x00 ^ 0x12 ^ 0x34 ^ 0x56 = 0x4E
        var decoder = RDM6300FrameDecoder()
        let out = decoder.feed(frame("3E001234564E"))
        #expect(out == [.card(SerialCardReading(card: CardNumber(0x0012_3456), raw: "3E00123456", version: 0x3E))])
        #expect(cards(out).first?.card.canonical == "0001193046")
        #expect(decoder.cardCount == 1)
        #expect(decoder.rejections.isEmpty)
    }

    @Test("lower-case hex is read; encode makes frames the decoder accepts")
    func lowerCaseAndEncode() {
        var decoder = RDM6300FrameDecoder()
        #expect(cards(decoder.feed(frame("3e001234564e"))).first?.card.value == 0x0012_3456)
        let encoded = RDM6300FrameDecoder.encode(version: 0x01, id: 0xDEAD_BEEF)
        #expect(encoded.count == 14)
        let reading = cards(decoder.feed(encoded)).first
        #expect(reading?.card.value == 0xDEAD_BEEF)
        #expect(reading?.version == 0x01)
        #expect(reading?.raw == "01DEADBEEF")
    }

    @Test("a bad checksum is rejected with both values and counted; the next frame is read")
    func badChecksum() {
        var decoder = RDM6300FrameDecoder()
        let out = decoder.feed(frame("3E001234564F") + frame("3E001234564E"))
        #expect(rejections(out) == [.badChecksum(expected: 0x4E, received: 0x4F)])
        #expect(cards(out).count == 1)
        #expect(decoder.rejections == [.badChecksum: 1])
    }

    @Test("a non-hex character, a short frame and an overlong frame are rejected by kind")
    func malformed() {
        var decoder = RDM6300FrameDecoder()
        #expect(rejections(decoder.feed(frame("3E0012345G4E"))) == [.badCharacter(UInt8(ascii: "G"))])
        #expect(rejections(decoder.feed(frame("3E0012"))) == [.wrongLength(6)])
        // 13 characters without an end: given up at once, the rest is noise until the next start.
        let overlong = decoder.feed([0x02] + Array("3E001234564E0000".utf8) + [0x03] + frame("3E001234564E"))
        #expect(rejections(overlong) == [.wrongLength(13), .noise(count: 4)])
        #expect(cards(overlong).count == 1)
        #expect(decoder.rejections == [.wrongLength: 2, .badCharacter: 1, .noise: 1])
    }

    @Test("a half frame cut off by the next start byte is rejected, and the new frame is read")
    func halfFrame() {
        var decoder = RDM6300FrameDecoder()
        let out = decoder.feed([0x02] + Array("3E0012".utf8) + frame("3E001234564E"))
        #expect(rejections(out) == [.wrongLength(6)])
        #expect(cards(out).map(\.card.value) == [0x0012_3456])
    }

    @Test("noise between frames is skipped and reported as one run")
    func noise() {
        var decoder = RDM6300FrameDecoder()
        let out = decoder.feed(Array("boot v1.0\r\n".utf8) + frame("3E001234564E") + [0xFF, 0x00, 0x03] + frame("3E001234564E"))
        #expect(rejections(out) == [.noise(count: 11), .noise(count: 3)])
        #expect(cards(out).count == 2)
    }

    @Test("bytes split anywhere give the same cards as one read", arguments: [1, 2, 3, 5, 7, 13, 14, 15])
    func splitReads(chunk: Int) {
        let stream = frame("3E001234564E") + Array("xx".utf8) + RDM6300FrameDecoder.encode(version: 0, id: 42) + frame("3E001234564F")
        var whole = RDM6300FrameDecoder()
        let expected = whole.feed(stream)
        var decoder = RDM6300FrameDecoder()
        var got: [SerialDecoderOutput] = []
        var index = 0
        while index < stream.count {
            got += decoder.feed(Array(stream[index..<min(index + chunk, stream.count)]))
            index += chunk
        }
        #expect(got == expected)
        #expect(cards(got).count == 2)
        #expect(decoder.rejections == whole.rejections)
    }

    @Test("reset drops a half frame")
    func reset() {
        var decoder = RDM6300FrameDecoder()
        _ = decoder.feed([0x02] + Array("3E0012".utf8))
        decoder.reset()
        #expect(decoder.feed(Array("34564E".utf8) + [0x03]) == [])
        #expect(cards(decoder.feed(frame("3E001234564E"))).count == 1)
    }

    @Test("fuzz: random bytes, random splits and damaged frames never crash, and every good frame after resync is read")
    func fuzz() {
        var rng = SerialFuzzRNG(seed: 0x5EED)
        for _ in 0..<300 {
            var decoder = RDM6300FrameDecoder()
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1...20, using: &rng) {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes += (0..<Int.random(in: 0...30, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                case 1:
                    var f = RDM6300FrameDecoder.encode(version: .random(in: 0...255, using: &rng), id: .random(in: 0...UInt32.max, using: &rng))
                    f[Int.random(in: 0..<f.count, using: &rng)] = .random(in: 0...255, using: &rng)
                    bytes += f
                default: bytes += RDM6300FrameDecoder.encode(version: .random(in: 0...255, using: &rng), id: .random(in: 0...UInt32.max, using: &rng))
                }
            }
            var index = 0
            var total = 0
            while index < bytes.count {
                let n = Int.random(in: 1...40, using: &rng)
                total += decoder.feed(Array(bytes[index..<min(index + n, bytes.count)])).count
                index += n
            }
            // A final good frame is always read, whatever came before it.
            let last = decoder.feed(RDM6300FrameDecoder.encode(version: 7, id: 123_456))
            #expect(cards(last).last?.card.value == 123_456)
            #expect(total + last.count == decoder.cardCount + decoder.rejections.values.reduce(0, +))
        }
    }
}

@Suite("Line card decoder")
struct SerialLineDecoderTests {
    @Test("digits ended by CR, LF or CR LF are cards; empty lines are nothing")
    func lines() {
        var decoder = LineCardDecoder()
        let out = decoder.feed(Array("0012345678\r\n42\n\r\n\n7\r".utf8))
        #expect(cards(out).map(\.card.value) == [12_345_678, 42, 7])
        #expect(cards(out).first?.raw == "0012345678")
        #expect(rejections(out).isEmpty)
    }

    @Test("a non-digit or a too-long line is rejected, the rest of that line skipped, the next line read")
    func rejected() {
        var decoder = LineCardDecoder(maxLength: 8)
        let out = decoder.feed(Array("12A34\r\n123456789\r\n4294967296\r\n12345678\r\n".utf8))
        #expect(rejections(out) == [.badCharacter(UInt8(ascii: "A")), .wrongLength(9), .wrongLength(9)])
        #expect(cards(out).map(\.card.value) == [12_345_678])
        #expect(decoder.rejections == [.badCharacter: 1, .wrongLength: 2])
    }

    @Test("a number beyond 32 bits, and a line wrong for a 10-digit format, are unparsable")
    func unparsable() {
        var decimal = LineCardDecoder()
        #expect(rejections(decimal.feed(Array("4294967296\n".utf8))) == [.unparsable("4294967296")])
        var ten = LineCardDecoder(format: .decimal10)
        #expect(rejections(ten.feed(Array("12345\n".utf8))) == [.unparsable("12345")])
        var wiegand = LineCardDecoder(format: .wiegand26, maxLength: 8)
        #expect(cards(wiegand.feed(Array("12345678\n".utf8))).first?.card == CardNumber(facility: 123, card: 45678))
    }

    @Test("split anywhere, and fuzzed, the line decoder agrees with one read and never crashes")
    func splitAndFuzz() {
        let stream = Array("0012345678\r\nx1\r\n99\n".utf8)
        var whole = LineCardDecoder()
        let expected = whole.feed(stream)
        for chunk in 1...stream.count {
            var decoder = LineCardDecoder()
            var got: [SerialDecoderOutput] = []
            var index = 0
            while index < stream.count { got += decoder.feed(Array(stream[index..<min(index + chunk, stream.count)])); index += chunk }
            #expect(got == expected)
        }
        var rng = SerialFuzzRNG(seed: 7)
        var decoder = LineCardDecoder(maxLength: Int.random(in: 1...12, using: &rng))
        for _ in 0..<2000 {
            _ = decoder.feed((0..<Int.random(in: 0...20, using: &rng)).map { _ in
                [UInt8(0x0D), 0x0A, 0x30, 0x39, .random(in: 0...255, using: &rng)][Int.random(in: 0..<5, using: &rng)]
            })
        }
        #expect(cards(decoder.feed(Array("\n5\n".utf8))).last?.card.value == 5)
    }
}

/// A seeded generator, so a failing fuzz run can be repeated.
struct SerialFuzzRNG: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
