// Loads the printer model files (drivers/printers/*.toml), resolving `inherits`, refusing unknown keys.
import CounterTOML
import Foundation

/// Reads printer profiles. Every problem is reported with its file, line and key, and nothing is loaded when there
/// is one: a typo in a profile must not silently print with the wrong paper width or encoding.
///
/// A file's name (without `.toml`) is the profile's id. `inherits = "<id>"` takes every setting the file does not
/// set from that profile, except `name` and `usb` (a model's name and USB ids are its own).
public enum PrinterProfiles {
    /// Loads every `*.toml` file under `directory` (subfolders included).
    /// - Throws: `ConfigErrors` naming file, line and key of each problem.
    public static func load(directory: String) throws -> PrinterProfileSet {
        try parse(files: try ProfileFiles.read(directory: directory, family: "printer", recursive: true))
    }

    /// Reads profiles from texts (`path` names the file in errors; its last component without `.toml` is the id).
    public static func parse(files: [(path: String, text: String)]) throws -> PrinterProfileSet {
        var errors: [ConfigError] = []
        let drafts = ProfileFiles.drafts(files, errors: &errors) { id, file, reader in ProfileDraft(id: id, file: file, reader: reader) }
        let profiles = ProfileFiles.resolve(drafts, family: "printer", errors: &errors) { draft, chain, errors in
            draft.resolve(chain: chain, errors: &errors)
        }
        // Two profiles claiming one USB id would make matching a guess.
        var claimed: [USBProductID: PrinterProfile] = [:]
        for profile in profiles {
            for usb in profile.usbIDs {
                if let other = claimed[usb] {
                    errors.append(ConfigError(file: profile.file, line: drafts[profile.id]?.usbLine ?? 0, key: "usb",
                                              message: "claims USB id \(usb), which \(other.file) (\(other.id)) claims too; a USB id may name one profile only"))
                } else {
                    claimed[usb] = profile
                }
            }
        }
        try ProfileFiles.check(errors)
        return PrinterProfileSet(profiles)
    }
}

/// What one file sets; nil for what it leaves to the profile it inherits from.
struct ProfileDraft: InheritingProfileDraft {
    let id: String
    let file: String
    var name: String?
    var inherits: String?
    var inheritsLine = 0
    var usb: [USBProductID] = []
    var usbLine = 0
    var paperWidthDots: Int?
    var dpi: Int?
    var columnsFontA: Int?
    var columnsFontB: Int?
    var chineseFont: Bool?
    var encoding: PrinterProfile.TextEncoding?
    var chineseMode: PrinterProfile.ChineseMode?
    var cutter: PrinterProfile.Cutter?
    var cutFeedLines: Int?
    var qrCode: Bool?
    var raster: Bool?
    var rasterBandRows: Int?
    var textOutput: PrinterProfile.OutputMode?
    var textOutputLine = 0
    var rasterCommand: PrinterProfile.RasterCommand?
    var rasterFonts: [String]?
    var printSpeed: Int?
    var status: PrinterProfile.StatusSupport?
    var transmitStatus: Bool?
    var buzzer: Bool?
    var drawerPort: Bool?
    var codePages: [Int: String]?
    var quirks: Set<PrinterProfile.Quirk>?
    var kind: PrinterProfile.Kind?
    var output: PrinterProfile.Output?

    init(id: String, file: String, reader: TableReader) {
        self.id = id
        self.file = file
        name = reader.string("name")
        inherits = reader.string("inherits")
        inheritsLine = reader.table["inherits"]?.position.line ?? 0
        if let node = reader.table["usb"] {
            usbLine = node.position.line
            for text in reader.stringArray("usb", default: []) {
                if let usb = USBProductID(text) { appendUSB(usb) } else {
                    reader.fail("usb", at: node.position.line, "`\(text)` is no USB id; expected vendor:product in hexadecimal, as lsusb shows it (e.g. \"0483:5743\")")
                }
            }
        }
        paperWidthDots = reader.int("paper_width_dots", default: nil, range: 8...4096)
        dpi = reader.int("dpi", default: nil, range: 60...600)
        columnsFontA = reader.int("columns_font_a", default: nil, range: 8...200)
        columnsFontB = reader.int("columns_font_b", default: nil, range: 8...200)
        chineseFont = Self.bool(reader, "chinese_font")
        encoding = Self.choice(reader, "encoding")
        chineseMode = Self.choice(reader, "chinese_mode")
        cutter = Self.choice(reader, "cutter")
        cutFeedLines = reader.int("cut_feed_lines", default: nil, range: 0...20)
        qrCode = Self.bool(reader, "qr_code")
        raster = Self.bool(reader, "raster")
        rasterBandRows = reader.int("raster_band_rows", default: nil, range: 1...2303)
        textOutput = Self.choice(reader, "text_output")
        textOutputLine = reader.table["text_output"]?.position.line ?? 0
        rasterCommand = Self.choice(reader, "raster_command")
        if let node = reader.table["raster_fonts"] {
            let paths = reader.stringArray("raster_fonts", default: [])
            for path in paths where !path.hasPrefix("/") {
                reader.fail("raster_fonts", at: node.position.line, "`\(path)` is not an absolute path; name font files in full, e.g. \"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc\"")
            }
            rasterFonts = paths
        }
        printSpeed = reader.int("print_speed_mm_per_s", default: nil, range: 10...1000)
        status = Self.choice(reader, "status")
        transmitStatus = Self.bool(reader, "transmit_status")
        buzzer = Self.bool(reader, "buzzer")
        drawerPort = Self.bool(reader, "drawer_port")
        kind = Self.choice(reader, "kind")
        output = Self.choice(reader, "output")
        if reader.table["quirks"] != nil {
            let line = reader.table["quirks"]?.position.line ?? 0
            var quirks: Set<PrinterProfile.Quirk> = []
            for text in reader.stringArray("quirks", default: []) {
                if let quirk = PrinterProfile.Quirk(rawValue: text) { quirks.insert(quirk) } else {
                    reader.fail("quirks", at: line, "`\(text)` is no quirk CounterGate knows; expected: "
                                + PrinterProfile.Quirk.allCases.map(\.rawValue).joined(separator: ", "))
                }
            }
            self.quirks = quirks
        }
        if reader.table["code_pages"] != nil {
            let pages = reader.table("code_pages")
            var map: [Int: String] = [:]
            for (key, node) in pages.table.entries {
                guard let number = Int(key), (0...255).contains(number) else {
                    pages.fail(key, at: node.position.line, "is no code page number; expected 0 to 255 (the n of ESC t n)")
                    _ = pages.string(key)
                    continue
                }
                if let name = pages.string(key, expected: "the code page's name, e.g. \"CP437\"") { map[number] = name }
            }
            codePages = map
        }
    }

    private mutating func appendUSB(_ usb: USBProductID) {
        if !self.usb.contains(usb) { self.usb.append(usb) }
    }

    private static func bool(_ reader: TableReader, _ key: String) -> Bool? {
        reader.table[key] == nil ? nil : reader.bool(key, default: false)
    }

    private static func choice<T: RawRepresentable & CaseIterable>(_ reader: TableReader, _ key: String) -> T? where T.RawValue == String {
        let choices = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        return reader.string(key, expected: "one of \(choices)") { T(rawValue: $0) == nil ? "expected one of \(choices), found \"\($0)\"" : nil }
            .flatMap { T(rawValue: $0) }
    }

    /// The profile with inherited settings filled in from `chain` (this draft first, its root last).
    func resolve(chain: [ProfileDraft], errors: inout [ConfigError]) -> PrinterProfile? {
        var missing: [String] = []
        func pick<T>(_ key: String, _ field: (ProfileDraft) -> T?) -> T? {
            for draft in chain { if let value = field(draft) { return value } }
            missing.append(key)
            return nil
        }
        let paper = pick("paper_width_dots") { $0.paperWidthDots }
        let dpi = pick("dpi") { $0.dpi }
        let columnsA = pick("columns_font_a") { $0.columnsFontA }
        let columnsB = pick("columns_font_b") { $0.columnsFontB }
        let chinese = pick("chinese_font") { $0.chineseFont }
        let encoding = pick("encoding") { $0.encoding }
        let chineseMode = pick("chinese_mode") { $0.chineseMode }
        let cutter = pick("cutter") { $0.cutter }
        let cutFeed = pick("cut_feed_lines") { $0.cutFeedLines }
        let qr = pick("qr_code") { $0.qrCode }
        let raster = pick("raster") { $0.raster }
        let band = pick("raster_band_rows") { $0.rasterBandRows }
        let status = pick("status") { $0.status }
        let transmit = pick("transmit_status") { $0.transmitStatus }
        let buzzer = pick("buzzer") { $0.buzzer }
        let drawer = pick("drawer_port") { $0.drawerPort }
        // Optional keys: a profile that leaves them unset everywhere gets the defaults PrinterProfile documents.
        let textOutput = chain.lazy.compactMap(\.textOutput).first
        let rasterCommand = chain.lazy.compactMap(\.rasterCommand).first ?? .gsV0
        let rasterFonts = chain.lazy.compactMap(\.rasterFonts).first ?? PrinterProfile.defaultRasterFonts
        let printSpeed = chain.lazy.compactMap(\.printSpeed).first ?? 100
        let codePages = chain.lazy.compactMap(\.codePages).first ?? [:]
        let quirks = chain.lazy.compactMap(\.quirks).first ?? []
        let kind = chain.lazy.compactMap(\.kind).first ?? .receipt
        let output = chain.lazy.compactMap(\.output).first ?? (kind == .page ? .pdf : .escpos)
        if name == nil { missing.insert("name", at: 0) }
        guard missing.isEmpty, let name, let paper, let dpi, let columnsA, let columnsB, let chinese, let encoding, let chineseMode,
              let cutter, let cutFeed, let qr, let raster, let band, let status, let transmit, let buzzer, let drawer else {
            let via = chain.count > 1 ? " (nor does any profile it inherits from: \(chain.dropFirst().map(\.id).joined(separator: ", ")))" : ""
            errors.append(ConfigError(file: file, line: 0, key: nil, message: "does not set \(missing.map { "`\($0)`" }.joined(separator: ", "))\(via)"))
            return nil
        }
        if chinese != (encoding != .ascii) {
            errors.append(ConfigError(file: file, line: 0, key: "encoding",
                message: chinese ? "is \"ascii\" but chinese_font = true; a printer with a Chinese font takes \"gb18030\" or \"gbk\""
                                 : "is \"\(encoding.rawValue)\" but chinese_font = false; a printer without a Chinese font takes \"ascii\""))
            return nil
        }
        if let textOutput, textOutput != .text, !raster {
            let line = chain.first { $0.textOutput != nil }?.textOutputLine ?? 0
            errors.append(ConfigError(file: file, line: line, key: "text_output",
                message: "is \"\(textOutput.rawValue)\" but raster = false; a printer without raster images prints \"text\" only"))
            return nil
        }
        if (kind == .page) != (output == .pdf) {
            errors.append(ConfigError(file: file, line: 0, key: "output",
                message: kind == .page ? "is \"\(output.rawValue)\" but kind = \"page\"; a page printer takes output = \"pdf\""
                                       : "is \"pdf\" but kind = \"receipt\"; a receipt printer takes output = \"escpos\" (set kind = \"page\" for an A4 printer)"))
            return nil
        }
        var profile = PrinterProfile(id: id, name: name, inherits: inherits, file: file, usbIDs: usb, paperWidthDots: paper, dpi: dpi,
                                     columnsFontA: columnsA, columnsFontB: columnsB, chineseFont: chinese, encoding: encoding,
                                     chineseMode: chineseMode, cutter: cutter, cutFeedLines: cutFeed, qrCode: qr, raster: raster,
                                     rasterBandRows: band, textOutput: textOutput, rasterCommand: rasterCommand, rasterFonts: rasterFonts,
                                     printSpeedMillimetersPerSecond: printSpeed, status: status, transmitStatus: transmit, buzzer: buzzer, drawerPort: drawer,
                                     codePages: codePages, quirks: quirks)
        profile.kind = kind
        profile.output = output
        return profile
    }
}
