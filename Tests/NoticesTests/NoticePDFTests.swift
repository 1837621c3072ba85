// A4 notices as PDF: read back by outside readers (poppler's pdftotext, pdffonts, pdfinfo; pypdf), and the writer's
// parts checked on their own: the cross-reference offsets, the font subset, the widths, the ToUnicode map, line
// breaking, and fonts that cannot be used.
import CounterCore
import Foundation
import Testing
@testable import Notices

enum PDFFixtures {
    static let fontPath = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

    static func font() throws -> TrueTypeFont {
        guard FileManager.default.fileExists(atPath: fontPath) else {
            Issue.record("\(fontPath) is missing: install fonts-wqy-microhei (scripts/setup --test)")
            throw CancellationError()
        }
        return try NoticePDFFonts.load(configured: fontPath)
    }

    static func document(_ kind: NoticeKind, reprint: Bool = false) -> NoticeDocument {
        var context = NoticeFixtures.context
        context.reprint = reprint
        return NoticeTemplates.document(for: NoticeFixtures.notice(kind), context: context, columns: 48)
    }

    /// Runs a program on a file and returns its standard output; records an issue naming the package when missing.
    static func run(_ program: String, _ arguments: [String], package: String = "poppler-utils") throws -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { $0 + "/" } + ["/usr/bin/", "/usr/local/bin/"]
        let path = directories.map { $0 + program }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else {
            Issue.record("\(program) is missing: install \(package) (scripts/setup --test)")
            throw CancellationError()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(program) \(arguments.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))")
        return String(decoding: data, as: UTF8.self)
    }

    static func write(_ bytes: [UInt8], name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("countergate-pdf-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }
}

@Suite struct NoticePDFTests {
    @Test("every notice kind: pdftotext finds its Chinese text and number on two A4 pages, one a copy; the font is embedded as a subset",
          arguments: NoticeKind.allCases)
    func outsideReaders(kind: NoticeKind) throws {
        let font = try PDFFixtures.font()
        let document = PDFFixtures.document(kind)
        let path = try PDFFixtures.write(try NoticePDF.bytes(document, font: font), name: "\(kind.rawValue).pdf")

        let text = try PDFFixtures.run("pdftotext", ["-enc", "UTF-8", path, "-"])
        let pages = text.components(separatedBy: "\u{0C}").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        #expect(pages.count == 2)
        #expect(pages.first?.contains("第一联(交服务对象)") == true && pages.last?.contains("第二联(窗口留存)") == true)
        for page in pages {
            #expect(page.contains("编号:太谷政务〔2026〕第000123号"))
            // The seed's title (承诺件受理通知书, 市场准入窗口联办件受理通知书 …), whatever line it was set on.
            #expect(page.components(separatedBy: .whitespacesAndNewlines).joined().contains(kind.paperTitle(windowName: NoticeFixtures.window.name, windowNumber: 3)))
            #expect(page.contains("太谷县政务服务中心"))
            #expect(page.contains("李堃(太谷县赟达商贸有限公司):"))
            #expect(page.contains("经办人:王喆"))
            #expect(page.contains("(窗口印章)"))
            #expect(page.contains("出具日期:2026年2月12日"))
        }

        let info = try PDFFixtures.run("pdfinfo", [path])
        #expect(info.contains("Pages:           2"))
        #expect(info.contains("A4"))
        let fonts = try PDFFixtures.run("pdffonts", [path]).split(separator: "\n").map(String.init)
        #expect(fonts.count == 3, "one font expected: \(fonts)")
        // name, type (two words), encoding, emb, sub, uni, object id
        let columns = fonts.last?.split(separator: " ").map(String.init) ?? []
        #expect(columns.first?.range(of: #"^[A-Z]{6}\+WenQuanYiMicroHei$"#, options: .regularExpression) != nil, "\(columns)")
        #expect(Array(columns.dropFirst(3).prefix(4)) == ["Identity-H", "yes", "yes", "yes"], "emb, sub, uni: \(columns)")
    }

    @Test("pypdf opens the file and extracts the number")
    func pypdf() throws {
        let font = try PDFFixtures.font()
        let path = try PDFFixtures.write(try NoticePDF.bytes(PDFFixtures.document(.acceptance), font: font), name: "pypdf.pdf")
        let script = "import sys, pypdf; r = pypdf.PdfReader(sys.argv[1], strict=True); print(len(r.pages)); print(r.pages[0].extract_text())"
        let output = try PDFFixtures.run("python3", ["-c", script, path], package: "python3 and pypdf (pip install -r scripts/test-requirements.txt)")
        #expect(output.hasPrefix("2\n"))
        #expect(output.contains("太谷政务〔2026〕第000123号"))
    }

    @Test("the cross-reference table gives each object's exact byte offset, and startxref the table's")
    func crossReference() throws {
        let bytes = try NoticePDF.bytes(PDFFixtures.document(.rejection), font: try PDFFixtures.font())
        let text = String(decoding: bytes, as: UTF8.self)
        let tail = String(decoding: bytes.suffix(40), as: UTF8.self)
        let start = try #require(Int(tail.components(separatedBy: "startxref\n").last?.components(separatedBy: "\n").first ?? ""))
        #expect(Array(bytes[start..<start + 5]) == Array("xref\n".utf8))
        // Split on LF bytes: in Swift strings CR LF is one character, which components(separatedBy: "\n") would not split.
        let table = bytes[start...].split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let header = table[1].split(separator: " ")
        #expect(header.first == "0")
        let count = try #require(Int(header.last ?? ""))
        #expect(text.contains("/Size \(count) "))
        #expect(table[2] == "0000000000 65535 f\r", "object 0 heads the free list")
        for number in 1..<count {
            let entry = table[2 + number]
            #expect(entry.utf8.count == 19, "an xref entry is 20 bytes with its LF: \(entry)")  // CR kept, LF split off
            let offset = try #require(Int(entry.prefix(10)))
            #expect(entry.contains(" 00000 n"))
            let marker = Array("\(number) 0 obj\n".utf8)
            #expect(Array(bytes[offset..<offset + marker.count]) == marker, "object \(number) is not at \(offset)")
        }
    }

    @Test("the subset holds only the glyphs used, the components of composite ones and .notdef, each outline and advance the original's")
    func subset() throws {
        let font = try PDFFixtures.font()
        let text = "受理通知书编号:第000123号"
        var embedding = PDFFontEmbedding(font: font)
        let glyphs = try embedding.glyphs(for: text)
        let used = Set(text.unicodeScalars.map { font.glyph(for: $0)! })
        #expect(Set(glyphs) == used)
        // What the subset must hold: the glyphs used and, for composite ones (microhei builds many Chinese characters
        // from parts), their components, found here by reading the outlines directly.
        var expected: Set<Int> = [0]
        var pending = Array(used)
        while let g = pending.popLast() {
            guard expected.insert(g).inserted else { continue }
            let outline = Array(try font.outline(ofGlyph: g))
            guard outline.count >= 10, outline[0] == 0xFF else { continue }  // numberOfContours < 0: composite
            var at = 10
            while true {
                let flags = Int(outline[at]) << 8 | Int(outline[at + 1])
                pending.append(Int(outline[at + 2]) << 8 | Int(outline[at + 3]))
                at += 4 + (flags & 1 != 0 ? 4 : 2) + (flags & 8 != 0 ? 2 : flags & 0x40 != 0 ? 4 : flags & 0x80 != 0 ? 8 : 0)
                if flags & 0x20 == 0 { break }
            }
        }
        let subset = try TrueTypeSubset(font: font, glyphs: used)
        #expect(subset.originalGlyphs == expected.sorted())
        let reread = try TrueTypeFont(bytes: subset.fontFile, file: "subset", faceIndex: 0, requireCharacterMap: false)
        #expect(reread.glyphCount == expected.count)
        #expect(reread.unitsPerEm == font.unitsPerEm)
        #expect(subset.fontFile.count < 30_000, "the subset is \(subset.fontFile.count) bytes")
        for (newID, original) in subset.originalGlyphs.enumerated() {
            #expect(reread.advance(ofGlyph: newID) == font.advance(ofGlyph: original))
            let outline = Array(try reread.outline(ofGlyph: newID))
            let source = Array(try font.outline(ofGlyph: original))
            let components = try TrueTypeSubset.components(of: source[...], file: font.file)
            if components.isEmpty {
                #expect(outline.prefix(source.count) == source[...], "glyph \(original) → \(newID)")
            } else {
                // A composite's component references are renumbered; everything else is as it was.
                #expect(try TrueTypeSubset.components(of: outline[...], file: "subset") == components.map { subset.newID[$0]! })
                #expect(outline.count >= source.count && outline.prefix(10) == source.prefix(10))
            }
        }
        // The file's checksum adjustment makes the whole file sum to the magic number.
        #expect(TrueTypeSubset.checksum(subset.fontFile) == 0xB1B0_AFBA)
    }

    @Test("a composite glyph brings its components, renumbered")
    func composites() throws {
        let font = try PDFFixtures.font()
        // Find a composite glyph in the font (microhei has some among its Latin accents).
        var composite: Int?
        for g in 1..<min(font.glyphCount, 4000) {
            let outline = try font.outline(ofGlyph: g)
            if outline.count >= 10, Int16(bitPattern: UInt16(outline[outline.startIndex]) << 8 | UInt16(outline[outline.startIndex + 1])) < 0 {
                composite = g
                break
            }
        }
        guard let composite else { return }  // nothing to check in a font without composites
        let components = try TrueTypeSubset.components(of: font.outline(ofGlyph: composite), file: font.file)
        #expect(!components.isEmpty)
        let subset = try TrueTypeSubset(font: font, glyphs: [composite])
        #expect(Set(subset.originalGlyphs).isSuperset(of: components))
        let reread = try TrueTypeFont(bytes: subset.fontFile, file: "subset", faceIndex: 0, requireCharacterMap: false)
        let rewritten = try TrueTypeSubset.components(of: reread.outline(ofGlyph: try #require(subset.newID[composite])), file: "subset")
        #expect(rewritten == components.map { subset.newID[$0]! })
    }

    @Test("the widths (/W) are the glyphs' advances in thousandths of an em, and ToUnicode maps each CID back")
    func widthsAndToUnicode() throws {
        let font = try PDFFixtures.font()
        let bytes = try NoticePDF.bytes(NoticeDocument(number: "A1", columns: 48, blocks: [.text("中文 A1", .body)]), font: font)
        let text = String(decoding: bytes, as: UTF8.self)
        let w = try #require(text.range(of: #"/W \[0 \[[0-9. ]+\]\]"#, options: .regularExpression).map { String(text[$0]) })
        let widths = w.dropFirst(7).dropLast(2).split(separator: " ").compactMap { Double($0) }
        let used = ["中", "文", " ", "A", "1"].map { font.glyph(for: Unicode.Scalar($0)!)! }
        // The subset's glyphs (used ones, their components, .notdef), in CID order.
        let order = try TrueTypeSubset(font: font, glyphs: Set(used)).originalGlyphs
        #expect(Set(used).isSubset(of: order) && order.first == 0)
        #expect(widths.count == order.count)
        for (cid, glyph) in order.enumerated() where cid < widths.count {
            #expect(abs(widths[cid] - Double(font.advance(ofGlyph: glyph)) * 1000 / Double(font.unitsPerEm)) < 0.01)
        }
        // Each used CID maps to its character in the ToUnicode CMap.
        for (character, glyph) in zip(["中", "文", " ", "A", "1"], used) {
            let cid = try #require(order.firstIndex(of: glyph))
            let unit = PDFWriter.hex4(character.utf16.first!)
            #expect(text.contains("<\(PDFWriter.hex4(UInt16(cid)))> <\(unit)>"), "\(character)")
        }
        #expect(text.contains("/CIDToGIDMap /Identity") && text.contains("/Encoding /Identity-H") && text.contains("/FontFile2"))
        // The page contents and the font program are deflated (the readers in outsideReaders inflate them); the
        // ToUnicode map, read above as text, is not.
        #expect(text.components(separatedBy: "/Filter /FlateDecode").count - 1 == 2)
    }

    @Test("no line starts with closing punctuation nor ends with an opening bracket; Latin words stay whole")
    func chineseLineBreaking() {
        // Every character 1 unit wide, a line 10 wide.
        let width: (String) -> Double = { Double($0.count) }
        let text = "一二三四五六七八九十，一二三四五六七八九（十一二三四五六七八九十。」word1234 and more"
        let lines = NoticePDF.breakLines(text, firstWidth: 10, restWidth: 10, width: width)
        for line in lines.dropFirst() {
            #expect(!NoticePDF.noLineStart.contains(line.first!), "\(lines)")
        }
        for line in lines.dropLast() {
            #expect(!NoticePDF.noLineEnd.contains(line.last!), "\(lines)")
        }
        #expect(lines.contains { $0.contains("word1234") })
        #expect(lines[0] == "一二三四五六七八九")   // 十 pulled down with the comma after it
        #expect(lines[1].hasPrefix("十，"))
        // Nothing lost but the spaces at the breaks.
        #expect(lines.joined().filter { $0 != " " } == text.filter { $0 != " " })
        // A hanging indent narrows the lines after the first.
        let hanging = NoticePDF.breakLines(String(repeating: "字", count: 25), firstWidth: 10, restWidth: 8, width: width)
        #expect(hanging.map(\.count) == [10, 8, 7])
    }

    @Test("the A4 body lines of a long notice stay inside the text width")
    func linesInsideTheMargins() throws {
        let font = try PDFFixtures.font()
        var notice = NoticeFixtures.notice(.supplementaryMaterials)
        var draft = notice.draft
        draft.materialsMissing = (1...40).map { "第\($0)项材料：经营场所使用证明（租赁合同、产权证明）及其复印件，加盖公章，一式两份" }
        notice = Notice(number: notice.number, year: 2026, sequence: 123, draft: draft, issuedAt: notice.issuedAt, promisedCompletion: nil)
        let document = NoticeTemplates.document(for: notice, context: NoticeFixtures.context, columns: 48)
        var layout = PageLayout(embedding: PDFFontEmbedding(font: font))
        for block in document.blocks { try layout.add(block) }
        layout.endCopy()
        #expect(layout.pages.count > 2, "forty materials run over a page per copy")
        for page in layout.pages {
            for case .text(let x, let y, let size, _, let glyphs) in page.items {
                #expect(x >= NoticePDF.marginLeft - 0.01)
                #expect(x + layout.embedding.width(glyphs, size: size) <= NoticePDF.pageWidth - NoticePDF.marginRight + size, "past the right margin")
                #expect(y >= NoticePDF.marginBottom - 0.01 && y <= NoticePDF.pageHeight)
            }
        }
        let path = try PDFFixtures.write(try NoticePDF.bytes(document, font: font), name: "long.pdf")
        let text = try PDFFixtures.run("pdftotext", ["-enc", "UTF-8", path, "-"])
        #expect(text.contains("第40项材料"))
    }

    @Test("a font without Chinese, one with CFF outlines, a missing one: errors naming the file and what to do")
    func unusableFonts() throws {
        let latin = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
        if FileManager.default.fileExists(atPath: latin) {
            let error = #expect(throws: FontError.self) { try NoticePDFFonts.load(configured: latin) }
            #expect(error?.description.contains(latin) == true && error?.description.contains("no Chinese") == true)
            #expect(error?.description.contains("pdf_font") == true)
        }
        let cff = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
        if FileManager.default.fileExists(atPath: cff) {
            let error = #expect(throws: FontError.self) { try NoticePDFFonts.load(configured: cff) }
            #expect(error?.description.contains("CFF") == true && error?.description.contains("wqy-microhei") == true)
        }
        let missing = #expect(throws: FontError.self) { try NoticePDFFonts.load(configured: "/nonexistent/font.ttf") }
        #expect(missing?.description.contains("/nonexistent/font.ttf") == true && missing?.description.contains("does not exist") == true)
        let none = #expect(throws: FontError.self) { try NoticePDFFonts.locate(configured: nil, searchList: ["/nonexistent/a.ttc"]) }
        #expect(none?.description.contains("apt-get install fonts-wqy-microhei") == true)
    }

    @Test("a character the font lacks is an error naming it, not a blank on paper")
    func missingCharacter() throws {
        let font = try PDFFixtures.font()
        let document = NoticeDocument(number: "1", columns: 48, blocks: [.text("申请人:𪚥", .body)])
        let error = #expect(throws: NoticePDFError.self) { try NoticePDF.bytes(document, font: font) }
        #expect(error?.description.contains("U+2A6A5") == true && error?.description.contains("pdf_font") == true)
    }

    @Test("damaged font files are errors, never crashes: truncated, garbage, and thousands of corrupted copies")
    func damagedFonts() throws {
        let font = try PDFFixtures.font()
        // A small subset as the seed, so corrupting it reaches every table.
        let seed = try TrueTypeSubset(font: font, glyphs: Set("受理通知书".unicodeScalars.map { font.glyph(for: $0)! })).fontFile
        #expect(throws: FontError.self) { try TrueTypeFont(bytes: [], file: "empty") }
        #expect(throws: FontError.self) { try TrueTypeFont(bytes: Array("ttcf".utf8) + [0, 1, 0, 0, 0, 0, 0, 9], file: "ttc") }
        #expect(throws: FontError.self) { try TrueTypeFont(bytes: Array(seed.prefix(200)), file: "truncated", faceIndex: 0, requireCharacterMap: false) }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        var parsed = 0
        for _ in 0..<3000 {
            var bytes = seed
            for _ in 0..<(1 + Int(next() % 8)) { bytes[Int(next() % UInt64(bytes.count))] = UInt8(next() & 0xFF) }
            if next() % 4 == 0 { bytes = Array(bytes.prefix(Int(next() % UInt64(bytes.count)))) }
            guard let damaged = try? TrueTypeFont(bytes: bytes, file: "fuzz", faceIndex: 0, requireCharacterMap: false) else { continue }
            parsed += 1
            _ = try? TrueTypeSubset(font: damaged, glyphs: Set(0..<min(damaged.glyphCount, 8)))
            for g in 0..<min(damaged.glyphCount, 8) { _ = damaged.advance(ofGlyph: g); _ = try? damaged.outline(ofGlyph: g) }
        }
        #expect(parsed > 0, "some corruptions leave a readable font, and those are subset too")
    }
}
