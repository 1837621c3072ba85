// The typed device model: every address form a device of each kind takes, parsed once into a link; and the rule that
// nothing outside the device model (where the configuration and the store's devices are read through it) tests an
// address string's scheme.
import CounterCore
import Foundation
import Testing

@Suite struct DeviceLinkTests {
    @Test("terminals: a network endpoint the gateway dials, or push:SERIAL for one that calls it")
    func terminals() throws {
        #expect(try DeviceLink(parsing: "tcp://10.0.0.5:4370", kind: .terminal) == .pullTerminal(.init(host: "10.0.0.5", port: 4370)))
        #expect(try DeviceLink(parsing: "udp://10.0.0.5", kind: .terminal) == .pullTerminal(.init(host: "10.0.0.5", port: 4370, transport: .udp)))
        #expect(try DeviceLink(parsing: "10.0.0.5:5005", kind: .terminal).terminalEndpoint?.port == 5005)
        let push = try DeviceLink(parsing: "push:A8N5211960213", kind: .terminal)
        #expect(push == .pushTerminal(serial: "A8N5211960213") && push.isPushTerminal && push.terminalEndpoint == nil)
        #expect(push.description == "push:A8N5211960213")
        #expect(throws: DeviceLinkError.self) { try DeviceLink(parsing: "push:has space", kind: .terminal) }
        #expect(throws: DeviceLinkError.self) { try DeviceLink(parsing: "tcp://10.0.0.5:99999", kind: .terminal) }
        #expect(throws: DeviceLinkError.self) { try DeviceLink(parsing: "ftp://10.0.0.5", kind: .terminal) }
        do { _ = try DeviceLink(parsing: "push:", kind: .terminal) } catch { #expect("\(error)".contains("序列号")) }
    }

    @Test("printers and readers: their own forms; a push address is a terminal's only")
    func printersAndReaders() throws {
        #expect(try DeviceLink(parsing: "tcp://10.0.3.7", kind: .printer) == .printer(.tcp(host: "10.0.3.7", port: 9100)))
        #expect(try DeviceLink(parsing: "/dev/usb/lp0", kind: .printer).usesUSB)
        #expect(try DeviceLink(parsing: "serial:/dev/ttyUSB0?baud=19200", kind: .printer).devicePath == "/dev/ttyUSB0")
        #expect(try DeviceLink(parsing: "usb:ffff:0035", kind: .badgeReader) == .reader(.usb(vendor: 0xFFFF, product: 0x35, portPath: nil)))
        #expect(try DeviceLink(parsing: "usb:1-1.4", kind: .badgeReader) == .reader(.usb(vendor: nil, product: nil, portPath: "1-1.4")))
        #expect(try DeviceLink(parsing: "serial:/dev/ttyUSB1?baud=9600", kind: .badgeReader) == .reader(.serial(path: "/dev/ttyUSB1", baud: 9600)))
        #expect(try DeviceLink(parsing: "/dev/ttyS0", kind: .badgeReader) == .reader(.serial(path: "/dev/ttyS0", baud: nil)))
        for (text, kind) in [("push:P1", DeviceKind.printer), ("push:R1", .badgeReader)] {
            do { _ = try DeviceLink(parsing: text, kind: kind); Issue.record("\(text) accepted for a \(kind)") } catch {
                #expect("\(error)".contains("only a terminal"))
            }
        }
        #expect(throws: DeviceLinkError.self) { try DeviceLink(parsing: "COM3", kind: .badgeReader) }
        #expect(throws: DeviceLinkError.self) { try DeviceLink(parsing: "usb:zz:01", kind: .badgeReader) }
        // Each link written back is the address it was parsed from (in the canonical form).
        for (text, kind) in [("tcp://10.0.0.5:4370", DeviceKind.terminal), ("push:SN1", .terminal), ("usb:0416:5011?serial=A1B2", .printer),
                             ("lp:window3", .printer), ("usb:ffff:0035", .badgeReader), ("serial:/dev/ttyUSB1?baud=9600", .badgeReader)] {
            #expect(try DeviceLink(parsing: text, kind: kind).description == text)
        }
    }

    @Test("a stored device's identity carries its link, or why its address is none")
    func identity() {
        let good = DeviceIdentity(kind: .terminal, profile: "zk-push", serialNumber: "SN1", address: "push:SN1")
        #expect(good.link == .pushTerminal(serial: "SN1") && good.linkProblem == nil)
        let bad = DeviceIdentity(kind: .printer, profile: "xprinter-xp80", serialNumber: nil, address: "nowhere")
        #expect(bad.link == nil && bad.linkProblem != nil)
    }

    // MARK: - No scheme tests outside the device model

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The device model, the one place that reads an address's scheme (the configuration and the store parse through it).
    static let allowed = ["Sources/CounterCore/Devices/DeviceLink.swift", "Sources/CounterCore/Devices/PrinterAddress.swift"]
    /// What testing an address string's scheme looks like.
    nonisolated(unsafe) static let schemeTest = try! Regex(#"hasPrefix\("(push:|tcp://|udp://|usb:|serial:|lp:|/dev/)|PushTerminalAddress|ZKEndpoint\(address:|PrinterAddress\(parsing:|of: "(push:|tcp://|udp://|usb:|serial:|lp:)"|\.(scheme|host)\b.*"(push|tcp|udp|usb|serial)"|split\(separator: "://"|range\(of: "://"\)"#)

    static func schemeTests(in text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { number, line in
            let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            return code.contains(schemeTest) ? "\(number + 1): \(line.trimmingCharacters(in: .whitespaces))" : nil
        }
    }

    @Test("the detector finds the shapes it looks for (so the next test can fail)")
    func detectorFindsSchemeTests() {
        #expect(Self.schemeTests(in: #"if address.hasPrefix("push:") { }"#).count == 1)
        #expect(Self.schemeTests(in: #"let x = ZKEndpoint(address: text)"#).count == 1)
        #expect(Self.schemeTests(in: #"a.replacingOccurrences(of: "usb:", with: "")"#).count == 1)
        #expect(Self.schemeTests(in: #"switch device.link { case .pushTerminal: break }  // not "push:" here"#).isEmpty)
    }

    @Test("no code outside the device model inspects an address string's scheme")
    func noSchemeTestsOutsideTheDeviceModel() throws {
        let sources = Self.root.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var found: [String] = []
        var read = 0
        for case let url as URL in files where url.pathExtension == "swift" {
            let relative = String(url.path.dropFirst(Self.root.path.count + 1))
            guard !Self.allowed.contains(relative) else { continue }
            read += 1
            for hit in Self.schemeTests(in: try String(contentsOf: url, encoding: .utf8)) { found.append("\(relative):\(hit)") }
        }
        #expect(read > 100, "the sources were not found under \(sources.path)")
        #expect(found.isEmpty, "parse the address once into a DeviceLink (CounterCore/Devices) and switch on it:\n\(found.joined(separator: "\n"))")
    }
}

@Suite struct RetryBackoffTests {
    @Test("doubles up to the maximum, starts over after a success, and the same from a stored count of failures")
    func doubling() {
        var backoff = RetryBackoff(initial: .seconds(5), maximum: .seconds(60))
        #expect((0..<6).map { _ in backoff.next() } == [.seconds(5), .seconds(10), .seconds(20), .seconds(40), .seconds(60), .seconds(60)])
        backoff.reset()
        #expect(backoff.next() == .seconds(5))
        #expect((1...6).map { RetryBackoff.wait(afterFailures: $0, initial: .seconds(5), maximum: .seconds(60)) }
                == [.seconds(5), .seconds(10), .seconds(20), .seconds(40), .seconds(60), .seconds(60)])
        #expect(RetryBackoff.wait(afterFailures: 0, initial: .seconds(5), maximum: .seconds(60)) == .seconds(5))
    }
}
