// Serial printing through a real tty (a pty pair): raw 8N1 at the configured rate, bytes untouched, reopen on replug.
@testable import DeviceKit
import CounterGateTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Serial printer transport")
struct SerialPrinterTransportTests {
    /// Bytes a cooked tty would change: newline translation, XON/XOFF, the interrupt and EOF characters, NUL.
    static let touchy: [UInt8] = [0x1B, 0x40, 0x0A, 0x0D, 0x11, 0x13, 0x03, 0x04, 0x1A, 0x7F, 0x00, 0xFF, 0x1D, 0x56, 0x41, 0x10]
        + GB18030.encode("受理通知书，喆堃赟。")!

    @Test("bytes arrive untouched, and the line is raw 8N1 at 9600 without flow control")
    func rawLine() async throws {
        let pty = try PseudoTerminal()
        let transport = SerialPrinterTransport(path: pty.slavePath)
        try await transport.open()
        try await transport.write(Self.touchy)
        let received = try await onThread { try FD.read(pty.master, count: Self.touchy.count, timeout: .seconds(5)) }
        #expect(received == Self.touchy)

        let options = pty.attributes()
        #expect(outputSpeed(options) == speed_t(B9600))
        #expect(inputSpeed(options) == speed_t(B9600))
        #expect(options.c_cflag & tcflag_t(CSIZE) == tcflag_t(CS8))
        #expect(options.c_cflag & tcflag_t(PARENB) == 0)
        #expect(options.c_cflag & tcflag_t(CSTOPB) == 0)
        #expect(options.c_cflag & tcflag_t(CRTSCTS) == 0)
        #expect(options.c_cflag & tcflag_t(CLOCAL) != 0)
        #expect(options.c_lflag & tcflag_t(ICANON | ECHO | ISIG | IEXTEN) == 0)
        #expect(options.c_iflag & tcflag_t(IXON | IXOFF | ICRNL | INLCR | ISTRIP) == 0)
        #expect(options.c_oflag & tcflag_t(OPOST) == 0)
        await transport.close()
    }

    @Test("115200 baud with RTS/CTS is what the tty is set to")
    func rateAndFlowControl() async throws {
        let pty = try PseudoTerminal()
        let transport = SerialPrinterTransport(path: pty.slavePath, settings: SerialLineSettings(baudRate: 115200, flowControl: .rtsCts))
        try await transport.open()
        let options = pty.attributes()
        #expect(outputSpeed(options) == speed_t(B115200))
        #expect(options.c_cflag & tcflag_t(CRTSCTS) != 0)
        await transport.close()
    }

    @Test("the printer's status reply is read from the line")
    func statusReply() async throws {
        let pty = try PseudoTerminal()
        let transport = SerialPrinterTransport(path: pty.slavePath, settings: SerialLineSettings(baudRate: 19200))
        try await transport.open()
        #expect(try await transport.read(upTo: 1, timeout: .milliseconds(50)) == [])
        try await transport.write([0x10, 0x04, 0x04])
        #expect(try await onThread { try FD.read(pty.master, count: 3, timeout: .seconds(5)) } == [0x10, 0x04, 0x04])
        try FD.writeAll(pty.master, [0x72])
        #expect(try await transport.read(upTo: 4, timeout: .seconds(5)) == [0x72])
        await transport.close()
    }

    @Test("when the tty disappears the write is unplugged; after replug the next write reopens the path")
    func reopensAfterReplug() async throws {
        // A stable name, as /dev/serial/by-id gives: the link survives the adapter; the tty behind it changes.
        let directory = try TemporaryDirectory("serial")
        let link = directory.file("printer-window3")
        let first = try PseudoTerminal()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: first.slavePath)
        let transport = SerialPrinterTransport(path: link)
        try await transport.open()
        try await transport.write([0x1B, 0x40])
        #expect(try await onThread { try FD.read(first.master, count: 2, timeout: .seconds(5)) } == [0x1B, 0x40])

        first.hangUp()
        try FileManager.default.removeItem(atPath: link)
        let unplugged = await transportError { () async throws(TransportError) in try await transport.write([0x0A]) }
        #expect(unplugged?.kind == .unplugged)
        #expect(unplugged?.isRetryable == true)
        #expect(unplugged?.device == "printer serial:\(link)")

        // Still gone: the reopen finds nothing, and says so.
        let stillGone = await transportError { () async throws(TransportError) in try await transport.write([0x0A]) }
        #expect(stillGone?.kind == .unplugged)

        let second = try PseudoTerminal()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: second.slavePath)
        try await transport.write([0x1D, 0x56, 0x00])
        #expect(try await onThread { try FD.read(second.master, count: 3, timeout: .seconds(5)) } == [0x1D, 0x56, 0x00])
        #expect(outputSpeed(second.attributes()) == speed_t(B9600))
        await transport.close()
    }

    @Test("a path that is not a tty, and a rate printers do not use, are configuration errors")
    func misconfigured() async throws {
        let directory = try TemporaryDirectory("serial-bad")
        let plain = directory.file("not-a-tty")
        _ = FileManager.default.createFile(atPath: plain, contents: Data())
        let notTTY = await transportError { () async throws(TransportError) in try await SerialPrinterTransport(path: plain).open() }
        #expect(notTTY?.kind == .misconfigured)
        #expect(notTTY?.description.contains("is not a serial port") == true)

        let pty = try PseudoTerminal()
        let odd = SerialPrinterTransport(path: pty.slavePath, settings: SerialLineSettings(baudRate: 12345))
        let badRate = await transportError { () async throws(TransportError) in try await odd.open() }
        #expect(badRate?.kind == .misconfigured)
        #expect(badRate?.description.contains("use one of 9600, 19200, 38400, 57600, 115200") == true)
    }
}

/// The termios speed getters take a pointer; the tests hold values.
private func outputSpeed(_ options: termios) -> speed_t {
    var copy = options
    return cfgetospeed(&copy)
}

private func inputSpeed(_ options: termios) -> speed_t {
    var copy = options
    return cfgetispeed(&copy)
}
