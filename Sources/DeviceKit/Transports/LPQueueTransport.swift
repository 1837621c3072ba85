// A printer behind a CUPS queue: each write is one raw job, piped to `lp -d QUEUE -o raw`.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Prints through a CUPS queue with `lp -d QUEUE -o raw`, for printers that CUPS already owns (shared with
/// desktop applications, or reachable only through a CUPS server).
///
/// Each `write` is one CUPS job: `-o raw` makes CUPS pass the bytes to the printer untouched. CUPS gives no status
/// back through `lp`, so ``canRead`` is false; `lpstat -p QUEUE` shows the queue's state.
public actor LPQueueTransport: PrinterTransport {
    /// The CUPS queue name, as `lpstat -p` lists it.
    public nonisolated let queue: String
    /// How long `lp` may take to accept one job.
    public nonisolated let timeout: Duration
    /// Where `lp` is, or nil to look it up on `PATH` (and then in /usr/bin, /usr/local/bin).
    public nonisolated let lpPath: String?
    public nonisolated let deviceName: String

    private var resolvedLP: String?

    /// - Parameters:
    ///   - queue: the CUPS queue.
    ///   - timeout: the bound on handing one job to `lp`.
    ///   - lpPath: the `lp` program; nil finds it on `PATH`.
    public init(queue: String, timeout: Duration = .seconds(10), lpPath: String? = nil) {
        self.queue = queue
        self.timeout = timeout
        self.lpPath = lpPath
        self.deviceName = "printer lp:\(queue)"
    }

    public var canRead: Bool { false }

    /// Checks that `lp` is installed; nothing is sent.
    public func open() async throws(TransportError) {
        if resolvedLP != nil { return }
        guard let path = Self.findLP(lpPath) else {
            throw TransportError(.toolMissing, device: deviceName, summary: "cannot be printed to: the lp command is missing",
                                 detail: lpPath.map { "\($0) is not an executable" } ?? "lp is not on PATH (\(ProcessInfo.processInfo.environment["PATH"] ?? ""))",
                                 advice: "install the CUPS client (apt-get install cups-client), or use the printer's tcp://, usb: or /dev/usb/lpN address")
        }
        resolvedLP = path
    }

    /// Submits the bytes as one raw job and waits for `lp` to accept it.
    public func write(_ bytes: [UInt8]) async throws(TransportError) {
        guard let lp = resolvedLP else { throw TransportError(.notOpen, device: deviceName, detail: "not opened") }
        _ = PrinterIOThreads.ignoreBrokenPipes
        let (queue, device, timeout) = (self.queue, self.deviceName, self.timeout)
        let deadline = ContinuousClock.now + timeout
        try await PrinterIOThreads.run(device: device) { stop in
            Self.submit(bytes, lp: lp, queue: queue, until: deadline, timeout: timeout, stop: stop, device: device)
        }
    }

    public func read(upTo maxCount: Int, timeout: Duration) async throws(TransportError) -> [UInt8] {
        throw TransportError(.cannotRead, device: deviceName, detail: "CUPS passes no replies back through lp",
                             advice: "for status, address the printer directly (tcp://, usb: or /dev/usb/lpN?read)")
    }

    public func close() async {
        resolvedLP = nil
    }

    static func findLP(_ configured: String?) -> String? {
        let fm = FileManager.default
        if let configured { return fm.isExecutableFile(atPath: configured) ? configured : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return directories.map { $0 + "/lp" }.first { fm.isExecutableFile(atPath: $0) }
    }

    /// Starts `lp`. "Text file busy" (ETXTBSY) means the program file is still open for writing somewhere, as while a
    /// package upgrade replaces it or another process forked with it open: that passes within moments, so it is
    /// tried again until the deadline rather than failing the job as if lp were missing.
    private static func start(_ process: Process, until deadline: ContinuousClock.Instant, stop: StopSignal) throws {
        while true {
            do {
                try process.run()
                return
            } catch let error as NSError where isTextFileBusy(error) {
                if stop.isRaised || ContinuousClock.now >= deadline { throw error }
                usleep(5_000)
            }
        }
    }

    /// Foundation reports a failed spawn as a Cocoa error with the POSIX one underneath.
    static func isTextFileBusy(_ error: NSError) -> Bool {
        if error.domain == NSPOSIXErrorDomain { return error.code == Int(ETXTBSY) }
        guard let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError else { return false }
        return underlying.domain == NSPOSIXErrorDomain && underlying.code == Int(ETXTBSY)
    }

    /// Runs `lp`, feeds it the job on standard input, and waits for it to exit, all within the deadline.
    private static func submit(_ bytes: [UInt8], lp: String, queue: String, until deadline: ContinuousClock.Instant,
                               timeout: Duration, stop: StopSignal, device: String) -> Result<Void, TransportError> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: lp)
        // -s: no "request id is …" chatter; -o raw: CUPS must not filter ESC/POS bytes as if they were text.
        process.arguments = ["-d", queue, "-o", "raw", "-s"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try Self.start(process, until: deadline, stop: stop)
        } catch let error as NSError where isTextFileBusy(error) {
            return .failure(TransportError(.busy, device: device, summary: "cannot start lp: its program file is being written",
                                           detail: "\(lp): Text file busy",
                                           advice: "wait for the package upgrade or copy of lp to finish; the job is tried again"))
        } catch {
            return .failure(TransportError(.toolMissing, device: device, summary: "cannot be printed to: lp did not start",
                                           detail: "\(lp): \(error.localizedDescription)",
                                           advice: "install the CUPS client (apt-get install cups-client)"))
        }
        let writer = input.fileHandleForWriting.fileDescriptor
        _ = fcntl(writer, F_SETFL, fcntl(writer, F_GETFL) | O_NONBLOCK)
        let written = DescriptorIO.writeAll(writer, bytes, until: deadline, stops: [stop])
        try? input.fileHandleForWriting.close()
        // lp's messages are short: the pipe holds them until it exits, so reading after the exit cannot deadlock.
        while exited.wait(timeout: .now() + .milliseconds(PrinterIOThreads.checkInterval.milliseconds)) == .timedOut {
            if stop.isRaised || ContinuousClock.now >= deadline {
                process.terminate()
                exited.wait()
                if stop.isRaised { return .failure(TransportError.from(.stopped, device: device, doing: "lp")) }
                return .failure(TransportError(.timedOut, device: device, summary: "did not take the job",
                                               detail: "lp did not finish within \(TransportError.format(timeout))",
                                               advice: "check that the CUPS scheduler runs (systemctl status cups)"))
            }
        }
        let message = String(decoding: (try? output.fileHandleForReading.readToEnd()) ?? Data(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            // "lp: The printer or class does not exist." is a configuration error; anything else (the scheduler
            // not running, a full spool) may pass.
            let missingQueue = message.contains("does not exist") || message.contains("Unknown destination")
            return .failure(TransportError(missingQueue ? .misconfigured : .rejected, device: device,
                                           summary: missingQueue ? "is not a CUPS queue" : "refused the job",
                                           detail: "lp exited with \(process.terminationStatus): \(message)",
                                           advice: missingQueue ? "check the queue name with lpstat -p" : "check the queue with lpstat -p \(queue) and the CUPS error log"))
        }
        if case .failure(let failure) = written {
            return .failure(TransportError.from(failure, device: device, doing: "write", timeout: timeout))
        }
        return .success(())
    }
}
