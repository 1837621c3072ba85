// The `countergate` command: one executable for the gateway, its demo, and the tools ops use.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway
import Logging

@main
struct CounterGateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "countergate",
        abstract: "CounterGate: the hardware gateway of a government service hall's windows (窗口).",
        discussion: """
            Start with `countergate demo` to see the gateway run on this machine with simulated devices.
            Configuration: docs/configuration.md. Operations: docs/operations.md.
            """,
        version: GatewayVersion.current,
        subcommands: [Serve.self, Demo.self, ConfigCommand.self, CalendarCommand.self, StaffCommand.self, NoticeCommand.self,
                      AuditCommand.self, PrintCommand.self, PrinterCommand.self, JobsCommand.self, TerminalCommand.self, ReaderCommand.self, CatalogueCommand.self, DevicesCommand.self, SignInCommand.self, AttendanceCommand.self, LeaveCommand.self, RosterCommand.self, UdevCommand.self, SimulateCommand.self, TokenCommand.self, BackupCommand.self, RestoreCommand.self, CentralCommand.self, Doctor.self, BenchCommand.self]
    )
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration file (TOML).", discussion: """
        Without it: $COUNTERGATE_CONFIG, then ./countergate.toml, then /etc/countergate/countergate.toml; \
        `demo` falls back to the built-in demo configuration.
        """, valueName: "path"))
    var config: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// The configuration file to read, or nil when none is found.
    func configPath() -> String? {
        if let config { return config }
        if let env = ProcessInfo.processInfo.environment["COUNTERGATE_CONFIG"], !env.isEmpty { return env }
        for candidate in ["countergate.toml", "/etc/countergate/countergate.toml"] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }

    /// Loads the configuration; `allowDefaults` lets the demo run with none.
    func loadConfiguration(allowDefaults: Bool) -> HallConfiguration {
        do {
            if let path = configPath() { return try HallConfiguration.load(path: path) }
            if allowDefaults { return try HallConfiguration.defaults() }
        } catch {
            fail("\(error)")
        }
        fail("""
            no configuration file found: pass --config <file>, set COUNTERGATE_CONFIG, or create \
            /etc/countergate/countergate.toml (docs/configuration.md). To try CounterGate without one, run `countergate demo`.
            """)
    }

    func makeLogger(_ label: String = "countergate") -> Logger {
        let level = logLevel
        let format = HallLogHandler.automaticFormat
        LoggingSystem.bootstrap { label in HallLogHandler(label: label, format: format, level: level) }
        return Logger(label: label)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// The command line's one source of "now", as the gateway's (the store and the rules are handed it).
let commandClock: any HallClock = SystemClock()

/// Prints an error for a person and exits non-zero.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

/// Runs `body`, turning a thrown error into a readable message and exit status 1.
func reporting<T>(_ body: () async throws -> T) async -> T {
    do { return try await body() } catch { fail("\(error)") }
}

func printLine(_ text: String) {
    // Written straight to the descriptor: tests and scripts read the line while the gateway keeps running.
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
