// The serial badge reader over a real tty (a pty pair): raw line at the configured rate, cards and rejections in
// order, and reading resumed after the tty disappears and comes back.
@testable import BadgeReaders
import CounterGateTestSupport
import DeviceKit
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Waits for the next event that `match` accepts, failing if the stream ends first.
private func next<T>(_ iterator: inout AsyncStream<SerialBadgeReader.Event>.Iterator,
                     _ match: (SerialBadgeReader.Event) -> T?) async throws -> T {
    while let event = await iterator.next() {
        if let value = match(event) { return value }
    }
    throw TestSupportError("the reader's events ended")
}

private func connected(_ event: SerialBadgeReader.Event) -> Bool? { if case .connected = event { true } else { nil } }
private func card(_ event: SerialBadgeReader.Event) -> SerialCardReading? { if case .card(let c) = event { c } else { nil } }
private func lost(_ event: SerialBadgeReader.Event) -> TransportError? { if case .lost(let e) = event { e } else { nil } }

@Suite("Serial badge reader over a pty")
struct SerialBadgeReaderTests {
    @Test("frames written on the line are read as cards; a bad checksum is rejected and counted; the tty is raw 8N1 at 9600",
          .timeLimit(.minutes(1)))
    func readsFrames() async throws {
        let pty = try PseudoTerminal()
        let reader = SerialBadgeReader(path: pty.slavePath, baudRate: 9600, mode: .frames, pollInterval: .milliseconds(100))
        var events = reader.events().makeAsyncIterator()
        _ = try await next(&events, connected)

        let options = pty.attributes()
        var copy = options
        #expect(cfgetispeed(&copy) == speed_t(B9600))
        #expect(options.c_cflag & tcflag_t(CSIZE) == tcflag_t(CS8))
        #expect(options.c_lflag & tcflag_t(ICANON | ECHO | ISIG) == 0)
        #expect(options.c_iflag & tcflag_t(IXON | ICRNL) == 0)

        // Noise, a good frame split in two writes, a bad checksum, another good frame.
        let good = RDM6300FrameDecoder.encode(version: 0x3E, id: 0x0012_3456)
        try pty.send(Array("RDM".utf8) + good.prefix(5))
        try pty.send(Array(good.dropFirst(5)) + [0x02] + Array("3E001234564F".utf8) + [0x03]
                     + RDM6300FrameDecoder.encode(version: 0, id: 4_000_000_000))

        var seen: [SerialBadgeReader.Event] = []
        var cards: [SerialCardReading] = []
        while cards.count < 2, let event = await events.next() {
            seen.append(event)
            if case .card(let c) = event { cards.append(c) }
        }
        #expect(cards.map(\.card.canonical) == ["0001193046", "4000000000"])
        let rejected = seen.compactMap { if case .rejected(let r, let counts) = $0 { (r, counts) } else { nil } }
        #expect(rejected.map(\.0) == [.noise(count: 3), .badChecksum(expected: 0x4E, received: 0x4F)])
        #expect(rejected.last?.1 == [.noise: 1, .badChecksum: 1])
    }

    @Test("digit lines at 19200 are read in line mode", .timeLimit(.minutes(1)))
    func readsLines() async throws {
        let pty = try PseudoTerminal()
        let reader = SerialBadgeReader(path: pty.slavePath, baudRate: 19200, mode: .lines(format: .decimal, maxLength: 10),
                                       pollInterval: .milliseconds(100))
        var events = reader.events().makeAsyncIterator()
        _ = try await next(&events, connected)
        var copy = pty.attributes()
        #expect(cfgetospeed(&copy) == speed_t(B19200))
        try pty.send(Array("0012345678\r\n".utf8))
        #expect(try await next(&events, card).card.value == 12_345_678)
    }

    @Test("when the tty disappears the reader reports it, retries, and reads again from the replugged tty",
          .timeLimit(.minutes(1)))
    func reopensAfterReplug() async throws {
        let directory = try TemporaryDirectory("replug")
        let link = directory.file("reader-entrance")
        let first = try PseudoTerminal()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: first.slavePath)
        let reader = SerialBadgeReader(path: link, mode: .frames, initialBackoff: .milliseconds(5),
                                       maximumBackoff: .milliseconds(20), pollInterval: .milliseconds(100))
        var events = reader.events().makeAsyncIterator()
        _ = try await next(&events, connected)
        try first.send(RDM6300FrameDecoder.encode(version: 1, id: 1111))
        #expect(try await next(&events, card).card.value == 1111)

        // Pulled: the open tty answers EIO, and the path is gone.
        try FileManager.default.removeItem(atPath: link)
        first.hangUp()
        let gone = try await next(&events, lost)
        #expect(gone.kind == .unplugged)
        #expect(gone.device == "badge reader serial:\(link)")
        // Reopening finds nothing while it is out: reported again, not a crash or a spin.
        #expect(try await next(&events, lost).kind == .unplugged)

        let second = try PseudoTerminal()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: second.slavePath)
        _ = try await next(&events, connected)
        try second.send(RDM6300FrameDecoder.encode(version: 1, id: 2222))
        #expect(try await next(&events, card).card.value == 2222)
    }

    @Test("a missing tty and an unsupported rate are reported as lost with their kind, not thrown away",
          .timeLimit(.minutes(1)))
    func reportsOpenFailures() async throws {
        let directory = try TemporaryDirectory("missing")
        var missing = SerialBadgeReader(path: directory.file("ttyUSB9"), initialBackoff: .milliseconds(5)).events().makeAsyncIterator()
        #expect(try await next(&missing, lost).kind == .unplugged)
        let pty = try PseudoTerminal()
        var odd = SerialBadgeReader(path: pty.slavePath, baudRate: 12345, initialBackoff: .milliseconds(5)).events().makeAsyncIterator()
        let error = try await next(&odd, lost)
        #expect(error.kind == .misconfigured)
        #expect(error.description.contains("12345"))
    }

    @Test("the cards stream gives only cards", .timeLimit(.minutes(1)))
    func cardsOnly() async throws {
        let pty = try PseudoTerminal()
        let reader = SerialBadgeReader(path: pty.slavePath, pollInterval: .milliseconds(100))
        // Open the line first through events() would race the flush on open; here the frame repeats until read,
        // as an RDM6300 does while the card lies on it.
        var cards = reader.cards().makeAsyncIterator()
        let sender = Task {
            while !Task.isCancelled {
                try? pty.send(Array("noise".utf8) + RDM6300FrameDecoder.encode(version: 9, id: 77))
                await Task.yield()
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        defer { sender.cancel() }
        #expect(await cards.next()?.card.value == 77)
    }
}
