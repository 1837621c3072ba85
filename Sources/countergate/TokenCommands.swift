// `countergate token ...`: the API's bearer tokens (接口令牌): create (shown once), list, revoke.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "API tokens (接口令牌) for window PCs, the sign-in kiosk, the duty chief and ops: create, list, revoke.",
        discussion: "Roles and what each may do: docs/api/security.md.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token; it is printed once on standard output and only its hash is kept.",
            discussion: """
                Roles: clerk:N (the PC of window N: prints notices for that window), duty-chief (值班长), inspection (督查室), \
                leader (分管领导), ops (运维), kiosk (签到机: sign-in only), read-only (只读).
                Give a person's token --staff: leave, opinions, approvals, 补卡 and publishing are made as that person, and the \
                hall's rules (and the duty roster) are checked against them.
                The token alone goes to standard output, so a script can take it: TOKEN=$(countergate token create ...).
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("What the token may do: clerk:N, duty-chief, inspection, leader, ops, kiosk, read-only.", valueName: "role"))
        var role: String
        @Option(help: ArgumentHelp("The person the token speaks for (staff id), for a duty chief's, the inspection office's, the leader's or a window lead's token.",
                                   valueName: "staff-id"))
        var staff: String?
        @Option(help: ArgumentHelp("The client it is for, e.g. \"3号窗口电脑\" (shown in lists and the audit log).", valueName: "name"))
        var name: String

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let parsed: APIRole
            do { parsed = try APIRole(parsing: role) } catch { fail("--role: \(error)") }
            if let window = parsed.window, !config.windows.contains(where: { $0.number == window }) {
                fail("--role \(role): window \(window) is not configured; windows: "
                    + config.windows.map { String($0.number) }.joined(separator: ", "))
            }
            let store = openStoreForTools(config)
            if let staff {
                guard let person = await reporting({ try await store.staff(id: staff) }) else {
                    fail("--staff \(staff): no such staff member; countergate staff list shows who is on file")
                }
                let needed: StaffRole? = switch parsed {
                case .dutyChief: .dutyChief
                case .inspection: .inspection
                case .leader: .leader
                default: nil
                }
                if let needed, !person.has(needed) {
                    fail("--staff \(staff): \(person.name) does not hold the role \(needed.rawValue) (\(needed.chineseName)) in the staff list")
                }
                if let window = parsed.window, person.window != window {
                    fail("--staff \(staff): \(person.name) does not serve at window \(window)")
                }
            }
            let created = await reporting { try await store.createToken(name: name, role: parsed, staffID: staff, actor: "cli", at: commandClock.now()) }
            FileHandle.standardError.write(Data("""
                API token \(created.id) created for "\(name)" (role \(parsed.text), \(parsed.chineseLabel)).
                Store it now in the client's settings: it is shown only this once and cannot be read back (only its hash is kept).
                If it is lost or leaks: countergate token revoke \(created.id), then create another.

                """.utf8))
            printLine(created.token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens (never their secret), revoked ones included.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let tokens = await reporting { try await openStoreForTools(config).tokens() }
            if json { printJSON(tokens); return }
            if tokens.isEmpty { printLine("no API tokens; create one with countergate token create --role ROLE --name NAME"); return }
            printLine("id\trole\tname\tperson\tcreated\tlast used\tstate")
            for token in tokens {
                let state = token.revokedAt.map { "revoked \(HallTime.format($0)) by \(token.revokedBy ?? "?")" } ?? "active"
                printLine("\(token.id)\t\(token.role.text)\t\(token.name)\t\(token.staffID ?? "-")\t\(HallTime.format(token.createdAt))\t"
                    + "\(token.lastUsedAt.map(HallTime.format) ?? "never")\t\(state)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token: the gateway refuses it (401) from its next request on, also while running.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The token's id (countergate token list).") var id: Int64

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            await reporting { try await openStoreForTools(config).revokeToken(id: id, actor: "cli", at: commandClock.now()) }
            printLine("API token \(id) revoked")
        }
    }
}
