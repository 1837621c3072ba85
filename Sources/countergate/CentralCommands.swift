// `countergate central`: the county's centre (serve, migrate, register halls) and, on a hall's gateway, where its
// forwarding stands (status). docs/central.md.
import ArgumentParser
import CounterConfig
import CounterStore
import CountyCentre
import Foundation
import Gateway
import Logging

struct CentralCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "central", abstract: "The county's centre: halls forward their records to it (PostgreSQL); its views across halls.",
        discussion: """
            At the centre: `countergate central serve --centre-config centre.toml` (the centre's TOML: [centre], [postgres]), \
            `central hall add ID --name NAME` prints the hall's token. At a hall: [central] in the gateway's configuration, and \
            `countergate central status` shows what waits to be forwarded. docs/central.md.
            """,
        subcommands: [Serve.self, Migrate.self, HallCommand.self, Status.self])

    struct CentreOptions: ParsableArguments {
        @Option(name: .customLong("centre-config"), help: ArgumentHelp("The centre's configuration file (TOML).", valueName: "path"))
        var path: String = "/etc/countergate/centre.toml"
        @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: Logger.Level = .info

        func load() -> CentreConfiguration {
            do { return try CentreConfiguration.load(path: path) } catch { fail("\(error)") }
        }

        func makeLogger() -> Logger {
            let level = logLevel
            let format = HallLogHandler.automaticFormat
            LoggingSystem.bootstrap { label in HallLogHandler(label: label, format: format, level: level) }
            return Logger(label: "countergate-centre")
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the centre: waits for PostgreSQL, brings its schema up to date, takes the halls' batches, serves the county's views.")
        @OptionGroup var options: CentreOptions

        func run() async throws {
            let config = options.load()
            let logger = options.makeLogger()
            await reporting {
                try await CentreServer.run(config: config, logger: logger) { port in
                    printLine("CounterGate centre is listening: \(config.usesTLS ? "https" : "http")://\(config.bind):\(port)/")
                }
            }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bring the centre's PostgreSQL schema up to date and say which version it has.")
        @OptionGroup var options: CentreOptions

        func run() async throws {
            let config = options.load()
            let logger = options.makeLogger()
            await reporting { try await CentreServer.withStore(config, logger: logger) { _ in () } }
            printLine("the centre's schema is at version \(CentreSchema.version)")
        }
    }

    struct HallCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "hall", abstract: "Register halls at the centre and list them.",
                                                        subcommands: [Add.self, List.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register a hall (or give it a new token) and print its token once: it goes into the hall's [central] token_file.")
            @OptionGroup var options: CentreOptions
            @Argument(help: ArgumentHelp("The hall's id, as its [central] hall_id says.", valueName: "id")) var id: String
            @Option(help: "The hall's name, e.g. 胡家堡乡便民服务中心.") var name: String

            func validate() throws {
                guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                    throw ValidationError("a hall id is 1 to 64 ASCII letters, digits, - or _")
                }
            }

            func run() async throws {
                let config = options.load()
                let logger = options.makeLogger()
                let (id, name) = (self.id, self.name)
                let token = await reporting { try await CentreServer.withStore(config, logger: logger) { try await $0.registerHall(id: id, name: name) } }
                printLine(token)
                FileHandle.standardError.write(Data("hall \(id) (\(name)) registered; put the token above into its [central] token_file (an earlier token of it no longer works)\n".utf8))
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "The registered halls, with how far each has forwarded and when it was last heard.")
            @OptionGroup var options: CentreOptions

            func run() async throws {
                let config = options.load()
                let logger = options.makeLogger()
                let halls = await reporting { try await CentreServer.withStore(config, logger: logger) { try await $0.halls() } }
                for hall in halls {
                    let contact = hall.lastContact.map { "last contact \(Date(timeIntervalSince1970: TimeInterval($0)))" } ?? "never heard"
                    printLine("\(hall.id)  \(hall.name)  committed \(hall.committed.map(String.init) ?? "-")  waiting \(hall.waiting.map(String.init) ?? "-")  \(contact)")
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "At a hall: what waits to be forwarded to the centre, and the last contact or error.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: false)
            let store = await reporting { try HallStore(path: config.databasePath) }
            guard let status = await reporting({ try await store.outboxStatus(at: commandClock.now()) }) else {
                printLine(config.central == nil ? "this hall does not forward ([central] is not configured)" : "forwarding is configured but has not started yet (start the gateway)")
                return
            }
            printLine("hall \(status.hallID) forwarding to \(config.central?.url ?? "(no [central] now: forwarding paused, the outbox keeps filling)")")
            printLine("  acknowledged up to \(status.acknowledged) (stream \(status.stream)); waiting \(status.waiting)"
                      + (status.oldestWaiting.map { ", the oldest since \($0)" } ?? ""))
            printLine("  last contact: \(status.lastContact.map { "\($0)" } ?? "never")" + (status.lastError.map { "; last error: \($0)" } ?? ""))
        }
    }
}
