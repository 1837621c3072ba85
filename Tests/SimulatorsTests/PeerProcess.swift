// Runs a peer program (python3 with pyzk) for the simulator tests and waits on what it prints, with timeouts.
import Foundation
import Synchronization

/// Output collected from a pipe while the process runs.
final class CollectedOutput: Sendable {
    private let bytes = Mutex(Data())
    func append(_ data: Data) { bytes.withLock { $0.append(data) } }
    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}

struct PeerTimedOut: Error, CustomStringConvertible {
    let what: String
    let output: String
    var description: String { "timed out waiting for \(what); output so far:\n\(output)" }
}

final class ClosedPipes: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

/// A started peer process. Output is collected as it arrives, by a reading thread per pipe (blocking reads, not
/// `FileHandle.readabilityHandler`, whose dispatch sources can crash on Linux when the pipe closes); waits end on
/// the awaited event or a timeout.
final class PeerProcess: Sendable {
    let process: Process
    private let stdoutText = CollectedOutput()
    private let stderrText = CollectedOutput()
    private let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation
    /// How many of the two pipes have reached their end.
    private let pipesDone = ClosedPipes()

    init(_ executable: String, _ arguments: [String]) throws {
        (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"]) { _, new in new }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
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

    var stdout: String { stdoutText.text }
    var stderr: String { stderrText.text }
    /// Running until both its output pipes have closed (it exited, or closed them).
    var isRunning: Bool { pipesDone.count < 2 }

    /// Waits until `condition` holds, re-checking whenever output arrives or the process ends.
    func wait(for what: String, timeout: Duration, until condition: @escaping @Sendable () -> Bool) async throws {
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
        if !met { throw PeerTimedOut(what: what, output: "stdout:\n\(stdout)\nstderr:\n\(stderr)") }
    }

    /// Waits for the process to end and returns its exit status, with all its output collected.
    func exitStatus(timeout: Duration) async throws -> Int32 {
        try await wait(for: "the process to exit", timeout: timeout) { [self] in !isRunning }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Runs a short command to the end.
    static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, stdout: String, stderr: String) {
        let peer = try PeerProcess(executable, arguments)
        let status = try await peer.exitStatus(timeout: timeout)
        return (status, peer.stdout, peer.stderr)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

/// pyzk, the reference client the simulator must satisfy. Missing pyzk fails the test; it never passes silently.
enum Pyzk {
    struct Missing: Error, CustomStringConvertible {
        let detail: String
        var description: String { "pyzk is missing: run scripts/setup --test (pip install pyzk)\n\(detail)" }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Peers/pyzk_check.py").path

    static func requireInstalled() async throws {
        let result: (status: Int32, stdout: String, stderr: String)
        do {
            result = try await PeerProcess.run("python3", ["-c", "import zk"])
        } catch {
            throw Missing(detail: "python3 could not be run: \(error)")
        }
        if result.status != 0 { throw Missing(detail: result.stderr) }
    }
}
