// A page printer behind a CUPS queue, spoken to in IPP over HTTP (no libcups, no lp): the queue's state checked
// before each job, each write one Print-Job, and the job followed until CUPS reports it completed, canceled or aborted.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a CUPS scheduler listens: a host and port, or a local socket.
public enum CUPSServer: Sendable, Hashable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case local(path: String)

    /// The scheduler an address means: `host:port` as written in the address, else `CUPS_SERVER` from the
    /// environment (a host, `host:port`, or a socket path as the CUPS clients take it), else localhost:631.
    public static func resolve(_ written: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> CUPSServer {
        if let written, !written.isEmpty { return parse(written) }
        if let env = environment["CUPS_SERVER"]?.trimmingCharacters(in: .whitespaces), !env.isEmpty { return parse(env) }
        return .tcp(host: "localhost", port: 631)
    }

    /// `host`, `host:port`, `[v6]:port` or an absolute socket path.
    static func parse(_ text: String) -> CUPSServer {
        if text.hasPrefix("/") { return .local(path: text) }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            return .tcp(host: host, port: rest.hasPrefix(":") ? Int(rest.dropFirst()) ?? 631 : 631)
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, let port = Int(parts[1]) { return .tcp(host: String(parts[0]), port: port) }
        return .tcp(host: text, port: 631)
    }

    /// The `Host` header and the authority of printer URIs.
    var authority: String {
        switch self {
        case .tcp(let host, let port): return (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        case .local: return "localhost"
        }
    }

    public var description: String {
        switch self {
        case .tcp: return authority
        case .local(let path): return path
        }
    }
}

/// Prints on a CUPS queue by speaking IPP to the scheduler, for page printers (A4 lasers) that CUPS drives with
/// its own driver: the gateway sends a PDF and CUPS turns it into the printer's language.
///
/// `open()` asks the scheduler for the queue's state (Get-Printer-Attributes) and fails, naming the queue and
/// the command that fixes it, when the queue does not exist, is paused (`cupsenable`) or rejects jobs
/// (`cupsaccept`); these errors are retryable, so the spooler keeps the job waiting or moves it to the backup
/// printer, as for an unplugged printer. Each `write` is one Print-Job; it returns once CUPS reports the job
/// completed (job-state 9) and fails when CUPS reports it canceled (7) or aborted (8). A job that does not finish
/// within ``completionTimeout`` is cancelled in CUPS before the error is thrown, so that sending it again cannot
/// print the notice twice. ``canRead`` is false: the queue's state stands in for the printer's status.
public actor CUPSPrinterTransport: PrinterTransport {
    /// The queue's name, as `lpstat -p` lists it.
    public nonisolated let queue: String
    /// The scheduler.
    public nonisolated let server: CUPSServer
    /// How long one exchange with the scheduler (connect, send, answer) may take.
    public nonisolated let requestTimeout: Duration
    /// How long a job may take from submission until CUPS has sent it to the printer.
    public nonisolated let completionTimeout: Duration
    /// The name the jobs are submitted under (`job-name`), shown by `lpstat -o`.
    public nonisolated let jobName: String
    public nonisolated let deviceName: String

    private var requestID: UInt32 = 0
    private var opened = false

    /// - Parameters:
    ///   - queue: the CUPS queue.
    ///   - server: `host:port` as the address wrote it, or nil for `CUPS_SERVER` or localhost:631.
    ///   - requestTimeout: the bound on one IPP exchange.
    ///   - completionTimeout: the bound on a job's way through CUPS to the printer.
    ///   - jobName: the job's name in CUPS.
    public init(queue: String, server: String? = nil, requestTimeout: Duration = .seconds(10),
                completionTimeout: Duration = .seconds(120), jobName: String = "CounterGate notice",
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.queue = queue
        self.server = CUPSServer.resolve(server, environment: environment)
        self.requestTimeout = requestTimeout
        self.completionTimeout = completionTimeout
        self.jobName = jobName
        self.deviceName = server.map { "printer ipp://\($0)/printers/\(queue)" } ?? "printer cups:\(queue)"
    }

    public var canRead: Bool { false }

    /// The printer URI of the queue, as IPP requests name it.
    public nonisolated var printerURI: String { "ipp://\(server.authority)/printers/\(queue)" }

    /// Checks that the scheduler answers and the queue exists, is not paused and accepts jobs.
    public func open() async throws(TransportError) {
        let state = try await queueState()
        if let problem = state.problem(queue: queue, device: deviceName) { throw problem }
        opened = true
    }

    /// Submits the bytes as one job and waits until CUPS has sent it to the printer.
    public func write(_ bytes: [UInt8]) async throws(TransportError) {
        guard opened else { throw TransportError(.notOpen, device: deviceName, detail: "not opened") }
        let submit = IPPMessage.request(.printJob, id: nextID(), [
            ("printer-uri", .string(.uri, printerURI)),
            ("requesting-user-name", .string(.nameWithoutLanguage, Self.userName)),
            ("job-name", .string(.nameWithoutLanguage, jobName)),
            // CUPS finds the type itself (a PDF, PostScript, or raw bytes for a raw queue).
            ("document-format", .string(.mimeMediaType, "application/octet-stream")),
        ])
        let reply = try await exchange(submit, document: bytes, doing: "submit the job")
        guard reply.isSuccess, let jobID = reply["job-id"]?.values.first?.integer else {
            throw refusal(reply, doing: "took no job")
        }
        do {
            try await follow(jobID)
        } catch {
            // Whatever stopped the following (the scheduler gone quiet, the gateway stopping, a timeout), the job is
            // taken back in CUPS; if it had printed meanwhile, it is not reported as failed (it would print twice).
            if await takeBack(jobID) { return }
            throw error
        }
    }

    /// Cancels a job the gateway gives up on, then asks its state once more: true when it had completed after all.
    private func takeBack(_ jobID: Int32) async -> Bool {
        await cancel(jobID)
        guard let state = try? await jobState(jobID) else { return false }
        return state.0 == .completed
    }

    /// Follows a submitted job until CUPS says it completed; throws when it was cancelled, aborted or took too long.
    private func follow(_ jobID: Int32) async throws(TransportError) {
        let deadline = ContinuousClock.now + completionTimeout
        var last: (IPPJobState?, String) = (nil, "")
        while ContinuousClock.now < deadline {
            last = try await jobState(jobID)
            if let state = last.0, state.isFinal {
                switch state {
                case .completed:
                    return
                case .canceled:
                    throw TransportError(.rejected, device: deviceName, summary: "had job \(jobID) cancelled in CUPS before it printed",
                                         detail: "job-state canceled\(last.1.isEmpty ? "" : ", " + last.1)",
                                         advice: "someone cancelled it (cancel, lprm or the CUPS web page); the notice is printed again or on the backup printer")
                default:
                    throw aborted(jobID, detail: "job-state aborted" + (last.1.isEmpty ? "" : ", " + last.1))
                }
            }
            // CUPS stops a job whose filter or backend failed ("job-completed-with-errors") and may leave it stopped:
            // it is taken back at once, so that it cannot print later beside the copy sent again.
            if last.0 == .processingStopped, last.1.contains("job-completed-with-errors") {
                throw aborted(jobID, detail: "job-state processing-stopped, \(last.1); the job was cancelled in CUPS")
            }
            // Polling the job's state until the deadline (CUPS offers notifications only to subscribers).
            try await pause(.milliseconds(100))
        }
        // Not finished in time: taken back by the caller, so that printing it again later cannot give two notices.
        throw TransportError(.timedOut, device: deviceName, summary: "did not print job \(jobID) within \(TransportError.format(completionTimeout))",
                             detail: "job-state \(last.0?.keyword ?? "unknown")\(last.1.isEmpty ? "" : ", " + last.1); the job was cancelled in CUPS",
                             advice: "check the printer (paper, toner, jam) and lpstat -l -p \(queue); the notice is printed again when it is ready")
    }

    /// The error for a job CUPS could not print.
    private func aborted(_ jobID: Int32, detail: String) -> TransportError {
        TransportError(.rejected, device: deviceName, summary: "aborted job \(jobID)", detail: detail,
                       advice: "CUPS could not convert or send it: see the CUPS error log (/var/log/cups/error_log) and lpstat -l -p \(queue); the notice is printed again or on the backup printer")
    }

    /// Cancels a job in CUPS (Cancel-Job), so that it cannot print after the gateway gave up on it.
    private func cancel(_ jobID: Int32) async {
        _ = try? await exchange(IPPMessage.request(.cancelJob, id: nextID(), [
            ("printer-uri", .string(.uri, printerURI)), ("job-id", .integer(jobID)),
            ("requesting-user-name", .string(.nameWithoutLanguage, Self.userName)),
        ]), document: [], doing: "cancel the job")
    }

    public func read(upTo maxCount: Int, timeout: Duration) async throws(TransportError) -> [UInt8] {
        throw TransportError(.cannotRead, device: deviceName, detail: "CUPS passes no printer replies back",
                             advice: "the queue's state (lpstat -l -p \(queue)) stands for the printer's status")
    }

    public func close() async {
        opened = false
    }

    // MARK: - The queue and the job

    /// What Get-Printer-Attributes says about the queue.
    struct QueueState {
        var exists: Bool
        /// 3 idle, 4 processing, 5 stopped.
        var state: Int32?
        var accepting: Bool?
        var message: String
        var reasons: [String]

        func problem(queue: String, device: String) -> TransportError? {
            let detail = ([state.map { "printer-state \($0 == 5 ? "stopped" : $0 == 4 ? "processing" : "idle")" }].compactMap { $0 }
                          + (reasons.isEmpty ? [] : ["reasons " + reasons.joined(separator: ",")])
                          + (message.isEmpty ? [] : ["“\(message)”"])).joined(separator: ", ")
            if !exists {
                return TransportError(.notFound, device: device, summary: "is not a CUPS queue", detail: "client-error-not-found",
                                      advice: "create the queue (lpadmin -p \(queue) -E -v DEVICE-URI -m everywhere; lpinfo -v lists device URIs) or correct the address (lpstat -p lists the queues); the job waits or moves to the backup printer meanwhile")
            }
            if state == 5 {
                return TransportError(.rejected, device: device, summary: "is paused (stopped) in CUPS", detail: detail,
                                      advice: "resume it with cupsenable \(queue) once the printer is ready; the job waits or moves to the backup printer meanwhile")
            }
            if accepting == false {
                return TransportError(.rejected, device: device, summary: "does not accept jobs in CUPS", detail: detail,
                                      advice: "let it accept jobs again with cupsaccept \(queue); the job waits or moves to the backup printer meanwhile")
            }
            return nil
        }
    }

    func queueState() async throws(TransportError) -> QueueState {
        let request = IPPMessage.request(.getPrinterAttributes, id: nextID(), [
            ("printer-uri", .string(.uri, printerURI)),
            ("requesting-user-name", .string(.nameWithoutLanguage, Self.userName)),
        ])
        let reply = try await exchange(request, document: [], doing: "ask for the queue's state")
        if reply.code == 0x0406 { return QueueState(exists: false, message: "", reasons: []) }  // client-error-not-found
        guard reply.isSuccess else { throw refusal(reply, doing: "did not say the queue's state") }
        return QueueState(exists: true, state: reply["printer-state"]?.values.first?.integer,
                          accepting: reply["printer-is-accepting-jobs"]?.values.first?.boolean,
                          message: reply["printer-state-message"]?.values.first?.text ?? "",
                          reasons: (reply["printer-state-reasons"]?.values.map(\.text) ?? []).filter { $0 != "none" })
    }

    /// The job's state and its reasons.
    func jobState(_ jobID: Int32) async throws(TransportError) -> (IPPJobState?, String) {
        let request = IPPMessage.request(.getJobAttributes, id: nextID(), [
            ("printer-uri", .string(.uri, printerURI)), ("job-id", .integer(jobID)),
            ("requesting-user-name", .string(.nameWithoutLanguage, Self.userName)),
        ])
        let reply = try await exchange(request, document: [], doing: "follow job \(jobID)")
        guard reply.isSuccess else { throw refusal(reply, doing: "lost track of job \(jobID)") }
        let state = reply["job-state"]?.values.first?.integer.flatMap(IPPJobState.init(rawValue:))
        let reasons = (reply["job-state-reasons"]?.values.map(\.text) ?? []).filter { $0 != "none" }.joined(separator: ",")
        return (state, reasons)
    }

    func refusal(_ reply: IPPMessage, doing: String) -> TransportError {
        let message = reply["status-message"]?.values.first?.text ?? ""
        let code = "IPP status 0x" + String(reply.code, radix: 16) + (message.isEmpty ? "" : ": \(message)")
        switch reply.code {
        case 0x0401, 0x0402, 0x0403:
            return TransportError(.permissionDenied, device: deviceName, summary: doing, detail: code,
                                  advice: "allow the gateway's user to print on \(queue) (the queue's policy in /etc/cups/cupsd.conf, or lpadmin -p \(queue) -u allow:USER)")
        case 0x0406:
            return TransportError(.notFound, device: deviceName, summary: "is not a CUPS queue", detail: code,
                                  advice: "create it with lpadmin -p \(queue) -E -v DEVICE-URI -m everywhere, or correct the address (lpstat -p lists the queues)")
        case 0x0506:
            return TransportError(.rejected, device: deviceName, summary: "does not accept jobs in CUPS", detail: code,
                                  advice: "let it accept jobs again with cupsaccept \(queue)")
        default:
            return TransportError(.rejected, device: deviceName, summary: doing, detail: code,
                                  advice: "check the queue with lpstat -l -p \(queue) and the CUPS error log")
        }
    }

    private func nextID() -> UInt32 {
        requestID &+= 1
        return requestID
    }

    private func pause(_ duration: Duration) async throws(TransportError) {
        do { try await Task.sleep(for: duration) } catch {
            throw TransportError(.cancelled, device: deviceName, detail: "cancelled while following the job")
        }
    }

    /// The user jobs are submitted as: the process's user.
    static var userName: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "countergate"
    }

    // MARK: - HTTP

    /// Sends one IPP request (followed by `document`) as an HTTP/1.0 POST and returns the decoded reply.
    func exchange(_ message: IPPMessage, document: [UInt8], doing: String) async throws(TransportError) -> IPPMessage {
        let (server, device, timeout) = (self.server, self.deviceName, self.requestTimeout)
        // A document may take longer to send than a request: allow a second per megabyte on top.
        let allowed = timeout + .seconds(document.count / 1_000_000)
        let body = message.encoded() + document
        let response = try await PrinterIOThreads.run(device: device) { stop in
            Self.post(body, to: server, path: "/printers/", until: ContinuousClock.now + allowed, stop: stop, device: device, timeout: allowed)
        }
        guard let reply = IPPMessage(decoding: response) else {
            throw TransportError(.ioFailure, device: device, summary: "got an answer that is not IPP when trying to \(doing)",
                                 detail: "\(response.count) bytes", advice: "check that \(server) is a CUPS scheduler")
        }
        return reply
    }

    /// A blocking HTTP exchange on an I/O thread: connect, send, read until the server closes.
    static func post(_ body: [UInt8], to server: CUPSServer, path: String, until deadline: ContinuousClock.Instant,
                     stop: StopSignal, device: String, timeout: Duration) -> Result<[UInt8], TransportError> {
        let fd: Int32
        switch connect(server, until: deadline, stop: stop, device: device) {
        case .success(let descriptor): fd = descriptor
        case .failure(let error): return .failure(error)
        }
        defer { closeDescriptor(fd) }
        let head = "POST \(path) HTTP/1.0\r\nHost: \(server.authority)\r\nContent-Type: application/ipp\r\nContent-Length: \(body.count)\r\nUser-Agent: CounterGate\r\n\r\n"
        if case .failure(let failure) = DescriptorIO.writeAll(fd, Array(head.utf8) + body, until: deadline, stops: [stop], socket: true) {
            return .failure(TransportError.from(failure, device: device, doing: "send to CUPS", timeout: timeout))
        }
        var response: [UInt8] = []
        while true {
            switch DescriptorIO.read(fd, upTo: 65536, until: deadline, stops: [stop]) {
            case .success(let chunk):
                if chunk.isEmpty {
                    return .failure(TransportError(.timedOut, device: device, summary: "got no answer from CUPS at \(server) within \(TransportError.format(timeout))",
                                                   detail: "\(response.count) bytes so far", advice: "check that the CUPS scheduler runs (systemctl status cups)"))
                }
                response += chunk
                // An IPP answer about a job or a queue is a few kilobytes: a scheduler that sends more is not trusted.
                guard response.count <= 1 << 20 else {
                    return .failure(TransportError(.rejected, device: device, summary: "got an answer of more than 1 MiB from CUPS at \(server)",
                                                   detail: "\(response.count) bytes", advice: "check that \(server) is a CUPS scheduler"))
                }
            case .failure(.endOfStream):
                return HTTPReply.body(of: response, device: device, server: server)
            case .failure(let failure):
                return .failure(TransportError.from(failure, device: device, doing: "read from CUPS", timeout: timeout))
            }
        }
    }

    /// A connected, non-blocking socket to the scheduler.
    static func connect(_ server: CUPSServer, until deadline: ContinuousClock.Instant, stop: StopSignal, device: String) -> Result<Int32, TransportError> {
        let schedulerDown = "start the CUPS scheduler (systemctl start cups), or check the server in the address or CUPS_SERVER"
        switch server {
        case .local(let path):
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return .failure(TransportError.from(.system(call: "socket", errno: errno), device: device, doing: "connect")) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
                closeDescriptor(fd)
                return .failure(TransportError(.misconfigured, device: device, summary: "has a CUPS socket path that is too long", detail: path))
            }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, b) in bytes.enumerated() { raw[i] = b }
            }
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connectDescriptor(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if result != 0 {
                let code = errno
                closeDescriptor(fd)
                return .failure(TransportError(code == ENOENT || code == ECONNREFUSED ? .connectionRefused : .ioFailure, device: device,
                                               summary: "cannot reach the CUPS scheduler at \(path)", detail: "connect: \(DescriptorIO.message(code))",
                                               advice: schedulerDown))
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            return .success(fd)
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_family = AF_UNSPEC
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &list)
            guard status == 0, let first = list else {
                return .failure(TransportError(.notFound, device: device, summary: "cannot find the CUPS server \(host)",
                                               detail: String(cString: gai_strerror(status)), advice: "check the host name in the address or CUPS_SERVER"))
            }
            defer { freeaddrinfo(list) }
            var lastError = TransportError(.connectionRefused, device: device, summary: "cannot reach the CUPS scheduler at \(server)", detail: "no address", advice: schedulerDown)
            var entry: UnsafeMutablePointer<addrinfo>? = first
            while let info = entry {
                entry = info.pointee.ai_next
                let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
                if fd < 0 { continue }
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                var result = connectDescriptor(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
                if result != 0 && errno == EINPROGRESS {
                    switch DescriptorIO.wait(fd, for: Int16(POLLOUT), until: deadline, stops: [stop]) {
                    case .success(.ready):
                        var code: Int32 = 0
                        var length = socklen_t(MemoryLayout<Int32>.size)
                        getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
                        result = code == 0 ? 0 : -1
                        errno = code
                    case .success(.timedOut):
                        closeDescriptor(fd)
                        return .failure(TransportError(.timedOut, device: device, summary: "cannot reach the CUPS scheduler at \(server) in time",
                                                       detail: "connect timed out", advice: schedulerDown))
                    case .success(.stopped):
                        closeDescriptor(fd)
                        return .failure(TransportError.from(.stopped, device: device, doing: "connect"))
                    case .failure(let failure):
                        closeDescriptor(fd)
                        return .failure(TransportError.from(failure, device: device, doing: "connect"))
                    }
                }
                if result == 0 { return .success(fd) }
                let code = errno
                closeDescriptor(fd)
                var error = TransportError.from(.system(call: "connect", errno: code), device: device, doing: "connect")
                error = TransportError(error.kind, device: device, summary: "cannot reach the CUPS scheduler at \(server)", detail: error.detail,
                                       advice: error.kind == .connectionRefused ? schedulerDown : error.advice)
                lastError = error
            }
            return .failure(lastError)
        }
    }
}

/// The body of an HTTP/1.x response (Content-Length, chunked, or up to the end), or the error its status means.
enum HTTPReply {
    static func body(of response: [UInt8], device: String, server: CUPSServer) -> Result<[UInt8], TransportError> {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let split = firstIndex(of: separator, in: response) else {
            return .failure(TransportError(.disconnected, device: device, summary: "got a cut-off answer from CUPS at \(server)",
                                           detail: "\(response.count) bytes, no end of headers", advice: "check the CUPS scheduler; retrying may help"))
        }
        let head = String(decoding: response[..<split], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let status = lines.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        var body = Array(response[(split + 4)...])
        let headers = lines.dropFirst().map { $0.lowercased() }
        if headers.contains(where: { $0.hasPrefix("transfer-encoding:") && $0.contains("chunked") }) {
            guard let decoded = dechunk(body) else {
                return .failure(TransportError(.disconnected, device: device, summary: "got a cut-off answer from CUPS at \(server)", detail: "bad chunked body"))
            }
            body = decoded
        }
        guard status == 200 else {
            let kind: TransportError.Kind = status == 401 || status == 403 ? .permissionDenied : .rejected
            return .failure(TransportError(kind, device: device, summary: "was refused by CUPS at \(server)", detail: lines.first ?? "",
                                           advice: status == 401 || status == 403 ? "allow the gateway's host and user in /etc/cups/cupsd.conf" : "check the CUPS error log"))
        }
        return .success(body)
    }

    static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, start >= 0, haystack.count - start >= needle.count else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// A chunked body (RFC 9112, 7.1) decoded; nil when it is malformed in any way (a size that is not hexadecimal,
    /// negative, longer than what came, or a body without its last chunk), never a crash.
    static func dechunk(_ bytes: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = [], at = 0
        let hex = Set("0123456789abcdefABCDEF".utf8)
        while at < bytes.count {
            guard let lineEnd = firstIndex(of: [13, 10], in: bytes, from: at) else { return nil }
            let sizeBytes = bytes[at..<lineEnd].prefix { $0 != UInt8(ascii: ";") }.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
            guard !sizeBytes.isEmpty, sizeBytes.count <= 8, sizeBytes.allSatisfy({ hex.contains($0) }),
                  let size = Int(String(decoding: sizeBytes, as: UTF8.self), radix: 16) else { return nil }
            at = lineEnd + 2
            if size == 0 { return out }
            guard size <= bytes.count - at else { return nil }
            out += bytes[at..<(at + size)]
            at += size + 2
        }
        return nil
    }
}

// `close` and `connect` are also names of the transports' own methods; these name the system calls unambiguously.
@inline(__always) private func closeDescriptor(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}

@inline(__always) private func connectDescriptor(_ fd: Int32, _ address: UnsafePointer<sockaddr>!, _ length: socklen_t) -> Int32 {
    #if canImport(Glibc)
    Glibc.connect(fd, address, length)
    #else
    Darwin.connect(fd, address, length)
    #endif
}
