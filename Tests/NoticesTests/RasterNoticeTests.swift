// Notices on printers whose font cannot print everything: the lines it lacks are drawn on the gateway and sent as
// raster images. The images are read back with a reader of the tests' own (CounterGateTestSupport) and each drawn
// character compared with the glyph FreeType draws here, in the test, from the same font file.
import CFreeType
import CounterCore
import CounterGateTestSupport
import ESCPOS
import Foundation
import Testing
@testable import Notices

/// FreeType called directly, as the tests' reference for what a glyph looks like: outlines, 8-bit coverage, black
/// from 128 (the rule docs/notices.md gives for raster text). One per test, never shared.
final class ReferenceFreeType {
    private var library: FT_Library?
    private var face: FT_Face?

    /// Opens the face of `file` whose family name is `family` (any face when nil).
    init(file: String, family: String? = nil) throws {
        guard FT_Init_FreeType(&library) == 0, let library else { throw ReferenceError("FreeType does not start") }
        var index = 0
        var count = 1
        while index < count {
            var candidate: FT_Face?
            guard FT_New_Face(library, file, index, &candidate) == 0, let candidate else { throw ReferenceError("\(file) does not open") }
            count = candidate.pointee.num_faces
            let name = candidate.pointee.family_name.map { String(cString: $0) } ?? ""
            if family == nil || name == family {
                face = candidate
                return
            }
            FT_Done_Face(candidate)
            index += 1
        }
        throw ReferenceError("no face \(family ?? "") in \(file)")
    }

    deinit {
        if let face { FT_Done_Face(face) }
        if let library { FT_Done_FreeType(library) }
    }

    func has(_ scalar: Unicode.Scalar) -> Bool {
        guard let face else { return false }
        return FT_Get_Char_Index(face, FT_ULong(scalar.value)) != 0
    }

    /// `scalar` drawn `size` dots high, black where coverage ≥ 128, cropped to its ink.
    func glyph(_ scalar: Unicode.Scalar, size: Int) throws -> ReadBitmap {
        guard let face else { throw ReferenceError("no face") }
        guard FT_Set_Pixel_Sizes(face, 0, FT_UInt(size)) == 0,
              FT_Load_Char(face, FT_ULong(scalar.value), countergate_ft_load_no_bitmap) == 0,
              let slot = face.pointee.glyph, FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL) == 0 else {
            throw ReferenceError("FreeType cannot draw \(scalar)")
        }
        let bitmap = slot.pointee.bitmap
        let width = Int(bitmap.width), rows = Int(bitmap.rows), pitch = Int(bitmap.pitch)
        var dots = [Bool](repeating: false, count: width * rows)
        if let buffer = bitmap.buffer {
            for y in 0..<rows { for x in 0..<width { dots[y * width + x] = buffer[y * pitch + x] >= 128 } }
        }
        return ReadBitmap(width: width, height: rows, dots: dots).croppedToInk()
    }
}

struct ReferenceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@Suite struct RasterNoticeTests {
    static let noto = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

    static func notice(applicant: String, kind: NoticeKind = .acceptance) -> Notice {
        let base = NoticeFixtures.notice(kind)
        var draft = base.draft
        draft.applicant = applicant
        return Notice(number: base.number, year: 2026, sequence: 123, draft: draft, issuedAt: base.issuedAt, promisedCompletion: base.promisedCompletion)
    }

    /// The laid-out lines of `document` as the renderer wraps them: text, alignment, scale.
    static func lines(_ document: NoticeDocument) -> [(text: String, alignment: NoticeTextStyle.Alignment, scale: Int, bold: Bool)] {
        var out: [(String, NoticeTextStyle.Alignment, Int, Bool)] = []
        for block in document.blocks {
            switch block {
            case .text(let text, let style, let indent):
                let width = style.large ? document.columns / 2 : document.columns
                for line in NoticePreview.wrap(text, columns: width, hangingIndent: indent) {
                    out.append((line, style.alignment, style.large ? 2 : 1, style.bold))
                }
            case .rule:
                out.append((String(repeating: "-", count: document.columns), .left, 1, false))
            default:
                break
            }
        }
        return out
    }

    /// Where a line starts on the paper, in dots (RasterLine's rule: left at 0, centred in the paper, right flush).
    static func start(of text: String, _ alignment: NoticeTextStyle.Alignment, scale: Int, profile: PrinterProfile) -> Int {
        let column = profile.paperWidthDots / profile.columnsFontA * scale
        let width = ESCPOSText.displayWidth(text) * column
        switch alignment {
        case .left: return 0
        case .center: return max(0, (profile.paperWidthDots - width) / 2)
        case .right: return max(0, profile.paperWidthDots - width)
        }
    }

    /// The character at `offset` of `text` as it stands in `image`, cropped to its ink.
    static func cell(_ image: ReadBitmap, text: String, offset: Int, alignment: NoticeTextStyle.Alignment, scale: Int,
                     profile: PrinterProfile) -> ReadBitmap {
        let column = profile.paperWidthDots / profile.columnsFontA * scale
        let prefix = String(text.prefix(offset))
        let x = start(of: text, alignment, scale: scale, profile: profile) + ESCPOSText.displayWidth(prefix) * column
        let span = ESCPOSText.displayWidth(of: Array(text)[offset]) * column
        return image.columns(x, span).croppedToInk()
    }

    @Test("a name with a character outside GBK prints on a GBK-only printer: those lines as raster, drawn as FreeType draws them",
          arguments: ["\u{2000B}", "\u{4DAE}"], ["generic-58mm-chinese", "xprinter-xp80"])
    func rareCharacterLinesAreRaster(rare: String, profileID: String) throws {
        #expect(FileManager.default.fileExists(atPath: Self.noto), "install fonts-noto-cjk (scripts/setup --test)")
        let profile = try #require(NoticeFixtures.profiles[profileID])
        #expect(profile.encoding == .gbk && profile.textOutput == .textWithRaster)
        let document = NoticeTemplates.document(for: Self.notice(applicant: "李" + rare), context: NoticeFixtures.context,
                                                columns: NoticeESCPOS.columns(for: profile))
        // The text-only printer refuses the same notice: the character really is beyond GBK.
        var textOnly = profile
        textOnly.textOutput = .text
        #expect(throws: ESCPOSError.self) { try NoticeESCPOS.bytes(document, profile: textOnly) }

        let rendered = try NoticeESCPOS.render(document, profile: profile, rasterFont: Self.noto)
        let items = try RasterStreamReader.read(rendered.bytes)
        let images = RasterStreamReader.images(items)
        let drawn = Self.lines(document).filter { $0.text.contains(rare) }
        #expect(drawn.count >= 2, "the applicant's name is on both copies")
        #expect(rendered.rasterLines == drawn.count && images.count == drawn.count)
        #expect(rendered.missingGlyphs.isEmpty && rendered.warnings.isEmpty)

        let reference = try ReferenceFreeType(file: Self.noto, family: "Noto Sans CJK SC")
        let scalar = try #require(rare.unicodeScalars.first)
        for (image, line) in zip(images, drawn) {
            #expect(image.width == profile.paperWidthDots && image.height <= profile.rasterBandRows)
            let offset = try #require(Array(line.text).firstIndex(of: Character(rare)))
            let got = Self.cell(image, text: line.text, offset: offset, alignment: line.alignment, scale: line.scale, profile: profile)
            let expected = try reference.glyph(scalar, size: 24 * line.scale)
            #expect(expected.blackCount > 20)
            #expect(got == expected, "\(line.text): drawn\n\(got.ascii)\nFreeType\n\(expected.ascii)")
            // The line's other characters are drawn too: 李 before it.
            let li = Self.cell(image, text: line.text, offset: offset - 1, alignment: line.alignment, scale: line.scale, profile: profile)
            #expect(li == (try reference.glyph("李", size: 24 * line.scale)))
        }
        for case .image(_, let bytesPerRow, let bitmap) in items {
            #expect(bytesPerRow == profile.paperWidthDots / 8 && bitmap.height <= profile.rasterBandRows)
        }

        // Every other line is still text, exactly as the preview shows it.
        func meaningful(_ lines: [String]) -> [String] {
            lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("[") && !$0.hasPrefix("✂") }
        }
        let paper = meaningful(ESCPOSPrintout(bytes: rendered.bytes).allPages.flatMap(\.texts))
        let shown = meaningful(NoticePreview.plainText(document).components(separatedBy: "\n").filter { !$0.contains(rare) })
        #expect(paper == shown)
    }

    @Test("a printer without a Chinese font but with raster prints the whole notice as raster, in strips its buffer holds")
    func asciiProfilePrintsAllRaster() throws {
        let profile = try #require(NoticeFixtures.profiles["generic-escpos"])
        #expect(profile.encoding == .ascii && profile.textOutput == .raster)
        let document = NoticeTemplates.document(for: NoticeFixtures.notice(.acceptance), context: NoticeFixtures.context,
                                                columns: NoticeESCPOS.columns(for: profile))
        let rendered = try NoticeESCPOS.render(document, profile: profile, rasterFont: Self.noto)
        let items = try RasterStreamReader.read(rendered.bytes)
        #expect(!items.contains { if case .text = $0 { true } else { false } }, "no text is sent to a printer without a Chinese font")
        let lines = Self.lines(document).filter { !$0.text.allSatisfy { $0 == " " } }
        let images = RasterStreamReader.images(items)
        #expect(images.count == lines.count && rendered.rasterLines == lines.count)
        for case .image(let command, let bytesPerRow, let bitmap) in items {
            #expect(command == "GS v 0" && bytesPerRow == profile.paperWidthDots / 8 && bitmap.height <= profile.rasterBandRows)
        }
        // The QR code is still the printer's own, on both copies; the cuts are there.
        #expect(ESCPOSPrintout(bytes: rendered.bytes).allPages.flatMap(\.qrCodes).count == 2)
        // Each line carries ink, and a plain one reads as FreeType draws it: the salutation's 李.
        #expect(images.allSatisfy { $0.blackCount > 0 })
        let reference = try ReferenceFreeType(file: Self.noto, family: "Noto Sans CJK SC")
        let index = try #require(lines.firstIndex { $0.text.hasPrefix("李堃") })
        let salutation = lines[index]
        let got = Self.cell(images[index], text: salutation.text, offset: 0, alignment: salutation.alignment, scale: 1, profile: profile)
        #expect(got == (try reference.glyph("李", size: 24)))
        // Large titles are drawn at twice the size.
        let title = try #require(lines.firstIndex { $0.scale == 2 })
        #expect(images[title].height == 2 * images[index].height)
        #expect(rendered.rasterPrintSeconds > 0)
    }

    @Test("a character no font has is drawn as a box and named in a warning, never left out")
    func missingGlyphIsABoxAndAWarning() throws {
        let profile = try #require(NoticeFixtures.profiles["generic-escpos"])
        let absent: Unicode.Scalar = "\u{E000}"  // private use: no CJK font draws it
        #expect(!(try ReferenceFreeType(file: Self.noto, family: "Noto Sans CJK SC")).has(absent))
        let document = NoticeTemplates.document(for: Self.notice(applicant: "李\(Character(absent))"), context: NoticeFixtures.context,
                                                columns: NoticeESCPOS.columns(for: profile))
        let rendered = try NoticeESCPOS.render(document, profile: profile, rasterFont: Self.noto)
        #expect(rendered.missingGlyphs == [Character(absent)])
        #expect(rendered.warnings.count == 1 && rendered.warnings[0].contains("U+E000") && rendered.warnings[0].contains("box"))
        let lines = Self.lines(document).filter { !$0.text.allSatisfy { $0 == " " } }
        let images = RasterStreamReader.images(try RasterStreamReader.read(rendered.bytes))
        let index = try #require(lines.firstIndex { $0.text.contains(Character(absent)) })
        let box = Self.cell(images[index], text: lines[index].text, offset: 1, alignment: .left, scale: 1, profile: profile)
        // A hollow rectangle: full top and bottom rows, full left and right columns, white inside.
        #expect(box.width > 10 && box.height > 10)
        #expect((0..<box.width).allSatisfy { box.isBlack($0, 0) && box.isBlack($0, box.height - 1) })
        #expect((0..<box.height).allSatisfy { box.isBlack(0, $0) && box.isBlack(box.width - 1, $0) })
        #expect(!box.isBlack(box.width / 2, box.height / 2))
    }

    @Test("a missing or non-Chinese font is a clear error naming the file and the fix; nothing is sent")
    func unusableFontsAreClearErrors() throws {
        let profile = try #require(NoticeFixtures.profiles["generic-escpos"])
        let document = NoticeTemplates.document(for: NoticeFixtures.notice(.acceptance), context: NoticeFixtures.context,
                                                columns: NoticeESCPOS.columns(for: profile))
        func refusal(_ font: String?, profile: PrinterProfile) -> String {
            do {
                _ = try NoticeESCPOS.render(document, profile: profile, rasterFont: font)
                return "printed"
            } catch {
                return error.description
            }
        }
        let missing = refusal("/nonexistent/fonts/NotoSansCJK-Regular.ttc", profile: profile)
        #expect(missing.contains("/nonexistent/fonts/NotoSansCJK-Regular.ttc") && missing.contains("does not exist")
                && missing.contains("fonts-noto-cjk") && missing.contains("raster_font"), "\(missing)")

        let latin = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
        let bogus = FileManager.default.temporaryDirectory.appendingPathComponent("countergate-bogus-\(UUID().uuidString).ttf")
        try Data("this is not a font file at all".utf8).write(to: bogus)
        defer { try? FileManager.default.removeItem(at: bogus) }
        for (file, why) in [(latin, "not a Chinese font"), (bogus.path, "not a font FreeType can read")]
        where FileManager.default.fileExists(atPath: file) {
            let message = refusal(file, profile: profile)
            #expect(message.contains(file) && message.contains(why) && message.contains("fonts-noto-cjk"), "\(message)")
        }

        // A profile whose fonts are all absent, and no override: every file looked for is named.
        var bare = profile
        bare.rasterFonts = ["/nonexistent/a.ttc", "/nonexistent/b.ttf"]
        let none = refusal(nil, profile: bare)
        #expect(none.contains("/nonexistent/a.ttc") && none.contains("/nonexistent/b.ttf") && none.contains("apt-get install fonts-noto-cjk"), "\(none)")

        // A notice whose every character the printer's font has never opens a font at all: golden bytes do not
        // depend on fonts being installed.
        let gbk = try #require(NoticeFixtures.profiles["generic-58mm-chinese"])
        var gbkBare = gbk
        gbkBare.rasterFonts = ["/nonexistent/a.ttc"]
        let gbkDocument = NoticeTemplates.document(for: NoticeFixtures.notice(.acceptance), context: NoticeFixtures.context,
                                                   columns: NoticeESCPOS.columns(for: gbk))
        #expect(try NoticeESCPOS.render(gbkDocument, profile: gbkBare).rasterLines == 0)
    }

    @Test("a printer without raster images still refuses what its font lacks, naming the character")
    func textOnlyPrinterRefuses() throws {
        let profile = try #require(NoticeFixtures.profiles["plain-text-line"])
        #expect(!profile.raster && profile.textOutput == .text)
        let document = NoticeTemplates.document(for: Self.notice(applicant: "李\u{2000B}"), context: NoticeFixtures.context,
                                                columns: NoticeESCPOS.columns(for: profile))
        do {
            _ = try NoticeESCPOS.bytes(document, profile: profile)
            Issue.record("printed a character the printer cannot carry")
        } catch {
            #expect(error.description.contains("U+2000B") && error.description.contains("nothing was sent"), "\(error)")
        }
    }
}
