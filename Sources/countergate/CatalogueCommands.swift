// `countergate catalogue import|list|waits`: the window's items (事项目录) notices are filled from, and how long applicants
// waited between a supplementary-materials notice and the acceptance that followed it.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway

struct CatalogueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalogue", abstract: "The windows' items (事项目录): promised periods, materials, joint departments.",
        subcommands: [Import.self, List.self, Waits.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import the hall's item list (CSV or XLSX) as the catalogue's next version.",
            discussion: """
                The columns: 窗口,事项名称,承诺时限,申请材料,联办部门 (docs/notices.md, Item catalogue). Materials and \
                departments are separated by ；. Every line is checked first; a line with a problem is named and nothing \
                is imported. Notices issued from now on use the new version and record its number; the same file again \
                makes no new version. The running gateway uses it at once.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The list: .csv (UTF-8) or .xlsx (its first sheet).", valueName: "file")) var file: String
        @Option(help: "Who imports it (kept in the audit log).") var by = "ops"

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let desk = ItemCatalogueDesk(config: config, store: openStoreForTools(config), clock: commandClock)
            let result = await reporting { try await desk.importFile(file, actor: by) }
            let v = result.version
            if result.created {
                printLine("imported \(v.items) items from \(file) as catalogue version \(v.version) (sha256 \(v.sha256.prefix(12)))")
            } else {
                printLine("\(file) is the catalogue in use (version \(v.version), \(v.items) items); nothing changed")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the catalogue's items (the version in use, or another).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this window's items.") var window: Int?
        @Option(help: "A version other than the one in use.") var version: Int?

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            guard let catalogue = await reporting({ try await store.catalogueItems(version: version, window: window) }) else {
                fail(version.map { "no catalogue version \($0); countergate catalogue list shows the one in use" }
                     ?? "no item catalogue is imported; import the hall's list first (countergate catalogue import FILE)")
            }
            let v = catalogue.version
            printLine("catalogue version \(v.version): \(v.items) items from \(v.source), imported \(HallTime.format(v.importedAt)) by \(v.importedBy)")
            printLine("window\titem\tdays\tmaterials\tjoint departments")
            for item in catalogue.items {
                printLine("\(item.window)\t\(item.name)\t\(item.promisedWorkingDays)\t\(item.materials.joined(separator: "；"))\t\(item.departments.joined(separator: "；"))")
            }
        }
    }

    struct Waits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "How long applicants waited from a supplementary-materials notice to the acceptance that followed it.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "From this day (YYYY-MM-DD; default: the first of this month).") var from: String?
        @Option(help: "To this day (YYYY-MM-DD; default: today).") var to: String?

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let today = CivilDate(commandClock.now())
            func day(_ text: String?, _ name: String, _ fallback: CivilDate) -> CivilDate {
                guard let text else { return fallback }
                guard let date = CivilDate(text) else { fail("--\(name) \(text): expected YYYY-MM-DD") }
                return date
            }
            let first = day(from, "from", today.firstOfMonth)
            let last = day(to, "to", today)
            let desk = ItemCatalogueDesk(config: config, store: openStoreForTools(config), clock: commandClock)
            let waits = await reporting { try await desk.waits(from: first, to: last) }
            printLine("supplementary notice\twindow\tapplicant\titem\treceived\taccepted by\taccepted\tdays\tworking days")
            for w in waits {
                printLine([w.supplementary, String(w.window), w.applicant, w.item, w.receivedOn.description, w.acceptance ?? "(open)",
                           w.acceptedOn?.description ?? "", String(w.days), w.workingDays.map(String.init) ?? "?"].joined(separator: "\t"))
            }
            let closed = waits.compactMap { $0.open ? nil : $0.workingDays }
            let average = closed.isEmpty ? "" : String(format: ", average %.1f working days", Double(closed.reduce(0, +)) / Double(closed.count))
            printLine("\(waits.count) supplementary notices, \(waits.filter(\.open).count) still open\(average)")
        }
    }
}
