// Card numbers: every format a reader prints, to the one canonical form; and the repeat-tap filter.
@testable import BadgeReaders
import Testing

@Suite("Card numbers")
struct CardNumberTests {
    /// (format, as the reader prints it, canonical, significant bits)
    static let table: [(CardFormat, String, String, Int)] = [
        (.decimal, "12345678", "0012345678", 32),
        (.decimal, " 0012345678 ", "0012345678", 32),
        (.decimal, "0", "0000000000", 32),
        (.decimal, "4294967295", "4294967295", 32),
        (.decimal10, "0001193046", "0001193046", 32),
        (.hex, "00123456", "0001193046", 32),
        (.hex, "deadbeef", "3735928559", 32),
        (.hex, "3E00123456", "0001193046", 32),
        (.hex, "7B", "0000000123", 32),
        (.wiegand26, "018,13398", "0001193046", 24),
        (.wiegand26, "18,13398", "0001193046", 24),
        (.wiegand26, "018:13398", "0001193046", 24),
        (.wiegand26, "018 13398", "0001193046", 24),
        (.wiegand26, "01813398", "0001193046", 24),
        (.wiegand26, "255,65535", "0016777215", 24),
        (.wiegand26, "000,00001", "0000000001", 24),
    ]

    @Test("each format normalises to 10 decimal digits of the 32-bit value")
    func normalisation() {
        for (format, text, canonical, bits) in Self.table {
            let parsed = format.parse(text)
            guard case .success(let card) = parsed else {
                Issue.record("\(format) `\(text)`: \(parsed)")
                continue
            }
            #expect(card.canonical == canonical, "\(format) `\(text)`")
            #expect(card.significantBits == bits, "\(format) `\(text)`")
        }
    }

    @Test("what a format does not allow is refused with the reason")
    func refused() {
        let table: [(CardFormat, String, CardFormat.ParseError)] = [
            (.decimal, "", .empty),
            (.decimal, "   ", .empty),
            (.decimal, "12a4", .invalidCharacter("a")),
            (.decimal, "٣٤", .invalidCharacter("٣")),
            (.decimal, "4294967296", .outOfRange),
            (.decimal, "12345678901", .wrongLength(11)),
            (.decimal10, "12345678", .wrongLength(8)),
            (.hex, "12345678G", .invalidCharacter("G")),
            (.hex, "123456789", .wrongLength(9)),
            (.wiegand26, "256,00001", .outOfRange),
            (.wiegand26, "001,65536", .outOfRange),
            (.wiegand26, "1234567", .wrongLength(7)),
            (.wiegand26, "12,", .empty),
            (.wiegand26, "1x,5", .invalidCharacter("x")),
        ]
        for (format, text, error) in table {
            #expect(format.parse(text) == .failure(error), "\(format) `\(text)`")
        }
    }

    @Test("the renderings, and matching a Wiegand 26 reading against a full 32-bit one")
    func renderingsAndMatching() {
        let card = CardNumber(0x0112_3456)
        #expect(card.hex == "01123456")
        #expect(card.facility == 0x12)
        #expect(card.cardInFacility == 0x3456)
        #expect(card.wiegand26 == "018,13398")
        let wiegand = CardNumber(facility: 18, card: 13398)
        #expect(wiegand.matches(card))
        #expect(card.matches(wiegand))
        #expect(!card.matches(CardNumber(0x0012_3456)))
        #expect(wiegand != card)
        #expect(CardNumber(0xFF12_3456, significantBits: 24).value == 0x12_3456)
        #expect(CardFormat(rawValue: "wiegand-26") == .wiegand26)
        #expect(CardFormat(rawValue: "decimal-10") == .decimal10)
    }
}

@Suite("Repeat-tap filter")
struct CardRepeatTapFilterTests {
    @Test("the same card within the window counts once; after it, again; other cards are independent")
    func window() {
        let start = ContinuousClock.now
        var filter = RepeatTapFilter<ContinuousClock.Instant>(window: .seconds(3))
        let a = CardNumber(1), b = CardNumber(2)
        // (card, milliseconds after start, counts?)
        let taps: [(CardNumber, Int, Bool)] = [
            (a, 0, true), (a, 500, false), (b, 600, true),
            // Measured from the accepted tap: a badge left on the reader counts again once per window.
            (a, 2999, false), (a, 3000, true), (a, 4000, false), (b, 3000, false), (b, 3600, true),
        ]
        for (card, ms, counts) in taps {
            let accepted = filter.accept(card, at: start + .milliseconds(ms))
            #expect(accepted == counts, "card \(card.value) at \(ms) ms")
        }
        filter.reset()
        let afterReset = filter.accept(a, at: start + .milliseconds(4001))
        #expect(afterReset)
    }

    @Test("a zero window lets every tap through; a Wiegand reading of the same card is the same card")
    func zeroAndWiegand() {
        let start = ContinuousClock.now
        var open = RepeatTapFilter<ContinuousClock.Instant>(window: .zero)
        let first = open.accept(CardNumber(5), at: start)
        let second = open.accept(CardNumber(5), at: start)
        #expect(first && second)
        var filter = RepeatTapFilter<ContinuousClock.Instant>(window: .seconds(1))
        let w1 = filter.accept(CardNumber(facility: 1, card: 2), at: start)
        let w2 = filter.accept(CardNumber(facility: 1, card: 2), at: start + .milliseconds(10))
        #expect(w1 && !w2)
    }

    @Test("many cards: old taps are forgotten and the filter still decides right")
    func many() {
        let start = ContinuousClock.now
        var filter = RepeatTapFilter<ContinuousClock.Instant>(window: .seconds(1))
        var all = true
        for i in 0..<500 { all = filter.accept(CardNumber(UInt32(i)), at: start + .milliseconds(i * 10)) && all }
        #expect(all)
        let repeatOf499 = filter.accept(CardNumber(499), at: start + .milliseconds(5000))
        let card0Again = filter.accept(CardNumber(0), at: start + .milliseconds(5000))
        #expect(!repeatOf499 && card0Again)
    }
}

@Suite("Whose card a reading is")
struct CardOwnerTests {
    // 0x12345678: the full number printed on 张伟's card; a Wiegand 26 reader sees facility 0x34, card 0x5678.
    static let cards: [String: [String]] = ["D003": ["0305419896"], "D004": ["0000000042", "0001193046"]]

    @Test("a full reading is exact; a Wiegand 26 reading finds the full number on file by its low 24 bits")
    func fullAndWiegand() {
        #expect(CardNumber(0x1234_5678).owner(among: Self.cards) == .staff("D003"))
        #expect(CardNumber(0x0034_5678).owner(among: Self.cards) == .nobody, "a full reading never matches on 24 bits")
        #expect(CardNumber(facility: 0x34, card: 0x5678).owner(among: Self.cards) == .staff("D003"))
        #expect(CardNumber(42).owner(among: Self.cards) == .staff("D004"))
        #expect(CardNumber(facility: 18, card: 13398).owner(among: Self.cards) == .staff("D004"), "a card given in Wiegand form matches exactly")
        #expect(CardNumber(facility: 1, card: 1).owner(among: Self.cards) == .nobody)
        #expect(CardNumber(7).owner(among: [:]) == .nobody)
    }

    @Test("two people's cards with the same low 24 bits: a Wiegand 26 reading is ambiguous, never a guess")
    func ambiguous() {
        let cards = ["D001": ["0305419896"], "D002": ["4130625144"]]  // 0x12345678 and 0xF6345678
        #expect(CardNumber(facility: 0x34, card: 0x5678).owner(among: cards) == .ambiguous(["D001", "D002"]))
        #expect(CardNumber(0xF634_5678).owner(among: cards) == .staff("D002"))
        // One card given in Wiegand form (0x00345678), another person's full number with the same low 24 bits: a
        // Wiegand 26 reading may be either card.
        let mixed = ["D001": ["0003430008"], "D002": ["4130625144"]]
        #expect(CardNumber(facility: 0x34, card: 0x5678).owner(among: mixed) == .ambiguous(["D001", "D002"]))
        #expect(CardNumber(0xF634_5678).owner(among: mixed) == .staff("D002"), "a full reading is exact")
    }
}
