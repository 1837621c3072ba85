// `countergate serve` and `countergate demo`: run the gateway.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import ESCPOS
import Gateway
import ServiceLifecycle
import BadgeReaders
import DeviceKit
import Simulators
import ZKTerminal

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway with a configuration file (under systemd: Type=notify, see udev/countergate.service).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let config = global.loadConfiguration(allowDefaults: false)
        // Everything `config check` checks, before anything is created or opened.
        let startup = await reporting { try GatewayStartup.check(config) }
        let logger = global.makeLogger()
        // One gateway per data folder; held until the process ends (restore is refused meanwhile).
        let lock = await reporting { try GatewayRuntime.lockDataFolder(config) }
        let store = await reporting { try GatewayRuntime.openStore(config) }
        defer { withExtendedLifetime(lock) {} }
        await reporting {
            try await GatewayRuntime.run(config: config, store: store, logger: logger, startup: startup) { host, port in
                printLine("CounterGate is listening on \(HallHTTPServer.scheme(for: config.http))://\(host):\(port)/")
            }
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the demo hall on this machine: loopback HTTP, SQLite in a local folder, demo staff.",
        discussion: """
            Stops cleanly on Ctrl-C or SIGTERM. The data folder is kept between runs; delete it to start over.
            Prints a link to each page with a demo token (tokens and the demo staff's PINs in <data>/demo-tokens.txt), and \
            the address of a simulator control (TEST FAKE, loopback) that stops and starts the simulated devices: docs/pages.md.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "HTTP port (0 picks a free one).")
    var port: Int?

    @Option(help: ArgumentHelp("Where the demo keeps its database.", valueName: "path"))
    var dataDir: String?

    @Option(help: "Attendance records on the simulated terminal.")
    var simulatedRecords = 2_000

    @Option(help: "A simulated punch every this many seconds (0: none).")
    var punchEvery: Double = 20

    @Flag(help: "Run without the simulated devices.")
    var noSimulators = false

    @Option(help: "The push terminals' listener (/iclock/) port: 8081 by default, a free one with --port 0; 0 picks a free one.")
    var pushPort: Int?

    func run() async throws {
        var config = global.loadConfiguration(allowDefaults: true)
        if let port {
            guard (0...65535).contains(port) else { fail("--port \(port) is not a port; use 0 to 65535") }
            config.http.port = port
        }
        if let dataDir { config.store.dataDirectory = dataDir }
        if global.configPath() == nil {
            // The built-in demo hall notices a failed device within seconds, so that a failure can be shown (and tested)
            // without waiting; `serve` and a demo run with a configuration file keep their thresholds.
            config.health.offlineAfterSeconds = 3
            config.health.onlineAfterSeconds = 2
            config.health.printerStatusIntervalSeconds = 1
            config.fallback.enterAfterSeconds = 3
            config.fallback.leaveAfterSeconds = 5
            config.attendance.heartbeatSeconds = 1
        }
        let logger = global.makeLogger()
        // The demo's devices are simulators (test fakes speaking the real wire), started here and configured
        // like real devices, so the gateway's real device path talks to them.
        let terminal = ZKTerminalSimulator.demo(records: simulatedRecords)
        // What the demo's simulator control (test fake) may stop and start.
        var controlled: [ControlledSimulator] = []
        if !noSimulators {
            let ports = await reporting { try await terminal.start(host: "127.0.0.1", tcpPort: 0, udpPort: 0) }
            controlled.append(.terminal("entrance-terminal", terminal, ports: ports))
            config.devices.append(HallConfiguration.Device(
                id: "simulated-entrance-terminal", kind: .terminal, role: "entrance-terminal", profile: "simulated-zk",
                link: .pullTerminal(.init(host: "127.0.0.1", port: ports.tcp)), serialNumber: nil, windows: Set(config.windows.map(\.number))))
            logger.info("simulated terminal (test fake) started", metadata: ["address": "tcp://127.0.0.1:\(ports.tcp)", "records": "\(simulatedRecords)"])
        }
        // One simulated printer per window, and a backup for the hall; what they print is kept as text in
        // <data>/printed/<role>.txt so the notices can be looked at.
        var printerEchoes: [SimulatedPrinterEcho] = []
        if !noSimulators, let profile = (try? PrinterProfiles.load(directory: config.printing.profilesDirectory))?["xprinter-xp80"] {
            let printedDirectory = URL(fileURLWithPath: config.store.dataDirectory).appendingPathComponent("printed")
            try? FileManager.default.createDirectory(at: printedDirectory, withIntermediateDirectories: true)
            for window in config.windows {
                let printer = ESCPOSPrinterSimulator(profile: profile)
                let port = await reporting { try await printer.start(host: "127.0.0.1", port: 0) }
                let role = "window-\(window.number)-printer"
                config.devices.append(HallConfiguration.Device(
                    id: "simulated-\(role)", kind: .printer, role: role, profile: profile.id, link: .printer(.tcp(host: "127.0.0.1", port: port)),
                    serialNumber: nil, windows: [window.number], backupRole: "hall-backup-printer"))
                printerEchoes.append(SimulatedPrinterEcho(simulator: printer, output: printedDirectory.appendingPathComponent("\(role).txt")))
                controlled.append(.printer(role, printer, port: port))
            }
            let backup = ESCPOSPrinterSimulator(profile: profile)
            let port = await reporting { try await backup.start(host: "127.0.0.1", port: 0) }
            config.devices.append(HallConfiguration.Device(
                id: "simulated-hall-backup-printer", kind: .printer, role: "hall-backup-printer", profile: profile.id,
                link: .printer(.tcp(host: "127.0.0.1", port: port)), serialNumber: nil, windows: Set(config.windows.map(\.number))))
            printerEchoes.append(SimulatedPrinterEcho(simulator: backup, output: printedDirectory.appendingPathComponent("hall-backup-printer.txt")))
            controlled.append(.printer("hall-backup-printer", backup, port: port))
            // A spare printer bound to no role: ops can replace a failed window printer with it by its address.
            let spare = ESCPOSPrinterSimulator(profile: profile)
            let sparePort = await reporting { try await spare.start(host: "127.0.0.1", port: 0) }
            printerEchoes.append(SimulatedPrinterEcho(simulator: spare, output: printedDirectory.appendingPathComponent("spare-printer.txt")))
            controlled.append(.printer("spare-printer", spare, port: sparePort))
            logger.info("simulated printers (test fakes) started", metadata: ["printed": "\(printedDirectory.path)"])
        } else if !noSimulators {
            logger.warning("no printer profiles in \(config.printing.profilesDirectory): the demo runs without simulated printers (run it from the repository, or set [printing] profiles_dir)")
        }
        let clock = commandClock
        let lock = await reporting { try GatewayRuntime.lockDataFolder(config, purpose: "countergate demo") }
        defer { withExtendedLifetime(lock) {} }
        let store = await reporting { try GatewayRuntime.openStore(config) }
        let seeded = await reporting {
            try await GatewayRuntime.syncConfiguration(config, store: store, clock: clock)
            let added = try await DemoHall.seedIfEmpty(store: store, config: config, clock: clock)
            // The demo windows' items (事项目录), so the clerk's page picks an item and fills the form.
            if try await store.catalogueItems() == nil {
                let items = try ItemCatalogue.parse(csv: DemoHall.catalogueCSV)
                _ = try await store.importCatalogue(items, fileBytes: Data(DemoHall.catalogueCSV.utf8), source: "demo", actor: "demo", at: clock.now())
            }
            // Each demo person's badge: card 10000000 + the number of their staff id (D001 -> 0010000001).
            for person in try await store.staff() where try await store.cards(ofStaff: person.id).isEmpty {
                try await store.setCard(SimulatedBadgeTapper.card(for: person.id).canonical, staffID: person.id, actor: "demo", at: clock.now())
            }
            // The demo's duty roster (值班表): its duty chiefs in turn over the working days from today, so that the
            // duty chief's token can approve the day's short leave; days already on the roster are kept.
            let today = CivilDate(clock.now())
            if try await store.dutyChief(on: today) == nil {
                let chiefs = try await store.staff().filter { $0.has(.dutyChief) }.map(\.id)
                if !chiefs.isEmpty {
                    _ = try? await LeaveDesk(config: config, store: store, clock: clock)
                        .rotateRoster(chiefs: chiefs, from: today, through: today.adding(days: 60), by: "demo")
                }
            }
            return added
        }
        if seeded > 0 { logger.info("demo staff loaded", metadata: ["people": "\(seeded)"]) }
        // A token per role for the pages, and PINs for the demo staff (kiosk sign-in), kept in <data>/demo-tokens.txt.
        let access = await reporting {
            try await DemoAccess.prepare(store: store, config: config, clock: clock, directory: URL(fileURLWithPath: config.store.dataDirectory))
        }
        // Simulated serial badge readers (test fakes on ptys): one at window 1, one at the entrance; the demo staff
        // get cards, and a card is tapped every now and then.
        var badgeTapper: SimulatedBadgeTapper?
        if !noSimulators, FileManager.default.fileExists(atPath: config.badges.profilesDirectory) {
            do {
                let windowReader = try SimulatedSerialBadgeReader()
                let entranceReader = try SimulatedSerialBadgeReader()
                var atWindow = HallConfiguration.Device(id: "simulated-window-1-reader", kind: .badgeReader, role: "window-1-reader", profile: "rdm6300-serial",
                                                        link: .reader(.serial(path: windowReader.path, baud: 9600)), serialNumber: nil, windows: [1])
                atWindow.atEntrance = false
                config.devices.append(atWindow)
                config.devices.append(HallConfiguration.Device(id: "simulated-entrance-reader", kind: .badgeReader, role: "entrance-reader",
                                                               profile: "rdm6300-serial", link: .reader(.serial(path: entranceReader.path, baud: 9600)),
                                                               serialNumber: nil, windows: Set(config.windows.map(\.number))))
                badgeTapper = SimulatedBadgeTapper(readers: [windowReader, entranceReader], every: punchEvery)
                logger.info("simulated badge readers (test fakes) started", metadata: ["window-1": "\(windowReader.path)", "entrance": "\(entranceReader.path)"])
            } catch {
                logger.warning("no simulated badge readers: \(error)")
            }
        }
        // A keyboard-wedge reader at window 2, when the demo runs under umockdev (scripts/demo does, with the files of
        // `countergate simulate reader --wedge`): the gateway finds it in the mocked /sys by its USB ids, grabs it and
        // reads the taps the event script types, through the real evdev path.
        if !noSimulators, ProcessInfo.processInfo.environment["UMOCKDEV_DIR"] != nil, config.windows.contains(where: { $0.number == 2 }),
           let profiles = try? ReaderProfiles.load(directory: config.badges.profilesDirectory) {
            let inputs = InputDevices.scan()
            let found = profiles.filter { $0.kind == .wedge }.lazy.compactMap { profile in
                inputs.first { device in profile.usbIDs.contains { $0.vendor == device.vendorID && $0.product == device.productID } }.map { (profile, $0) }
            }.first
            if let (profile, device) = found {
                var atWindow = HallConfiguration.Device(
                    id: "simulated-window-2-reader", kind: .badgeReader, role: "window-2-reader", profile: profile.id,
                    link: .reader(.usb(vendor: device.vendorID ?? 0, product: device.productID ?? 0, portPath: nil)), serialNumber: nil, windows: [2])
                atWindow.atEntrance = false
                config.devices.append(atWindow)
                logger.info("simulated keyboard-wedge reader (test fake, under umockdev) at window 2", metadata: ["node": "\(device.node)", "profile": "\(profile.id)"])
            }
        }
        // A simulated push terminal (test fake) calls the push listener: PushDemo.swift.
        let pushTerminal = noSimulators ? nil : PushDemo.add(to: &config, port: pushPort ?? (port == 0 ? 0 : 8081), records: 200, punchEvery: punchEvery, logger: logger)
        let dataDirectory = config.store.dataDirectory
        let final = config
        let punches = noSimulators ? nil : SimulatedTerminalService(simulator: terminal, punchEvery: punchEvery)
        var extras: [any Service] = (punches.map { [$0] } ?? []) + printerEchoes + (badgeTapper.map { [$0] } ?? [])
        if let pushTerminal { extras.append(pushTerminal) }
        let (gatewayListening, listening) = AsyncStream<Void>.makeStream()
        if !controlled.isEmpty {
            let spare = controlled.first { $0.name == "spare-printer" }
            let names = controlled.map(\.name).joined(separator: ", ")
            let control = DemoSimulatorControl.application(controlled, logger: logger) { base in
                printLine("simulator control (TEST FAKE, demo only): \(base)/simulators (POST /simulators/NAME/stop or /start; names: \(names))")
                if let spare { printLine("spare simulated printer (TEST FAKE, bound to no role): \(spare.address) (replace a window printer with it on /pages/ops)") }
            }
            extras.append(DemoSimulatorControlService(control: control, gatewayListening: gatewayListening))
        }
        let scheme = HallHTTPServer.scheme(for: final.http)
        let showTokens = final.http.bindsLoopback
        await reporting {
            try await GatewayRuntime.run(config: final, store: store, logger: logger, clock: clock, extraServices: extras) { host, port in
                printLine("CounterGate demo is running: http://\(host):\(port)/ (data in \(dataDirectory); Ctrl-C to stop)")
                // Demo tokens in links only on loopback: anyone who can open the link can use the token.
                if showTokens {
                    printLine("pages (demo, loopback only; tokens and staff PINs in \(access.file.path)):")
                    for link in access.pageLinks(base: "\(scheme)://\(host):\(port)") { printLine("  \(link.label): \(link.url)") }
                } else {
                    printLine("pages: \(scheme)://\(host):\(port)/pages (demo tokens and PINs in \(access.file.path))")
                }
                listening.yield()
            }
        }
    }
}
