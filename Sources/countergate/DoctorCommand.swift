// `countergate doctor`: what the gateway can see on this machine, and what to fix.
import ArgumentParser
import Foundation
import Gateway

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report configuration, store, permissions, system packages and visible devices, with what to fix.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let report = await HallDoctor.examine(configPath: global.configPath())
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            printLine(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            printLine(report.text)
        }
        if report.findings.contains(where: { $0.status == .fail }) { throw ExitCode.failure }
    }
}
