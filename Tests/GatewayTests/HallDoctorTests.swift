// `countergate doctor`'s checks of the udev rules and of how the API is served.
import BadgeReaders
import CounterGateTestSupport
import DeviceKit
import ESCPOS
import Foundation
import Testing
@testable import Gateway

@Suite struct HallDoctorTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A configuration with the repository's profiles and one USB printer, and an empty folder for the installed rules.
    static func hall(http: String = "", printing: String = "", devices: String = "") throws -> (config: String, rules: TemporaryDirectory, data: TemporaryDirectory) {
        let data = try TemporaryDirectory("doctor-data")
        let rules = try TemporaryDirectory("doctor-rules")
        let config = data.file("hall.toml")
        try """
            [store]
            data_dir = "\(data.path)/store"

            [printing]
            profiles_dir = "\(root.appendingPathComponent("drivers/printers").path)"
            \(printing)

            [badges]
            profiles_dir = "\(root.appendingPathComponent("drivers/readers").path)"

            [http]
            \(http)

            [[device]]
            id = "p1"
            kind = "printer"
            role = "window-1-printer"
            profile = "xprinter-xp80"
            address = "/dev/usb/lp0"
            windows = [1]
            \(devices)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return (config, rules, data)
    }

    static func udev(_ report: DoctorReport) -> [DoctorFinding] { report.findings.filter { $0.area == "udev" } }

    @Test("the udev rules: missing (a warning with the command that installs them), as the profiles make them, or outdated")
    func udevRules() async throws {
        let (config, rules, data) = try Self.hall()
        defer { _ = data }

        let missing = Self.udev(await HallDoctor.examine(configPath: config, udevRuleDirectories: [rules.path]))
        #expect(missing.count == 1)
        #expect(missing.first?.status == .warn, "a USB printer is configured")
        #expect(missing.first?.finding.contains("70-countergate.rules is not installed") == true)
        #expect(missing.first?.fix?.contains("countergate udev rules") == true && missing.first?.fix?.contains("udevadm trigger") == true)

        // Installed as generated: the checked-in file is what the profiles make (UdevRulesTests checks that too).
        let generated = try String(contentsOf: Self.root.appendingPathComponent("udev/70-countergate.rules"), encoding: .utf8)
        try generated.write(toFile: rules.file("70-countergate.rules"), atomically: true, encoding: .utf8)
        let current = Self.udev(await HallDoctor.examine(configPath: config, udevRuleDirectories: [rules.path]))
        #expect(current.map(\.status) == [.ok], "\(current)")

        // A profile gained an id since: the installed file is outdated.
        try (generated + "# edited by hand\n").write(toFile: rules.file("70-countergate.rules"), atomically: true, encoding: .utf8)
        let outdated = Self.udev(await HallDoctor.examine(configPath: config, udevRuleDirectories: [rules.path]))
        #expect(outdated.map(\.status) == [.warn])
        #expect(outdated.first?.finding.contains("differs from the rules the profiles make") == true)
    }

    @Test("raster fonts: which font a printer that draws uses, or what is wrong with it and how to fix it")
    func rasterFonts() async throws {
        // p1 (the helper's xprinter-xp80) draws what GBK lacks; p2 has no Chinese font and draws everything; p3 never draws.
        func findings(font: String) async throws -> [DoctorFinding] {
            let (config, rules, data) = try Self.hall(printing: #"raster_font = "\#(font)""#, devices: """

                [[device]]
                id = "p2"
                kind = "printer"
                role = "window-2-printer"
                profile = "generic-escpos"
                address = "/dev/usb/lp1"
                windows = [2]

                [[device]]
                id = "p3"
                kind = "printer"
                role = "window-3-printer"
                profile = "plain-text-line"
                address = "/dev/usb/lp2"
                windows = [3]
                """)
            defer { _ = (rules, data) }
            return await HallDoctor.examine(configPath: config, udevRuleDirectories: [rules.path]).findings.filter { $0.area == "fonts" }
        }
        let noto = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
        #expect(FileManager.default.fileExists(atPath: noto), "install fonts-noto-cjk (scripts/setup --test)")
        let good = try await findings(font: noto)
        #expect(good.map(\.status) == [.ok, .ok], "\(good)")  // plain-text-line does not draw and has a Chinese font
        #expect(good.allSatisfy { $0.finding.contains("Noto Sans CJK SC") && $0.finding.contains(noto) })
        #expect(good.contains { $0.finding.contains("p2") && $0.finding.contains("draws every line") })

        let missing = try await findings(font: "/nonexistent/fonts/cjk.ttc")
        // Text with raster still prints what its own font has (a warning); all-raster prints nothing (a failure).
        #expect(missing.map(\.status) == [.warn, .fail], "\(missing)")
        #expect(missing.allSatisfy { $0.finding.contains("/nonexistent/fonts/cjk.ttc") && $0.fix?.contains("fonts-noto-cjk") == true })
    }

    @Test("an A4 page printer: the doctor names the font its notices are set in, or fails naming the file that cannot be used")
    func a4Font() async throws {
        let a4 = """

            [[device]]
            id = "a4"
            kind = "printer"
            role = "window-1-a4"
            profile = "a4-laser"
            address = "cups:window1-a4"
            windows = [1]
            """
        func printing(_ printing: String, devices: String = a4) async throws -> [DoctorFinding] {
            let (config, rules, data) = try Self.hall(printing: printing, devices: devices)
            defer { _ = (rules, data) }
            return await HallDoctor.examine(configPath: config, udevRuleDirectories: [rules.path]).findings.filter { $0.area == "printing" }
        }
        #expect(try await printing("", devices: "").isEmpty, "no page printer, nothing to say")
        let missing = try await printing(#"pdf_font = "/nonexistent/font.ttc""#)
        #expect(missing.map(\.status) == [.fail])
        #expect(missing.first?.finding.contains("/nonexistent/font.ttc") == true && missing.first?.finding.contains("window-1-a4") == true, "\(missing)")
        if FileManager.default.fileExists(atPath: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc") {
            let found = try await printing(#"pdf_font = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc""#)
            #expect(found.map(\.status) == [.ok] && found.first?.finding.contains("WenQuanYiMicroHei") == true, "\(found)")
        }
    }

    @Test("HTTP: loopback, HTTPS on the LAN, plain HTTP allowed on the LAN (a warning), and a refusal the gateway would make (a failure)")
    func http() async throws {
        func finding(_ http: String, area: String = "http") async throws -> DoctorFinding? {
            let (config, rules, data) = try Self.hall(http: http)
            defer { _ = (rules, data) }
            return await HallDoctor.examine(configPath: config, udevRuleDirectories: [rules.path]).findings.first { $0.area == area }
        }
        #expect(try await finding(#"bind = "127.0.0.1""#)?.status == .ok)
        let https = try await finding("bind = \"192.168.10.5\"\ntls_certificate = \"cert.pem\"\ntls_key = \"key.pem\"")
        #expect(https?.status == .ok && https?.finding.contains("over HTTPS") == true, "\(String(describing: https))")
        let plain = try await finding("bind = \"192.168.10.5\"\nallow_plain_http = true")
        #expect(plain?.status == .warn && plain?.finding.contains("clear text") == true)
        // The configuration loader refuses a LAN address without TLS: the doctor reports the configuration failing,
        // with the line and what to set.
        let refused = try await finding(#"bind = "192.168.10.5""#, area: "config")
        #expect(refused?.status == .fail && refused?.finding.contains("without TLS") == true, "\(String(describing: refused))")
    }
}
