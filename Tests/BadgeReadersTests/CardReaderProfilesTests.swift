// Reader profiles: the shipped files load; inheritance; unknown keys and bad values refused with file and line.
@testable import BadgeReaders
import CounterTOML
import Foundation
import Testing

@Suite("Reader profiles")
struct CardReaderProfilesTests {
    static let driversDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("drivers/readers").path

    @Test("the shipped profiles load: a wedge reader, an RDM6300, a serial line reader")
    func shipped() throws {
        let profiles = try ReaderProfiles.load(directory: Self.driversDirectory)
        let byID = Dictionary(uniqueKeysWithValues: profiles.map { ($0.id, $0) })
        let wedge = try #require(byID["generic-usb-wedge-125khz"])
        #expect(wedge.kind == .wedge)
        #expect(wedge.usbIDs == [ReaderUSBID(vendor: 0xFFFF, product: 0x0035)])
        #expect(wedge.baudRate == nil)
        #expect(wedge.cardFormat == .decimal10)
        let rdm = try #require(byID["rdm6300-serial"])
        #expect(rdm.kind == .serialFrame)
        #expect(rdm.baudRate == 9600)
        #expect(rdm.cardFormat == .hex)
        #expect(rdm.quirks == [.repeatsWhileHeld])
        let line = try #require(byID["generic-serial-line"])
        #expect(line.kind == .serialLine)
        #expect(line.cardFormat == .decimal)
        #expect(line.quirks == [.crlf])
    }

    @Test("inherits takes the parent's settings except name and usb")
    func inheritance() throws {
        let profiles = try ReaderProfiles.parse(files: [
            ("/p/base.toml", "name = \"Base\"\nkind = \"serial-line\"\nbaud = 19200\ncard_format = \"wiegand-26\"\nmax_length = 8\nusb = [\"1a86:7523\"]\n"),
            ("/p/child.toml", "name = \"Child\"\ninherits = \"base\"\nquirks = [\"crlf\"]\n"),
        ])
        let child = try #require(profiles.first { $0.id == "child" })
        #expect(child.name == "Child")
        #expect(child.kind == .serialLine)
        #expect(child.baudRate == 19200)
        #expect(child.cardFormat == .wiegand26)
        #expect(child.maxLength == 8)
        #expect(child.usbIDs.isEmpty)
        #expect(child.quirks == [.crlf])
    }

    @Test("unknown keys, bad values, a missing parent are refused with file, line and key")
    func refused() {
        let text = """
        name = "Odd"
        kind = "serial-frame"
        baud = 12345
        card_formt = "hex"
        quirks = ["sparkles"]
        usb = ["xyz"]
        """
        do {
            _ = try ReaderProfiles.parse(files: [("/p/odd.toml", text),
                                                 ("/p/orphan.toml", "name = \"O\"\ninherits = \"nowhere\"\n"),
                                                 ("/p/kindless.toml", "name = \"K\"\nkind = \"bluetooth\"\n")])
            Issue.record("expected errors")
        } catch let errors as ConfigErrors {
            let found = errors.errors.map { "\(URL(fileURLWithPath: $0.file).lastPathComponent):\($0.line):\($0.key ?? "-")" }
            #expect(found.contains("odd.toml:3:baud"))
            #expect(found.contains("odd.toml:4:card_formt"))
            #expect(found.contains("odd.toml:5:quirks"))
            #expect(found.contains("odd.toml:6:usb"))
            #expect(found.contains("orphan.toml:2:inherits"))
            #expect(found.contains("kindless.toml:2:kind"))
            #expect(errors.errors.first { $0.key == "card_formt" }?.message.contains("card_format") == true)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("a wedge with a baud rate, and hex on a line reader, are contradictions")
    func contradictions() {
        #expect(throws: ConfigErrors.self) {
            try ReaderProfiles.parse(files: [("/p/w.toml", "name = \"W\"\nkind = \"wedge\"\nbaud = 9600\n")])
        }
        #expect(throws: ConfigErrors.self) {
            try ReaderProfiles.parse(files: [("/p/l.toml", "name = \"L\"\nkind = \"serial-line\"\ncard_format = \"hex\"\n")])
        }
    }
}
