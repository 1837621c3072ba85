// `countergate jobs ...`: the print queue, for ops: list, retry, cancel, reprint.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "The print queue (打印队列): list, retry, cancel, reprint.",
        subcommands: [List.self, Retry.self, Cancel.self, Reprint.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List print jobs, newest last.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this printer role.") var role: String?
        @Flag(help: "Only jobs not yet final (queued, printing, waiting).") var open = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let states: Set<PrintJobState> = open ? [.queued, .printing, .waiting] : Set(PrintJobState.allCases)
            let jobs = await reporting { try await openStoreForTools(config).printJobs(printerRole: role, states: states) }
            if json { printJSON(jobs); return }
            if jobs.isEmpty { printLine("no print jobs"); return }
            for job in jobs {
                var line = "\(job.id)\t\(job.state.rawValue)\t\(job.printerRole)\t\(job.kind.rawValue)\(job.reprint ? " (reprint)" : "")\tattempts \(job.attempts)"
                if let error = job.lastError, !job.state.isFinal || job.state == .failed { line += "\t\(error)" }
                if let on = job.printedOn { line += "\tprinted on \(on)" }
                printLine(line)
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a failed or waiting job round again now.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The job id.") var id: Int64

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            await reporting { try await openStoreForTools(config).retryPrintJob(id, actor: "cli", at: commandClock.now()) }
            printLine("job \(id) queued again")
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a job that has not printed.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The job id.") var id: Int64

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            await reporting { try await openStoreForTools(config).cancelPrintJob(id, actor: "cli", at: commandClock.now()) }
            printLine("job \(id) cancelled")
        }
    }

    struct Reprint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a notice again (marked 补打 on paper); the number stays the same.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The notice number, e.g. 太谷政务〔2026〕第000123号.") var number: String
        @Option(help: "The printer role (default: the role of the notice's window).") var role: String?

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            guard let notice = await reporting({ try await store.notice(number: number) }) else { fail("no notice numbered \(number)") }
            guard !notice.voided else { fail("notice \(number) is void (\(notice.voidReason ?? "")); a void notice is not reprinted") }
            let printer = role ?? PrinterRoles.role(forWindow: notice.notice.draft.window, in: config)
            guard let printer else { fail("no printer serves window \(notice.notice.draft.window); name one with --role") }
            let job = await reporting {
                try await store.enqueuePrintJob(idempotencyKey: "reprint-\(UUID().uuidString)", printerRole: printer, noticeID: notice.id,
                                                copies: 2, at: commandClock.now(), reprint: true, actor: "cli")
            }
            printLine("reprint of \(number) queued as job \(job.id) on \(printer)")
        }
    }
}
