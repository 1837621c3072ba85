// Raster text checked against python-escpos: lines drawn from the installed CJK font and encoded as GS v 0 by
// CounterGate must be byte for byte what python-escpos' image() makes of the same picture (Tests/Peers/escpos_raster_check.py).
import ESCPOS
import Foundation
import Testing

@Suite struct RasterPythonEscposPeerTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Peers/escpos_raster_check.py").path

    struct Result: Decodable {
        let identical: Bool
        let bytes: Int
        let ours: Int
        let firstDifference: Int?
    }

    @Test("GS v 0 strips of drawn Chinese lines are what python-escpos' image() sends for the same picture")
    func gsV0MatchesPythonEscpos() async throws {
        try await PythonEscpos.requireInstalled()
        let noto = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
        #expect(FileManager.default.fileExists(atPath: noto), "install fonts-noto-cjk (scripts/setup --test)")
        // 512 dots (python-escpos' TM-T88V paper), small strips so a line spans several.
        let profile = PrinterProfile(id: "peer", name: "peer", paperWidthDots: 512, dpi: 180, columnsFontA: 42, columnsFontB: 56,
                                     chineseFont: false, encoding: .ascii, cutter: .full, qrCode: false, rasterBandRows: 40,
                                     status: .none, transmitStatus: false)
        let rasterizer = try GlyphRasterizer(files: [noto])
        let line = RasterLine(profile: profile)
        var rows: [UInt8] = []
        var height = 0
        for (text, style) in [("受理通知书", RasterLine.Style(alignment: .center, bold: true, scale: 2)),
                              ("李\u{2000B}(太谷县赟达商贸有限公司):", RasterLine.Style()),
                              ("承诺办结日期:2026年2月26日 Latin 0123", RasterLine.Style(alignment: .right))] {
            let drawn = line.draw(text, style: style, glyphs: rasterizer)
            #expect(drawn.missing.isEmpty)
            rows += drawn.image.bits
            height += drawn.image.height
        }
        let picture = try RasterImage(width: 512, height: height, bits: rows)
        var job = ESCPOSDocument(profile: profile)
        job.raster(picture)
        let ours = try job.bytes()

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-raster-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pbm = directory.appendingPathComponent("lines.pbm"), encoded = directory.appendingPathComponent("ours.bin")
        try Data(Array("P4\n512 \(height)\n".utf8) + rows).write(to: pbm)
        try Data(ours).write(to: encoded)

        let run = try await PeerProcess.run("python3", [Self.script, "--pbm", pbm.path, "--ours", encoded.path, "--band-rows", "40"])
        try #require(run.status == 0, "escpos_raster_check.py failed:\n\(run.stderr)")
        let line0 = try #require(run.stdout.split(separator: "\n").last { $0.hasPrefix("RESULT ") })
        let result = try JSONDecoder().decode(Result.self, from: Data(line0.dropFirst("RESULT ".count).utf8))
        #expect(result.identical, "python-escpos sent \(result.bytes) bytes, we \(result.ours); first difference at \(String(describing: result.firstDifference))")
        #expect(ours.count > 512 / 8 * height && job.rasterStrips == (height + 39) / 40)
    }
}
