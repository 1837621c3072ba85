// Runs the real `countergate` binary for end-to-end tests and waits on what it prints, with timeouts.
import Foundation
import Synchronization

/// Where `swift build` put the binary: beside the test bundle, or `$COUNTERGATE_BIN`.
enum Binary {
    static var path: String {
        if let path = ProcessInfo.processInfo.environment["COUNTERGATE_BIN"] { return path }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("countergate").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("countergate").path
    }
}

/// Output collected from a pipe while the process runs.
final class Collected: Sendable {
    private let bytes = Mutex(Data())
    func append(_ data: Data) { bytes.withLock { $0.append(data) } }
    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    let output: String
    var description: String { "timed out waiting for \(what); output so far:\n\(output)" }
}

/// A started `countergate` process. Output is collected as it arrives; waits end on the awaited event or a timeout.
final class RunningBinary: Sendable {
    let process: Process
    private let stdoutText = Collected()
    private let stderrText = Collected()
    private let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation
    private let out = Pipe()
    private let err = Pipe()

    init(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws {
        (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment
            .filter { $0.key != "NOTIFY_SOCKET" && $0.key != "COUNTERGATE_CONFIG" }
            .merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = out
        process.standardError = err
        let changed = self.changed
        let out = self.out, err = self.err
        out.fileHandleForReading.readabilityHandler = { [stdoutText] handle in
            let data = handle.availableData
            stdoutText.append(data)
            changed.yield()
        }
        err.fileHandleForReading.readabilityHandler = { [stderrText] handle in
            let data = handle.availableData
            stderrText.append(data)
            changed.yield()
        }
        process.terminationHandler = { _ in changed.yield() }
        try process.run()
    }

    var stdout: String { stdoutText.text }
    var stderr: String { stderrText.text }

    /// Waits until `condition` holds, re-checking whenever output arrives or the process ends.
    func wait(for what: String, timeout: Duration = .seconds(30), until condition: @escaping @Sendable () -> Bool) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                if condition() { return true }
                for await _ in self.changes where condition() { return true }
                return condition()
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let met = try await group.next() ?? false
            group.cancelAll()
            if !met { throw TimedOut(what: what, output: "stdout:\n\(stdout)\nstderr:\n\(stderr)") }
        }
    }

    /// Waits for the process to end and returns its exit status.
    func exitStatus(timeout: Duration = .seconds(60)) async throws -> Int32 {
        try await wait(for: "the process to exit", timeout: timeout) { [process] in !process.isRunning }
        process.waitUntilExit()
        // Collect what the readability handlers had not picked up yet.
        out.fileHandleForReading.readabilityHandler = nil
        err.fileHandleForReading.readabilityHandler = nil
        let restOut = out.fileHandleForReading.readDataToEndOfFile()
        let restErr = err.fileHandleForReading.readDataToEndOfFile()
        stdoutText.append(restOut)
        stderrText.append(restErr)
        return process.terminationStatus
    }

    /// Runs a short command to the end.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try RunningBinary(arguments, environment: environment, directory: directory)
        let status = try await binary.exitStatus()
        return (status, binary.stdout, binary.stderr)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

func temporaryDirectory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cg-e2e-\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
