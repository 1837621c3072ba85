// The gateway's configuration: one TOML file, with defaults that run the demo hall.
import CounterCore
import CounterTOML
import Foundation

/// Everything the gateway is told by its configuration file.
public struct HallConfiguration: Sendable {
    public struct Hall: Sendable, Equatable {
        /// 太谷县政务服务中心.
        public var name: String
        /// The hall's phone number, printed on notices.
        public var phone: String
    }

    public struct HTTP: Sendable, Equatable {
        /// The address the API and web pages listen on; loopback unless ops choose otherwise.
        public var bind: String
        /// 0 asks the system for a free port (tests, a second demo).
        public var port: Int
        /// The certificate chain (PEM) served for HTTPS; with ``tlsKey``, the gateway speaks only HTTPS.
        public var tlsCertificate: String? = nil
        /// The certificate's private key (PEM, unencrypted, readable by the service user only).
        public var tlsKey: String? = nil
        /// Serve plain HTTP on an address other than loopback (a trusted, closed network only): bearer tokens then
        /// cross the LAN in clear text.
        public var allowPlainHTTP: Bool = false
        /// The browser origins (`https://host[:port]`) allowed to call the API from their pages (CORS); none by default.
        public var corsOrigins: [String] = []

        /// Whether the gateway serves HTTPS (certificate and key both configured).
        public var usesTLS: Bool { tlsCertificate != nil && tlsKey != nil }

        /// Whether ``bind`` is a loopback address (127.0.0.0/8, ::1): reachable from this machine only.
        public var bindsLoopback: Bool { isLoopbackAddress(bind) }

        /// Why this cannot be served, or nil: a LAN address without TLS, unless plain HTTP is allowed explicitly.
        public var plainHTTPRefusal: String? {
            guard !bindsLoopback, !usesTLS, !allowPlainHTTP else { return nil }
            return "binding \(bind) (not loopback) without TLS would send API tokens across the hall's LAN in clear text; "
                + "set [http] tls_certificate and tls_key (PEM files), or, on a closed network you trust, allow_plain_http = true"
        }
    }

    public struct Store: Sendable, Equatable {
        /// Where the database and backups live; relative paths are relative to the configuration file.
        public var dataDirectory: String
        public var durability: String
    }

    public struct Fallback: Sendable, Equatable {
        public var scope: FallbackScope
        /// How long a terminal role must be down before sign-in mode starts.
        public var enterAfterSeconds: Int
        /// How long it must be working again before sign-in mode ends (longer than enter: no flapping).
        public var leaveAfterSeconds: Int
        /// Wrong PINs in a row that lock a person's sign-in.
        public var pinMaxFailures: Int = 5
        /// How long such a lock lasts.
        public var pinLockoutMinutes: Int = 15
        /// A sign-in and a punch of the same person this close are one attendance record without question.
        public var reconcileMatchMinutes: Int = 15
    }

    /// Health checks of printers and badge readers (terminals use the `[fallback]` thresholds).
    public struct Health: Sendable, Equatable {
        /// How long a printer or reader must fail before it is offline.
        public var offlineAfterSeconds: Int
        /// How long it must answer again before it is online.
        public var onlineAfterSeconds: Int
        /// How often an idle printer is asked for its status.
        public var printerStatusIntervalSeconds: Int
    }

    /// A device the configuration names, bound to its role.
    public struct Device: Sendable, Equatable {
        public var id: String
        public var kind: DeviceKind
        public var role: String
        public var profile: String
        /// How the device is reached, parsed from ``address`` when the configuration is read (``rebind(to:)`` sets both).
        public private(set) var link: DeviceLink
        /// The address as the configuration (or the store's binding) writes it.
        public private(set) var address: String
        public var serialNumber: String?
        /// The windows the role serves; all windows when not given.
        public var windows: Set<Int>
        /// A terminal's comm key (通讯密码); 0 when none is set.
        public var commKey: UInt32 = 0
        /// A printer's backup: the role its waiting jobs move to after `printing.failover_after_seconds`.
        public var backupRole: String?
        /// A badge reader's place: at the entrance (check-in, sign-in) or at its one window (on post).
        public var placement: ReaderPlacement {
            windows.count == 1 && !atEntrance ? .window(windows.first!) : .entrance
        }
        /// A badge reader configured with `placement = "entrance"`.
        public var atEntrance = false

        /// The same role served by the device at `link` (a role rebound by ops), written as `address`.
        public mutating func rebind(to link: DeviceLink, address: String) {
            self.link = link
            self.address = address
        }

        /// A device at `address`, parsed for its kind.
        /// - Throws: ``DeviceLinkError`` when the address is not one a device of `kind` can have.
        public init(id: String, kind: DeviceKind, role: String, profile: String, address: String, serialNumber: String?,
                    windows: Set<Int>, commKey: UInt32 = 0, backupRole: String? = nil) throws {
            try self.init(id: id, kind: kind, role: role, profile: profile, link: DeviceLink(parsing: address, kind: kind), serialNumber: serialNumber,
                          windows: windows, commKey: commKey, backupRole: backupRole)
            self.address = address
        }

        /// A device reached through `link`.
        public init(id: String, kind: DeviceKind, role: String, profile: String, link: DeviceLink, serialNumber: String?,
                    windows: Set<Int>, commKey: UInt32 = 0, backupRole: String? = nil) {
            self.id = id
            self.kind = kind
            self.role = role
            self.profile = profile
            self.link = link
            self.address = link.description
            self.serialNumber = serialNumber
            self.windows = windows
            self.commKey = commKey
            self.backupRole = backupRole
        }
    }

    /// The terminals the gateway reads (pull protocol): each is synced, and backed up on the schedule.
    public var pullTerminals: [Device] { devices.filter { $0.link.terminalEndpoint != nil } }
    /// The terminals that call the gateway (push protocol), served by the push listener.
    public var pushTerminals: [Device] { devices.filter { $0.link.isPushTerminal } }

    /// How the gateway finds plugged-in devices (candidates for a role).
    public struct Discovery: Sendable, Equatable {
        /// Rescan USB, input nodes and serial ports this often (hot-plug events only make a rescan come sooner).
        public var rescanIntervalSeconds: Int = 5
        /// Listen for libusb hot-plug events where the platform gives them.
        public var hotplug: Bool = true

        public init(rescanIntervalSeconds: Int = 5, hotplug: Bool = true) {
            self.rescanIntervalSeconds = rescanIntervalSeconds
            self.hotplug = hotplug
        }
    }

    /// How badge taps are read.
    public struct Badges: Sendable, Equatable {
        /// The same card again within this many seconds counts once.
        public var repeatWindowSeconds: Int
        /// Where the reader model profiles are (`drivers/readers`).
        public var profilesDirectory: String
    }

    /// How the print spooler treats printers that cannot print.
    public struct Printing: Sendable, Equatable {
        /// How long a job waits for its printer (paper out, cover open, unplugged) before moving to the backup.
        public var failoverAfterSeconds: Int
        /// The first wait before trying a printer again; it doubles up to a minute.
        public var retryAfterSeconds: Int
        /// How long to wait for a printer's status answer.
        public var statusTimeoutMilliseconds: Int
        /// Where the printer model profiles are (`drivers/printers` of the installation).
        public var profilesDirectory: String
        /// A CJK font file (`raster_font`) to draw the text a printer's own font cannot print; replaces every
        /// profile's `raster_fonts`. Nil: each profile's list (Noto Sans CJK, WenQuanYi), the first installed.
        public var rasterFont: String? = nil
        /// The TrueType Chinese font A4 notices are set in (`pdf_font`); nil tries the usual installed fonts
        /// (Notices' NoticePDFFonts.searchList, WenQuanYi Micro Hei first).
        public var pdfFont: String? = nil
    }

    /// How attendance terminals are read.
    public struct Attendance: Sendable, Equatable {
        /// A full download every so often, the safety net under live events.
        public var pullIntervalSeconds: Int
        /// A terminal clock further than this from the gateway's marks its punches for review.
        public var maxClockDriftSeconds: Int
        /// How long to wait for any one reply of a terminal.
        public var replyTimeoutSeconds: Int
        /// Whether to ask terminals for live events between pulls.
        public var liveEvents: Bool
        /// How often a connected terminal is asked for its time while it sends nothing (its heartbeat).
        public var heartbeatSeconds: Int = 2
        /// How often the gateway backs up each terminal's users and fingerprint templates into the store (for
        /// `countergate devices replace`); 0 turns the schedule off.
        public var backupIntervalHours: Int = 24
        /// How many backups of each terminal role the store keeps.
        public var backupsKept: Int = 5
        /// Where the terminal model profiles are (`drivers/terminals`).
        public var profilesDirectory: String = "drivers/terminals"
    }

    public var hall: Hall
    public var http: HTTP
    public var store: Store
    public var noticeNumberFormat: NoticeNumberFormat
    public var fallback: Fallback
    public var health: Health
    public var windows: [ServiceWindow]
    public var devices: [Device]
    public var attendance: Attendance
    public var printing: Printing
    public var badges: Badges
    public var discovery = Discovery()
    /// Terminals that call the gateway (push protocol): PushConfiguration.swift.
    public var push = Push()
    /// The working hours (作息时间) punches are judged against: WorkingHoursConfiguration.swift.
    public var hours = Hours.standard
    /// The gateway's own database backups: BackupConfiguration.swift.
    public var backup = Backup()
    /// Where the audit log's anchor key is: AuditConfiguration.swift.
    public var audit = Audit()
    /// The county's centre this hall forwards to; nil: the hall stands alone (CentralConfiguration.swift).
    public var central: Central? = nil
    /// Every year of holiday data, in order: the shipped years, those `[calendar] files` adds, and those imported into
    /// the data folder's `calendar/` (``importedCalendarDirectory``), a later source replacing an earlier one's year.
    public var calendarYears: [HolidayYear]
    /// Where each year of ``calendarYears`` came from.
    public var calendarOrigins: [Int: CalendarOrigin] = [:]
    /// The file this was read from, or nil for the built-in defaults.
    public var sourceFile: String?

    /// The built-in configuration: the demo hall with three windows, loopback HTTP on port 8080, data in
    /// `./demo-data`.
    public static func defaults() throws -> HallConfiguration {
        try HallConfiguration.parse(text: "", file: "(built-in defaults)", baseDirectory: FileManager.default.currentDirectoryPath)
    }

    /// Reads and checks a configuration file. Every problem found is reported at once; nothing is half-read.
    public static func load(path: String) throws -> HallConfiguration {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ConfigErrors(errors: [ConfigError(file: path, line: 0, key: nil,
                message: "cannot be read (\(error.localizedDescription)); check the path, or run without --config to use the built-in demo configuration")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigErrors(errors: [ConfigError(file: path, line: 0, key: nil, message: "is not UTF-8 text; save it as UTF-8")])
        }
        var config = try parse(text: text, file: path, baseDirectory: url.deletingLastPathComponent().path)
        config.sourceFile = path
        return config
    }

    /// Where an installed gateway's device profiles are (`drivers/printers`, `drivers/readers` below them), looked in
    /// when the configuration names no `profiles_dir` and there is no `drivers/` beside it (docs/operations.md).
    public static let installedDriverRoots = ["/usr/local/share/countergate/drivers", "/usr/share/countergate/drivers"]

    /// The profile folder of a device family (`printers`, `readers`) when the configuration does not name one:
    /// `drivers/<family>` beside the configuration (a checkout), else the first of `roots` that has it (an install),
    /// else the one beside the configuration (which errors then name).
    public static func defaultProfilesDirectory(_ family: String, baseDirectory: String, roots: [String] = installedDriverRoots) -> String {
        let beside = resolve("drivers/\(family)", against: baseDirectory)
        if FileManager.default.fileExists(atPath: beside) { return beside }
        return roots.map { $0 + "/" + family }.first { FileManager.default.fileExists(atPath: $0) } ?? beside
    }

    /// Parses configuration text. `baseDirectory` anchors relative paths (data directory, calendar files).
    public static func parse(text: String, file: String, baseDirectory: String) throws -> HallConfiguration {
        try parse(text: text, file: file, baseDirectory: baseDirectory, driverRoots: installedDriverRoots)
    }

    /// ``parse(text:file:baseDirectory:)`` with the installed profiles looked for in `driverRoots`
    /// (``defaultProfilesDirectory(_:baseDirectory:roots:)``).
    public static func parse(text: String, file: String, baseDirectory: String, driverRoots: [String]) throws -> HallConfiguration {
        let root: TOMLTable
        do { root = try TOMLReader.parse(text) } catch {
            throw ConfigErrors(errors: [ConfigError(file: file, line: error.position.line, key: nil,
                                                    message: "\(error.message) (column \(error.position.column))")])
        }
        let reader = TableReader(root, path: "", file: file)
        var extra: [ConfigError] = []

        let hallTable = reader.table("hall")
        let hall = Hall(name: hallTable.string("name", default: "太谷县政务服务中心") ?? "",
                        phone: hallTable.string("phone", default: "0354-6000000") ?? "")

        let httpTable = reader.table("http")
        var http = HTTP(bind: httpTable.string("bind", default: "127.0.0.1", expected: "an IP address such as 127.0.0.1",
                                               check: { isIPAddress($0) ? nil : "\"\($0)\" is not an IP address; use 127.0.0.1 (this machine only) or the hall LAN address" }) ?? "127.0.0.1",
                        port: httpTable.int("port", default: 8080, range: 0...65535) ?? 8080)
        readSecurity(of: &http, from: httpTable, root: root, baseDirectory: baseDirectory)

        let storeTable = reader.table("store")
        let durability = storeTable.string("durability", default: "full", expected: "\"full\" or \"normal\"",
                                           check: { ["full", "normal"].contains($0) ? nil : "expected \"full\" or \"normal\", found \"\($0)\"" }) ?? "full"
        let dataDirectory = storeTable.string("data_dir", default: "demo-data", expected: "a directory path") ?? "demo-data"
        let store = Store(dataDirectory: resolve(dataDirectory, against: baseDirectory), durability: durability)

        let noticesTable = reader.table("notices")
        var format = NoticeNumberFormat.hallDefault
        if let pattern = noticesTable.string("number_format", expected: "a pattern with {year} and {seq:N}") {
            do { format = try NoticeNumberFormat(pattern) } catch {
                noticesTable.fail("number_format", at: root.line(ofTable: "notices", key: "number_format"), error.reason)
            }
        }

        let fallbackTable = reader.table("fallback")
        let scopeText = fallbackTable.string("scope", default: "hall", expected: "\"hall\" or \"served-windows\"",
                                             check: { FallbackScope(rawValue: $0) == nil ? "expected \"hall\" or \"served-windows\", found \"\($0)\"" : nil }) ?? "hall"
        let enter = fallbackTable.int("enter_after_seconds", default: 60, range: 1...86_400) ?? 60
        let leave = fallbackTable.int("leave_after_seconds", default: 120, range: 1...86_400) ?? 120
        if leave < enter {
            fallbackTable.fail("leave_after_seconds", at: root.line(ofTable: "fallback", key: "leave_after_seconds"),
                               "must be at least enter_after_seconds (\(enter)), so the hall does not flap between modes")
        }
        var fallback = Fallback(scope: FallbackScope(rawValue: scopeText) ?? .hall, enterAfterSeconds: enter, leaveAfterSeconds: leave)
        fallback.pinMaxFailures = fallbackTable.int("pin_max_failures", default: 5, range: 1...20) ?? 5
        fallback.pinLockoutMinutes = fallbackTable.int("pin_lockout_minutes", default: 15, range: 1...1440) ?? 15
        fallback.reconcileMatchMinutes = fallbackTable.int("reconcile_match_minutes", default: 15, range: 1...240) ?? 15

        let healthTable = reader.table("health")
        let health = Health(
            offlineAfterSeconds: healthTable.int("offline_after_seconds", default: 30, range: 1...86_400) ?? 30,
            onlineAfterSeconds: healthTable.int("online_after_seconds", default: 10, range: 1...86_400) ?? 10,
            printerStatusIntervalSeconds: healthTable.int("printer_status_interval_seconds", default: 15, range: 1...3600) ?? 15)

        var windows: [ServiceWindow] = []
        let windowTables = reader.tables("window")
        var seenWindows: [Int: Int] = [:]
        for table in windowTables {
            guard let number = table.int("number", default: nil, range: 1...999, required: true) else { continue }
            let line = table.table.position.line
            if let first = seenWindows[number] {
                table.fail("number", at: line, "window \(number) is already defined at line \(first)")
                continue
            }
            seenWindows[number] = line
            windows.append(ServiceWindow(number: number,
                                         name: table.string("name", default: "\(number)号窗口") ?? "",
                                         department: table.requiredString("department", expected: "the stationed department (派驻单位)") ?? ""))
        }
        if windowTables.isEmpty && root["window"] == nil {
            windows = demoWindows
        }

        var devices: [Device] = []
        var seenDevices: [String: Int] = [:]
        var seenRoles: [String: Int] = [:]
        var seenPushSerials: [String: (id: String, line: Int)] = [:]
        for table in reader.tables("device") {
            let line = table.table.position.line
            let idCheck: (String) -> String? = { isName($0) ? nil : "\"\($0)\" is not a usable name; use letters, digits and - (e.g. window-3-printer)" }
            guard let id = table.requiredString("id", expected: "a device name such as window-3-printer"), idCheck(id) == nil else {
                if let id = table.table["id"], case .string(let s) = id.value { table.fail("id", at: id.position.line, idCheck(s) ?? "") }
                continue
            }
            if let first = seenDevices[id] { table.fail("id", at: line, "device \(id) is already defined at line \(first)"); continue }
            seenDevices[id] = line
            let kindText = table.requiredString("kind", expected: "one of " + DeviceKind.allCases.map(\.rawValue).joined(separator: ", "))
            let kind = kindText.flatMap(DeviceKind.init(rawValue:))
            if let kindText, kind == nil {
                table.fail("kind", at: table.table["kind"]?.position.line ?? line,
                           "expected one of " + DeviceKind.allCases.map(\.rawValue).joined(separator: ", ") + ", found \"\(kindText)\"")
            }
            let role = table.string("role", default: id, check: idCheck) ?? id
            if let first = seenRoles[role] { table.fail("role", at: line, "role \(role) is already given to another device at line \(first); one device per role"); continue }
            seenRoles[role] = line
            let profile = table.requiredString("profile", expected: "a profile name from drivers/") ?? ""
            let address = table.requiredString("address", expected: "where the device is: tcp://host:4370, push:SERIAL, tcp://host:9100, usb:VVVV:PPPP, serial:/dev/ttyUSB0") ?? ""
            // The address parsed once, here, for the device's kind: the rest of the gateway uses the typed link.
            var link: DeviceLink?
            if let kind, table.table["address"] != nil {
                do { link = try DeviceLink(parsing: address, kind: kind) } catch {
                    let problem = (error as? DeviceLinkError).map { "\($0.problem); expected \($0.expected)" } ?? "\(error)"
                    table.fail("address", at: table.table["address"]?.position.line ?? line, problem)
                }
            }
            var serial = table.string("serial_number")
            if let link { serial = Self.checkPushTerminal(link, serialNumber: serial, id: id, table: table, line: line, seen: &seenPushSerials) }
            let served = table.intArray("windows", default: nil)
            for number in served ?? [] where !windows.contains(where: { $0.number == number }) {
                table.fail("windows", at: table.table["windows"]?.position.line ?? line, "window \(number) is not configured")
            }
            let commKey = table.int("comm_key", default: 0, range: 0...999_999) ?? 0
            let backup = table.string("backup_role", check: idCheck)
            let placement = table.string("placement", default: nil, expected: "\"entrance\" or \"window\"",
                                         check: { ["entrance", "window"].contains($0) ? nil : "expected \"entrance\" or \"window\", found \"\($0)\"" })
            if placement == "window", (served ?? []).count != 1 {
                table.fail("placement", at: table.table["placement"]?.position.line ?? line, "a reader at a window needs exactly one window in `windows`")
            }
            guard let kind, let link else { continue }
            var device = Device(id: id, kind: kind, role: role, profile: profile, link: link, serialNumber: serial,
                                windows: Set(served ?? windows.map(\.number)), commKey: UInt32(commKey), backupRole: backup)
            device.rebind(to: link, address: address)
            device.atEntrance = placement != "window"
            devices.append(device)
        }

        for device in devices {
            guard let backup = device.backupRole else { continue }
            let line = seenDevices[device.id] ?? 0
            if device.kind != .printer {
                extra.append(ConfigError(file: file, line: line, key: "device.backup_role", message: "only printers have a backup; \(device.id) is a \(device.kind.rawValue)"))
            } else if backup == device.role {
                extra.append(ConfigError(file: file, line: line, key: "device.backup_role", message: "\(device.id) cannot be its own backup"))
            } else if !devices.contains(where: { $0.role == backup && $0.kind == .printer }) {
                extra.append(ConfigError(file: file, line: line, key: "device.backup_role", message: "no printer has role \(backup)"))
            }
        }

        let printingTable = reader.table("printing")
        var printing = Printing(
            failoverAfterSeconds: printingTable.int("failover_after_seconds", default: 60, range: 1...3600) ?? 60,
            retryAfterSeconds: printingTable.int("retry_after_seconds", default: 2, range: 1...600) ?? 2,
            statusTimeoutMilliseconds: printingTable.int("status_timeout_ms", default: 1000, range: 50...30_000) ?? 1000,
            profilesDirectory: printingTable.string("profiles_dir").map { resolve($0, against: baseDirectory) }
                ?? defaultProfilesDirectory("printers", baseDirectory: baseDirectory, roots: driverRoots),
            rasterFont: printingTable.string("raster_font", expected: "the path of a CJK font file, e.g. \"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc\"")
                .map { resolve($0, against: baseDirectory) })
        printing.pdfFont = printingTable.string("pdf_font", expected: "the path of a TrueType Chinese font, e.g. \"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc\"")
            .map { resolve($0, against: baseDirectory) }

        let badgesTable = reader.table("badges")
        let badges = Badges(
            repeatWindowSeconds: badgesTable.int("repeat_window_seconds", default: 10, range: 0...3600) ?? 10,
            profilesDirectory: badgesTable.string("profiles_dir").map { resolve($0, against: baseDirectory) }
                ?? defaultProfilesDirectory("readers", baseDirectory: baseDirectory, roots: driverRoots))

        let attendanceTable = reader.table("attendance")
        var attendance = Attendance(
            pullIntervalSeconds: attendanceTable.int("pull_interval_seconds", default: 300, range: 10...86_400) ?? 300,
            maxClockDriftSeconds: attendanceTable.int("max_clock_drift_seconds", default: 120, range: 1...86_400) ?? 120,
            replyTimeoutSeconds: attendanceTable.int("reply_timeout_seconds", default: 5, range: 1...120) ?? 5,
            liveEvents: attendanceTable.bool("live_events", default: true),
            heartbeatSeconds: attendanceTable.int("heartbeat_seconds", default: 2, range: 1...300) ?? 2)

        attendance.backupIntervalHours = attendanceTable.int("backup_interval_hours", default: 24, range: 0...8760) ?? 24
        attendance.backupsKept = attendanceTable.int("backups_kept", default: 5, range: 1...100) ?? 5
        attendance.profilesDirectory = attendanceTable.string("profiles_dir").map { resolve($0, against: baseDirectory) }
            ?? defaultProfilesDirectory("terminals", baseDirectory: baseDirectory, roots: driverRoots)

        let push = readPush(reader.table("push"), present: root["push"] != nil, hasPushTerminals: !seenPushSerials.isEmpty)
        let hours = readHours(reader.table("hours"), windows: Set(windows.map(\.number)))
        let backup = readBackup(reader.table("backup"), dataDirectory: store.dataDirectory, baseDirectory: baseDirectory)
        let audit = readAudit(reader.table("audit"), baseDirectory: baseDirectory)
        let central = readCentral(reader.table("central"), present: root["central"] != nil, baseDirectory: baseDirectory)
        let discoveryTable = reader.table("discovery")
        let discovery = Discovery(rescanIntervalSeconds: discoveryTable.int("rescan_interval_seconds", default: 5, range: 1...3600) ?? 5,
                                  hotplug: discoveryTable.bool("hotplug", default: true))

        let calendarTable = reader.table("calendar")
        // Shipped years, then [calendar] files, then the years imported into the data folder: a later source replaces
        // an earlier one's year (a correction, or a year imported with --replace); one source giving a year twice is an error.
        var loaded: [Int: (year: HolidayYear, origin: CalendarOrigin)] = [:]
        func add(_ years: [(HolidayYear, CalendarOrigin)]) {
            var seen: [Int: CalendarOrigin] = [:]
            for (year, origin) in years {
                if let first = seen[year.year] {
                    extra.append(ConfigError(file: origin.path ?? file, line: 0, key: nil,
                        message: WorkingDayCalendarError.yearDefinedTwice(year.year, first: first.description, second: origin.description).description))
                    continue
                }
                seen[year.year] = origin
                loaded[year.year] = (year, origin)
            }
        }
        do { add(try ShippedCalendar.years().map { ($0, .shipped) }) } catch {
            extra.append(ConfigError(file: "(shipped calendar data)", line: 0, key: nil, message: "\(error)"))
        }
        func read(_ path: String) -> HolidayYear? {
            do { return try CalendarFile.load(path: path) } catch let error as ConfigErrors {
                extra += error.errors
            } catch {
                extra.append(ConfigError(file: path, line: 0, key: nil, message: "\(error)"))
            }
            return nil
        }
        add(calendarTable.stringArray("files", default: []).compactMap { path in
            let full = resolve(path, against: baseDirectory)
            return read(full).map { ($0, .configured(full)) }
        })
        let importedDirectory = (store.dataDirectory as NSString).appendingPathComponent("calendar")
        let importedFiles = ((try? FileManager.default.contentsOfDirectory(atPath: importedDirectory)) ?? []).filter { $0.hasSuffix(".toml") }.sorted()
        add(importedFiles.compactMap { name in
            let full = (importedDirectory as NSString).appendingPathComponent(name)
            return read(full).map { ($0, .imported(full)) }
        })
        let years = loaded.keys.sorted().map { loaded[$0]!.year }

        let errors = reader.finish() + extra
        guard errors.isEmpty else { throw ConfigErrors(errors: errors) }
        do { _ = try WorkingDayCalendar(years: years) } catch {
            throw ConfigErrors(errors: [ConfigError(file: file, line: 0, key: "calendar.files", message: error.description)])
        }
        return HallConfiguration(hall: hall, http: http, store: store, noticeNumberFormat: format, fallback: fallback, health: health,
                                 windows: windows, devices: devices, attendance: attendance, printing: printing, badges: badges, discovery: discovery,
                                 push: push, hours: hours, backup: backup, audit: audit, central: central,
                                 calendarYears: years, calendarOrigins: loaded.mapValues(\.origin), sourceFile: nil)
    }

    /// Where `countergate calendar import` installs a year (`cn-2027.toml`): `calendar/` in the data folder, read on every
    /// start.
    public var importedCalendarDirectory: String { (store.dataDirectory as NSString).appendingPathComponent("calendar") }

    /// The working-day calendar of every year the configuration knows.
    public func calendar() throws -> WorkingDayCalendar { try WorkingDayCalendar(years: calendarYears) }

    /// The path of the database file.
    public var databasePath: String { (store.dataDirectory as NSString).appendingPathComponent("countergate.sqlite") }

    static let demoWindows = [
        ServiceWindow(number: 1, name: "市场准入窗口", department: "县市场监督管理局"),
        ServiceWindow(number: 2, name: "不动产登记窗口", department: "县自然资源局"),
        ServiceWindow(number: 3, name: "社保医保窗口", department: "县人力资源和社会保障局"),
    ]
}

/// Reads TLS, plain-HTTP permission and CORS origins of `[http]`; refuses a LAN address without TLS unless allowed.
private func readSecurity(of http: inout HallConfiguration.HTTP, from table: TableReader, root: TOMLTable, baseDirectory: String) {
    let certificate = table.string("tls_certificate", expected: "the path of a PEM certificate file")
    let key = table.string("tls_key", expected: "the path of a PEM private key file")
    switch (certificate, key) {
    case (.some, nil):
        table.fail("tls_certificate", at: root.line(ofTable: "http", key: "tls_certificate"),
                   "is set but tls_key is not; HTTPS needs both the certificate and its private key (PEM files)")
    case (nil, .some):
        table.fail("tls_key", at: root.line(ofTable: "http", key: "tls_key"),
                   "is set but tls_certificate is not; HTTPS needs both the certificate and its private key (PEM files)")
    default:
        http.tlsCertificate = certificate.map { resolve($0, against: baseDirectory) }
        http.tlsKey = key.map { resolve($0, against: baseDirectory) }
    }
    http.allowPlainHTTP = table.bool("allow_plain_http", default: false)
    var origins: [String] = []
    for origin in table.stringArray("cors_origins", default: []) {
        if let problem = corsOriginProblem(origin) {
            table.fail("cors_origins", at: root.line(ofTable: "http", key: "cors_origins"), problem)
        } else if !origins.contains(origin) {
            origins.append(origin)
        }
    }
    http.corsOrigins = origins
    if certificate == nil, key == nil, let refusal = http.plainHTTPRefusal {
        table.fail("bind", at: root.line(ofTable: "http", key: "bind"), refusal)
    }
}

/// Why `origin` cannot be a CORS origin, or nil. An origin is what a browser sends: `scheme://host[:port]`, nothing more.
func corsOriginProblem(_ origin: String) -> String? {
    let example = "write it as the browser sends it, e.g. \"https://window-pc.hall.lan\" or \"http://192.168.10.31:8000\""
    if origin == "*" || origin == "null" {
        return "\"\(origin)\" would open the API to any page; list the origins of the hall's own pages instead"
    }
    guard let components = URLComponents(string: origin), let scheme = components.scheme, ["http", "https"].contains(scheme),
          let host = components.host, !host.isEmpty, components.user == nil, components.password == nil,
          components.path.isEmpty, components.query == nil, components.fragment == nil, origin == origin.lowercased()
    else {
        return "\"\(origin)\" is not an origin (lower-case scheme://host[:port], no path, no trailing slash); \(example)"
    }
    return nil
}

/// 127.0.0.0/8, ::1 and ::ffff:127.x.x.x: reachable from this machine only.
func isLoopbackAddress(_ s: String) -> Bool {
    var v4 = in_addr()
    if inet_pton(AF_INET, s, &v4) == 1 {
        return UInt32(bigEndian: v4.s_addr) >> 24 == 127
    }
    var v6 = in6_addr()
    guard inet_pton(AF_INET6, s, &v6) == 1 else { return false }
    let bytes = withUnsafeBytes(of: v6) { Array($0) }
    if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
    let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
    return mapped && bytes[12] == 127
}

func resolve(_ path: String, against base: String) -> String {
    path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)
}

func isName(_ s: String) -> Bool {
    !s.isEmpty && s.count <= 64 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
}

func isIPAddress(_ s: String) -> Bool {
    var v4 = in_addr()
    var v6 = in6_addr()
    return inet_pton(AF_INET, s, &v4) == 1 || inet_pton(AF_INET6, s, &v6) == 1
}

extension TOMLTable {
    /// The line of `key` inside the table `table` of this root, for errors found after reading.
    func line(ofTable table: String, key: String) -> Int {
        guard let node = self[table], case .table(let t) = node.value else { return 0 }
        return t[key]?.position.line ?? t.position.line
    }
}

/// Where a year of holiday data was loaded from.
public enum CalendarOrigin: Sendable, Equatable, CustomStringConvertible {
    /// Shipped with CounterGate.
    case shipped
    /// A file listed under `[calendar] files`.
    case configured(String)
    /// A file `countergate calendar import` installed in the data folder's `calendar/`.
    case imported(String)

    /// The file, for the years that come from one the operator can see.
    public var path: String? {
        switch self {
        case .shipped: nil
        case .configured(let path), .imported(let path): path
        }
    }

    public var description: String {
        switch self {
        case .shipped: "shipped with CounterGate"
        case .configured(let path): "\(path) ([calendar] files)"
        case .imported(let path): "\(path) (imported)"
        }
    }
}
