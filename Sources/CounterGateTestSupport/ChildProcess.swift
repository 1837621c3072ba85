// Test support (not used by the gateway): runs a program (the real `countergate`, a Python peer) and waits on
// what it prints, with timeouts instead of sleeps.
import Foundation
import Synchronization

/// Output collected from a pipe while the process runs.
final class CollectedOutput: Sendable {
    private let bytes = Mutex(Data())
    func append(_ data: Data) { bytes.withLock { $0.append(data) } }
    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}

final class PipeCount: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

public struct ChildProcessTimedOut: Error, CustomStringConvertible {
    public let what: String
    public let output: String
    public init(what: String, output: String) {
        self.what = what
        self.output = output
    }
    public var description: String { "timed out waiting for \(what); output so far:\n\(output)" }
}

/// A started child process. Each output pipe is read by a thread of its own with blocking reads (not
/// `FileHandle.readabilityHandler`, whose dispatch sources can crash on Linux when the pipe closes).
public final class ChildProcess: Sendable {
    public let process: Process
    private let stdoutText = CollectedOutput()
    private let stderrText = CollectedOutput()
    private let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation
    private let pipesDone = PipeCount()
    private let input: FileHandle?

    /// Starts `executable` (a path) with `arguments`, the test's environment plus `environment`
    /// (`nil` values remove a variable), in `directory`. With `input`, its standard input is a pipe fed by ``send(_:)``.
    public init(_ executable: String, _ arguments: [String], environment: [String: String?] = [:], directory: URL? = nil,
                input: Bool = false) throws {
        (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let inputPipe = input ? Pipe() : nil
        if let inputPipe { process.standardInput = inputPipe }
        self.input = inputPipe?.fileHandleForWriting
        try process.run()
        for (pipe, text) in [(out, stdoutText), (err, stderrText)] {
            let handle = pipe.fileHandleForReading
            let changed = self.changed, pipesDone = self.pipesDone
            Thread.detachNewThread {
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    text.append(data)
                    changed.yield()
                }
                try? handle.close()
                pipesDone.increment()
                changed.yield()
            }
        }
    }

    /// Writes `text` to the process's standard input (started with `input: true`).
    public func send(_ text: String) throws {
        guard let input else { throw ChildProcessTimedOut(what: "a standard input (start the process with input: true)", output: "") }
        try input.write(contentsOf: Data(text.utf8))
    }

    /// Closes the process's standard input: it reads end of file.
    public func closeInput() { try? input?.close() }

    public var stdout: String { stdoutText.text }
    public var stderr: String { stderrText.text }
    /// Running until both its output pipes have closed (it exited, or closed them).
    public var isRunning: Bool { pipesDone.count < 2 }
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Waits until `condition` holds, re-checking whenever output arrives or the process ends.
    public func wait(for what: String, timeout: Duration = .seconds(30), until condition: @escaping @Sendable () -> Bool) async throws {
        let met = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                if condition() { return true }
                for await _ in self.changes where condition() { return true }
                return condition()
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !met { throw ChildProcessTimedOut(what: what, output: "stdout:\n\(stdout)\nstderr:\n\(stderr)") }
    }

    /// Waits for the process to end and returns its exit status, with all its output collected.
    public func exitStatus(timeout: Duration = .seconds(60)) async throws -> Int32 {
        try await wait(for: "the process to exit", timeout: timeout) { [self] in !isRunning }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Runs a short command to the end.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String?] = [:], directory: URL? = nil,
                           timeout: Duration = .seconds(60)) async throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ChildProcess(executable, arguments, environment: environment, directory: directory)
        let status = try await child.exitStatus(timeout: timeout)
        return (status, child.stdout, child.stderr)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
