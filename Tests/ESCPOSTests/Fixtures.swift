// Shared by the ESC/POS tests: the shipped profiles, and small profiles built in code.
import ESCPOS
import Foundation

enum Fixtures {
    /// drivers/printers in this checkout.
    static let profileDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("drivers/printers").path

    static func shipped() throws -> PrinterProfileSet { try PrinterProfiles.load(directory: profileDirectory) }

    static func profile(_ id: String = "test", encoding: PrinterProfile.TextEncoding = .gbk,
                        chineseMode: PrinterProfile.ChineseMode = .fsAmpersand, cutter: PrinterProfile.Cutter = .fullAndPartial,
                        qr: Bool = true, status: PrinterProfile.StatusSupport = .dleEOT, transmitStatus: Bool = true,
                        bandRows: Int = 128, quirks: Set<PrinterProfile.Quirk> = []) -> PrinterProfile {
        PrinterProfile(id: id, name: id, paperWidthDots: 384, columnsFontA: 32, columnsFontB: 42, chineseFont: encoding != .ascii,
                       encoding: encoding, chineseMode: chineseMode, cutter: cutter, cutFeedLines: 4, qrCode: qr,
                       rasterBandRows: bandRows, status: status, transmitStatus: transmitStatus, buzzer: true, quirks: quirks)
    }
}

/// A tiny deterministic generator (SplitMix64), so fuzz tests repeat exactly.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined(separator: " ") }
