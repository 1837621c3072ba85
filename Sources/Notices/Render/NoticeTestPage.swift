// The test page `countergate print test` prints: the printer's model, Chinese, width rulers, a QR code, a cut.
import ESCPOS
import Foundation

public enum NoticeTestPage {
    /// The test page of a page printer (``PrinterProfile/Output/pdf``): one A4 page in `font`.
    /// - Throws: ``NoticePDFError`` when the font lacks a character of the page.
    public static func pdf(hallName: String, printer: PrinterProfile, font: TrueTypeFont) throws(NoticePDFError) -> [UInt8] {
        let blocks: [NoticeBlock] = [
            .text(hallName, .heading),
            .text("打印机测试页", .title),
            .text("编号:TEST", .init(alignment: .right, role: .number)),
            .rule,
            .text("型号:\(printer.name)(\(printer.id))"),
            .text("纸张:A4,PDF,字体 \(font.postScriptName)(嵌入子集)"),
            .text("中文:您好!请到3号窗口办理。喆、堃、赟,全角标点,。:()"),
            .text("Latin: ABC abc 0123456789"),
            .cut,
        ]
        return try NoticePDF.bytes(NoticeDocument(number: "TEST", columns: printer.columnsFontA, blocks: blocks), font: font)
    }

    /// The test page's bytes for a receipt printer (ESC/POS); `rasterFont` is the configuration's
    /// `[printing] raster_font`, for the lines the printer's own font cannot print.
    public static func bytes(hallName: String, printer: PrinterProfile, rasterFont: String? = nil) throws(ESCPOSError) -> [UInt8] {
        try render(hallName: hallName, printer: printer, rasterFont: rasterFont).bytes
    }

    /// The test page rendered for `printer`, with what was drawn as raster (``RenderedNotice``).
    public static func render(hallName: String, printer: PrinterProfile, rasterFont: String? = nil) throws(ESCPOSError) -> RenderedNotice {
        let columns = printer.columnsFontA
        var blocks: [NoticeBlock] = [
            .text(hallName, .heading),
            .text("打印机测试页", .title),
            .text("型号:\(printer.name)(\(printer.id))"),
            .text("纸宽:\(printer.paperWidthDots) 点,每行 \(columns) 字符"),
            .rule,
            .text(String((0..<columns).map { Character(String($0 % 10)) })),
            .text("中文:您好!请到3号窗口办理。喆、堃、赟,全角标点,。:()"),
            .text("Latin: ABC abc 0123456789"),
        ]
        if printer.qrCode { blocks.append(.qr("COUNTERGATE-TEST")) }
        blocks.append(.cut)
        return try NoticeESCPOS.render(NoticeDocument(number: "TEST", columns: columns, blocks: blocks), profile: printer, rasterFont: rasterFont)
    }
}
