// `countergate reader ...` and `countergate staff card set`: badge readers and the cards staff wear (佩证上岗).
import ArgumentParser
import BadgeReaders
import CounterConfig
import CounterCore
import CounterStore
import DeviceKit
import Foundation
import Gateway

struct ReaderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reader", abstract: "Badge readers (读卡器).",
                                                    subcommands: [List.self, Watch.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The reader profiles, and the input devices and serial ports this machine shows.")
        @Option(help: ArgumentHelp("Where the reader profiles are.", valueName: "dir")) var profilesDir = "drivers/readers"

        func run() async throws {
            let profiles = await reporting { try ReaderProfiles.load(directory: profilesDir) }
            printLine("profiles:")
            for p in profiles {
                let ids = p.usbIDs.map(\.description).joined(separator: ", ")
                printLine("  \(p.id)\t\(p.kind.rawValue)\t\(p.cardFormat.rawValue)\(ids.isEmpty ? "" : "\tusb \(ids)")\(p.baudRate.map { "\t\($0) baud" } ?? "")\t\(p.name)")
            }
            let inputs = InputDevices.scan()
            printLine(inputs.isEmpty ? "input devices: none visible (/sys/class/input)" : "input devices:")
            for device in inputs {
                let match = profiles.first { p in p.usbIDs.contains { $0.vendor == device.vendorID && $0.product == device.productID } }
                printLine("  \(device)" + (match.map { "  <- profile \($0.id)" } ?? ""))
            }
            let serial = SerialPorts.scan()
            printLine(serial.isEmpty ? "serial ports: none visible" : "serial ports: " + serial.joined(separator: ", "))
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the cards a reader reads, with whose they are (Ctrl-C stops).",
            discussion: "A USB keyboard-wedge reader is grabbed while watched, so the digits do not reach anyone's open form.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("A keyboard-wedge reader by its USB ids.", valueName: "VVVV:PPPP")) var usb: String?
        @Option(help: ArgumentHelp("A serial reader's tty.", valueName: "path")) var serial: String?
        @Option(help: "The serial reader's baud rate.") var baud = 9600
        @Option(help: "Serial mode: frames (RDM6300) or lines (digits + CR/LF).") var mode = "frames"
        @Option(help: "The card format a wedge or line reader types: decimal, decimal-10, hex, wiegand-26.") var format = "decimal"

        func validate() throws {
            guard (usb == nil) != (serial == nil) else { throw ValidationError("name the reader with either --usb VVVV:PPPP or --serial /dev/ttyUSB0") }
            guard CardFormat(rawValue: format) != nil else { throw ValidationError("--format must be one of " + CardFormat.allCases.map(\.rawValue).joined(separator: ", ")) }
        }

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            let cardFormat = CardFormat(rawValue: format) ?? .decimal
            func show(_ card: CardNumber) async {
                let person: String
                switch card.owner(among: (try? await store.cardsByStaff()) ?? [:]) {
                case .staff(let staffID): person = (try? await store.staff(id: staffID))?.name ?? staffID
                case .nobody: person = "unknown card (未登记的卡)"
                case .ambiguous(let people): person = "the low 24 bits of the cards of " + people.joined(separator: ", ") + " (Wiegand 26 cannot tell them apart)"
                }
                printLine("\(card.canonical)\t\(person)")
            }
            if let usb {
                let parts = usb.split(separator: ":")
                guard parts.count == 2, let vendor = UInt16(parts[0], radix: 16), let product = UInt16(parts[1], radix: 16) else {
                    fail("--usb \(usb): expected VVVV:PPPP in hex")
                }
                printLine("watching the reader \(usb) (grabbed; Ctrl-C stops)")
                for await event in WedgeReader(vendorID: vendor, productID: product).events() {
                    switch event {
                    case .card(let card, _):
                        switch cardFormat.parse(card.number) {
                        case .success(let number): await show(number)
                        case .failure(let error): printLine("unreadable card \(card.number): \(error)")
                        }
                    case .problem(let problem): FileHandle.standardError.write(Data("\(problem)\n".utf8))
                    case .unplugged(let node): FileHandle.standardError.write(Data("reader unplugged (\(node)); waiting for it to come back\n".utf8))
                    case .attached(let node): FileHandle.standardError.write(Data("reader connected: \(node), grabbed\n".utf8))
                    case .discarded(let partial, _): FileHandle.standardError.write(Data("half a card thrown away (\(partial)): tap again\n".utf8))
                    case .unexpectedKey(let code, _): FileHandle.standardError.write(Data("key \(code) is not a card's; ignored\n".utf8))
                    }
                }
            } else if let serial {
                let serialMode: SerialBadgeReader.Mode = mode == "lines" ? .lines(format: cardFormat, maxLength: 20) : .frames
                printLine("watching the reader on \(serial) (Ctrl-C stops)")
                for await event in SerialBadgeReader(path: serial, baudRate: baud, mode: serialMode).events() {
                    switch event {
                    case .card(let reading): await show(reading.card)
                    case .rejected(let rejection, _): FileHandle.standardError.write(Data("rejected: \(rejection)\n".utf8))
                    case .lost(let error): FileHandle.standardError.write(Data("\(error); reopening\n".utf8))
                    case .connected: FileHandle.standardError.write(Data("reader connected: \(serial)\n".utf8))
                    }
                }
            }
        }
    }
}

extension StaffCommand {
    struct Card: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "card", abstract: "The badge cards staff wear.", subcommands: [Set.self])

        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Give a card to a staff member (a card someone else had moves to them, audited).",
                discussion: "Cards are kept in one canonical form (10 decimal digits of the 32-bit id), whatever format a reader types.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The staff id.") var staffID: String
            @Argument(help: "The card number as the reader or the card shows it.") var card: String
            @Option(help: "How the number is written: decimal, decimal-10, hex, wiegand-26.") var format = "decimal"

            func run() async throws {
                guard let cardFormat = CardFormat(rawValue: format) else {
                    fail("--format must be one of " + CardFormat.allCases.map(\.rawValue).joined(separator: ", "))
                }
                let number: CardNumber
                switch cardFormat.parse(card) {
                case .success(let parsed): number = parsed
                case .failure(let error): fail("\(card): \(error)")
                }
                let config = global.loadConfiguration(allowDefaults: true)
                await reporting { try await openStoreForTools(config).setCard(number.canonical, staffID: staffID, actor: "cli", at: commandClock.now()) }
                printLine("card \(number) now belongs to \(staffID)")
            }
        }
    }
}
