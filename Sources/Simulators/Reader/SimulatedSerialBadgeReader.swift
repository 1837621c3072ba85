// TEST FAKE: a serial (RDM6300-style) badge reader on a pseudo-terminal; the gateway opens its tty path like a
// /dev/ttyUSB0, and the test or the demo taps cards on it.
import BadgeReaders
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A simulated serial badge reader. Never part of the real device path: the gateway sees only a tty.
public final class SimulatedSerialBadgeReader: Sendable {
    private let master: Int32
    private let slave: Int32
    /// The tty to configure as the reader's address (`serial:<path>?baud=9600`).
    public let path: String
    private let open = Mutex(true)

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init() throws {
        var master: Int32 = -1, slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else {
            throw Failure(description: "cannot open a pseudo-terminal for the simulated reader: \(String(cString: strerror(errno)))")
        }
        self.master = master
        self.slave = slave
        path = String(cString: ttyname(slave))
    }

    /// A card held to the reader: one RDM6300 frame.
    public func tap(_ card: CardNumber, version: UInt8 = 0x01) throws {
        try send(RDM6300FrameDecoder.encode(version: version, id: card.value))
    }

    /// A frame whose checksum is wrong, as a bad read produces.
    public func tapWithBadChecksum(_ card: CardNumber) throws {
        var frame = RDM6300FrameDecoder.encode(version: 0x01, id: card.value)
        frame[11] = frame[11] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        try send(frame)
    }

    /// A frame cut short (the badge pulled away): the start and the first `characters` data characters, no checksum
    /// and no end. The gateway must drop it and read the next frame.
    public func tapHalf(_ card: CardNumber, characters: Int = 5) throws {
        let frame = RDM6300FrameDecoder.encode(version: 0x01, id: card.value)
        try send(Array(frame.prefix(1 + max(0, min(characters, 10)))))
    }

    /// Line noise.
    public func sendNoise(_ bytes: [UInt8] = [0x55, 0xAA, 0x13, 0x37]) throws { try send(bytes) }

    private func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "the simulated reader cannot write: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Unplugs the reader (both ends close).
    public func unplug() {
        let wasOpen = open.withLock { isOpen in
            defer { isOpen = false }
            return isOpen
        }
        guard wasOpen else { return }
        close(master)
        close(slave)
    }

    deinit { unplug() }
}
