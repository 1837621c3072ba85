// How bytes reach a receipt printer: one protocol over raw TCP, /dev/usb/lpN, serial ttys, libusb and CUPS queues.

/// A byte pipe to one receipt printer.
///
/// The spooler drives a transport from one task at a time: `open()`, any number of `write(_:)` and
/// `read(upTo:timeout:)` calls, then `close()`. Every call is bounded by a timeout, never blocks one of Swift's
/// cooperative threads (blocking system calls run on the printer I/O threads), and fails with a
/// ``TransportError`` that names the printer, says what to do and whether retrying can help.
///
/// `write` returns once the operating system (or the USB host controller) accepted every byte; it does not mean
/// paper came out. Confirming that is the status layer's job (`GS r`, `DLE EOT`) over `read`.
public protocol PrinterTransport: Sendable {
    /// The printer as people name it in logs and errors, e.g. `printer usb:1-1.2 (0416:5011)`.
    var deviceName: String { get }

    /// Whether this transport has a read side for status replies (`DLE EOT`, `GS r`, ASB).
    /// A TCP socket and a bidirectional USB printer (interface protocol 2) have one; a CUPS queue does not.
    var canRead: Bool { get async }

    /// Connects to or opens the printer. Calling it on an open transport does nothing.
    func open() async throws(TransportError)

    /// Sends the whole buffer, or fails. On a timeout or an unplug the transport is left closed: part of the
    /// buffer may have reached the printer, and the next `write` or `open` starts afresh.
    /// - Parameter bytes: the bytes to send, in order.
    func write(_ bytes: [UInt8]) async throws(TransportError)

    /// Reads what the printer has sent, waiting at most `timeout` for the first byte.
    /// - Parameters:
    ///   - maxCount: the most bytes to return.
    ///   - timeout: how long to wait when nothing has arrived yet.
    /// - Returns: between 1 and `maxCount` bytes, or an empty array when nothing arrived in time.
    /// - Throws: ``TransportError/Kind-swift.enum/cannotRead`` when ``canRead`` is false.
    func read(upTo maxCount: Int, timeout: Duration) async throws(TransportError) -> [UInt8]

    /// Releases the printer (closes the socket or file, releases the USB interface and gives it back to the
    /// kernel's `usblp` driver). Safe to call twice and on a transport that never opened.
    func close() async
}

extension PrinterTransport {
    /// Writes a status request and waits for its reply, as `DLE EOT n` and `GS r n` need.
    /// - Parameters:
    ///   - request: the bytes of the request.
    ///   - maxCount: the most bytes to read back.
    ///   - timeout: how long to wait for the reply.
    /// - Returns: the reply, empty when the printer did not answer in time.
    public func exchange(_ request: [UInt8], replyUpTo maxCount: Int = 1, timeout: Duration) async throws(TransportError) -> [UInt8] {
        try await write(request)
        return try await read(upTo: maxCount, timeout: timeout)
    }
}

/// Why a transport failed, for the person who has to fix it.
///
/// The description reads as one sentence: the printer, what happened, the system's own words in brackets, and
/// what to do, e.g. `printer usb:1-1.2 (0416:5011) is busy (Resource busy): another driver holds it — …`.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; decides whether retrying can help.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The address is wrong or does not fit the device (no printer interface, baud rate not supported).
        case misconfigured
        /// The device or host is not there (yet): no matching USB device, no such host name.
        case notFound
        /// The device went away: the node vanished or the USB device was unplugged.
        case unplugged
        /// Another driver or program holds the device.
        case busy
        /// The operating system refuses access; an administrator has to grant it.
        case permissionDenied
        /// The printer did not accept (or the network did not connect) within the time allowed.
        case timedOut
        /// Nothing listens on the printer's port: powered but not ready, or the wrong port.
        case connectionRefused
        /// The network has no route to the printer.
        case unreachable
        /// The printer or a program in between closed the connection.
        case disconnected
        /// The printer's driver reports it out of paper (usblp's ENOSPC).
        case outOfPaper
        /// `read` on a transport without a read side.
        case cannotRead
        /// `write` or `read` before `open`, or after `close`.
        case notOpen
        /// The call was cancelled (the spooler is stopping) or the transport was closed during it.
        case cancelled
        /// A program the transport needs (CUPS's `lp`) is not installed.
        case toolMissing
        /// The spooler program (CUPS's `lp`) refused the job: its scheduler is down or the queue is not accepting jobs.
        case rejected
        /// Any other input/output failure.
        case ioFailure
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// The printer, e.g. `printer tcp://10.0.3.7:9100` or `printer usb:1-1.2 (0416:5011)`.
    public let device: String
    /// What happened, in words, e.g. `is busy`.
    public let summary: String
    /// The system's own words (`Resource busy`, `LIBUSB_ERROR_TIMEOUT`, lp's message), for searching and support.
    public let detail: String
    /// What to do about it.
    public let advice: String

    /// Creates an error.
    /// - Parameters:
    ///   - kind: the kind of failure.
    ///   - device: the printer's name, as ``PrinterTransport/deviceName``.
    ///   - summary: what happened (`is busy`); a default per kind when nil.
    ///   - detail: the system's own words.
    ///   - advice: what to do; a default per kind when nil.
    public init(_ kind: Kind, device: String, summary: String? = nil, detail: String, advice: String? = nil) {
        self.kind = kind
        self.device = device
        self.summary = summary ?? kind.defaultSummary
        self.detail = detail
        self.advice = advice ?? kind.defaultAdvice
    }

    /// Whether trying again later can succeed without anyone changing the configuration or the system.
    /// The spooler retries these with backoff (and fails over to the backup printer); the others fail the job.
    public var isRetryable: Bool {
        switch kind {
        case .notFound, .unplugged, .busy, .timedOut, .connectionRefused, .unreachable, .disconnected, .outOfPaper, .rejected, .cancelled, .ioFailure:
            return true
        case .misconfigured, .permissionDenied, .cannotRead, .notOpen, .toolMissing:
            return false
        }
    }

    public var description: String {
        let system = detail.isEmpty ? "" : " (\(detail))"
        return "\(device) \(summary)\(system): \(advice)"
    }
}

extension TransportError.Kind {
    var defaultSummary: String {
        switch self {
        case .misconfigured: return "is misconfigured"
        case .notFound: return "is not connected"
        case .unplugged: return "is unplugged"
        case .busy: return "is busy"
        case .permissionDenied: return "may not be opened by this user"
        case .timedOut: return "timed out"
        case .connectionRefused: return "refused the connection"
        case .unreachable: return "cannot be reached"
        case .disconnected: return "closed the connection"
        case .outOfPaper: return "is out of paper"
        case .cannotRead: return "cannot send status back"
        case .notOpen: return "is not open"
        case .cancelled: return "was interrupted"
        case .toolMissing: return "cannot be printed to"
        case .rejected: return "refused the job"
        case .ioFailure: return "failed"
        }
    }

    var defaultAdvice: String {
        switch self {
        case .misconfigured: return "check the printer's address in the configuration"
        case .notFound: return "check the cable and the power; printing resumes when it is back"
        case .unplugged: return "plug it back in; printing resumes when it is back"
        case .busy: return "another program holds it; close it, and check no CUPS queue uses this printer"
        case .permissionDenied: return "install udev/70-countergate.rules and add the service user to group countergate"
        case .timedOut: return "check that it is switched on, online, has paper and its cover is closed"
        case .connectionRefused: return "check that the printer is switched on and that the port is right (raw printing is usually 9100)"
        case .unreachable: return "check the network cable and the printer's IP address"
        case .disconnected: return "check the printer and the network; the job will be sent again"
        case .outOfPaper: return "load paper"
        case .cannotRead: return "status needs a bidirectional connection (TCP, or USB with a bulk IN endpoint)"
        case .notOpen: return "open the transport first (a CounterGate bug if you see this)"
        case .cancelled: return "the job was cancelled or the gateway is stopping; part of it may have printed, and it is sent again when printing resumes"
        case .toolMissing: return "install the missing program"
        case .rejected: return "check the queue with lpstat -p"
        case .ioFailure: return "check the printer and its cable; retrying may help"
        }
    }
}
