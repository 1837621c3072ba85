// A printer on a serial line (RS-232 or a USB serial adapter): termios raw 8N1 at the configured rate.
import CounterCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SerialLineSettings {
    /// The termios speed constant for the rate, nil for a rate not in ``supportedBaudRates``.
    var speed: speed_t? {
        switch baudRate {
        case 9600: return speed_t(B9600)
        case 19200: return speed_t(B19200)
        case 38400: return speed_t(B38400)
        case 57600: return speed_t(B57600)
        case 115200: return speed_t(B115200)
        default: return nil
        }
    }
}


/// Writes to a serial printer through its tty (`/dev/ttyUSB0`, `/dev/ttyS0`, or a stable
/// `/dev/serial/by-id/...` link).
///
/// Opening puts the line in raw mode (no newline translation, no XON/XOFF, no echo, 8N1) at the configured rate,
/// and takes it exclusively (TIOCEXCL) so that a getty or ModemManager cannot open it meanwhile. When the tty
/// disappears (a USB serial adapter was pulled) the error is ``TransportError/Kind-swift.enum/unplugged`` and the
/// next `write` reopens the path, so printing resumes when the adapter is back.
public actor SerialPrinterTransport: PrinterTransport, DescriptorLinkHolder {
    /// The tty path.
    public nonisolated let path: String
    public nonisolated let settings: SerialLineSettings
    /// How long one `write` may take before it fails with a timeout (with RTS/CTS, a full printer stalls writes).
    public nonisolated let writeTimeout: Duration
    public nonisolated let deviceName: String

    var link: DescriptorLink?
    var wantsOpen = false

    /// - Parameters:
    ///   - path: the tty.
    ///   - settings: the line's rate and flow control.
    ///   - writeTimeout: the bound on one `write`.
    public init(path: String, settings: SerialLineSettings = SerialLineSettings(), writeTimeout: Duration = .seconds(10)) {
        self.path = path
        self.settings = settings
        self.writeTimeout = writeTimeout
        self.deviceName = "printer serial:\(path)"
    }

    /// Serial printers answer status requests on the same line.
    public var canRead: Bool { true }

    public func open() async throws(TransportError) {
        wantsOpen = true
        guard link == nil else { return }
        let (path, settings, device) = (self.path, self.settings, self.deviceName)
        guard let speed = settings.speed else {
            throw TransportError(.misconfigured, device: device, summary: "has an unsupported baud rate",
                                 detail: "\(settings.baudRate)",
                                 advice: "use one of \(SerialLineSettings.supportedBaudRates.map(String.init).joined(separator: ", ")), as set on the printer")
        }
        let fd = try await PrinterIOThreads.run(device: device) { _ in
            Self.openLine(path, speed: speed, flowControl: settings.flowControl, device: device)
        }
        link = DescriptorLink(fd: fd, device: device, isSocket: false, permissionAdvice: Self.permissionAdvice) { fd in
            // Exclusivity outlives our descriptor while anyone else has the tty open; give it up so we can reopen.
            _ = ioctl(fd, UInt(TIOCNXCL))
            _ = systemClose(fd)
        }
    }

    public func write(_ bytes: [UInt8]) async throws(TransportError) {
        try await writeThroughLink(bytes)
    }

    public func read(upTo maxCount: Int, timeout: Duration) async throws(TransportError) -> [UInt8] {
        return try await readThroughLink(upTo: maxCount, timeout: timeout)
    }

    public func close() async {
        await closeLink()
    }


    static let permissionAdvice = "add the service user to group dialout, or install udev/70-countergate.rules and add it to group countergate"

    /// Opens and configures the tty; on any failure the descriptor is closed again.
    static func openLine(_ path: String, speed: speed_t, flowControl: SerialLineSettings.FlowControl,
                                 device: String) -> Result<Int32, TransportError> {
        func failure(_ call: String, _ code: Int32) -> TransportError {
            TransportError.from(.system(call: call, errno: code), device: device, doing: "open", permissionAdvice: permissionAdvice)
        }
        // O_NONBLOCK also keeps open() from waiting for carrier detect on a line without CLOCAL yet.
        let fd = systemOpen(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(failure("open", errno)) }
        var options = termios()
        guard tcgetattr(fd, &options) == 0 else {
            let code = errno
            _ = systemClose(fd)
            if code == ENOTTY {
                return .failure(TransportError(.misconfigured, device: device, summary: "is not a serial port",
                                               detail: "tcgetattr: \(DescriptorIO.message(code))",
                                               advice: "use a tty path such as /dev/ttyUSB0, or the plain path for /dev/usb/lpN"))
            }
            return .failure(failure("tcgetattr", code))
        }
        cfmakeraw(&options)
        // cfmakeraw leaves XOFF sending on: a printer must never see XON/XOFF bytes we did not send.
        options.c_iflag &= ~tcflag_t(IXOFF | IXANY)
        options.c_cflag &= ~tcflag_t(CSIZE | PARENB | CSTOPB)
        options.c_cflag |= tcflag_t(CS8 | CLOCAL | CREAD)
        if flowControl == .rtsCts {
            options.c_cflag |= tcflag_t(CRTSCTS)
        } else {
            options.c_cflag &= ~tcflag_t(CRTSCTS)
        }
        withUnsafeMutableBytes(of: &options.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        cfsetispeed(&options, speed)
        cfsetospeed(&options, speed)
        guard tcsetattr(fd, TCSANOW, &options) == 0 else {
            let code = errno
            _ = systemClose(fd)
            return .failure(failure("tcsetattr", code))
        }
        // Drop what the printer sent before we listened (a power-on status byte), so replies match requests.
        _ = tcflush(fd, TCIOFLUSH)
        _ = ioctl(fd, UInt(TIOCEXCL))
        return .success(fd)
    }
}
