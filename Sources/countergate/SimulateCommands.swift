// `countergate simulate ...`: run the test fakes of the hall's devices on this machine.
import ArgumentParser
import CounterCore
import Foundation
import BadgeReaders
import ESCPOS
import Gateway
import Logging
import ServiceLifecycle
import Simulators
import ZKTerminal

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a simulated device (a test fake that speaks the real wire) for tests, demos and benchmarks.",
        subcommands: [Terminal.self, Printer.self, Reader.self, PushTerminal.self])  // PushDemo.swift

    struct Terminal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A simulated fingerprint terminal on the pull protocol (TCP and UDP), until Ctrl-C or SIGTERM.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Address to listen on (keep it loopback).") var host = "127.0.0.1"
        @Option(help: "TCP port (0 picks a free one).") var port = 4370
        @Option(help: "UDP port (default: the TCP port; 0 picks a free one).") var udpPort: Int?
        @Option(help: "How many attendance records the terminal holds.") var records = 1_000
        @Option(help: "The comm key (通讯密码) it demands; none by default.") var commKey: UInt32?
        @Option(help: "Attendance record layout: 40, 16 or 8 bytes.") var layout = 40
        @Option(help: "How far (seconds) its clock is off the real one.") var clockOffset: Double = 0
        @Option(help: "A demo user punches every this many seconds (0: never).") var punchEvery: Double = 0
        @Option(help: "The serial number it reports.") var serialNumber = "SIM0000001"
        @Option(help: "How many terminals to run (each on its own free ports, serial numbers SERIAL-1, SERIAL-2, …; needs --port 0).")
        var count = 1
        @Option(help: "On TCP, send each READ_BUFFER chunk as DATA packets of this many bytes (e.g. 1008, as some firmware does) instead of one packet per chunk.")
        var dataPacketSize: Int?

        func run() async throws {
            guard let attendanceLayout = ZKAttendanceLayout(rawValue: layout) else { fail("--layout must be 40, 16 or 8") }
            guard (1...1000).contains(count) else { fail("--count must be 1 to 1000") }
            guard count == 1 || port == 0 else { fail("--count \(count) needs --port 0: each terminal takes its own free port") }
            if let dataPacketSize, !(16...65_472).contains(dataPacketSize) { fail("--data-packet-size must be 16 to 65472 bytes") }
            let logger = global.makeLogger("countergate.simulator")
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            for n in 1...count {
                let serial = count == 1 ? serialNumber : "\(serialNumber)-\(n)"
                let simulator = ZKTerminalSimulator.demo(records: records, serialNumber: serial, commKey: commKey,
                                                         layout: attendanceLayout, clockOffset: clockOffset)
                if let dataPacketSize { simulator.setFaults(.init(dataPacketSize: dataPacketSize)) }
                let ports = await reporting { try await simulator.start(host: host, tcpPort: port, udpPort: udpPort ?? (port == 0 ? 0 : port)) }
                printLine("simulated terminal (a test fake) \(serial) with \(records) records listening on tcp://\(host):\(ports.tcp) and udp://\(host):\(ports.udp)")
                services.append(.init(service: SimulatedTerminalService(simulator: simulator, punchEvery: punchEvery)))
            }
            let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            printLine("simulated terminal stopped")
        }
    }
}

extension SimulateCommand {
    struct Printer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A simulated network receipt printer (ESC/POS on raw TCP), until Ctrl-C or SIGTERM; prints what it receives as text.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Address to listen on (keep it loopback).") var host = "127.0.0.1"
        @Option(help: "TCP port (0 picks a free one).") var port = 9100
        @Option(help: "The printer profile it behaves as (drivers/printers).") var profile = "xprinter-xp80"
        @Option(help: ArgumentHelp("Where the profiles are.", valueName: "dir")) var profilesDir = "drivers/printers"
        @Flag(help: "Start out of paper.") var paperOut = false
        @Option(help: ArgumentHelp("Keep what it printed in this file, page by page as they are cut, instead of printing it on standard output; with --count, a folder of printer-N.txt.",
                                   valueName: "file")) var transcript: String?
        @Option(help: "How many printers to run (each on its own free port; needs --port 0). Without --transcript only one echoes.")
        var count = 1

        func run() async throws {
            let profiles = await reporting { try PrinterProfiles.load(directory: profilesDir) }
            guard let chosen = profiles[profile] else { fail("no profile \(profile) in \(profilesDir)") }
            guard (1...1000).contains(count) else { fail("--count must be 1 to 1000") }
            guard count == 1 || port == 0 else { fail("--count \(count) needs --port 0: each printer takes its own free port") }
            if count > 1, let transcript {
                do { try FileManager.default.createDirectory(atPath: transcript, withIntermediateDirectories: true) }
                catch { fail("--transcript \(transcript): cannot make the folder: \(error)") }
            }
            let logger = global.makeLogger("countergate.simulator")
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            for n in 1...count {
                let simulator = ESCPOSPrinterSimulator(profile: chosen)
                if paperOut { simulator.runOutOfPaper() }
                let bound = await reporting { try await simulator.start(host: host, port: port) }
                printLine("simulated printer (a test fake) \(chosen.id) listening on tcp://\(host):\(bound)")
                let output = count == 1 ? transcript.map { URL(fileURLWithPath: $0) }
                    : transcript.map { URL(fileURLWithPath: $0).appendingPathComponent("printer-\(n).txt") }
                if count == 1 || output != nil {
                    services.append(.init(service: SimulatedPrinterEcho(simulator: simulator, output: output)))
                } else {
                    services.append(.init(service: SimulatedPrinterHold(simulator: simulator)))
                }
            }
            let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}

extension SimulateCommand {
    struct Reader: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A simulated badge reader (a test fake): a serial RDM6300 reader on a pseudo-terminal, or a keyboard-wedge reader as files for umockdev.",
            discussion: """
                Serial (the default): opens a pseudo-terminal and prints its path; configure a reader with address
                serial:<path>?baud=9600 and profile rdm6300-serial. Then type commands on standard input, one per line:
                  tap CARD     a good frame            bad CARD    a frame with a wrong checksum
                  half CARD    a frame cut short       noise       bytes that are no frame
                  unplug       close the tty and stop
                --every N also taps the demo cards on its own every N seconds. Runs until Ctrl-C, SIGTERM or unplug.

                Wedge (--wedge DIR): writes DIR/reader.umockdev (the reader as sysfs shows it) and DIR/taps.events
                (the keys it types, evemu format) and prints the umockdev-run line that replays them to a program,
                e.g. the gateway: umockdev-run -d DIR/reader.umockdev -e /dev/input/event5=DIR/taps.events -- countergate serve …
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Write a keyboard-wedge reader's umockdev files into this folder instead.", valueName: "dir")) var wedge: String?
        @Option(help: ArgumentHelp("The cards to tap, comma-separated (default: the demo staff's cards).", valueName: "cards")) var cards: String?
        @Option(help: "Tap a card every this many seconds (serial: 0 taps only on command; wedge: the gap in the script).") var every: Double = 0
        @Option(help: "Wedge: how many taps the script holds.") var taps = 20
        @Option(help: "Wedge: every this many taps is cut short (0: none).") var halfEvery = 0

        func run() async throws {
            let chosen: [CardNumber]
            if let cards {
                chosen = cards.split(separator: ",").map { text in
                    guard let card = try? CardFormat.decimal.parse(text.trimmingCharacters(in: .whitespaces)).get() else {
                        fail("--cards: \"\(text)\" is not a card number (digits, at most 10)")
                    }
                    return card
                }
            } else {
                chosen = (1...8).map { SimulatedBadgeTapper.card(for: "D00\($0)") }
            }
            guard !chosen.isEmpty else { fail("--cards names no card") }
            if let wedge { return writeWedge(into: wedge, cards: chosen) }
            let reader = await reporting { try SimulatedSerialBadgeReader() }
            printLine("simulated serial badge reader (a test fake) on \(reader.path): configure address serial:\(reader.path)?baud=9600, profile rdm6300-serial")
            printLine("commands: tap CARD | bad CARD | half CARD | noise | unplug")
            let logger = global.makeLogger("countergate.simulator")
            let service = SimulatedReaderConsole(reader: reader, cards: chosen, every: every)
            // "unplug" ends the console, and with it the whole run.
            let group = ServiceGroup(configuration: .init(services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                                                          gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            reader.unplug()
            printLine("simulated reader unplugged")
        }

        func writeWedge(into directory: String, cards: [CardNumber]) {
            let reader = SimulatedWedgeReader()
            var actions: [SimulatedWedgeReader.Action] = []
            let gap = Duration.milliseconds(Int64(max(every, 0.5) * 1000))
            for index in 0..<max(taps, 1) {
                let card = cards[index % cards.count].canonical
                actions.append(.pause(gap))
                actions.append(halfEvery > 0 && (index + 1) % halfEvery == 0 ? .halfCard(String(card.prefix(5))) : .tap(card))
            }
            let url = URL(fileURLWithPath: directory)
            let description = url.appendingPathComponent("reader.umockdev"), events = url.appendingPathComponent("taps.events")
            do {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
                try reader.umockdevDescription.write(to: description, atomically: true, encoding: .utf8)
                try reader.evemuEvents(actions).write(to: events, atomically: true, encoding: .utf8)
            } catch {
                fail("cannot write the simulated reader's files into \(directory): \(error)")
            }
            printLine("simulated keyboard-wedge reader (a test fake), \(String(format: "%04x:%04x", reader.vendorID, reader.productID)), \(actions.count / 2) taps:")
            printLine("  umockdev-run -d \(description.path) -e \(reader.node)=\(events.path) -- PROGRAM")
        }
    }
}

/// Taps cards on a simulated serial reader: on command from standard input, and every `every` seconds.
struct SimulatedReaderConsole: Service {
    let reader: SimulatedSerialBadgeReader
    let cards: [CardNumber]
    let every: Double

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                if every > 0 {
                    group.addTask {
                        var index = 0
                        // The simulated reader's rhythm of taps; not synchronisation.
                        while (try? await Task.sleep(for: .seconds(every))) != nil {
                            try? reader.tap(cards[index % cards.count])
                            index += 1
                        }
                    }
                }
                group.addTask {
                    for await line in Self.standardInputLines() where !obey(line) { return }
                    // Standard input ended: the reader stays plugged in (and tapping, with --every) until stopped.
                    while (try? await Task.sleep(for: .seconds(3600))) != nil {}
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Standard input's lines, read on a thread of their own so that a blocked read never holds up shutdown.
    static func standardInputLines() -> AsyncStream<String> {
        AsyncStream { continuation in
            let thread = Thread {
                while let line = readLine() { continuation.yield(line) }
                continuation.finish()
            }
            thread.start()
        }
    }

    /// Carries out one command line; false when it said unplug.
    func obey(_ line: String) -> Bool {
        let words = line.split(separator: " ").map(String.init)
        guard let verb = words.first?.lowercased() else { return true }
        let card = words.count > 1 ? try? CardFormat.decimal.parse(words[1]).get() : nil
        do {
            switch (verb, card) {
            case ("tap", let card?): try reader.tap(card); printLine("tapped \(card.canonical)")
            case ("bad", let card?): try reader.tapWithBadChecksum(card); printLine("sent \(card.canonical) with a bad checksum")
            case ("half", let card?): try reader.tapHalf(card); printLine("sent half of \(card.canonical)")
            case ("noise", _): try reader.sendNoise(); printLine("sent noise")
            case ("unplug", _): return false
            default: printLine("? expected: tap CARD | bad CARD | half CARD | noise | unplug")
            }
        } catch {
            printLine("cannot send: \(error)")
        }
        return true
    }
}

/// Keeps a simulated printer running, printing nothing anywhere, until shutdown.
struct SimulatedPrinterHold: Service {
    let simulator: ESCPOSPrinterSimulator

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: .seconds(3600))) != nil {}
        }
        await simulator.stop()
    }
}

/// Writes what a simulated printer printed, as text, to standard output or a file, each time it prints more.
///
/// A file gets each page once it is cut off (a notice's copy ends with a cut), appended: the file grows with the
/// paper, and a long run (the crash and soak suites print thousands of notices) costs no more per page than a short
/// one. Standard output shows the whole transcript again each time.
struct SimulatedPrinterEcho: Service {
    let simulator: ESCPOSPrinterSimulator
    /// The file to keep the transcript in; nil prints new lines to standard output.
    let output: URL?

    func run() async throws {
        let file = output.flatMap { url -> FileHandle? in
            FileManager.default.createFile(atPath: url.path, contents: nil)
            return try? FileHandle(forWritingTo: url)
        }
        await cancelWhenGracefulShutdown {
            var shown = 0
            /// Per job (connection) id, how many of its cut pages are in the file.
            var pagesWritten: [Int: Int] = [:]
            while !Task.isCancelled {
                let seen = shown
                do {
                    try await simulator.waitUntil("more printed", timeout: .seconds(3600)) { $0.counters.linesPrinted != seen }
                } catch { continue }
                shown = simulator.counters.linesPrinted
                if let file {
                    var text = ""
                    for job in simulator.jobs {
                        let cut = job.printout.pages
                        let from = pagesWritten[job.id, default: 0]
                        guard cut.count > from else { continue }
                        for page in cut[from...] { text += page.texts.joined(separator: "\n") + "\n" }
                        pagesWritten[job.id] = cut.count
                    }
                    if !text.isEmpty { try? file.write(contentsOf: Data(text.utf8)) }
                } else {
                    printLine(simulator.transcript)
                }
            }
        }
        try? file?.close()
        await simulator.stop()
    }
}

extension ZKTerminalSimulator {
    /// The demo terminal: the demo users (terminal user ids 1-8, matching the demo staff) and `records`
    /// generated punches ending around now.
    static func demo(records: Int, serialNumber: String = "SIM0000001", commKey: UInt32? = nil,
                     layout: ZKAttendanceLayout = .full, clockOffset: TimeInterval = 0) -> ZKTerminalSimulator {
        let users = demoUsers()
        // Under 4 punches a weekday per user (lunch is sometimes skipped): start far enough back that `records`
        // punches end before today, so none looks like a punch from the future.
        let days = Double(records) / Double(users.count) / 4 * 7 / 5 + 7
        let start = ZKLocalTime(commandClock.now().addingTimeInterval(-days * 86400), in: HallTime.chinaStandardTime)
        let from = ZKLocalTime(year: start.year, month: start.month, day: start.day, hour: 0, minute: 0, second: 0)
        return ZKTerminalSimulator(configuration: .init(serialNumber: serialNumber, commKey: commKey, attendanceLayout: layout, clockOffset: clockOffset),
                                   users: users, records: generatedRecords(count: records, users: users, start: from, seed: 2026),
                                   clock: commandClock)
    }
}

/// Keeps a simulated terminal running (and punching now and then) until the group shuts down.
struct SimulatedTerminalService: Service {
    let simulator: ZKTerminalSimulator
    let punchEvery: Double

    func run() async throws {
        await cancelWhenGracefulShutdown {
            if punchEvery > 0 {
                let users = ZKTerminalSimulator.demoUsers()
                var generator = SystemRandomNumberGenerator()
                // The demo's rhythm of staff clocking in; not synchronisation.
                while (try? await Task.sleep(for: .seconds(punchEvery))) != nil {
                    let user = users.randomElement(using: &generator)!
                    simulator.punch(userID: user.userID, verifyType: 1, state: UInt8.random(in: 0...1, using: &generator))
                }
            } else {
                while (try? await Task.sleep(for: .seconds(3600))) != nil {}
            }
        }
        try? await simulator.stop()
    }
}

/// The demo's staff tapping their badges on the simulated readers now and then (and a stranger's card once in a while).
struct SimulatedBadgeTapper: Service {
    let readers: [SimulatedSerialBadgeReader]
    let every: Double

    /// The demo card of a staff id: 10,000,000 plus its number (D001 -> 0010000001).
    static func card(for staffID: String) -> CardNumber {
        CardNumber(10_000_000 + (UInt32(staffID.filter(\.isNumber)) ?? 0))
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            guard every > 0 else {
                // No taps of its own: the readers stay plugged in until the demo stops.
                while (try? await Task.sleep(for: .seconds(3600))) != nil {}
                return
            }
            var generator = SystemRandomNumberGenerator()
            // The demo's rhythm of staff tapping badges; not synchronisation.
            while (try? await Task.sleep(for: .seconds(every * 1.5))) != nil {
                let reader = readers.randomElement(using: &generator)!
                let stranger = Int.random(in: 0..<10, using: &generator) == 0
                let card = stranger ? CardNumber(UInt32.random(in: 1...9_999_999, using: &generator))
                                    : Self.card(for: "D00\(Int.random(in: 1...8, using: &generator))")
                try? reader.tap(card)
            }
        }
        for reader in readers { reader.unplug() }
    }
}
