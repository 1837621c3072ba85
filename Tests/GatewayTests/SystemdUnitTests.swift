// The shipped systemd unit and sysusers file: the keys the gateway relies on, and systemd's own checks of both.
import CounterGateTestSupport
import Foundation
import Testing

@Suite("systemd unit and sysusers")
struct SystemdUnitTests {
    static let udev = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("udev")

    static func tool(_ name: String) -> String? {
        ["/usr/bin/", "/bin/", "/usr/sbin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The `Key=value` lines of the unit, every value of repeated keys kept.
    static func unitSettings() throws -> [String: [String]] {
        let text = try String(contentsOf: udev.appendingPathComponent("countergate.service"), encoding: .utf8)
        var settings: [String: [String]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("[") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            settings[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        return settings
    }

    @Test("Type=notify with a watchdog, restart on failure, a static user with the device groups, hardened yet able to reach its devices")
    func unitKeys() throws {
        let unit = try Self.unitSettings()
        #expect(unit["Type"] == ["notify"])
        #expect(unit["WatchdogSec"]?.first.flatMap(Int.init).map { $0 > 0 } == true)
        #expect(unit["Restart"] == ["on-failure"])
        #expect(unit["User"] == ["countergate"] && unit["Group"] == ["countergate"])
        #expect(Set(unit["SupplementaryGroups"]?.first?.split(separator: " ").map(String.init) ?? []) == ["dialout", "input", "lp"])
        #expect(unit["NoNewPrivileges"] == ["yes"] && unit["ProtectSystem"] == ["strict"] && unit["DevicePolicy"] == ["closed"])
        let allowed = Set((unit["DeviceAllow"] ?? []).compactMap { $0.split(separator: " ").first.map(String.init) })
        // Every transport and reader path: usbfs (libusb), usblp, evdev, USB-serial and on-board serial ports.
        #expect(allowed.isSuperset(of: ["char-usb_device", "char-usb", "char-input", "char-ttyUSB", "char-ttyACM", "char-ttyS"]))
        #expect(unit["RestrictAddressFamilies"]?.first?.contains("AF_NETLINK") == true, "libusb hot-plug needs netlink")
    }

    @Test("systemd-analyze verify accepts the unit")
    func analyzeVerify() async throws {
        guard let analyze = Self.tool("systemd-analyze") else {
            print("skipped: systemd-analyze is not installed here; the key checks above still ran")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-unit-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The binary is not installed here: verify the unit with a program that exists.
        let unit = try String(contentsOf: Self.udev.appendingPathComponent("countergate.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/countergate", with: "/bin/true")
        let path = directory.appendingPathComponent("countergate.service").path
        try unit.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await ChildProcess.run(analyze, ["verify", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("countergate.service:"), "no warnings about our unit: \(result.stderr)")
    }

    @Test("systemd-sysusers creates the user and puts it in the device groups")
    func sysusers() async throws {
        guard let sysusers = Self.tool("systemd-sysusers") else {
            print("skipped: systemd-sysusers is not installed here")
            return
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cg-sysusers-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        let result = try await ChildProcess.run(sysusers, ["--root=\(root.path)", Self.udev.appendingPathComponent("countergate.sysusers").path])
        #expect(result.status == 0, "\(result.stderr)")
        let passwd = try String(contentsOf: root.appendingPathComponent("etc/passwd"), encoding: .utf8)
        let group = try String(contentsOf: root.appendingPathComponent("etc/group"), encoding: .utf8)
        #expect(passwd.contains("countergate:x:") && passwd.contains(":/var/lib/countergate:"))
        for name in ["dialout", "input", "lp"] {
            #expect(group.split(separator: "\n").contains { $0.hasPrefix("\(name):") && $0.hasSuffix(":countergate") }, "member of \(name)")
        }
    }
}
