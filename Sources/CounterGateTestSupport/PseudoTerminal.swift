// Serial hardware and device nodes for tests (test support, never in the gateway): a pty pair whose slave side the
// code under test opens as its tty, and a temporary directory for FIFOs and files standing in for device nodes.
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Why a piece of test support could not be set up.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A pseudo-terminal pair: the code under test opens ``slavePath`` as its serial line; the test is the hardware on
/// the master side. ``hangUp()`` closes both ends, as when a USB serial adapter is pulled.
public final class PseudoTerminal: Sendable {
    public let master: Int32
    public let slave: Int32
    public let slavePath: String
    private let open = Mutex(true)

    public init() throws {
        var master: Int32 = -1, slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw TestSupportError("openpty failed: \(String(cString: strerror(errno)))") }
        self.master = master
        self.slave = slave
        slavePath = String(cString: ttyname(slave))
    }

    /// Writes all of `bytes` on the master side (what the device sends).
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 { if errno == EINTR { continue }; throw TestSupportError("write failed: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// The line settings as the kernel holds them for the tty.
    public func attributes() -> termios {
        var options = termios()
        _ = tcgetattr(slave, &options)
        return options
    }

    /// Ends the pair: the slave side sees a hang-up.
    public func hangUp() {
        let wasOpen = open.withLock { isOpen in
            defer { isOpen = false }
            return isOpen
        }
        guard wasOpen else { return }
        close(master)
        close(slave)
    }

    deinit { hangUp() }
}

/// A temporary directory removed when the test is done with it.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(_ name: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("cg-\(name)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
