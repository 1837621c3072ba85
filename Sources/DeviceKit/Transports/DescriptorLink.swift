// One open descriptor to a printer (a socket, /dev/usb/lpN, a tty): bounded writes and reads on the I/O threads.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The open half of the descriptor-backed transports (TCP, file, serial): they differ in how they open and
/// share how bytes move.
final class DescriptorLink: Sendable {
    let device: String
    let isSocket: Bool
    let permissionAdvice: String?
    private let held: HeldDevice<Int32>

    /// Takes ownership of `fd`, which must be non-blocking; ``close()`` hands it to `release` (which closes it).
    init(fd: Int32, device: String, isSocket: Bool, permissionAdvice: String? = nil,
         release: @escaping @Sendable (Int32) -> Void = { _ = systemClose($0) }) {
        self.device = device
        self.isSocket = isSocket
        self.permissionAdvice = permissionAdvice
        held = HeldDevice(fd, release: release)
    }

    func write(_ bytes: [UInt8], timeout: Duration) async throws(TransportError) {
        let deadline = ContinuousClock.now + timeout
        let (held, device, isSocket, advice) = (self.held, self.device, self.isSocket, self.permissionAdvice)
        try await PrinterIOThreads.run(device: device) { stop in
            let outcome = held.use { fd in
                DescriptorIO.writeAll(fd, bytes, until: deadline, stops: [stop, held.closingSignal], socket: isSocket)
            } ?? .failure(.stopped)
            return outcome.mapError { TransportError.from($0, device: device, doing: "write", timeout: timeout, permissionAdvice: advice) }
        }
    }

    func read(upTo maxCount: Int, timeout: Duration) async throws(TransportError) -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        let (held, device, advice) = (self.held, self.device, self.permissionAdvice)
        return try await PrinterIOThreads.run(device: device) { stop in
            let outcome = held.use { fd in
                DescriptorIO.read(fd, upTo: maxCount, until: deadline, stops: [stop, held.closingSignal])
            } ?? .failure(.stopped)
            return outcome.mapError { TransportError.from($0, device: device, doing: "read", timeout: timeout, permissionAdvice: advice) }
        }
    }

    func close() async {
        await held.close()
    }
}

/// Kinds of failure after which the descriptor is useless: the transport drops it, and the next call reopens.
extension TransportError {
    var endsConnection: Bool {
        switch kind {
        case .unplugged, .disconnected, .timedOut, .ioFailure, .outOfPaper, .cancelled: return true
        default: return false
        }
    }
}

@inline(__always) func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(fd)
    #else
    Darwin.close(fd)
    #endif
}

@inline(__always) func systemOpen(_ path: String, _ flags: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.open(path, flags)
    #else
    Darwin.open(path, flags)
    #endif
}

/// What the descriptor-backed transports (TCP, file, serial) share once open: moving bytes through the current
/// link, reopening it when the caller had opened the transport, and dropping it when a failure ends it. Each
/// transport keeps only how it opens.
protocol DescriptorLinkHolder: Actor {
    var link: DescriptorLink? { get set }
    /// Whether the caller opened the transport (so a dropped link is reopened by the next call).
    var wantsOpen: Bool { get set }
    nonisolated var deviceName: String { get }
    nonisolated var writeTimeout: Duration { get }
    func open() async throws(TransportError)
}

extension DescriptorLinkHolder {
    func writeThroughLink(_ bytes: [UInt8]) async throws(TransportError) {
        let link = try await currentLink()
        do {
            try await link.write(bytes, timeout: writeTimeout)
        } catch {
            if error.endsConnection { await drop(link) }
            throw error
        }
    }

    func readThroughLink(upTo maxCount: Int, timeout: Duration) async throws(TransportError) -> [UInt8] {
        let link = try await currentLink()
        do {
            return try await link.read(upTo: maxCount, timeout: timeout)
        } catch {
            if error.endsConnection { await drop(link) }
            throw error
        }
    }

    func closeLink() async {
        wantsOpen = false
        if let link { await drop(link) }
    }

    private func currentLink() async throws(TransportError) -> DescriptorLink {
        if link == nil, wantsOpen { try await open() }
        guard let link else { throw TransportError(.notOpen, device: deviceName, detail: "not opened") }
        return link
    }

    private func drop(_ old: DescriptorLink) async {
        if link === old { link = nil }
        await old.close()
    }
}
