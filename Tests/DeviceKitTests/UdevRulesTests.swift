// The udev rules: the checked-in file is what drivers/ makes, every USB id has its rules, and udevadm accepts them.
import BadgeReaders
import CounterGateTestSupport
@testable import DeviceKit
import ESCPOS
import Foundation
import Testing

/// The checkout's profile folders and rules file.
enum Checkout {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var printers: String { root.appendingPathComponent("drivers/printers").path }
    static var readers: String { root.appendingPathComponent("drivers/readers").path }
    static var rulesFile: String { root.appendingPathComponent("udev/\(UdevRules.fileName)").path }

    static func printerProfiles() throws -> [PrinterProfile] { try PrinterProfiles.load(directory: printers).profiles }
    static func readerProfiles() throws -> [ReaderProfile] { try ReaderProfiles.load(directory: readers) }
    /// What `countergate udev rules` renders from the checkout's drivers/.
    static func renderedRules() throws -> String {
        UdevRules.render(try printerProfiles().map(\.udevProfile) + readerProfiles().map(\.udevProfile))
    }
}

@Suite("udev rules")
struct UdevRulesTests {
    /// Profiles that exercise what the shipped ones may not: shared ids, upper-case input, serial adapters, no ids.
    static let made: [UdevRules.Profile] = [
        .init(id: "b-printer", kind: .printer, usbIDs: [(0x04B8, 0x0E02), (0x0416, 0x5011)]),
        .init(id: "a-printer", kind: .printer, usbIDs: [(0x0416, 0x5011), (0x0416, 0x5011)]),
        .init(id: "c-printer", kind: .printer, usbIDs: []),
        .init(id: "w2", kind: .wedgeReader, usbIDs: [(0xFFFF, 0x0035)]),
        .init(id: "w1", kind: .wedgeReader, usbIDs: [(0xFFFF, 0x0035), (0x000A, 0x0001)]),
        .init(id: "s1", kind: .serialReader, usbIDs: [(0x1A86, 0x7523)]),
        .init(id: "s2", kind: .serialReader, usbIDs: []),
    ]

    static func ruleLines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    @Test("the checked-in udev/70-countergate.rules is what the profiles in drivers/ make")
    func checkedInFileIsCurrent() throws {
        let expected = try Checkout.renderedRules()
        let fix = "run `\(UdevRules.regenerateCommand)` and check in the file"
        guard let checkedIn = FileManager.default.contents(atPath: Checkout.rulesFile).map({ String(decoding: $0, as: UTF8.self) }) else {
            Issue.record("udev/\(UdevRules.fileName) is missing: \(fix)")
            return
        }
        guard checkedIn != expected else { return }
        let old = checkedIn.split(separator: "\n", omittingEmptySubsequences: false)
        let new = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(old.count, new.count)).first { old[$0] != new[$0] } ?? min(old.count, new.count)
        Issue.record("""
            udev/\(UdevRules.fileName) does not match the profiles in drivers/ (a profile's usb ids changed without \
            regenerating the rules): \(fix). First difference, line \(line + 1):
              checked in: \(line < old.count ? String(old[line]) : "(end of file)")
              generated:  \(line < new.count ? String(new[line]) : "(end of file)")
            """)
    }

    @Test("every USB id of every shipped profile has its rules; a profile without ids gets a comment")
    func everyShippedIDHasItsRules() throws {
        let printers = try Checkout.printerProfiles()
        let readers = try Checkout.readerProfiles()
        let text = try Checkout.renderedRules()
        let rules = Self.ruleLines(text)
        func hex(_ v: UInt16) -> String { String(format: "%04x", v) }
        func rule(_ subsystem: String, _ vendor: UInt16, _ product: UInt16, _ profile: String, parent: Bool = true) -> String? {
            let attr = parent ? "ATTRS" : "ATTR"
            return rules.first {
                $0.contains("SUBSYSTEM==\"\(subsystem)\"") && $0.contains("\(attr){idVendor}==\"\(hex(vendor))\"")
                    && $0.contains("\(attr){idProduct}==\"\(hex(product))\"") && $0.contains("COUNTERGATE_PROFILE}=\"")
                    && $0.contains(profile)
            }
        }
        #expect(printers.contains { !$0.usbIDs.isEmpty } && readers.contains { $0.kind == .wedge && !$0.usbIDs.isEmpty },
                "the shipped profiles include printers and a wedge reader with USB ids")
        for printer in printers {
            if printer.usbIDs.isEmpty { #expect(text.contains("# \(printer.id): no USB id"), "\(printer.id)") }
            for id in printer.usbIDs {
                let device = rule("usb", id.vendor, id.product, printer.id, parent: false)
                #expect(device?.contains("ENV{DEVTYPE}==\"usb_device\"") == true, "\(printer.id) \(id): the USB device rule (libusb)")
                let lp = rule("usbmisc", id.vendor, id.product, printer.id)
                #expect(lp?.contains("KERNEL==\"lp[0-9]*\"") == true, "\(printer.id) \(id): the usblp rule")
                #expect(lp?.contains("SYMLINK+=\"countergate/printer-usb-%b\"") == true, "\(printer.id) \(id)")
            }
        }
        for reader in readers {
            if reader.usbIDs.isEmpty { #expect(text.contains("# \(reader.id): no USB id"), "\(reader.id)") }
            for id in reader.usbIDs {
                if reader.kind == .wedge {
                    let input = rule("input", id.vendor, id.product, reader.id)
                    #expect(input?.contains("KERNEL==\"event*\"") == true, "\(reader.id) \(id): the input rule")
                    #expect(input?.contains("ENV{LIBINPUT_IGNORE_DEVICE}=\"1\"") == true, "\(reader.id) \(id): kept off the desktop")
                } else {
                    #expect(rule("tty", id.vendor, id.product, reader.id) != nil, "\(reader.id) \(id): the tty rule")
                }
            }
        }
        for line in rules where line.contains("idVendor") {
            #expect(line.contains("GROUP=\"\(UdevRules.group)\"") && line.contains("MODE=\"0660\""), "\(line)")
        }
        // Names by serial number apply only to nodes a profile rule tagged, for every family.
        let bySerial = rules.filter { $0.contains("ID_SERIAL_SHORT") || $0.contains("usb_id") }
        #expect(bySerial.count == 6)
        #expect(bySerial.allSatisfy { $0.contains("ENV{COUNTERGATE_PROFILE}==\"?*\"") })
        #expect(text.contains("SYMLINK+=\"countergate/printer-$env{ID_SERIAL_SHORT}\""))
        #expect(text.contains("SYMLINK+=\"countergate/reader-$env{ID_SERIAL_SHORT}\""))
    }

    @Test("the group is the one the service runs as (udev/countergate.service)")
    func groupMatchesTheService() throws {
        let unit = try String(contentsOf: Checkout.root.appendingPathComponent("udev/countergate.service"), encoding: .utf8)
        #expect(unit.split(separator: "\n").contains("Group=\(UdevRules.group)"))
        #expect(unit.split(separator: "\n").contains("User=\(UdevRules.group)"))
    }

    @Test("a USB id two profiles of a family share is written once, naming both; ids lowercase; order does not depend on input")
    func sharedIDsOrderAndCase() {
        let text = UdevRules.render(Self.made)
        let rules = Self.ruleLines(text)
        // 0416:5011 is claimed by a-printer (twice) and b-printer: one pair of rules, both ids in the comment and the tag.
        let shared = rules.filter { $0.contains("{idVendor}==\"0416\"") }
        #expect(shared.count == 2, "one usb_device rule and one usbmisc rule")
        #expect(text.contains("# 0416:5011: a-printer, b-printer\n"))
        #expect(shared.allSatisfy { $0.contains("ENV{COUNTERGATE_PROFILE}=\"a-printer b-printer\"") })
        #expect(rules.filter { $0.contains("{idVendor}==\"ffff\"") }.count == 1)
        #expect(text.contains("# ffff:0035: w1, w2\n"))
        // Lowercase, four digits.
        #expect(text.contains("ATTR{idVendor}==\"04b8\", ATTR{idProduct}==\"0e02\""))
        #expect(text.contains("ATTRS{idVendor}==\"000a\", ATTRS{idProduct}==\"0001\""))
        #expect(!text.contains("04B8") && !text.contains("0E02") && !text.contains("FFFF"))
        // Families in order, profiles by id, ids in order within a profile.
        func at(_ s: String) -> String.Index { text.range(of: s)?.lowerBound ?? text.endIndex }
        #expect(at("# 0416:5011: a-printer") < at("# 04b8:0e02: b-printer"))
        #expect(at("# 04b8:0e02: b-printer") < at("# c-printer: no USB id"))
        #expect(at("# c-printer: no USB id") < at("# 000a:0001: w1"))
        #expect(at("# 000a:0001: w1") < at("# ffff:0035: w1, w2"))
        #expect(at("# ffff:0035: w1, w2") < at("# 1a86:7523: s1"))
        #expect(at("# 1a86:7523: s1") < at("# s2: no USB id"))
        #expect(UdevRules.render(Array(Self.made.reversed())) == text)
        // Wedge readers are kept off the desktop; serial adapters away from ModemManager.
        let wedge = rules.filter { $0.contains("SUBSYSTEM==\"input\"") && $0.contains("idVendor") }
        #expect(wedge.count == 2)
        for line in wedge {
            #expect(line.contains("ENV{LIBINPUT_IGNORE_DEVICE}=\"1\"") && line.contains("ENV{ID_INPUT}=\"\"")
                    && line.contains("ENV{ID_INPUT_KEYBOARD}=\"\"") && line.contains("SYMLINK+=\"countergate/reader-%k\""))
        }
        let tty = rules.filter { $0.contains("SUBSYSTEM==\"tty\"") && $0.contains("idVendor") }
        #expect(tty.count == 1)
        #expect(tty.first?.contains("ENV{ID_MM_DEVICE_IGNORE}=\"1\"") == true)
        #expect(tty.first?.contains("SYMLINK+=\"countergate/reader-usb-%b\"") == true)
    }

    @Test("every rule line is KEY{attr}<op>\"value\" tokens separated by \", \" (the form udevadm verify's style check wants)")
    func tokenShape() throws {
        let token = try Regex(#"^[A-Z_]+(\{[A-Za-z_]+\})?(==|!=|\+=|=)"[^"]*"$"#)
        for line in Self.ruleLines(UdevRules.render(Self.made)) + Self.ruleLines(try Checkout.renderedRules()) {
            #expect(line.hasPrefix("ACTION!=\"remove\", "), "\(line)")
            for part in line.split(separator: ", ", omittingEmptySubsequences: false) {
                #expect(part.wholeMatch(of: token) != nil, "`\(part)` in \(line)")
            }
        }
    }

    @Test("udevadm verify accepts the rules (skipped where udevadm is missing or has no `verify`, before systemd 254)")
    func udevadmVerifies() async throws {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        guard let udevadm = path.map({ $0 + "/udevadm" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            try Test.cancel("udevadm is not installed here, so udev did not check the rules' syntax")
        }
        let help = try await ChildProcess.run(udevadm, ["verify", "--help"], timeout: .seconds(30))
        guard help.status == 0 else {
            let version = (try? await ChildProcess.run(udevadm, ["--version"], timeout: .seconds(30)))?.stdout
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            try Test.cancel("udevadm \(version) has no `verify` (systemd 254 added it), so udev did not check the rules' syntax")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("countergate-udev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in [(UdevRules.fileName, try Checkout.renderedRules()), ("71-made.rules", UdevRules.render(Self.made))] {
            let file = directory.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
            // --resolve-names=never: the countergate group need not exist on the machine that runs the tests.
            let result = try await ChildProcess.run(udevadm, ["verify", "--resolve-names=never", file], timeout: .seconds(30))
            #expect(result.status == 0, "udevadm verify \(name):\n\(result.stdout)\(result.stderr)")
        }
    }
}
