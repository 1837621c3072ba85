// Pure tests of the keyboard-wedge decoding: input_event records and the card assembler.
import BadgeReaders
import Simulators
import Testing

/// Key events as a wedge reader types them: press and release per character, 8 ms apart, Enter last.
enum Typing {
    static let codes: [Character: UInt16] = ["1": 2, "2": 3, "3": 4, "4": 5, "5": 6, "6": 7, "7": 8, "8": 9, "9": 10, "0": 11,
                                             "a": 30, "b": 48, "c": 46, "d": 32, "e": 18, "f": 33]

    static func key(_ code: UInt16, _ value: Int32, at milliseconds: Int) -> InputEvent {
        InputEvent(time: .milliseconds(milliseconds), type: InputEvent.key, code: code, value: value)
    }

    /// `text` typed from `start` ms, upper-case letters with Shift, then `enter` (28 or 96) unless nil.
    static func card(_ text: String, from start: Int = 0, step: Int = 8, enter: UInt16? = 28) -> [InputEvent] {
        var events: [InputEvent] = []
        var time = start
        for character in text {
            let upper = character.isUppercase
            let code = codes[Character(character.lowercased())]!
            if upper { events.append(key(42, 1, at: time)) }
            events += [key(code, 1, at: time), InputEvent(time: .milliseconds(time), type: 0, code: 0, value: 0),
                       key(code, 0, at: time + step / 2)]
            if upper { events.append(key(42, 0, at: time + step / 2)) }
            time += step
        }
        if let enter { events += [key(enter, 1, at: time), key(enter, 0, at: time + step / 2)] }
        return events
    }
}

@Suite("wedge card assembler")
struct WedgeCardAssemblerTests {
    @Test("digits and Enter make a card stamped with the Enter's time; keypad Enter too", arguments: [UInt16(28), 96])
    func digitsAndEnter(enter: UInt16) {
        var assembler = WedgeCardAssembler()
        let output = assembler.feed(Typing.card("0004215371", from: 1000, enter: enter))
        #expect(output == [.card(WedgeCard(number: "0004215371", time: .milliseconds(1080)))])
        #expect(assembler.pending.isEmpty)
    }

    @Test("hex cards: letters lower case, upper case while either Shift is held")
    func hexWithShift() {
        var assembler = WedgeCardAssembler()
        #expect(assembler.feed(Typing.card("3A00fB9c")) == [.card(WedgeCard(number: "3A00fB9c", time: .milliseconds(64)))])
        // Right Shift held across two letters, released, then a lower-case letter.
        let events = [Typing.key(54, 1, at: 0), Typing.key(30, 1, at: 1), Typing.key(30, 0, at: 2), Typing.key(48, 1, at: 3),
                      Typing.key(54, 0, at: 4), Typing.key(46, 1, at: 5), Typing.key(28, 1, at: 6)]
        #expect(assembler.feed(events) == [.card(WedgeCard(number: "ABc", time: .milliseconds(6)))])
    }

    @Test("a gap longer than the timeout discards the half card; the next card is read whole")
    func timeoutDiscards() {
        var assembler = WedgeCardAssembler(timeout: .milliseconds(100))
        var output = assembler.feed(Typing.card("1234", from: 0, enter: nil))
        #expect(output.isEmpty)
        #expect(assembler.pending == "1234")
        output = assembler.feed(Typing.card("5678", from: 500))
        #expect(output == [.discarded(partial: "1234", time: .milliseconds(500)),
                           .card(WedgeCard(number: "5678", time: .milliseconds(532)))])
        // Exactly the timeout is still one card.
        output = assembler.feed(Typing.card("99", from: 1000, step: 100))
        #expect(output == [.card(WedgeCard(number: "99", time: .milliseconds(1200)))])
        // A late Enter ends nothing: the half card is discarded.
        output = assembler.feed(Typing.card("12", from: 2000, enter: nil) + [Typing.key(28, 1, at: 3000)])
        #expect(output == [.discarded(partial: "12", time: .milliseconds(3000))])
    }

    @Test("auto-repeats and releases type nothing")
    func repeatsIgnored() {
        var assembler = WedgeCardAssembler()
        let events = [Typing.key(2, 1, at: 0), Typing.key(2, 2, at: 1), Typing.key(2, 2, at: 2), Typing.key(2, 0, at: 3),
                      Typing.key(3, 1, at: 4), Typing.key(3, 0, at: 5), Typing.key(28, 2, at: 6), Typing.key(28, 0, at: 7)]
        #expect(assembler.feed(events).isEmpty)
        #expect(assembler.pending == "12")
        #expect(assembler.feed(Typing.key(28, 1, at: 8)) == [.card(WedgeCard(number: "12", time: .milliseconds(8)))])
    }

    @Test("keys a reader never types are reported and do not end up in the card")
    func garbage() {
        var assembler = WedgeCardAssembler()
        let events = [Typing.key(2, 1, at: 0), Typing.key(16, 1, at: 1), Typing.key(0xffff, 1, at: 2), Typing.key(3, 1, at: 3),
                      InputEvent(time: .milliseconds(3), type: 4, code: 4, value: 458_791), Typing.key(28, 1, at: 4)]
        #expect(assembler.feed(events) == [.unexpectedKey(code: 16, time: .milliseconds(1)),
                                           .unexpectedKey(code: 0xffff, time: .milliseconds(2)),
                                           .card(WedgeCard(number: "12", time: .milliseconds(4)))])
        // Enter alone is no card; an over-long run is discarded.
        #expect(assembler.feed(Typing.key(28, 1, at: 10)).isEmpty)
        var short = WedgeCardAssembler(maximumLength: 4)
        #expect(short.feed(Typing.card("12345", enter: nil)) == [.discarded(partial: "12345", time: .milliseconds(32))])
    }
}

@Suite("input_event records")
struct InputEventTests {
    @Test("the x86-64 layout: timeval (2 x Int64), type, code, value, little-endian")
    func layout() throws {
        let event = InputEvent(seconds: 0x0102_0304, microseconds: 999_999, type: 1, code: 28, value: -1)
        let bytes = event.encoded
        #expect(bytes.count == 24)
        #expect(bytes[0..<8] == [0x04, 0x03, 0x02, 0x01, 0, 0, 0, 0])
        #expect(bytes[8..<16] == [0x3f, 0x42, 0x0f, 0, 0, 0, 0, 0])
        #expect(bytes[16..<24] == [1, 0, 28, 0, 0xff, 0xff, 0xff, 0xff])
        #expect(try InputEvent.decode(bytes) == event)
        #expect(event.time == .seconds(0x0102_0304) + .microseconds(999_999))
    }

    @Test("round trips, singly and in a whole read")
    func roundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        let events = (0..<200).map { _ in
            InputEvent(seconds: Int64.random(in: .min ... .max, using: &generator), microseconds: Int64.random(in: 0..<1_000_000, using: &generator),
                       type: UInt16.random(in: 0 ... .max, using: &generator), code: UInt16.random(in: 0 ... .max, using: &generator),
                       value: Int32.random(in: .min ... .max, using: &generator))
        }
        for event in events { #expect(try InputEvent.decode(event.encoded) == event) }
        #expect(try InputEvent.decodeAll(events.flatMap(\.encoded)) == events)
        #expect(try InputEvent.decodeAll([UInt8]()) == [])
    }

    @Test("other sizes are refused with the size", arguments: [0, 1, 16, 23, 25, 48])
    func wrongSizes(count: Int) {
        #expect(throws: InputEventDecodingError.wrongSize(count)) { try InputEvent.decode([UInt8](repeating: 0, count: count)) }
    }

    @Test("a torn whole read (not a multiple of 24) is refused")
    func tornRead() {
        #expect(throws: InputEventDecodingError.wrongSize(40)) { try InputEvent.decodeAll([UInt8](repeating: 0, count: 40)) }
    }

    @Test("fuzz: random bytes never crash the decoder or the assembler")
    func fuzz() {
        var generator = SystemRandomNumberGenerator()
        var assembler = WedgeCardAssembler(timeout: .milliseconds(50), maximumLength: 16)
        for _ in 0..<5_000 {
            let count = Int.random(in: 0...(24 * 6), using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0 ... .max, using: &generator) }
            guard let events = try? InputEvent.decodeAll(bytes) else {
                #expect(count % 24 != 0)
                continue
            }
            // Bias some events towards real key events so the assembler's branches are exercised.
            let keyish = events.map { event -> InputEvent in
                var event = event
                if Bool.random(using: &generator) {
                    event.type = 1
                    event.code = [2, 11, 28, 30, 42, 54, 96, 16].randomElement(using: &generator)!
                    event.value = Int32.random(in: 0...2, using: &generator)
                }
                return event
            }
            for output in assembler.feed(keyish) {
                if case .card(let card) = output {
                    #expect(!card.number.isEmpty && card.number.count <= 16)
                }
            }
        }
    }
}

@Suite("simulated wedge reader script")
struct SimulatedWedgeScriptTests {
    /// The `E:` lines of an evemu script as input events.
    static func events(_ script: String) -> [InputEvent] {
        script.split(separator: "\n").filter { $0.hasPrefix("E: ") }.map { line in
            let f = line.split(separator: " ")
            let time = Double(f[1])!
            return InputEvent(seconds: Int64(time), microseconds: Int64((time - Double(Int64(time))) * 1_000_000 + 0.5),
                              type: UInt16(f[2], radix: 16)!, code: UInt16(f[3], radix: 16)!, value: Int32(f[4])!)
        }
    }

    @Test("its evemu script, fed to the card assembler, gives its cards; a half card is discarded at the next tap")
    func scriptDecodes() throws {
        let script = try SimulatedWedgeReader().evemuEvents([
            .pause(.seconds(2)), .tap("0004215371"), .pause(.seconds(1)), .halfCard("0010"), .pause(.seconds(1)), .tap("0a1b2c3d4e"), .noise("12"),
        ])
        var assembler = WedgeCardAssembler()
        let outputs = assembler.feed(Self.events(script))
        let cards = outputs.compactMap { if case .card(let card) = $0 { card.number } else { nil } }
        #expect(cards == ["0004215371", "0a1b2c3d4e", "12"])
        let discarded = outputs.compactMap { if case .discarded(let partial, _) = $0 { partial } else { nil } }
        #expect(discarded == ["0010"])
        #expect(Self.events(script).first?.seconds == 2, "the script starts after the first pause")
        #expect(throws: SimulatedWedgeReader.UntypableCharacter.self) { try SimulatedWedgeReader().evemuEvents([.tap("12x")]) }
    }
}
