// A network printer taking raw bytes on a TCP port (9100, "JetDirect"/"RAW" printing).
import CounterCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends to a network receipt printer over raw TCP, by default on port 9100.
///
/// Connecting is bounded by ``connectTimeout`` over all of the host's addresses, each write by ``writeTimeout``.
/// The printer's replies to status requests come back on the same connection. A write that times out or finds
/// the connection reset closes it; the next `write` connects again.
public actor TCPPrinterTransport: PrinterTransport, DescriptorLinkHolder {
    /// The printer's host name or address.
    public nonisolated let host: String
    public nonisolated let port: Int
    /// How long connecting may take.
    public nonisolated let connectTimeout: Duration
    /// How long one `write` may take.
    public nonisolated let writeTimeout: Duration
    public nonisolated let deviceName: String

    var link: DescriptorLink?
    var wantsOpen = false

    /// - Parameters:
    ///   - host: the printer's host name or IP address (IPv6 without brackets).
    ///   - port: raw printing's port, 9100 unless the printer is set otherwise.
    ///   - connectTimeout: the bound on connecting.
    ///   - writeTimeout: the bound on one `write`.
    public init(host: String, port: Int = 9100, connectTimeout: Duration = .seconds(5), writeTimeout: Duration = .seconds(10)) {
        self.host = host
        self.port = port
        self.connectTimeout = connectTimeout
        self.writeTimeout = writeTimeout
        self.deviceName = "printer " + PrinterAddress.tcp(host: host, port: port).description
    }

    public var canRead: Bool { true }

    public func open() async throws(TransportError) {
        wantsOpen = true
        guard link == nil else { return }
        let (host, port, device) = (self.host, self.port, self.deviceName)
        let deadline = ContinuousClock.now + connectTimeout
        let timeout = connectTimeout
        let fd = try await PrinterIOThreads.run(device: device) { stop in
            Self.connect(host: host, port: port, until: deadline, timeout: timeout, stop: stop, device: device)
        }
        link = DescriptorLink(fd: fd, device: device, isSocket: true)
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


    /// Resolves the host and tries its addresses in order until one connects or the deadline passes.
    private static func connect(host: String, port: Int, until deadline: ContinuousClock.Instant, timeout: Duration,
                                stop: StopSignal, device: String) -> Result<Int32, TransportError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            let reason = String(cString: gai_strerror(status))
            return .failure(TransportError(.notFound, device: device, summary: "cannot be found on the network",
                                           detail: "resolving \(host): \(reason)",
                                           advice: "check the printer's host name or IP address in the configuration, and the DNS server"))
        }
        defer { freeaddrinfo(list) }
        var lastFailure = DescriptorFailure.timedOut(done: 0)
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            entry = current.pointee.ai_next
            let info = current.pointee
            let fd = socket(info.ai_family, info.ai_socktype | Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), info.ai_protocol)
            guard fd >= 0 else {
                lastFailure = .system(call: "socket", errno: errno)
                continue
            }
            var on: Int32 = 1
            // Status requests are a few bytes and must go out at once; idle connections must notice a dead printer.
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            _ = setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) == 0 { return .success(fd) }
            guard errno == EINPROGRESS else {
                lastFailure = .system(call: "connect", errno: errno)
                _ = systemClose(fd)
                continue
            }
            switch DescriptorIO.wait(fd, for: Int16(POLLOUT), until: deadline, stops: [stop]) {
            case .success(.ready):
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                if error == 0 { return .success(fd) }
                lastFailure = .system(call: "connect", errno: error)
                _ = systemClose(fd)
            case .success(.timedOut):
                _ = systemClose(fd)
                return .failure(TransportError(.timedOut, device: device, summary: "did not answer within \(TransportError.format(timeout))",
                                               detail: "connect timed out",
                                               advice: "check that the printer is switched on, its IP address, and the network"))
            case .success(.stopped):
                _ = systemClose(fd)
                return .failure(TransportError.from(.stopped, device: device, doing: "connect"))
            case .failure(let failure):
                lastFailure = failure
                _ = systemClose(fd)
            }
        }
        return .failure(TransportError.from(lastFailure, device: device, doing: "connect", timeout: timeout))
    }
}
