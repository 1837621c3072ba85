// The real binary against a simulated terminal run by the real binary: sync, re-sync, info, time, backup/restore.
import CounterGateTestSupport
import Foundation
import Testing

@Suite(.serialized) struct TerminalEndToEndTests {
    /// Starts `countergate simulate terminal` and returns it with its TCP port.
    func simulator(_ extra: [String] = []) async throws -> (ChildProcess, Int) {
        let process = try RunningBinary.start(["simulate", "terminal", "--port", "0", "--udp-port", "0"] + extra)
        try await process.wait(for: "the simulator's listening line") { process.stdout.contains("listening on tcp://") }
        let port = try #require(process.stdout.firstMatch(of: /tcp:\/\/127\.0\.0\.1:(\d+)/).map { Int($0.1)! })
        return (process, port)
    }

    @Test func syncStoresEveryRecordOnceAndTimeCanBeSet() async throws {
        let directory = try temporaryDirectory("terminal")
        let config = directory.appendingPathComponent("hall.toml")
        try "[store]\ndata_dir = \"data\"\n".write(to: config, atomically: true, encoding: .utf8)
        let (sim, port) = try await simulator(["--records", "3000", "--comm-key", "4242", "--clock-offset", "600"])
        let address = "tcp://127.0.0.1:\(port)"

        let refused = try await RunningBinary.run(["terminal", "info", "--address", address, "--config", config.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("refused the comm key"))

        let info = try await RunningBinary.run(["terminal", "info", "--json", "--address", address, "--comm-key", "4242", "--config", config.path])
        #expect(info.status == 0)
        #expect(info.stdout.contains("\"records\" : 3000"))

        let first = try await RunningBinary.run(["terminal", "sync", "--address", address, "--comm-key", "4242", "--config", config.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("3000 records, 3000 new, 0 already stored"))
        // The terminal keeps whole seconds, so 600 s of skew reads as 599 to 601.
        #expect(first.stdout.contains(/(599|600|601) s ahead/))
        let again = try await RunningBinary.run(["terminal", "sync", "--address", address, "--comm-key", "4242", "--config", config.path])
        #expect(again.stdout.contains("3000 records, 0 new, 3000 already stored"))

        let set = try await RunningBinary.run(["terminal", "time", "set", "--to", "2026-02-14 08:00:00", "--address", address,
                                               "--comm-key", "4242", "--config", config.path])
        #expect(set.status == 0)
        #expect(set.stdout.contains("it now reads 2026-02-14 08:00:0"))

        let backup = directory.appendingPathComponent("backup.json").path
        let saved = try await RunningBinary.run(["terminal", "backup", "--output", backup, "--address", address, "--comm-key", "4242",
                                                 "--config", config.path])
        #expect(saved.status == 0)
        #expect(saved.stdout.contains("8 users"))

        kill(sim.processIdentifier, SIGTERM)
        #expect(try await sim.exitStatus() == 0)

        // A blank replacement terminal gets the users back.
        let (blank, blankPort) = try await simulator(["--records", "0", "--serial-number", "NEW0000002"])
        let restored = try await RunningBinary.run(["terminal", "restore", "--input", backup, "--address", "tcp://127.0.0.1:\(blankPort)",
                                                    "--config", config.path])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("the terminal now holds 8 users"))
        kill(blank.processIdentifier, SIGTERM)
        _ = try await blank.exitStatus()
    }

    @Test func unreachableTerminalIsAClearError() async throws {
        let result = try await RunningBinary.run(["terminal", "info", "--address", "tcp://127.0.0.1:1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot be reached"))
    }
}
