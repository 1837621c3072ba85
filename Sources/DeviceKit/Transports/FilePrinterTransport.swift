// A printer behind a character device the kernel made: /dev/usb/lpN (usblp), a parallel port, or any such path.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes to a device node, typically the kernel's `/dev/usb/lpN` for a USB printer bound to `usblp`.
///
/// The node is opened non-blocking so that every write is bounded by ``writeTimeout``. When the node vanishes
/// (the printer was unplugged: ENODEV, ENOENT) the error is ``TransportError/Kind-swift.enum/unplugged`` and the
/// next `write` reopens the path, so printing resumes when the printer is back — possibly as another `lpN`;
/// a udev `SYMLINK` (see `udev/70-countergate.rules`) gives it a stable name.
public actor FilePrinterTransport: PrinterTransport, DescriptorLinkHolder {
    /// The device node, e.g. `/dev/usb/lp0`.
    public nonisolated let path: String
    /// Whether to open read-write and read status replies; usblp supports it for bidirectional printers.
    public nonisolated let readable: Bool
    /// How long one `write` may take before it fails with a timeout.
    public nonisolated let writeTimeout: Duration
    public nonisolated let deviceName: String

    var link: DescriptorLink?
    /// Set by `open`, cleared by `close`: a write after an unplug reopens only if the caller had opened.
    var wantsOpen = false

    /// - Parameters:
    ///   - path: the device node.
    ///   - readable: open read-write, for printers that answer status requests.
    ///   - writeTimeout: the bound on one `write`.
    public init(path: String, readable: Bool = false, writeTimeout: Duration = .seconds(10)) {
        self.path = path
        self.readable = readable
        self.writeTimeout = writeTimeout
        self.deviceName = "printer \(path)"
    }

    public var canRead: Bool { readable }

    public func open() async throws(TransportError) {
        wantsOpen = true
        guard link == nil else { return }
        _ = PrinterIOThreads.ignoreBrokenPipes
        let (path, readable, device) = (self.path, self.readable, self.deviceName)
        // O_NONBLOCK: a printer that stops taking data must not hold a thread past the timeout.
        // O_NOCTTY: if the path is a tty after all, it must not become the gateway's controlling terminal.
        let flags = (readable ? O_RDWR : O_WRONLY) | O_NOCTTY | O_NONBLOCK | O_CLOEXEC
        let fd = try await PrinterIOThreads.run(device: device) { _ -> Result<Int32, TransportError> in
            let fd = systemOpen(path, flags)
            if fd < 0 {
                return .failure(TransportError.from(.system(call: "open", errno: errno), device: device, doing: "open",
                                                    permissionAdvice: Self.permissionAdvice))
            }
            return .success(fd)
        }
        link = DescriptorLink(fd: fd, device: device, isSocket: false, permissionAdvice: Self.permissionAdvice)
    }

    public func write(_ bytes: [UInt8]) async throws(TransportError) {
        try await writeThroughLink(bytes)
    }

    public func read(upTo maxCount: Int, timeout: Duration) async throws(TransportError) -> [UInt8] {
        guard readable else {
            throw TransportError(.cannotRead, device: deviceName, detail: "opened write-only",
                                 advice: "configure the printer as readable to read status from \(path)")
        }
        return try await readThroughLink(upTo: maxCount, timeout: timeout)
    }

    public func close() async {
        await closeLink()
    }


    static let permissionAdvice = "install udev/70-countergate.rules and add the service user to group countergate (usblp's nodes belong to group lp)"
}
