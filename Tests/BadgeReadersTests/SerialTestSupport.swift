// A pty pair for the serial badge reader tests: the reader opens the slave's path; the test is the reader hardware.
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

struct SerialTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A pseudo-terminal pair; ``hangUp()`` closes both ends, as when a USB serial adapter is pulled.
final class SerialPTY: Sendable {
    let master: Int32
    let slave: Int32
    let slavePath: String
    private let open = Mutex(true)

    init() throws {
        var master: Int32 = -1, slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw SerialTestFailure("openpty failed: \(String(cString: strerror(errno)))") }
        self.master = master
        self.slave = slave
        slavePath = String(cString: ttyname(slave))
    }

    /// Writes all of `bytes` on the master side (what the reader module sends).
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 { if errno == EINTR { continue }; throw SerialTestFailure("write failed: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// The line settings as the kernel holds them.
    func attributes() -> termios {
        var options = termios()
        _ = tcgetattr(slave, &options)
        return options
    }

    func hangUp() {
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
final class SerialTemporaryDirectory: Sendable {
    let path: String

    init(_ name: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("cg-badge-\(name)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
