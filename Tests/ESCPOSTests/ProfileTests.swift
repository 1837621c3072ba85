// Printer profiles: the shipped files load and resolve; broken ones are refused with file, line and key.
import CounterTOML
@testable import ESCPOS
import Foundation
import Testing

@Suite struct ProfileTests {
    @Test func everyShippedProfileLoads() throws {
        let set = try Fixtures.shipped()
        let ids = Set(set.profiles.map(\.id))
        for required in ["generic-escpos", "generic-58mm-chinese", "generic-80mm-chinese", "xprinter-xp58", "xprinter-xp80",
                         "gprinter-gp80", "epson-tm-t82iii", "epson-tm-t88", "plain-text-line"] {
            #expect(ids.contains(required), "missing shipped profile \(required)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.profileDirectory).filter { $0.hasSuffix(".toml") }
        #expect(set.profiles.count == files.count, "every file is a profile")
        for profile in set.profiles {
            #expect(!profile.name.isEmpty)
            #expect(profile.chineseFont == (profile.encoding != .ascii))
            #expect(profile.columnsFontA * 12 <= profile.paperWidthDots, "\(profile.id): font A columns exceed the paper")
        }
    }

    @Test func inheritanceFillsWhatAModelLeavesOut() throws {
        let set = try Fixtures.shipped()
        let xp58 = try #require(set["xprinter-xp58"])
        #expect(xp58.inherits == "generic-58mm-chinese")
        #expect(xp58.paperWidthDots == 384 && xp58.columnsFontA == 32 && xp58.columnsFontB == 42)  // from the 58 mm class
        #expect(xp58.encoding == .gbk && xp58.cutter == .none)
        #expect(xp58.qrCode && xp58.status == .dleEOT)  // from generic-escpos
        #expect(xp58.quirks == [.newlineBeforeCut])
        #expect(xp58.codePages[0] == "CP437")
        let t88 = try #require(set["epson-tm-t88"])
        #expect(t88.encoding == .gb18030 && t88.status == .dleEOTAndASB && t88.cutter == .partial && t88.paperWidthDots == 512)
        let line = try #require(set["plain-text-line"])
        #expect(!line.qrCode && !line.raster && line.cutter == .none && line.status == .none && line.chineseMode == .powerOn)
    }

    @Test func matchesByUSBID() throws {
        let set = try Fixtures.shipped()
        #expect(set.match(vendor: 0x0483, product: 0x5743)?.id == "xprinter-xp58")
        #expect(set.match(vendor: 0x04B8, product: 0x0202)?.id == "epson-tm-t88")
        #expect(set.match(vendor: 0x0471, product: 0x0055)?.id == "gprinter-gp80")
        #expect(set.match(vendor: 0x1234, product: 0x5678) == nil)
        #expect(USBProductID("0483:5743") == USBProductID(vendor: 0x0483, product: 0x5743))
        #expect(USBProductID("483:5743") == nil && USBProductID("0483-5743") == nil)
        #expect(USBProductID(vendor: 0x04B8, product: 0x0E02).description == "04b8:0e02")
    }

    static let base = """
        name = "Base"
        paper_width_dots = 576
        dpi = 203
        columns_font_a = 48
        columns_font_b = 64
        chinese_font = true
        encoding = "gbk"
        chinese_mode = "fs-ampersand"
        cutter = "full"
        cut_feed_lines = 4
        qr_code = true
        raster = true
        raster_band_rows = 128
        status = "dle-eot"
        transmit_status = true
        buzzer = false
        drawer_port = true
        """

    func errors(_ files: [(String, String)]) -> [ConfigError] {
        do {
            _ = try PrinterProfiles.parse(files: files.map { (path: "printers/\($0.0).toml", text: $0.1) })
            return []
        } catch let errors as ConfigErrors {
            return errors.errors
        } catch {
            Issue.record("unexpected \(error)")
            return []
        }
    }

    @Test func aMinimalChildLoads() throws {
        let set = try PrinterProfiles.parse(files: [(path: "p/base.toml", text: Self.base),
                                                    (path: "p/child.toml", text: "name = \"Child\"\ninherits = \"base\"\ncolumns_font_a = 40\nusb = [\"1a2b:3c4d\"]\n")])
        let child = try #require(set["child"])
        #expect(child.columnsFontA == 40 && child.columnsFontB == 64 && child.usbIDs == [USBProductID(vendor: 0x1A2B, product: 0x3C4D)])
        #expect(set.match(vendor: 0x1A2B, product: 0x3C4D)?.id == "child")
    }

    @Test("a page printer profile (a4-laser) renders PDF; a kind and output that do not go together are refused")
    func pagePrinterProfiles() throws {
        let set = try Fixtures.shipped()
        let a4 = try #require(set["a4-laser"])
        #expect(a4.kind == .page && a4.output == .pdf && a4.status == .none && a4.usbIDs.isEmpty)
        #expect(set.profiles.filter { $0.id != "a4-laser" }.allSatisfy { $0.kind == .receipt && $0.output == .escpos })
        // kind = "page" alone means PDF.
        let page = try PrinterProfiles.parse(files: [(path: "p/base.toml", text: Self.base),
                                                     (path: "p/laser.toml", text: "name = \"Laser\"\ninherits = \"base\"\nkind = \"page\"\n")])
        #expect(page["laser"]?.output == .pdf)
        let mismatched = errors([("base", Self.base), ("laser", "name = \"Laser\"\ninherits = \"base\"\nkind = \"page\"\noutput = \"escpos\"\n")])
        #expect(mismatched.first?.key == "output" && mismatched.first?.message.contains("a page printer takes output = \"pdf\"") == true, "\(mismatched)")
        let receiptPDF = errors([("base", Self.base), ("r", "name = \"R\"\ninherits = \"base\"\noutput = \"pdf\"\n")])
        #expect(receiptPDF.first?.message.contains("a receipt printer takes output = \"escpos\"") == true, "\(receiptPDF)")
        let unknown = errors([("base", Self.base), ("x", "name = \"X\"\ninherits = \"base\"\nkind = \"laser\"\n")])
        #expect(unknown.first?.key == "kind", "\(unknown)")
    }

    @Test func unknownKeysAreRefusedWithTheirLine() {
        let found = errors([("base", Self.base), ("child", "name = \"Child\"\ninherits = \"base\"\npaper_widht_dots = 384\n")])
        #expect(found.count == 1)
        #expect(found.first?.file == "printers/child.toml" && found.first?.line == 3 && found.first?.key == "paper_widht_dots")
        #expect(found.first?.message.contains("did you mean `paper_width_dots`") == true)
    }

    @Test func unknownParentIsNamedWithFileAndLine() {
        let found = errors([("base", Self.base), ("child", "name = \"Child\"\n\ninherits = \"bsae\"\n")])
        #expect(found.count == 1)
        #expect(found.first?.file == "printers/child.toml" && found.first?.line == 3 && found.first?.key == "inherits")
        #expect(found.first?.message.contains("`bsae`, which is no printer profile") == true)
    }

    @Test func inheritanceCyclesAreRefused() {
        let found = errors([("a", "name = \"A\"\ninherits = \"b\"\n"), ("b", "name = \"B\"\ninherits = \"a\"\n")])
        #expect(found.count == 2)
        #expect(found.allSatisfy { $0.key == "inherits" && $0.line == 2 && $0.message.contains("cycle") })
        #expect(found.contains { $0.file == "printers/a.toml" && $0.message.contains("a -> b -> a") })
        let selfish = errors([("a", "name = \"A\"\ninherits = \"a\"\n")])
        #expect(selfish.count == 1 && selfish[0].message.contains("a -> a"))
    }

    @Test func missingSettingsAndBadValuesAreRefused() {
        let missing = errors([("lonely", "name = \"Lonely\"\npaper_width_dots = 384\n")])
        #expect(missing.count == 1 && missing[0].message.contains("`dpi`") && missing[0].message.contains("`encoding`"))
        let bad = errors([("base", Self.base), ("child", """
            name = "Child"
            inherits = "base"
            encoding = "utf8"
            cutter = 3
            usb = ["0483:57430"]
            quirks = ["cut_twice"]
            raster_band_rows = 0
            """)])
        #expect(Set(bad.map(\.line)) == [3, 4, 5, 6, 7])
        #expect(bad.contains { $0.key == "encoding" && $0.message.contains("\"gb18030\", \"gbk\", \"ascii\"") })
        #expect(bad.contains { $0.key == "usb" && $0.message.contains("lsusb") })
        #expect(bad.contains { $0.key == "quirks" && $0.message.contains("newline_before_cut") })
        let mismatch = errors([("base", Self.base), ("child", "name = \"C\"\ninherits = \"base\"\nchinese_font = false\n")])
        #expect(mismatch.count == 1 && mismatch[0].key == "encoding")
    }

    @Test func aUSBIDMayNameOneProfileOnly() {
        let found = errors([("base", Self.base), ("one", "name = \"One\"\ninherits = \"base\"\nusb = [\"0483:5743\"]\n"),
                            ("two", "name = \"Two\"\ninherits = \"base\"\n\nusb = [\"0483:5743\"]\n")])
        #expect(found.count == 1 && found[0].file == "printers/two.toml" && found[0].line == 4 && found[0].message.contains("one"))
    }

    @Test func aSyntaxErrorNamesItsLine() {
        let found = errors([("broken", "name = \"Broken\"\npaper_width_dots = \n")])
        #expect(found.count == 1 && found[0].line == 2)
    }

    @Test func loadingAFolderWithoutProfilesFails() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("escpos-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: ConfigErrors.self) { try PrinterProfiles.load(directory: empty.path) }
    }
}
