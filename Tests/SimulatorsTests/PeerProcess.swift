// The Python peers the simulator tests run (pyzk), through the shared ChildProcess.
import Foundation
import CounterGateTestSupport

/// A peer program (python3 with pyzk), found on the PATH.
enum PeerProcess {
    static func start(_ executable: String, _ arguments: [String]) throws -> ChildProcess {
        try ChildProcess("/usr/bin/env", [executable] + arguments, environment: ["PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"])
    }

    static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await ChildProcess.run("/usr/bin/env", [executable] + arguments, environment: ["PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"], timeout: timeout)
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
