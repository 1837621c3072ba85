// The checks behind `countergate doctor`: each finding says what was seen and, when something is wrong, what to do.
import CounterConfig
import CounterCore
import CounterStore
import DeviceKit
import ESCPOS
import Foundation
import GRDB
import Notices

public struct DoctorFinding: Codable, Sendable {
    public enum Status: String, Codable, Sendable { case ok, warn, fail, info }
    public let area: String
    public let status: Status
    public let finding: String
    public let fix: String?
}

public struct DoctorReport: Codable, Sendable {
    public let findings: [DoctorFinding]
    public let usbDevices: [USBDeviceSummary]
    public let inputDevices: [InputDeviceSummary]
    public let serialPorts: [String]

    public var text: String {
        findings.map { f in
            let mark = ["ok": "  ok ", "warn": " WARN", "fail": " FAIL", "info": "     "][f.status.rawValue] ?? ""
            return "\(mark) [\(f.area)] \(f.finding)" + (f.fix.map { "\n        fix: \($0)" } ?? "")
        }.joined(separator: "\n")
    }
}

public enum HallDoctor {
    /// Where udev reads rules from, in its order of precedence.
    public static let udevRuleDirectories = ["/etc/udev/rules.d", "/run/udev/rules.d", "/usr/lib/udev/rules.d", "/lib/udev/rules.d"]

    /// - Parameter udevRuleDirectories: where to look for the installed udev rules (tests give a folder of their own).
    public static func examine(configPath: String?, clock: any HallClock = SystemClock(),
                               udevRuleDirectories: [String] = udevRuleDirectories) async -> DoctorReport {
        var findings: [DoctorFinding] = []
        func add(_ area: String, _ status: DoctorFinding.Status, _ finding: String, fix: String? = nil) {
            findings.append(DoctorFinding(area: area, status: status, finding: finding, fix: fix))
        }

        // Configuration.
        var config: HallConfiguration?
        do {
            if let configPath {
                config = try HallConfiguration.load(path: configPath)
                add("config", .ok, "\(configPath) read: \(config!.windows.count) windows, \(config!.devices.count) devices")
            } else {
                config = try HallConfiguration.defaults()
                add("config", .warn, "no configuration file found; using the built-in demo configuration",
                    fix: "write /etc/countergate/countergate.toml (docs/configuration.md) or pass --config")
            }
        } catch {
            add("config", .fail, "\(error)", fix: "correct the lines named above; `countergate config check` re-reads the file")
        }

        if let config {
            // Calendar: this year must be covered, and next year from 1 November (when the State Council has published it);
            // a missing year does not stop notices, it makes their dates provisional, so it is a warning.
            let today = CivilDate(clock.now())
            let listed = config.calendarYears.map { String($0.year) }.joined(separator: ", ")
            let warnings = CalendarWarnings.due(config: config, today: today, configPath: configPath)
            if warnings.isEmpty {
                add("calendar", .ok, "holiday arrangements loaded for \(listed)")
            }
            for warning in warnings {
                add("calendar", .warn, warning.message + " (loaded: \(listed))", fix: CalendarWarnings.fix(warning))
            }

            // Data directory and store.
            let directory = config.store.dataDirectory
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
                if !isDirectory.boolValue {
                    add("store", .fail, "\(directory) is a file, not a directory", fix: "point [store] data_dir at a directory")
                } else if !FileManager.default.isWritableFile(atPath: directory) {
                    add("permissions", .fail, "\(directory) is not writable by uid \(getuid())",
                        fix: "chown the directory to the service user (countergate) or run as that user")
                } else {
                    add("permissions", .ok, "\(directory) is writable by uid \(getuid())")
                }
            } else {
                add("store", .info, "\(directory) does not exist yet; the gateway creates it on start")
            }
            if FileManager.default.fileExists(atPath: config.databasePath) {
                do {
                    let store = try GatewayRuntime.openStore(config)
                    let migrations = try store.appliedMigrations()
                    add("store", .ok, "\(config.databasePath): journal \(try store.journalMode()), \(migrations.count) migrations applied, durability \(store.durability.rawValue)")
                    let audit = try await store.auditReport()
                    if !audit.verification.isIntact {
                        add("audit", .fail, audit.lines[0], fix: "the database was edited outside CounterGate; keep a copy and report it to the inspection office (督查室)")
                    } else {
                        add("audit", .ok, audit.verification.description)
                    }
                    if audit.anchor.isSound {
                        add("audit anchor", .ok, audit.anchor.description)
                    } else {
                        add("audit anchor", .fail, audit.anchor.description, fix: "countergate audit verify; after a restore on purpose: countergate audit reanchor --reason TEXT")
                    }
                    checkCentral(config, status: try await store.outboxStatus(at: Date()), add: add)
                } catch {
                    add("store", .fail, "\(error)")
                }
            }

            // HTTP.
            let http = config.http
            if http.bindsLoopback {
                add("http", .ok, "listens on \(http.bind):\(http.port) (this machine only)" + (http.usesTLS ? " over HTTPS" : ""))
            } else if http.usesTLS {
                add("http", .ok, "listens on \(http.bind):\(http.port) over HTTPS, reachable from the hall's LAN")
            } else {
                // Plain HTTP on the LAN loads only when allowed ([http] allow_plain_http); otherwise the loader refused it above.
                add("http", .warn, "listens on \(http.bind):\(http.port) in plain HTTP ([http] allow_plain_http): API tokens cross the LAN in clear text",
                    fix: "set [http] tls_certificate and tls_key (docs/api/security.md), or bind 127.0.0.1")
            }

            // Terminal models (drivers/terminals): an unknown model is read as a generic one.
            if config.devices.contains(where: { $0.kind == .terminal }) {
                do {
                    for note in TerminalModels.notes(config, profiles: try TerminalModels.load(config)) {
                        add("terminals", note.agrees ? .ok : .warn, note.text, fix: note.fix)
                    }
                } catch {
                    add("terminals", .fail, "terminal profiles in \(config.attendance.profilesDirectory) cannot be read: \(error)",
                        fix: "correct the file and line named; `countergate config check` re-reads them")
                }
            }
            // Raster fonts: a printer that draws text its font lacks needs a CJK font on this machine.
            if config.devices.contains(where: { $0.kind == .printer }) { checkRasterFonts(config, add: add) }
            // A4 notices: the font page printers' PDFs are set in.
            checkPDFFont(config, add: add)
            // udev rules: the service user reaches its USB printers and readers only through them.
            checkUdevRules(config, directories: udevRuleDirectories, add: add)
        }

        // System libraries the gateway runs with.
        add("system", .ok, "libusb \(USBBus.libraryVersion), SQLite \(sqliteVersion())")
        if let umockdev = which("umockdev-run") {
            add("system", .info, "umockdev found at \(umockdev) (used by the tests to fake USB and input devices)")
        } else {
            add("system", .info, "umockdev not found (only the tests need it: apt-get install umockdev)")
        }

        // Devices the machine shows.
        var usb: [USBDeviceSummary] = []
        do {
            usb = try USBBus.devices()
            add("devices", .info, usb.isEmpty ? "no USB devices visible (no USB bus, or a container)" :
                "USB: " + usb.map(\.description).joined(separator: "; "))
        } catch {
            add("devices", .warn, "USB cannot be listed: \(error)", fix: "check /dev/bus/usb exists and the service user may read it")
        }
        let input = InputDevices.scan()
        add("devices", .info, input.isEmpty ? "no input event nodes (/dev/input) visible" : "input: " + input.map(\.description).joined(separator: "; "))
        let serial = SerialPorts.scan()
        add("devices", .info, serial.isEmpty ? "no serial ports visible" : "serial: " + serial.joined(separator: ", "))
        if let config {
            for device in config.devices {
                add("devices", .info, "configured \(device.kind.chineseName) \(device.id) (role \(device.role), profile \(device.profile)) at \(device.address)")
            }
        }
        return DoctorReport(findings: findings, usbDevices: usb, inputDevices: input, serialPorts: serial)
    }

    /// For each configured printer that draws raster text (`text_output` other than `text`), whether a usable CJK font
    /// is installed: without one, a notice with a character its font lacks (or any Chinese, on a printer without a
    /// Chinese font) fails to print.
    static func checkRasterFonts(_ config: HallConfiguration, add: (String, DoctorFinding.Status, String, String?) -> Void) {
        guard let profiles = try? PrinterProfiles.load(directory: config.printing.profilesDirectory) else { return }  // reported by udev's check
        let fix = "sudo apt-get install fonts-noto-cjk, or set [printing] raster_font to a CJK font file (.ttf, .otf, .ttc)"
        for device in config.devices where device.kind == .printer {
            guard let profile = profiles[device.profile] else { continue }
            guard profile.drawsRaster else {
                if profile.encoding == .ascii {
                    add("fonts", .info, "printer \(device.id) (\(profile.id)) has no Chinese font and no raster images: notices in Chinese cannot print on it", nil)
                }
                continue
            }
            let needs = profile.textOutput == .raster ? "draws every line" : "draws lines its own font cannot print"
            do {
                let rasterizer = try GlyphRasterizer.shared(profile: profile, override: config.printing.rasterFont)
                add("fonts", .ok, "printer \(device.id) (\(profile.id)) \(needs) with \(rasterizer.families.joined(separator: ", ")) "
                    + "(\(rasterizer.files.joined(separator: ", ")))", nil)
            } catch {
                let problem = switch error {
                case .unusableRasterFont(let file, let reason): "raster font \(file) \(reason)"
                case .noRasterFont(let tried, _): "none of its raster fonts is installed (looked for \(tried.joined(separator: ", ")))"
                default: "\(error)"
                }
                let consequence = profile.textOutput == .raster ? "no notice prints on it" : "a notice with a character its font lacks fails"
                add("fonts", profile.textOutput == .raster ? .fail : .warn,
                    "printer \(device.id) (\(profile.id)) \(needs) as images, and \(problem): \(consequence)", fix)
            }
        }
    }

    /// Whether the installed rules are the ones the configured profiles make (`countergate udev rules`).
    /// When a printer's profile is a page printer (output pdf), whether the A4 notices' font can be used.
    /// Forwarding to the county's centre: the token readable, the hall id the store forwards as, what waits, the last error.
    static func checkCentral(_ config: HallConfiguration, status: OutboxStatus?, add: (String, DoctorFinding.Status, String, String?) -> Void) {
        guard let central = config.central else {
            if let status {
                add("central", .warn, "[central] is gone from the configuration but this store forwarded as \(status.hallID): the outbox keeps filling (\(status.waiting) waiting)",
                    "put [central] back, or leave it: nothing is lost, it is sent when forwarding resumes")
            }
            return
        }
        do { _ = try HallConfiguration.readCentralToken(central) } catch {
            add("central", .fail, "\(error)", "put the token `countergate central hall add` printed at the centre into \(central.tokenFile)")
        }
        guard let status else {
            add("central", .info, "forwards to \(central.url) as \(central.hallID) once the gateway starts", nil)
            return
        }
        if status.hallID != central.hallID {
            add("central", .fail, OutboxError.hallIDChanged(stored: status.hallID, configured: central.hallID).description, nil)
            return
        }
        let waiting = "\(status.waiting) records waiting" + (status.oldestWaiting.map { ", the oldest since \($0)" } ?? "")
        if let error = status.lastError {
            add("central", .warn, "forwarding to \(central.url) fails: \(error) (\(waiting))", "check the centre is reachable from here and the token is this hall's")
        } else {
            add("central", .ok, "forwards to \(central.url) as \(central.hallID): \(waiting); last contact \(status.lastContact.map { "\($0)" } ?? "never")", nil)
        }
    }

    static func checkPDFFont(_ config: HallConfiguration, add: (String, DoctorFinding.Status, String, String?) -> Void) {
        let printers = config.devices.filter { $0.kind == .printer }
        guard !printers.isEmpty, let profiles = try? PrinterProfiles.load(directory: config.printing.profilesDirectory) else { return }
        let pages = printers.filter { profiles[$0.profile]?.output == .pdf }
        guard !pages.isEmpty else { return }
        let roles = pages.map(\.role).joined(separator: ", ")
        do {
            let font = try NoticePDFFonts.load(configured: config.printing.pdfFont)
            add("printing", .ok, "A4 notices (\(roles)) are set in \(font.postScriptName) from \(font.file), embedded as a subset", nil)
        } catch {
            add("printing", .fail, "A4 notices (\(roles)) cannot be made: \(error)", "install fonts-wqy-microhei, or set [printing] pdf_font to a TrueType Chinese font")
        }
    }

    static func checkUdevRules(_ config: HallConfiguration, directories: [String],
                               add: (String, DoctorFinding.Status, String, String?) -> Void) {
        let expected: String
        do {
            expected = try HallUdevRules.render(printersDirectory: config.printing.profilesDirectory,
                                                readersDirectory: config.badges.profilesDirectory).text
        } catch {
            // The printers and readers themselves fail to start with this error; here it only stops the check.
            add("udev", .warn, "the device profiles cannot be read, so the udev rules cannot be checked: \(error)",
                "point [printing] profiles_dir and [badges] profiles_dir at the drivers/ folders, and correct the files named")
            return
        }
        let generate = "f=$(mktemp) && countergate udev rules --printers-dir \(config.printing.profilesDirectory) --readers-dir \(config.badges.profilesDirectory) "
            + "--output \"$f\" && sudo install -m 0644 \"$f\" /etc/udev/rules.d/\(UdevRules.fileName) "
            + "&& sudo udevadm control --reload && sudo udevadm trigger"
        let usesUSB = config.devices.contains { $0.link.usesUSB }
        guard let installed = directories.lazy.map({ $0 + "/" + UdevRules.fileName }).first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            add("udev", usesUSB ? .warn : .info,
                "\(UdevRules.fileName) is not installed (looked in \(directories.joined(separator: ", "))): "
                    + "the service user cannot open USB printers and readers, and wedge readers type into the desktop", generate)
            return
        }
        guard let text = FileManager.default.contents(atPath: installed).map({ String(decoding: $0, as: UTF8.self) }) else {
            add("udev", .warn, "\(installed) cannot be read by uid \(getuid())", "make it readable (mode 0644)")
            return
        }
        if text == expected {
            add("udev", .ok, "\(installed) matches the profiles in \(config.printing.profilesDirectory) and \(config.badges.profilesDirectory)", nil)
        } else {
            add("udev", .warn, "\(installed) differs from the rules the profiles make (a profile or a USB id was added or changed since it was installed)",
                generate)
        }
    }

    static func sqliteVersion() -> String {
        (try? DatabaseQueue().read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") }) .flatMap { $0 } ?? "unknown"
    }

    static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
