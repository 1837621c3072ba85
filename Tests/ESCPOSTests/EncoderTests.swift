// The encoder: exact bytes for each command, Chinese in GBK and GB18030, and refusals before anything is sent.
@testable import ESCPOS
import Testing

@Suite struct EncoderTests {
    @Test func goldenBytesOfASmallJob() throws {
        var job = ESCPOSDocument(profile: Fixtures.profile())
        job.initialize()
        job.align(.center)
        job.bold(true)
        job.size(width: 2, height: 2)
        job.line("No. 7")
        job.size(width: 1, height: 1)
        job.bold(false)
        job.align(.left)
        job.feed(lines: 2)
        job.cut(.partial)
        #expect(hex(try job.bytes()) == hex([
            0x1B, 0x40,  // ESC @
            0x1B, 0x61, 0x01,  // ESC a 1
            0x1B, 0x45, 0x01,  // ESC E 1
            0x1C, 0x21, 0x0C,  // FS ! double width and height (Chinese)
            0x1D, 0x21, 0x11,  // GS ! 2×2
            0x4E, 0x6F, 0x2E, 0x20, 0x37, 0x0A,  // "No. 7" LF
            0x1C, 0x21, 0x00, 0x1D, 0x21, 0x00,
            0x1B, 0x45, 0x00,
            0x1B, 0x61, 0x00,
            0x1B, 0x64, 0x02,  // ESC d 2
            0x1D, 0x56, 0x42, 0x00,  // GS V 66 0: feed to the cutter, partial cut
        ]))
    }

    @Test func chineseIsWrappedInChineseModeWhenTheProfileNeedsIt() throws {
        var job = ESCPOSDocument(profile: Fixtures.profile(encoding: .gbk, chineseMode: .fsAmpersand))
        job.text("A")
        job.line("张喆，")
        #expect(hex(try job.bytes()) == hex([0x41, 0x1C, 0x26, 0xD5, 0xC5, 0x86, 0xB4, 0xA3, 0xAC, 0x1C, 0x2E, 0x0A]))

        var atPowerOn = ESCPOSDocument(profile: Fixtures.profile(encoding: .gbk, chineseMode: .powerOn))
        atPowerOn.line("张喆，")
        #expect(hex(try atPowerOn.bytes()) == hex([0xD5, 0xC5, 0x86, 0xB4, 0xA3, 0xAC, 0x0A]))
    }

    @Test(arguments: ["王喆", "李堃", "陈赟", "，。：（）", "窗口3（Window 3）：受理 OK。", "No.2026-000123 ×2 — ·"])
    func namesOutsideGB2312AndFullWidthPunctuationPrintOnGBK(_ text: String) throws {
        var job = ESCPOSDocument(profile: Fixtures.profile(encoding: .gbk, chineseMode: .powerOn))
        job.text(text)
        let bytes = try job.bytes()
        #expect(!bytes.contains(0x3F), "no question marks")
        // Every non-ASCII character went out as one 2-byte GBK code, and decodes back to the same text.
        #expect(bytes.count == text.unicodeScalars.reduce(0) { $0 + ($1.isASCII ? 1 : 2) })
        #expect(ESCPOSStreamDecoder.decodeAll(bytes) == [.text(text)])
    }

    @Test func fourByteCharactersPrintOnGB18030AndAreRefusedOnGBK() throws {
        var wide = ESCPOSDocument(profile: Fixtures.profile(encoding: .gb18030, chineseMode: .powerOn))
        wide.text("吉𠮷")
        #expect(hex(try wide.bytes()) == hex([0xBC, 0xAA, 0x95, 0x34, 0xB2, 0x35]))

        var narrow = ESCPOSDocument(profile: Fixtures.profile("xp58-like", encoding: .gbk))
        narrow.line("申请人：吉𠮷")
        narrow.cut()
        #expect(throws: ESCPOSError.unencodableCharacter(character: "𠮷", scalar: "U+20BB7", offset: 5, text: "申请人：吉𠮷",
                                                        encoding: .gbk, profile: "xp58-like")) { try narrow.bytes() }
        let message = String(describing: narrow.firstProblem!)
        #expect(message.contains("'𠮷' (U+20BB7) at position 5") && message.contains("nothing was sent"))
    }

    @Test func chineseIsRefusedWithoutAChineseFont() {
        var job = ESCPOSDocument(profile: Fixtures.profile("ascii-only", encoding: .ascii))
        job.line("Window 3")
        job.line("窗口")
        #expect(throws: ESCPOSError.unencodableCharacter(character: "窗", scalar: "U+7A97", offset: 0, text: "窗口", encoding: .ascii,
                                                        profile: "ascii-only")) { try job.bytes() }
    }

    @Test func controlCharactersInTextAreRefused() {
        var job = ESCPOSDocument(profile: Fixtures.profile())
        job.text("name\u{1B}@")
        #expect(throws: ESCPOSError.controlCharacter(scalar: "U+001B", offset: 4, text: "name\u{1B}@")) { try job.bytes() }
        var ok = ESCPOSDocument(profile: Fixtures.profile())
        ok.text("a\tb\n")
        #expect((try? ok.bytes()) == [0x61, 0x09, 0x62, 0x0A])
    }

    @Test func qrCodeBytes() throws {
        var job = ESCPOSDocument(profile: Fixtures.profile())
        job.qrCode("AB", moduleSize: 5, errorCorrection: .high)
        #expect(hex(try job.bytes()) == hex([
            0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00,  // model 2
            0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x05,  // module size 5
            0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x33,  // error correction H
            0x1D, 0x28, 0x6B, 0x05, 0x00, 0x31, 0x50, 0x30, 0x41, 0x42,  // store "AB"
            0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30,  // print
        ]))
        var none = ESCPOSDocument(profile: Fixtures.profile("no-qr", qr: false))
        none.qrCode("AB")
        #expect(throws: ESCPOSError.unsupported(feature: "QR codes (GS ( k)", profile: "no-qr")) { try none.bytes() }
        var empty = ESCPOSDocument(profile: Fixtures.profile())
        empty.qrCode("")
        #expect(empty.firstProblem != nil)
    }

    @Test func rasterImagesAreBanded() throws {
        let image = try RasterImage(width: 20, height: 300) { x, y in (x + y) % 3 == 0 }
        var job = ESCPOSDocument(profile: Fixtures.profile(bandRows: 128))
        job.raster(image)
        let bytes = try job.bytes()
        #expect(bytes.count == 3 * 8 + 3 * 300)
        #expect(Array(bytes[0..<8]) == [0x1D, 0x76, 0x30, 0x00, 0x03, 0x00, 128, 0x00])
        #expect(Array(bytes[(8 + 384)..<(16 + 384)]) == [0x1D, 0x76, 0x30, 0x00, 0x03, 0x00, 128, 0x00])
        #expect(Array(bytes[(16 + 768)..<(24 + 768)]) == [0x1D, 0x76, 0x30, 0x00, 0x03, 0x00, 44, 0x00])
        #expect(Array(bytes[8..<11]) == Array(image.bits[0..<3]))
        #expect(throws: ESCPOSError.self) { try RasterImage(width: 8, height: 2, bits: [0xFF]) }
        var tooWide = ESCPOSDocument(profile: Fixtures.profile())
        tooWide.raster(try RasterImage(width: 400, height: 1) { _, _ in true })
        #expect(tooWide.firstProblem != nil)
    }

    @Test func cutsFollowTheCutterAndTheQuirks() throws {
        func cut(_ profile: PrinterProfile, _ kind: ESCPOSDocument.CutKind, after text: String = "x") throws -> [UInt8] {
            var job = ESCPOSDocument(profile: profile)
            job.text(text)
            job.cut(kind)
            return Array(try job.bytes().dropFirst(text.utf8.count))
        }
        #expect(try cut(Fixtures.profile(cutter: .fullAndPartial), .full) == [0x1D, 0x56, 65, 0])
        #expect(try cut(Fixtures.profile(cutter: .fullAndPartial), .partial) == [0x1D, 0x56, 66, 0])
        #expect(try cut(Fixtures.profile(cutter: .partial), .full) == [0x1D, 0x56, 66, 0])
        #expect(try cut(Fixtures.profile(cutter: .full), .partial) == [0x1D, 0x56, 65, 0])
        // No cutter: not refused; fed past the tear-off bar instead.
        #expect(try cut(Fixtures.profile(cutter: .none), .full) == [0x1B, 0x64, 4])
        // The newline-before-cut quirk adds LF only when the line is open.
        #expect(try cut(Fixtures.profile(quirks: [.newlineBeforeCut]), .full) == [0x0A, 0x1D, 0x56, 65, 0])
        #expect(try cut(Fixtures.profile(quirks: [.newlineBeforeCut]), .full, after: "x\n") == [0x1D, 0x56, 65, 0])
        #expect(try cut(Fixtures.profile(quirks: [.plainCutCommand]), .partial) == [0x1B, 0x64, 4, 0x1D, 0x56, 1])
    }

    @Test func peripheralsAndStatusRequests() throws {
        var job = ESCPOSDocument(profile: Fixtures.profile(status: .dleEOTAndASB))
        job.pulseDrawer(pin: .pin5, onMilliseconds: 100, offMilliseconds: 200)
        job.beep(times: 2, duration: 3)
        job.requestStatus(4)
        job.requestTransmitStatus()
        job.automaticStatusBack()
        #expect(hex(try job.bytes()) == hex([0x1B, 0x70, 1, 50, 100, 0x1B, 0x42, 2, 3, 0x10, 0x04, 4, 0x1D, 0x72, 1, 0x1D, 0x61, 0x0F]))

        var mute = ESCPOSDocument(profile: Fixtures.profile("mute", status: .none, transmitStatus: false))
        mute.requestStatus(1)
        #expect(throws: ESCPOSError.unsupported(feature: "status requests (DLE EOT)", profile: "mute")) { try mute.bytes() }
        var noGSr = ESCPOSDocument(profile: Fixtures.profile("no-gs-r", transmitStatus: false))
        noGSr.requestTransmitStatus()
        #expect(noGSr.firstProblem == .unsupported(feature: "transmit status (GS r)", profile: "no-gs-r"))
        var noASB = ESCPOSDocument(profile: Fixtures.profile())
        noASB.automaticStatusBack()
        #expect(noASB.firstProblem != nil)
        var badN = ESCPOSDocument(profile: Fixtures.profile())
        badN.requestStatus(5)
        #expect(badN.firstProblem != nil)
    }

    @Test func sizesOutOfRangeAreRefusedAndLargeOnesReachGSExclamation() throws {
        var job = ESCPOSDocument(profile: Fixtures.profile(encoding: .ascii))
        job.size(width: 8, height: 3)
        #expect(try job.bytes() == [0x1D, 0x21, 0x72])  // no FS ! without a Chinese font
        var bad = ESCPOSDocument(profile: Fixtures.profile())
        bad.size(width: 9, height: 1)
        #expect(bad.firstProblem != nil)
    }

    @Test func theFirstProblemWinsAndJobsJoin() throws {
        var first = ESCPOSDocument(profile: Fixtures.profile())
        first.line("第一联")
        var second = ESCPOSDocument(profile: Fixtures.profile())
        second.line("第二联")
        first.append(second)
        let joined = try first.bytes()
        #expect(ESCPOSPrintout(bytes: joined).allPages.first?.texts == ["第一联", "第二联"])
        var broken = ESCPOSDocument(profile: Fixtures.profile())
        broken.text("𠮷")
        broken.qrCode("")
        first.append(broken)
        #expect(throws: ESCPOSError.self) { try first.bytes() }
        if case .unencodableCharacter = first.firstProblem {} else { Issue.record("expected the first problem, got \(String(describing: first.firstProblem))") }
    }

    @Test func everyShippedProfileEncodesANotice() throws {
        for profile in try Fixtures.shipped().profiles {
            var job = ESCPOSDocument(profile: profile)
            job.initialize()
            job.line(profile.chineseFont ? "受理通知书 王喆（窗口3）" : "Acceptance notice, window 3")
            if profile.qrCode { job.qrCode("2026-000123") }
            job.cut()
            let printout = ESCPOSPrintout(bytes: try job.bytes())
            #expect(printout.allPages.first?.texts.first == (profile.chineseFont ? "受理通知书 王喆（窗口3）" : "Acceptance notice, window 3"))
            #expect(printout.allPages.first?.qrCodes == (profile.qrCode ? ["2026-000123"] : []))
            #expect(printout.unknownBytes == 0, "\(profile.id)")
        }
    }
}
