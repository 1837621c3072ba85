// Test support (not used by the gateway): a real CUPS scheduler (cupsd) of the test's own, on a free loopback port,
// with its configuration, spool, logs and state in a temporary directory, and queues that print into files there.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why the test scheduler could not be started or used.
public struct CUPSSchedulerError: Error, CustomStringConvertible {
    public let description: String
}

/// A private `cupsd -f` on 127.0.0.1 and a free port, stopped by ``stop()`` (or when released).
///
/// cupsd refuses to run its filters as root: started by root, it runs them as `lp` (Debian's CUPS user), otherwise
/// as the current user. `FileDevice Yes` lets a queue print to a `file://` device in the temporary directory.
/// A raw queue does not write into a file device (cupsd runs no program at all for it), so page queues get a small
/// PPD whose only filter, CUPS's own `gziptoany`, passes the PDF through unchanged.
public final class CUPSScheduler: Sendable {
    /// The temporary directory holding everything of this scheduler.
    public let root: URL
    public let port: Int
    private let daemon: ChildProcess

    /// `127.0.0.1:PORT`, for `CUPS_SERVER`, `-h` and printer addresses.
    public var server: String { "127.0.0.1:\(port)" }

    /// Where the CUPS programs are (`cupsd` in /usr/sbin, the clients in /usr/bin).
    public static func tool(_ name: String) -> String? {
        ["/usr/sbin/", "/usr/bin/", "/usr/local/sbin/", "/usr/local/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private init(root: URL, port: Int, daemon: ChildProcess) {
        self.root = root
        self.port = port
        self.daemon = daemon
    }

    /// Starts a scheduler and waits (polling `lpstat -r`, at most `timeout`) until it answers.
    /// - Throws: ``CUPSSchedulerError`` saying what is missing (`apt-get install cups cups-client`) or what cupsd said.
    public static func start(timeout: Duration = .seconds(30)) async throws -> CUPSScheduler {
        guard let cupsd = tool("cupsd"), tool("lpstat") != nil, tool("lpadmin") != nil else {
            throw CUPSSchedulerError(description: "cupsd, lpstat or lpadmin is missing: install cups and cups-client (scripts/setup --test)")
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("countergate-cups-\(UUID().uuidString.prefix(8))")
        for sub in ["spool", "log", "cache", "state", "tmp", "out"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        // The queue's output files are written by cupsd's filters, which may run as another user.
        _ = chmod(root.appendingPathComponent("out").path, 0o777)
        let port = try freeLoopbackPort()
        let user: String, group: String
        if geteuid() == 0 {
            user = "lp"
            group = "lp"
        } else {
            user = String(cString: getpwuid(geteuid())!.pointee.pw_name)
            group = getgrgid(getegid()).map { String(cString: $0.pointee.gr_name) } ?? user
        }
        let conf = """
        Listen 127.0.0.1:\(port)
        LogLevel debug
        WebInterface No
        Browsing No
        DefaultAuthType None
        MaxJobs 100
        PreserveJobHistory Yes
        <Location />
          Order allow,deny
          Allow 127.0.0.1
        </Location>
        <Location /admin>
          Order allow,deny
          Allow 127.0.0.1
        </Location>
        <Policy default>
          <Limit All>
            Order deny,allow
          </Limit>
        </Policy>

        """
        let files = """
        FileDevice Yes
        User \(user)
        Group \(group)
        SystemGroup \(geteuid() == 0 ? "root" : group)
        ServerRoot \(root.path)
        RequestRoot \(root.path)/spool
        TempDir \(root.path)/tmp
        CacheDir \(root.path)/cache
        StateDir \(root.path)/state
        AccessLog \(root.path)/log/access_log
        ErrorLog \(root.path)/log/error_log
        PageLog \(root.path)/log/page_log
        Printcap \(root.path)/printcap

        """
        try conf.write(to: root.appendingPathComponent("cupsd.conf"), atomically: true, encoding: .utf8)
        try files.write(to: root.appendingPathComponent("cups-files.conf"), atomically: true, encoding: .utf8)
        try passThroughPPD.write(to: root.appendingPathComponent("pass-through.ppd"), atomically: true, encoding: .utf8)
        let daemon = try ChildProcess(cupsd, ["-f", "-c", root.appendingPathComponent("cupsd.conf").path,
                                              "-s", root.appendingPathComponent("cups-files.conf").path])
        let scheduler = CUPSScheduler(root: root, port: port, daemon: daemon)
        let deadline = ContinuousClock.now + timeout
        while true {
            if !daemon.isRunning {
                let log = (try? String(contentsOf: root.appendingPathComponent("log/error_log"), encoding: .utf8))?.suffix(2000) ?? ""
                throw CUPSSchedulerError(description: "cupsd exited at once: \(daemon.stderr) \(daemon.stdout)\n\(log)")
            }
            let answer = try await scheduler.run("lpstat", ["-r"])
            if answer.stdout.contains("scheduler is running") { return scheduler }
            if ContinuousClock.now >= deadline {
                scheduler.stop()
                throw CUPSSchedulerError(description: "cupsd did not answer on \(scheduler.server) within \(timeout): \(daemon.stderr)")
            }
            try await Task.sleep(for: .milliseconds(50))  // polling lpstat until the deadline
        }
    }

    /// Runs a CUPS client program against this scheduler (`CUPS_SERVER` set).
    public func run(_ program: String, _ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        guard let path = Self.tool(program) else { throw CUPSSchedulerError(description: "\(program) is missing: install cups-client") }
        return try await ChildProcess.run(path, arguments, environment: ["CUPS_SERVER": server, "LANG": "C", "LC_ALL": "C"], timeout: .seconds(30))
    }

    /// Adds an enabled queue that writes what it prints to a file in ``root``; returns the file.
    /// - Parameters:
    ///   - filter: the queue's one filter: CUPS's `gziptoany` passes the PDF through; `/bin/false` fails every job.
    ///   - options: more `lpadmin` options, e.g. `["-o", "printer-error-policy=abort-job"]`.
    public func addPageQueue(_ name: String, filter: String = "gziptoany", options: [String] = []) async throws -> URL {
        let output = root.appendingPathComponent("out/\(name).out")
        let ppd = root.appendingPathComponent("\(name).ppd")
        try Self.passThroughPPD.replacingOccurrences(of: "0 gziptoany", with: "0 \(filter)").write(to: ppd, atomically: true, encoding: .utf8)
        let result = try await run("lpadmin", ["-p", name, "-E", "-v", "file://" + output.path, "-P", ppd.path] + options)
        guard result.status == 0 else { throw CUPSSchedulerError(description: "lpadmin -p \(name) failed: \(result.stderr)") }
        return output
    }

    /// The scheduler's error log, for a failing test's message.
    public var log: String {
        (try? String(contentsOf: root.appendingPathComponent("log/error_log"), encoding: .utf8)) ?? ""
    }

    /// Stops cupsd and removes the directory.
    ///
    /// SIGKILL, not SIGTERM: a child started by Foundation's `Process` from the test runner inherits a signal mask
    /// with SIGTERM blocked, and cupsd keeps the mask it started with, so it would never see a SIGTERM. Its state is
    /// in the temporary directory, which goes with it.
    public func stop() {
        if daemon.process.isRunning {
            kill(daemon.process.processIdentifier, SIGKILL)
            daemon.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: root)
    }

    deinit { stop() }

    /// A port nothing listens on now: bound to port 0 on 127.0.0.1 and released.
    public static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CUPSSchedulerError(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw CUPSSchedulerError(description: "bind 127.0.0.1:0: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A page printer's PPD whose one filter passes PDF through (CUPS's gziptoany), so a file device gets the PDF.
    static let passThroughPPD = """
    *PPD-Adobe: "4.3"
    *FormatVersion: "4.3"
    *FileVersion: "1.0"
    *LanguageVersion: English
    *LanguageEncoding: ISOLatin1
    *PCFileName: "CGPASS.PPD"
    *Manufacturer: "CounterGate"
    *Product: "(CounterGate test page printer)"
    *ModelName: "CounterGate test page printer"
    *ShortNickName: "CounterGate test"
    *NickName: "CounterGate test page printer, PDF passed through"
    *PSVersion: "(3010.000) 0"
    *LanguageLevel: "3"
    *ColorDevice: False
    *DefaultColorSpace: Gray
    *FileSystem: False
    *Throughput: "1"
    *TTRasterizer: Type42
    *cupsVersion: 2.4
    *cupsFilter: "application/pdf 0 gziptoany"
    *OpenUI *PageSize: PickOne
    *DefaultPageSize: A4
    *PageSize A4/A4: "<</PageSize[595 842]>>setpagedevice"
    *CloseUI: *PageSize
    *DefaultImageableArea: A4
    *ImageableArea A4/A4: "0 0 595 842"
    *DefaultPaperDimension: A4
    *PaperDimension A4/A4: "595 842"

    """
}
