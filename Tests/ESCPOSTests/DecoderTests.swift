// The stream decoder: our own output decodes back, python-escpos' byte habits decode, pieces split anywhere, garbage is survived.
@testable import ESCPOS
import Testing

@Suite struct DecoderTests {
    static func sampleJob() throws -> [UInt8] {
        var job = ESCPOSDocument(profile: Fixtures.profile(encoding: .gb18030))
        job.initialize()
        job.align(.center)
        job.size(width: 2, height: 2)
        job.bold(true)
        job.line("受理通知书")
        job.size(width: 1, height: 1)
        job.bold(false)
        job.align(.left)
        job.line("编号：2026-000123")
        job.line("申请人：王喆 吉𠮷 (Wang Zhe)")
        job.qrCode("2026-000123")
        job.raster(try RasterImage(width: 384, height: 120) { x, _ in x % 2 == 0 })
        job.feed(lines: 2)
        job.cut(.partial)
        job.line("第二联")
        job.requestStatus(4)
        job.requestTransmitStatus()
        return try job.bytes()
    }

    @Test func ourOutputDecodesBackIntoAReadableRecord() throws {
        let printout = ESCPOSPrintout(bytes: try Self.sampleJob())
        #expect(printout.transcript == """
            受理通知书
            编号：2026-000123
            申请人：王喆 吉𠮷 (Wang Zhe)
            [QR: 2026-000123]
            [IMAGE 384x120]


            [PARTIAL CUT]
            第二联
            """)
        #expect(printout.pages.count == 1 && printout.allPages.count == 2 && printout.pages[0].cut == .partial && printout.allPages[1].cut == nil)
        #expect(printout.pages[0].qrCodes == ["2026-000123"] && printout.pages[0].images == [.init(width: 384, height: 120)])
        let title = printout.pages[0].lines[0]
        #expect(title.alignment == .center && title.bold && title.width == 2 && title.height == 2)
        #expect(printout.pages[0].lines[1].alignment == .left && !printout.pages[0].lines[1].bold)
        #expect(printout.statusRequests == ["DLE EOT 4", "GS r 1"])
        #expect(printout.unknownBytes == 0 && printout.initializeCount == 1)
    }

    @Test func bytesSplitAnywhereDecodeTheSame() throws {
        let bytes = try Self.sampleJob()
        let whole = ESCPOSStreamDecoder.decodeAll(bytes)
        var wholePrintout = ESCPOSPrintout()
        wholePrintout.apply(whole)
        for split in 0...bytes.count {
            var decoder = ESCPOSStreamDecoder()
            var printout = ESCPOSPrintout()
            printout.apply(decoder.decode(bytes[..<split]))
            printout.apply(decoder.decode(bytes[split...]))
            printout.apply(decoder.finish())
            #expect(printout.transcript == wholePrintout.transcript, "split at \(split)")
            if printout.transcript != wholePrintout.transcript { break }
        }
        // Byte by byte, too.
        var decoder = ESCPOSStreamDecoder()
        var printout = ESCPOSPrintout()
        for byte in bytes { printout.apply(decoder.decode([byte])) }
        printout.apply(decoder.finish())
        #expect(printout.transcript == wholePrintout.transcript)
        #expect(decoder.pendingByteCount == 0)
    }

    @Test func pythonEscposHabits() {
        // What python-escpos sends: ESC @, a code page switch before ASCII, GB18030 without FS &, its QR with m = '0',
        // six line feeds before GS V 0.
        var bytes: [UInt8] = [0x1B, 0x40, 0x1B, 0x74, 0x00] + Array("Hello\n".utf8)
        bytes += [0xCA, 0xDC, 0xC0, 0xED, 0x0A]  // 受理 in GB18030
        bytes += [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00, 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x03,
                  0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x30, 0x1D, 0x28, 0x6B, 0x06, 0x00, 0x31, 0x50, 0x30, 0x41, 0x2D, 0x31,
                  0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]
        bytes += [0x1B, 0x64, 0x06, 0x1D, 0x56, 0x00]
        let elements = ESCPOSStreamDecoder.decodeAll(bytes)
        #expect(elements.prefix(4) == [.initialize, .style(.codePage(0)), .text("Hello"), .lineFeed])
        #expect(elements.contains(.text("受理")))
        #expect(elements.contains(.qrCode(.store(Array("A-1".utf8)))) && elements.contains(.qrCode(.print)))
        #expect(elements.last == .cut(partial: false, feed: nil))
        let printout = ESCPOSPrintout(bytes: bytes)
        #expect(printout.pages.first?.texts == ["Hello", "受理", "[QR: A-1]", "", "", "", "", "", "", "[CUT]"])
    }

    @Test func unknownBytesAreKeptAndInvalidTextMarked() {
        let elements = ESCPOSStreamDecoder.decodeAll([0x1B, 0x5A, 0x00, 0x01, 0x41, 0x80, 0x42, 0x81, 0x0A])
        #expect(elements == [.unknown([0x1B, 0x5A, 0x00, 0x01]), .text("A\u{FFFD}B\u{FFFD}"), .lineFeed])
        // A Chinese character cut off at the end of the stream.
        #expect(ESCPOSStreamDecoder.decodeAll([0x41, 0xD5]) == [.text("A\u{FFFD}")])
        // An unfinished command at the end.
        #expect(ESCPOSStreamDecoder.decodeAll([0x41, 0x1D, 0x28, 0x6B, 0x09]) == [.text("A"), .unknown([0x1D, 0x28, 0x6B, 0x09])])
    }

    @Test func hugeDeclaredImagesArePassedOverWithBoundedMemory() {
        var decoder = ESCPOSStreamDecoder(maxKeptBytes: 1024)
        // GS v 0 claiming 0xFFFF × 0xFFFF bytes: reported at once, its data skipped as it comes.
        var elements = decoder.decode([0x1D, 0x76, 0x30, 0x00, 0xFF, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0xAA, count: 5000))
        #expect(elements == [.rasterImage(width: 0xFFFF * 8, height: 0xFFFF, data: nil)])
        #expect(decoder.pendingByteCount == 0xFFFF * 0xFFFF - 5000)
        elements = decoder.decode([UInt8](repeating: 0x41, count: 1000))
        #expect(elements.isEmpty)
        // A small image with its data is kept.
        var small = ESCPOSStreamDecoder()
        #expect(small.decode([0x1D, 0x76, 0x30, 0x00, 0x01, 0x00, 0x02, 0x00, 0xF0, 0x0F]) == [.rasterImage(width: 8, height: 2, data: [0xF0, 0x0F])])
    }

    @Test func garbageNeverCrashesNorHangs() {
        var random = SeededRandom(seed: 2026)
        for round in 0..<300 {
            let length = Int.random(in: 0...3000, using: &random)
            // Bias towards command bytes so that commands, not just text, are exercised.
            let alphabet: [UInt8] = [0x1B, 0x1D, 0x1C, 0x10, 0x0A, 0x00, 0x28, 0x6B, 0x76, 0x30, 0x81, 0x30, 0xFE, 0x56]
            let bytes = (0..<length).map { _ in
                Bool.random(using: &random) ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            }
            var decoder = ESCPOSStreamDecoder(maxKeptBytes: 1 << 16)
            var printout = ESCPOSPrintout()
            var offset = 0
            while offset < bytes.count {
                let piece = Int.random(in: 1...64, using: &random)
                printout.apply(decoder.decode(bytes[offset..<min(bytes.count, offset + piece)]))
                offset += piece
                #expect(decoder.pendingByteCount <= bytes.count + 0xFFFF * 0xFFFF, "round \(round)")
            }
            printout.apply(decoder.finish())
            _ = printout.transcript
            #expect(decoder.pendingByteCount == 0)
        }
    }
}
