// A serial line to read from (a badge reader, a scale): the printer transport's tty setup, without the printer.
import CounterCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One tty opened the way ``SerialPrinterTransport`` opens it: raw 8N1 at the configured rate (no echo, no newline
/// translation, no XON/XOFF), non-blocking, and exclusive (TIOCEXCL) so a getty or ModemManager cannot open it too.
///
/// Reads and writes run on DeviceKit's I/O threads, never blocking Swift's cooperative threads. A failure that ends
/// the line (the tty disappeared: ENXIO, EIO, ENODEV, ENOENT, all reported as ``TransportError/Kind-swift.enum/unplugged``)
/// (and end of file, a hang-up) closes the descriptor; the owner decides when to call ``open()`` again (with backoff).
public actor SerialPort {
    /// The tty path (`/dev/ttyUSB0`, or a stable `/dev/serial/by-id/...` link).
    public nonisolated let path: String
    /// The line's rate (8N1 always) and flow control.
    public nonisolated let settings: SerialLineSettings
    /// The name errors use, e.g. `badge reader serial:/dev/ttyUSB0`.
    public nonisolated let deviceName: String

    private var link: DescriptorLink?

    /// - Parameters:
    ///   - path: the tty.
    ///   - settings: the rate and flow control; the rate must be one of ``SerialLineSettings/supportedBaudRates``.
    ///   - role: what is on the line, for error messages (`badge reader`).
    public init(path: String, settings: SerialLineSettings = SerialLineSettings(), role: String = "serial device") {
        self.path = path
        self.settings = settings
        self.deviceName = "\(role) serial:\(path)"
    }

    /// Whether a descriptor is held.
    public var isOpen: Bool { link != nil }

    /// Opens and configures the tty; does nothing when it is open already.
    /// - Throws: `TransportError`: `.unplugged` when the path is missing, `.misconfigured` for a rate that is not
    ///   supported or a path that is no tty, `.permissionDenied`, `.busy` (another process holds it exclusively).
    public func open() async throws(TransportError) {
        guard link == nil else { return }
        let (path, settings, device) = (self.path, self.settings, self.deviceName)
        guard let speed = settings.speed else {
            throw TransportError(.misconfigured, device: device, summary: "has an unsupported baud rate",
                                 detail: "\(settings.baudRate)",
                                 advice: "use one of \(SerialLineSettings.supportedBaudRates.map(String.init).joined(separator: ", "))")
        }
        let fd = try await PrinterIOThreads.run(device: device) { _ in
            SerialPrinterTransport.openLine(path, speed: speed, flowControl: settings.flowControl, device: device)
        }
        link = DescriptorLink(fd: fd, device: device, isSocket: false, permissionAdvice: SerialPrinterTransport.permissionAdvice) { fd in
            _ = ioctl(fd, UInt(TIOCNXCL))
            _ = systemClose(fd)
        }
    }

    /// Reads up to `maxCount` bytes, waiting at most `timeout` for the first; empty when nothing came in time.
    /// - Throws: `TransportError`; `.notOpen` when not open. A failure that ends the line also closes it.
    public func read(upTo maxCount: Int, timeout: Duration) async throws(TransportError) -> [UInt8] {
        guard let link else { throw TransportError(.notOpen, device: deviceName, detail: "not opened") }
        do {
            return try await link.read(upTo: maxCount, timeout: timeout)
        } catch {
            if error.endsConnection { await drop(link) }
            // End of file on a tty is a hang-up: the adapter (or a pty's other side) is gone, as with EIO.
            if error.kind == .disconnected {
                throw TransportError(.unplugged, device: deviceName, summary: "hung up", detail: error.detail,
                                     advice: "check that it is plugged in; reading resumes when it is back")
            }
            throw error
        }
    }

    /// Writes all of `bytes` within `timeout`.
    /// - Throws: `TransportError`; `.notOpen` when not open. A failure that ends the line also closes it.
    public func write(_ bytes: [UInt8], timeout: Duration = .seconds(5)) async throws(TransportError) {
        guard let link else { throw TransportError(.notOpen, device: deviceName, detail: "not opened") }
        do {
            try await link.write(bytes, timeout: timeout)
        } catch {
            if error.endsConnection { await drop(link) }
            throw error
        }
    }

    /// Closes the descriptor (and gives up exclusivity); reads in flight end as cancelled.
    public func close() async {
        if let link { await drop(link) }
    }

    private func drop(_ old: DescriptorLink) async {
        if link === old { link = nil }
        await old.close()
    }
}
