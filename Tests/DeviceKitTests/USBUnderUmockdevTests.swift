// The libusb path for real: usb-probe enumerates and prints to printers that umockdev fakes (Tests/Fixtures/usb).
import CounterGateTestSupport
import ESCPOS
import Foundation
import Testing

/// `usb-probe` as `swift build` put it beside the test bundle, or `$USB_PROBE_BIN`.
enum USBProbe {
    static var path: String? {
        if let path = ProcessInfo.processInfo.environment["USB_PROBE_BIN"] { return path }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent(), Bundle.main.bundleURL.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("usb-probe").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

enum Umockdev {
    static var runPath: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return (path.split(separator: ":").map(String.init) + ["/usr/bin"]).map { $0 + "/umockdev-run" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `usb-probe` with `arguments` on the fixture bus, with `ioctl` recordings replayed on device nodes.
    static func probe(_ arguments: [String], ioctl: [String: String] = [:]) async throws -> (status: Int32, json: [String: Any], stdout: String, stderr: String) {
        guard let run = runPath else {
            throw TestFailure("umockdev is missing: run scripts/setup --test (apt-get install umockdev)")
        }
        guard let probe = USBProbe.path else {
            throw TestFailure("usb-probe was not built beside the tests: swift build --build-tests (or set USB_PROBE_BIN)")
        }
        var umockdevArguments = ["-d", USBFixtures.bus]
        for (node, file) in ioctl.sorted(by: { $0.key < $1.key }) {
            umockdevArguments += ["-i", "\(node)=\(USBFixtures.directory)/\(file)"]
        }
        let result = try await ChildProcess.run(run, umockdevArguments + ["--", probe] + arguments,
                                                environment: ["LIBUSB_DEBUG": nil], timeout: .seconds(30))
        let json = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        return (result.status, json, result.stdout, result.stderr)
    }
}

@Suite("libusb under umockdev")
struct USBUnderUmockdevTests {
    @Test("the fake bus is enumerated: ids, port paths, and each printer's endpoints read from its descriptors")
    func enumeration() async throws {
        let result = try await Umockdev.probe(["list"])
        #expect(result.status == 0, "\(result.stderr)")
        let devices = try #require(result.json["devices"] as? [[String: Any]], "\(result.stdout)\n\(result.stderr)")
        #expect(devices.map { $0["ids"] as? String } == ["1d6b:0002", "05e3:0608", "0416:5011", "0416:5011", "08ff:0009"])
        #expect(devices.map { $0["portPath"] as? String } == ["1", "1-1", "1-1.2", "1-1.3", "1-1.4"])

        let printers = try #require(result.json["printers"] as? [[String: Any]])
        #expect(printers.count == 2, "the badge reader (class 3) is not a printer")
        let eighty = try #require(printers.first)
        #expect(eighty["ids"] as? String == "0416:5011")
        #expect(eighty["portPath"] as? String == "1-1.2")
        #expect(eighty["serialNumber"] as? String == "A1B2")
        #expect(eighty["interfaceNumber"] as? Int == 1)
        #expect(eighty["interfaceProtocol"] as? Int == 2)
        #expect(eighty["bulkOut"] as? String == "0x03")
        #expect(eighty["bulkIn"] as? String == "0x84")
        #expect(eighty["address"] as? String == "usb:0416:5011?serial=A1B2")
        let fiftyEight = try #require(printers.last)
        #expect(fiftyEight["portPath"] as? String == "1-1.3")
        #expect(fiftyEight["serialNumber"] as? String == "C3D4")
        #expect(fiftyEight["bulkOut"] as? String == "0x02")
        #expect(fiftyEight["bulkIn"] == nil)

        // Matched to its model profile by the USB ids it reports.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let profiles = try PrinterProfiles.load(directory: root.appendingPathComponent("drivers/printers").path)
        #expect(profiles.match(vendor: 0x0416, product: 0x5011)?.id == "xprinter-xp80")
    }

    @Test("a status request goes out on 0x03 and the reply comes back on 0x84, by serial number and by port",
          arguments: ["usb:0416:5011?serial=A1B2", "usb:1-1.2", "usb:0416:5011?port=1-1.2"])
    func statusExchange(address: String) async throws {
        let result = try await Umockdev.probe(["send", address, "1b40100401", "--read", "1"],
                                              ioctl: ["/dev/bus/usb/001/005": "printer-1-1.2-status.ioctl"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.json["device"] as? String == "printer usb:1-1.2 (0416:5011)")
        #expect(result.json["written"] as? Int == 5)
        #expect(result.json["canRead"] as? Bool == true)
        #expect(result.json["read"] as? String == "12")
    }

    @Test("the replay is strict: bytes the recording does not expect fail the transfer")
    func replayIsStrict() async throws {
        let result = try await Umockdev.probe(["send", "usb:1-1.2", "1b40100402"],
                                              ioctl: ["/dev/bus/usb/001/005": "printer-1-1.2-status.ioctl"])
        #expect(result.status == 1)
        #expect(result.json["kind"] as? String == "ioFailure")
    }

    @Test("a short write is completed with exactly the remaining bytes")
    func partialWrite() async throws {
        let done = try await Umockdev.probe(["send", "usb:0416:5011?serial=C3D4", "1b40100401"],
                                            ioctl: ["/dev/bus/usb/001/006": "printer-1-1.3-partial.ioctl"])
        #expect(done.status == 0, "\(done.stdout)\n\(done.stderr)")
        #expect(done.json["canRead"] as? Bool == false)
        // The same short write, then the printer is pulled: the error shows the rest was being sent.
        let pulled = try await Umockdev.probe(["send", "usb:0416:5011?serial=C3D4", "1b40100401"],
                                              ioctl: ["/dev/bus/usb/001/006": "printer-1-1.3-partial-unplug.ioctl"])
        #expect(pulled.status == 1)
        #expect(pulled.json["kind"] as? String == "unplugged")
        #expect(pulled.json["retryable"] as? Bool == true)
        #expect((pulled.json["error"] as? String)?.contains("3 of 5 bytes sent") == true, "\(pulled.stdout)")
    }

    @Test("a stalled endpoint is cleared and the write goes through")
    func stallCleared() async throws {
        let result = try await Umockdev.probe(["send", "usb:1-1.3", "1b40100401"],
                                              ioctl: ["/dev/bus/usb/001/006": "printer-1-1.3-stall.ioctl"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
    }

    @Test("a unidirectional printer cannot be read, and says so")
    func unidirectional() async throws {
        let result = try await Umockdev.probe(["send", "usb:1-1.3", "1b40100401", "--read", "1"],
                                              ioctl: ["/dev/bus/usb/001/006": "printer-1-1.3-partial.ioctl"])
        #expect(result.status == 1)
        #expect(result.json["kind"] as? String == "cannotRead")
        #expect((result.json["error"] as? String)?.hasPrefix("printer usb:1-1.3 (0416:5011) cannot send status back") == true)
    }

    @Test("ambiguous ids, absent printers and non-printers are refused with what to do")
    func matchingErrors() async throws {
        let ambiguous = try await Umockdev.probe(["send", "usb:0416:5011", "1b40"])
        #expect(ambiguous.json["kind"] as? String == "misconfigured")
        #expect(ambiguous.json["error"] as? String == "printer usb:0416:5011 is ambiguous (2 devices match: usb:1-1.2 (serial A1B2), usb:1-1.3 (serial C3D4)): name one by serial number (usb:VVVV:PPPP?serial=…) or by port (usb:1-1.2)")

        let absent = try await Umockdev.probe(["send", "usb:0416:5011?serial=ZZZZ", "1b40"])
        #expect(absent.json["kind"] as? String == "notFound")
        #expect(absent.json["retryable"] as? Bool == true)
        #expect((absent.json["error"] as? String)?.contains("printers attached: 0416:5011 at usb:1-1.2 serial A1B2; 0416:5011 at usb:1-1.3 serial C3D4") == true)

        let reader = try await Umockdev.probe(["send", "usb:08ff:0009", "1b40"])
        #expect(reader.json["kind"] as? String == "misconfigured")
        #expect((reader.json["error"] as? String)?.hasPrefix("printer usb:1-1.4 (08ff:0009) has no printer interface") == true)
    }
}
