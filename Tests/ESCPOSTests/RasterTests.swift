// Raster text: the strips each raster command is sent in (read back by the tests' own reader), a line's layout with
// glyphs given by the test, the profile keys, and the rasterizer's refusals of fonts it cannot use.
import CounterGateTestSupport
import CounterTOML
import Foundation
import Synchronization
import Testing
@testable import ESCPOS

/// A source that returns glyphs whose ink does not match their size.
struct BrokenGlyphs: GlyphSource {
    func glyph(for scalar: Unicode.Scalar, pixelSize: Int) -> RasterGlyph? {
        RasterGlyph(width: 40, height: 40, left: -500, top: 900, advance: 0, ink: [1, 1, 1])
    }
}

/// Glyphs of the test's own: a solid `size`-high block for each CJK character, nothing for the rest.
struct BlockGlyphs: GlyphSource {
    func glyph(for scalar: Unicode.Scalar, pixelSize: Int) -> RasterGlyph? {
        guard scalar.value >= 0x4E00, scalar.value <= 0x9FFF else { return nil }
        let side = pixelSize / 2
        return RasterGlyph(width: side, height: side, left: 0, top: side, advance: side, ink: [UInt8](repeating: 1, count: side * side))
    }
}

@Suite struct RasterTests {
    static func randomImage(width: Int, height: Int, seed: UInt64) throws -> RasterImage {
        var random = SeededRandom(seed: seed)
        let bits = (0..<((width + 7) / 8 * height)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        return try RasterImage(width: width, height: height, bits: bits)
    }

    /// The image as the reader sees it, to compare with what the reader read back.
    static func dots(_ image: RasterImage) -> ReadBitmap {
        var dots: [Bool] = []
        for y in 0..<image.height {
            for x in 0..<image.width { dots.append(image.bits[y * image.bytesPerRow + x / 8] & (0x80 >> UInt8(x % 8)) != 0) }
        }
        return ReadBitmap(width: image.width, height: image.height, dots: dots)
    }

    @Test("every raster command sends strips no taller than raster_band_rows, a paper's width (paper_width_dots / 8 bytes) wide",
          arguments: PrinterProfile.RasterCommand.allCases, [10, 24, 128])
    func stripsFitTheBuffer(command: PrinterProfile.RasterCommand, band: Int) throws {
        var profile = Fixtures.profile(bandRows: band)
        profile.rasterCommand = command
        let image = try Self.randomImage(width: profile.paperWidthDots, height: 301, seed: UInt64(band))
        var job = ESCPOSDocument(profile: profile)
        job.raster(image)
        let items = try RasterStreamReader.read(try job.bytes())
        var stacked: [Bool] = []
        var strips = 0
        for case .image(let name, let bytesPerRow, let bitmap) in items {
            strips += 1
            #expect(bitmap.height <= band, "\(name) strip of \(bitmap.height) rows")
            #expect(bytesPerRow == profile.paperWidthDots / 8 && bitmap.width == profile.paperWidthDots)
            stacked += bitmap.dots
        }
        #expect(strips == job.rasterStrips && strips >= 301 / band)
        // Read back, the strips stacked are the image (ESC * pads its last stripe with white rows).
        let expected = Self.dots(image)
        #expect(Array(stacked.prefix(expected.dots.count)) == expected.dots)
        #expect(stacked.dropFirst(expected.dots.count).allSatisfy { !$0 })
    }

    @Test("GBK printers' fonts lack CJK Extension A although GB18030 gives some of it 2-byte codes: 䶮 is beyond GBK text")
    func extensionAIsBeyondGBK() throws {
        var gbk = ESCPOSDocument(profile: Fixtures.profile(encoding: .gbk))
        gbk.line("李䶮")
        guard case .unencodableCharacter(let character, let scalar, let offset, _, _, _)? = gbk.firstProblem else {
            Issue.record("䶮 went out as GBK text: \(String(describing: try? gbk.bytes()))")
            return
        }
        #expect(character == "䶮" && scalar == "U+4DAE" && offset == 1)
        var gb18030 = ESCPOSDocument(profile: Fixtures.profile(encoding: .gb18030))
        gb18030.line("李䶮")
        #expect(try gb18030.bytes().contains(0xFE))  // FE 9F, its GB18030-2005 code
        var refused = ESCPOSDocument(profile: Fixtures.profile(encoding: .gbk))
        #expect(refused.lineUnlessUnencodable("李\u{E000}") != nil && refused.lineUnlessUnencodable("李堃") == nil)
        #expect(try refused.bytes().count > 2)
    }

    @Test("the stream decoder (the simulated printer's) sees every raster command's strips as images")
    func decoderSeesEveryRasterCommand() throws {
        for command in PrinterProfile.RasterCommand.allCases {
            var profile = Fixtures.profile(bandRows: 50)
            profile.rasterCommand = command
            var job = ESCPOSDocument(profile: profile)
            job.raster(try Self.randomImage(width: 384, height: 120, seed: 7))
            job.line("OK")
            let page = try #require(ESCPOSPrintout(bytes: try job.bytes()).allPages.first)
            let expected = command == .escStar ? 5 : 3  // 24-row stripes, or 50-row strips
            #expect(page.images.count == expected && page.images.allSatisfy { $0.width == 384 }, "\(command): \(page.images)")
            #expect(page.texts.contains("OK"), "\(command): the text after the image is read as text")
        }
    }

    @Test func printTimeAndUSBTimeFollowTheProfile() {
        var profile = Fixtures.profile()
        profile.dpi = 203
        profile.printSpeedMillimetersPerSecond = 100
        // 203 rows are an inch, 25.4 mm: 0.254 s at 100 mm/s.
        #expect(abs(RasterCommands.secondsToPrint(rows: 203, profile: profile) - 0.254) < 1e-9)
        #expect(RasterCommands.secondsOverUSB(bytes: 500_000) == 0.5)
    }

    @Test("a line sits on the font's column grid, aligned as text would be; a glyph no font has is a box and is named")
    func lineLayoutAndBoxes() throws {
        let profile = Fixtures.profile()  // 384 dots, 32 columns: 12 dots a column
        let line = RasterLine(profile: profile)
        #expect(line.columnWidth == 12 && line.pixelSize(scale: 1) == 24 && line.lineHeight == 34)

        let left = line.draw("中A中", style: .init(alignment: .left), glyphs: BlockGlyphs())
        let image = Self.dots(left.image)
        #expect(image.width == 384 && image.height == 34)
        // 中 is a 12-dot block centred in columns 0-1 (dots 0-23): dots 6 to 17; A (no glyph) takes column 2 as a
        // box; the second 中 starts at column 3 (dot 36): dots 42 to 53.
        let inked = (0..<384).filter { x in (0..<34).contains { image.isBlack(x, $0) } }
        #expect(inked.first == 6 && inked.contains(17) && !inked.contains(18) && !inked.contains(41) && inked.last == 53)
        #expect(left.missing == ["A"])
        #expect(image.columns(24, 12).croppedToInk().blackCount > 0)

        let centred = line.draw("中中", style: .init(alignment: .center), glyphs: BlockGlyphs())
        let centreInk = (0..<384).filter { x in (0..<34).contains { Self.dots(centred.image).isBlack(x, $0) } }
        // 4 columns, 48 dots, centred in 384: from dot 168; the first block at 174.
        #expect(centreInk.first == 174 && centred.missing.isEmpty)

        let large = line.draw("中", style: .init(scale: 2), glyphs: BlockGlyphs())
        #expect(large.image.height == 68 && Self.dots(large.image).croppedToInk().width == 24)
        let bold = line.draw("中", style: .init(bold: true), glyphs: BlockGlyphs())
        #expect(Self.dots(bold.image).croppedToInk().width == 13)
        // A broken source is drawn as boxes, not read past its ink; text wider than the paper is cut at its edge.
        let broken = line.draw(String(repeating: "中", count: 40), style: .init(alignment: .right, bold: true, scale: 2), glyphs: BrokenGlyphs())
        #expect(broken.missing.count == 40 && broken.image.width == 384)
    }

    @Test func profileKeysAndTheirDefaults() throws {
        let shipped = try Fixtures.shipped()
        #expect(shipped["generic-58mm-chinese"]?.textOutput == .textWithRaster)
        #expect(shipped["xprinter-xp80"]?.textOutput == .textWithRaster)
        #expect(shipped["generic-escpos"]?.textOutput == .raster)
        #expect(shipped["plain-text-line"]?.textOutput == .text)
        #expect(shipped.profiles.allSatisfy { $0.rasterCommand == .gsV0 && $0.rasterFonts.first?.contains("NotoSansCJK") == true })
        #expect(shipped.profiles.allSatisfy { $0.printSpeedMillimetersPerSecond == 100 })

        let base = """
            name = "Base"
            paper_width_dots = 576
            dpi = 203
            columns_font_a = 48
            columns_font_b = 64
            chinese_font = false
            encoding = "ascii"
            chinese_mode = "fs-ampersand"
            cutter = "full"
            cut_feed_lines = 4
            qr_code = true
            raster = false
            raster_band_rows = 64
            status = "dle-eot"
            transmit_status = true
            buzzer = false
            drawer_port = true
            """
        let set = try PrinterProfiles.parse(files: [
            (path: "p/base.toml", text: base),
            (path: "p/old.toml", text: "name = \"Old\"\ninherits = \"base\"\nraster = true\nraster_command = \"esc-star\"\ntext_output = \"text-with-raster\"\nraster_fonts = [\"/opt/fonts/a.ttf\"]\nprint_speed_mm_per_s = 60\n"),
        ])
        let old = try #require(set["old"])
        #expect(old.rasterCommand == .escStar && old.textOutput == .textWithRaster && old.rasterFonts == ["/opt/fonts/a.ttf"]
                && old.printSpeedMillimetersPerSecond == 60)
        #expect(set["base"]?.textOutput == .text)

        func errors(_ child: String) -> [ConfigError] {
            do {
                _ = try PrinterProfiles.parse(files: [(path: "p/base.toml", text: base), (path: "p/child.toml", text: child)])
                return []
            } catch let errors as ConfigErrors { return errors.errors } catch { return [] }
        }
        let rasterless = errors("name = \"C\"\ninherits = \"base\"\ntext_output = \"raster\"\n")
        #expect(rasterless.count == 1 && rasterless[0].key == "text_output" && rasterless[0].line == 3 && rasterless[0].message.contains("raster = false"))
        let bad = errors("name = \"C\"\ninherits = \"base\"\nraster_command = \"gs-v-1\"\nraster_fonts = [\"fonts/a.ttf\"]\nprint_speed_mm_per_s = 0\n")
        #expect(Set(bad.map(\.line)) == [3, 4, 5])
        #expect(bad.contains { $0.key == "raster_command" && $0.message.contains("\"esc-star\"") })
        #expect(bad.contains { $0.key == "raster_fonts" && $0.message.contains("absolute") })
    }

    @Test("fonts that cannot be used are refused with the file and what to do")
    func rasterizerRefusals() throws {
        func refusal(_ files: [String]) -> ESCPOSError? {
            do { _ = try GlyphRasterizer(files: files); return nil } catch { return error }
        }
        let missing = refusal(["/nonexistent/NotoSansCJK-Regular.ttc"])
        #expect(missing == .unusableRasterFont(file: "/nonexistent/NotoSansCJK-Regular.ttc", reason: "does not exist"))
        #expect(missing?.description.contains("sudo apt-get install fonts-noto-cjk") == true)
        let latin = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
        if FileManager.default.fileExists(atPath: latin) {
            #expect(refusal([latin])?.description.contains("is not a Chinese font: it cannot draw 受") == true)
        }
        #expect(refusal([FileManager.default.temporaryDirectory.path])?.description.contains("is a directory") == true)

        var profile = Fixtures.profile()
        profile.rasterFonts = ["/nonexistent/x.ttc"]
        #expect(throws: ESCPOSError.noRasterFont(tried: ["/nonexistent/x.ttc"], profile: "test")) {
            try GlyphRasterizer.fontFiles(for: profile, override: nil)
        }
        #expect(throws: ESCPOSError.self) { try GlyphRasterizer.fontFiles(for: profile, override: "/nonexistent/y.ttf") }
    }

    @Test("the rasterizer draws Chinese from the installed CJK font, Simplified Chinese face of a collection")
    func rasterizerDrawsChinese() throws {
        let noto = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
        #expect(FileManager.default.fileExists(atPath: noto), "install fonts-noto-cjk (scripts/setup --test)")
        let rasterizer = try GlyphRasterizer(files: [noto])
        #expect(rasterizer.families == ["Noto Sans CJK SC"])
        let glyph = try #require(rasterizer.glyph(for: "受", pixelSize: 24))
        #expect(glyph.width > 12 && glyph.width <= 24 && glyph.height > 12 && glyph.height <= 24 && glyph.advance == 24)
        #expect(glyph.ink.allSatisfy { $0 == 0 || $0 == 1 } && glyph.ink.contains(1))
        #expect(rasterizer.glyph(for: "\u{E000}", pixelSize: 24) == nil)
        // Used from many threads at once, the one FreeType handle draws what it draws alone.
        let text = Array("受理通知书申请人窗口经办日期承诺办结补正材料不予退回联合".unicodeScalars)
        let alone = try GlyphRasterizer(files: [noto])
        let serial = text.map { alone.glyph(for: $0, pixelSize: 24) }
        let shared = try GlyphRasterizer(files: [noto])
        let concurrent = (0..<(text.count * 4)).map { text[$0 % text.count] }.concurrentMap { shared.glyph(for: $0, pixelSize: 24) }
        #expect(concurrent.count == text.count * 4)
        for (i, glyph) in concurrent.enumerated() { #expect(glyph == serial[i % text.count] && glyph != nil) }
    }
}

/// Results written from several threads, each in its own slot.
final class ResultSlots<T: Sendable>: Sendable {
    private let slots = Mutex<[Int: T]>([:])
    func set(_ i: Int, _ value: T) { slots.withLock { $0[i] = value } }
    func values(count: Int) -> [T] { slots.withLock { all in (0..<count).compactMap { all[$0] } } }
}

extension Array where Element: Sendable {
    /// Runs `transform` on every element from several threads at once.
    func concurrentMap<T: Sendable>(_ transform: @Sendable @escaping (Element) -> T) -> [T] {
        let results = ResultSlots<T>()
        let items = self
        DispatchQueue.concurrentPerform(iterations: items.count) { i in results.set(i, transform(items[i])) }
        return results.values(count: items.count)
    }
}
